package migrate

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// The reorder phase: move the dependency install before the source copy,
// with only the manifests it reads, where that is safe.

// blockAllowed: steps that may move with the install to before the source
// copy: they neither read nor write the build context's files.
func blockAllowed(it *item) bool {
	s := it.step
	switch kw := s.Keyword(); {
	case it.test:
		return false
	case kw == "ENV" || kw == "ARG" || kw == "LABEL":
		return true
	case it.run != nil:
		return it.run.class == runInstall || it.run.class == runToolSetup
	}
	return false
}

func (m *migrator) refuse(line int, format string, args ...any) {
	m.notes = append(m.notes, Note{Line: line, Msg: "dependency install not moved before the source copy: " + fmt.Sprintf(format, args...)})
}

func (m *migrator) reorder() {
	c := m.sourceCopy
	if c >= m.prodStart {
		return
	}
	first := -1
	for i := c + 1; i < m.prodStart; i++ {
		if it := m.items[i]; it.run != nil && it.run.class == runInstall && !it.test {
			first = i
			break
		}
	}
	if first < 0 {
		return
	}
	last := -1
	stop := -1
	for i := c + 1; i < m.prodStart; i++ {
		if !blockAllowed(m.items[i]) {
			stop = i
			break
		}
		if m.items[i].run != nil && m.items[i].run.class == runInstall {
			last = i
		}
	}
	S := m.items[c]
	if last < 0 {
		m.refuse(m.items[first].line, "line %d (%s) runs between the source copy (line %d) and the install; move it after the install, or before the source copy if it needs no source", m.items[stop].line, m.describeLine(m.items[stop].line), S.line)
		return
	}
	for i := last + 1; i < m.prodStart; i++ {
		if it := m.items[i]; it.run != nil && it.run.class == runInstall && !it.test {
			m.notes = append(m.notes, Note{Line: it.line, Msg: fmt.Sprintf("this install stays after the source copy: line %d runs before it and needs the source", m.items[stop].line)})
			break
		}
	}
	line := m.items[first].line
	if !m.ctx.Known() {
		m.refuse(line, "no build context to check the manifests against (give --context DIR)")
		return
	}
	if m.ctx.Truncated() {
		m.refuse(line, "the build context is too large to check (more than %d entries)", ecosystem.ContextMaxEntries)
		return
	}
	sc := S.step.Copy
	switch {
	case sc == nil:
		m.refuse(line, "the source is added with ADD (line %d); use COPY", S.line)
		return
	case len(sc.Src) != 1 || (sc.Src[0] != "." && sc.Src[0] != "./"):
		m.refuse(line, "the source copy (line %d) copies %s, not the whole build context", S.line, strings.Join(sc.Src, " "))
		return
	case len(sc.Exclude) > 0 || sc.Parents:
		m.refuse(line, "the source copy (line %d) uses --exclude or --parents", S.line)
		return
	}
	wd := ""
	for _, it := range m.items[:c] {
		if w := it.step.Workdir; w != nil {
			if path.IsAbs(*w) || wd == "" {
				wd = path.Join("/", *w)
			} else {
				wd = path.Join(wd, *w)
			}
		}
	}
	dest := sc.Dest
	switch {
	case wd == "":
		m.refuse(line, "no WORKDIR before the source copy, so the install's directory is the base image's; add a WORKDIR")
		return
	case dest == "." || dest == "./":
	case path.IsAbs(dest) && path.Clean(dest) == wd:
	default:
		m.refuse(line, "the source lands in %s but the install runs in %s", dest, wd)
		return
	}
	dollar := strings.Contains(strings.Join(append(append([]string{}, sc.Src...), sc.Dest, sc.Chown, sc.Chmod), " "), "$")
	var need []string
	have := map[string]bool{}
	var caveats []string
	var block []*item
	for _, it := range m.items[c+1 : last+1] {
		block = append(block, it)
		if (it.step.Env != nil || it.step.Arg != nil) && dollar {
			m.refuse(line, "line %d sets a variable the source copy (line %d) expands", it.line, S.line)
			return
		}
		if it.run == nil {
			continue
		}
		for _, info := range it.run.infos {
			for _, d := range info.Writes {
				if m.ctx.Has(d) {
					m.refuse(it.line, "the build context holds %s, which the source copy would lay over what `%s` writes there; add %s to .dockerignore", d, info.What, d)
					return
				}
			}
			if info.Role != ecosystem.RoleInstall {
				continue
			}
			if info.Unsafe != "" {
				m.refuse(it.line, "%s", info.Unsafe)
				return
			}
			if info.Caveat != "" {
				caveats = append(caveats, info.Caveat)
			}
			for _, f := range info.Need {
				f, ok := m.relManifest(f, wd)
				if !ok {
					m.refuse(it.line, "`%s` reads %s, outside the directory the source is copied to", info.What, f)
					return
				}
				if !m.ctx.Has(f) {
					m.refuse(it.line, "`%s` reads %s, which is not in the build context", info.What, f)
					return
				}
				if !have[f] {
					have[f] = true
					need = append(need, f)
				}
			}
			for _, f := range info.Maybe {
				if f, ok := m.relManifest(f, wd); ok && m.ctx.Has(f) && !have[f] {
					have[f] = true
					need = append(need, f)
				}
			}
		}
	}
	// Copy the manifests, grouped by directory; directories one by one.
	byDir := map[string][]string{}
	var dirs []string
	var copies []spec.Step
	destBase := dest
	if destBase == "." || destBase == "./" {
		destBase = "./"
	}
	mk := func(srcs []string, d string) spec.Step {
		cp := &spec.Copy{Src: srcs, Dest: d, Chown: sc.Chown, Chmod: sc.Chmod, Link: sc.Link}
		return spec.Step{Copy: cp, Pos: S.step.Pos}
	}
	join := func(d string) string {
		if d == "." {
			if strings.HasSuffix(destBase, "/") {
				return destBase
			}
			return destBase + "/"
		}
		return strings.TrimSuffix(destBase, "/") + "/" + d + "/"
	}
	for _, f := range need {
		if m.ctx.HasDir(f) {
			copies = append(copies, mk([]string{f}, join(f)))
			continue
		}
		d := path.Dir(f)
		if _, ok := byDir[d]; !ok {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], f)
	}
	var fileCopies []spec.Step
	for _, d := range dirs {
		fileCopies = append(fileCopies, mk(byDir[d], join(d)))
	}
	copies = append(fileCopies, copies...)
	if len(copies) > 0 {
		copies[0].Comment = []string{"dockstage migrate: the dependency manifests first, so the install below stays cached until they change"}
	}
	m.manifestCopies = copies
	var lines []int
	var moved []spec.Step
	moved = append(moved, S.step)
	var files []string
	for _, cp := range copies {
		files = append(files, cp.Copy.Src...)
	}
	for _, it := range block {
		it.blockMove = true
		it.note = "moved before the source copy"
		moved = append(moved, it.step)
		if it.run != nil && it.run.class == runInstall {
			lines = append(lines, it.line)
		}
	}
	m.changes = append(m.changes, Change{
		Kind:    ChangeInstallCached,
		Summary: "dependency install now cached before the source copy",
		Lines:   lines,
		Detail: fmt.Sprintf("base copies only %s and installs (line %s) before the source copy (line %d), so a source-only change no longer re-runs the install. The install reads the same files; the source copy then lays the same files over them, so the image holds them in one more layer (their size again).",
			strings.Join(files, ", "), joinInts(lines), S.line),
		Caveats: caveats,
		moved:   moved,
		added:   copies,
	})
}

// relManifest makes a manifest path relative to the source directory.
func (m *migrator) relManifest(f, wd string) (string, bool) {
	if path.IsAbs(f) {
		if strings.HasPrefix(f, wd+"/") {
			return path.Clean(strings.TrimPrefix(f, wd+"/")), true
		}
		return f, false
	}
	f = path.Clean(f)
	if f == ".." || strings.HasPrefix(f, "../") {
		return f, false
	}
	return f, true
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
