package lock

import (
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/distribution/reference"
	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Use is one place a spec builds from an image.
type Use struct {
	// Ref is the image reference with build args expanded by their
	// defaults: the key of the lock.
	Ref string
	// Written is the value as the spec writes it (${PYTHON_IMAGE},
	// python:3.12-slim).
	Written string
	// Arg is the build arg that supplies the whole reference when Written
	// is exactly one reference to it ($NAME or ${NAME}): the pin goes into
	// that arg's default, so --build-arg still overrides it.
	Arg string
	// Stage is the stage that uses the image; Flag is "FROM",
	// "COPY --from" or "RUN --mount from".
	Stage, Flag string
	// Platform is the stage's FROM --platform after expansion, when it
	// is a concrete platform ("" otherwise).
	Platform string
	// Pos is where the reference is written.
	Pos spec.Pos
}

// Pinnable reports whether render can pin the use: the reference is
// written literally or supplied whole by one build arg.
func (u Use) Pinnable() bool { return u.Arg != "" || u.Written == u.Ref }

var argRefRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$`)
})

// Collect lists every image reference sp builds from, in spec order: each
// stage's FROM that names no earlier stage (spec.Spec.StageIndex), then
// the COPY --from and RUN --mount from= values of its steps that name no
// stage (spec.Step.References, spec.Spec.StageRef), each expanded with the
// global build args' defaults by BuildKit's shell lexer. scratch, a
// reference already pinned by digest and one using a build arg without a
// default (given only at build time) are left out. sp should be valid
// (spec.Validate).
func Collect(sp *spec.Spec) []Use {
	env := syntax.Env{}
	for _, kv := range sp.Args {
		if kv.Value != nil {
			env[kv.Key] = *kv.Value
		}
	}
	lex := shell.NewLex(sp.Escape())
	var out []Use
	add := func(u Use) {
		res, err := lex.ProcessWordWithMatches(u.Written, env)
		if err != nil || len(res.Unmatched) > 0 {
			return
		}
		u.Ref = res.Result
		if u.Ref == "" || strings.EqualFold(u.Ref, "scratch") {
			return
		}
		named, err := reference.ParseNormalizedNamed(u.Ref)
		if err != nil {
			return
		}
		if _, ok := named.(reference.Digested); ok {
			return // already pinned
		}
		if m := argRefRE().FindStringSubmatch(u.Written); m != nil {
			u.Arg = m[1] + m[2]
		}
		out = append(out, u)
	}
	for i, st := range sp.Stages {
		platform := ""
		if st.Platform != "" {
			if res, err := lex.ProcessWordWithMatches(st.Platform, env); err == nil && len(res.Unmatched) == 0 {
				platform = res.Result
			}
		}
		if sp.StageIndex(st.From, i) < 0 {
			add(Use{Written: st.From, Stage: st.Name, Flag: "FROM", Platform: platform, Pos: st.FromPos})
		}
		for k := range st.Steps {
			for _, r := range st.Steps[k].References() {
				if sp.StageRef(r.From, i) < 0 {
					add(Use{Written: r.From, Stage: st.Name, Flag: r.Flag, Platform: platform, Pos: st.Steps[k].Pos})
				}
			}
		}
	}
	return out
}

// Refs returns the distinct references of uses, sorted.
func Refs(uses []Use) []string {
	seen := map[string]bool{}
	var out []string
	for _, u := range uses {
		if !seen[u.Ref] {
			seen[u.Ref] = true
			out = append(out, u.Ref)
		}
	}
	sort.Strings(out)
	return out
}
