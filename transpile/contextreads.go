package transpile

import (
	"path"
	"strings"

	"github.com/dockstage/dockstage/spec"
)

// ContextRead is one place a build reads the build context: a COPY or ADD
// source, or the source of a RUN --mount=type=bind without from= (a bind
// mount of the context).
type ContextRead struct {
	// Path is the source relative to the context root, cleaned (a leading
	// "/" is the root), wildcards kept; "." is the whole context: a bind
	// mount without source, a source "." or one whose path cannot be
	// known before the build (a variable, a path above the root).
	Path string
	// Mount is set for a RUN bind mount, unset for a COPY or ADD source.
	Mount bool
	// Pos is the step's position in the spec.
	Pos spec.Pos
}

// Whole reports whether the read may take anything in the context: Path
// is "." or, for a COPY or ADD source, a pattern in its first element
// (*.py, **/package.json), which a .dockerignore cannot re-include short
// of everything.
func (r ContextRead) Whole() bool {
	first, _, _ := strings.Cut(r.Path, "/")
	return r.Path == "." || !r.Mount && strings.ContainsAny(first, "*?[")
}

// ContextReads lists, in spec order, every read of the build context by
// the steps of s: the local sources of COPY and ADD (not --from, URLs, git
// repositories or heredocs) and the sources of RUN bind mounts without
// from= (from= is a stage, an image or a named context, none of them the
// build context, whose .dockerignore does not apply to them). An ONBUILD
// trigger reads the context of the build that uses the image, not this
// one. A wildcard after the first element of a source stays in Path (the
// .dockerignore pattern !src/*.go re-includes what the COPY takes);
// COPY --exclude only narrows what a source takes, so it adds no read.
func ContextReads(s *spec.Spec) []ContextRead {
	var out []ContextRead
	for _, st := range s.Stages {
		for _, step := range st.Steps {
			pos := step.Pos
			c := step.Copy
			if c == nil {
				c = step.Add
			}
			if c != nil && c.From == "" {
				for _, src := range c.Src {
					if strings.HasPrefix(src, "<<") || isRemote(src) {
						continue
					}
					out = append(out, ContextRead{Path: contextPath(src), Pos: pos})
				}
			}
			if step.Run == nil {
				continue
			}
			for _, m := range step.Run.Mounts {
				if (m.Type == "" || m.Type == "bind") && m.From == "" {
					out = append(out, ContextRead{Path: contextPath(m.Source), Mount: true, Pos: pos})
				}
			}
		}
	}
	return out
}

// contextPath is src cleaned relative to the context root, or "." when it
// is the root or cannot be known before the build.
func contextPath(src string) string {
	clean := path.Clean(strings.TrimLeft(src, "/"))
	if first, _, _ := strings.Cut(clean, "/"); strings.Contains(src, "$") || first == ".." {
		return "."
	}
	return clean
}

// reinclude is the path a .dockerignore allow list re-includes (!PATH)
// for a read of p: p itself, or, when a wildcard is in an element before
// the last (src/**/*.go, a/*/b), the directory above that element. The
// walker that sends the context (fsutil, and the docker CLI's own) skips
// an excluded directory unless a re-include pattern starts with its path,
// so !src/**/*.go would never reach src/a/b.go.
func reinclude(p string) string {
	elems := strings.Split(p, "/")
	for i, e := range elems[:len(elems)-1] {
		if strings.ContainsAny(e, "*?[") {
			return strings.Join(elems[:i], "/")
		}
	}
	return p
}
