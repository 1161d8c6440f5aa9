package migrate

import (
	"cmp"
	"fmt"
	"path"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// The tests-out phase: for a Python project, when the source copy (COPY
// . DEST in src) brings the tests directory of the context (tests/ or
// test/) or the test requirements files the test stage installs
// (requirements-dev.txt), the test stage (FROM src) keeps them and prod
// removes them first: prod holds no tests. Not COPY --exclude in src:
// BuildKit before 0.13, as in Docker 20.10, ignores the exclusion without
// a word.

// ChangeTestsDirOut: prod no longer holds the tests directory and the
// test requirements files.
const ChangeTestsDirOut = "tests-dir-out"

// testDirs are the directories that hold a project's tests by convention
// (pytest's and unittest's tests/, node's test/).
var testDirs = []string{"tests", "test"}

// testsOut plans the removal (see the file comment); runs after the
// test phases, when the test stage and the end of src are known.
func (m *migrator) testsOut() {
	mixed := m.mixedTestInstalls()
	if !m.hasTests() || m.sourceCopy >= len(m.items) || !m.ctx.Known() {
		return
	}
	// Python only: its prod runs the source as copied, and nothing builds
	// it; a compiled or bundled build (a solution with its test project,
	// a tsconfig that includes test/) may read the tests directory.
	python := false
	for _, e := range m.ecos.List() {
		switch ecosystem.Ecosystem(e.Name) {
		case ecosystem.Python:
			python = true
		default:
			return
		}
	}
	if !python {
		return
	}
	it := m.items[m.sourceCopy]
	c := it.step.Copy
	if c == nil || it.rewritten != nil || c.From != "" || len(c.Src) != 1 || (c.Src[0] != "." && c.Src[0] != "./") || len(c.Exclude) > 0 || c.Parents || strings.Contains(c.Dest, "$") {
		return
	}
	if m.sourceCopy < m.srcStart || it.test || it.blockMove {
		return
	}
	var dirs, files []string
	for _, d := range testDirs {
		if m.ctx.HasDir(d) && !m.ctx.Ignored(d) {
			dirs = append(dirs, d)
		}
	}
	// the test requirements files the test stage installs (requirements-dev.txt)
	seen := map[string]bool{}
	for _, f := range m.devSplit {
		if m.ctx.HasFile(f) && !m.ctx.Ignored(f) && !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	for _, t := range m.items {
		if !t.test || t.run == nil {
			continue
		}
		for _, info := range t.run.infos {
			for _, f := range info.TestManifests {
				f = path.Clean(f)
				if !path.IsAbs(f) && !strings.HasPrefix(f, "..") && !strings.ContainsAny(f, "$*?[") && m.ctx.HasFile(f) && !seen[f] {
					seen[f] = true
					files = append(files, f)
				}
			}
		}
	}
	if len(dirs) == 0 && len(files) == 0 {
		return
	}
	// where the source copy put them, and no USER before prod that may
	// not remove root's files
	wd := ""
	for _, t := range m.items[:m.sourceCopy] {
		if w := t.step.Workdir; w != nil {
			if strings.Contains(*w, "$") || !path.IsAbs(*w) && wd == "" {
				return
			}
			wd = path.Join(wd, *w)
			if path.IsAbs(*w) {
				wd = path.Clean(*w)
			}
		}
	}
	dest := c.Dest
	if !path.IsAbs(dest) {
		if wd == "" {
			return
		}
		dest = path.Join(wd, dest)
	}
	for i, t := range m.items[:m.srcEnd] {
		if t.step.User != nil && !t.toProd {
			m.notes = append(m.notes, Note{Line: it.line, Msg: fmt.Sprintf("prod holds the tests: USER %s (line %d) runs before prod, and that user may not remove the files the source copy made", *t.step.User, m.items[i].line)})
			return
		}
	}
	var names, paths []string
	for _, d := range dirs {
		names = append(names, d+"/")
		paths = append(paths, path.Join(dest, d))
	}
	for _, f := range files {
		names = append(names, f)
		paths = append(paths, path.Join(dest, f))
	}
	what := strings.Join(names, " and ")
	// The comment names what the rm takes: the test files, and the test
	// requirements files where it takes them (their packages may stay:
	// the notes say so).
	said := "the tests are the test stage's, not prod's"
	if len(files) > 0 {
		said = "the tests and the test requirements files are the test stage's, not prod's"
	}
	rm := spec.Step{Run: &spec.Run{Command: spec.Command{Shell: "rm -rf " + strings.Join(paths, " ")}}, Pos: m.final.Pos,
		Comment: []string{"dockstage migrate: " + said}}
	m.prodPrep = append(m.prodPrep, rm)
	caveats := []string{
		"the files stay in src's layer, so the image is not smaller by them; only their presence goes (COPY --exclude would drop them from the layer, but BuildKit before 0.13, as in Docker 20.10, ignores it silently)",
		"a build step after the tests that read them no longer finds them",
	}
	if mixed != "" {
		caveats = append(caveats, "prod still holds the packages of "+mixed+", installed with what prod needs (see the notes)")
	}
	m.changes = append(m.changes, Change{
		Kind:    ChangeTestsDirOut,
		Summary: "prod holds no " + what,
		Lines:   []int{it.line},
		Detail: fmt.Sprintf("the source copy (line %d) brought %s into the image; the test stage (FROM src) still has them, and prod removes them first (`%s`).",
			it.line, what, rm.Run.Command.Shell),
		Caveats: caveats,
		added:   []spec.Step{rm},
	})
}

// mixedTestInstalls notes each install of the prod chain that reads test
// or development requirements files together with the runtime ones (pip
// install -r requirements.txt -r requirements-test.txt,
// ecosystem.Classified.DevManifests) that devReqs did not split: prod holds
// their packages, and the files when a COPY before the source copy names
// them. It returns what the notes name ("" when there is none): "the test
// requirements X (line N)".
func (m *migrator) mixedTestInstalls() string {
	var all []string
	for _, it := range m.items {
		if it.test || it.run == nil || it.devSplit {
			continue
		}
		for k, info := range it.run.infos {
			if len(info.DevExtras) > 0 {
				x := strings.Join(info.DevExtras, ", ")
				m.notes = append(m.notes, Note{Line: it.line, Msg: fmt.Sprintf("prod holds the packages of the extras %s: `%s` installs the project with them, and the project itself is prod's, so it is left as it is; to keep them out of prod, install the project without them (pip install .) and add the extras' install to the test stage in the spec",
					x, segText(it.step.Run.Command.Shell, it.run.segs[k]))})
				all = append(all, fmt.Sprintf("the extras %s (line %d)", x, it.line))
			}
			if info.Role != ecosystem.RoleInstall || len(info.DevManifests) == 0 {
				continue
			}
			files := strings.Join(info.DevManifests, " and ")
			copied := ""
			for _, c := range m.items {
				if c.step.Copy == nil || c.step.Copy.From != "" || c.line > it.line {
					continue
				}
				for _, src := range c.step.Copy.Src {
					for _, f := range info.DevManifests {
						if path.Clean(src) == path.Clean(f) {
							copied = fmt.Sprintf(", and the file%s, which line %d copies", map[bool]string{true: "s", false: ""}[len(info.DevManifests) > 1], c.line)
						}
					}
				}
			}
			m.notes = append(m.notes, Note{Line: it.line, Msg: fmt.Sprintf("prod holds the test packages of %s%s: line %d installs them with the runtime requirements, which prod needs, and migrate left the install whole: %s; give %s a RUN of its own to move it to the test stage",
				files, copied, it.line, cmp.Or(it.devKept, "it is not a RUN of the pip install alone before the tests"), files)})
			all = append(all, fmt.Sprintf("%s (line %d)", files, it.line))
		}
	}
	return strings.Join(all, ", ")
}
