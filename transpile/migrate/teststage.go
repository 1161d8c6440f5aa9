package migrate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// The tests phase: test runs and test-only installs go to the test stage
// (markTests); builds that run tests implicitly skip them in src and run
// them in the test stage (implicitTests).

func (m *migrator) markTests() {
	var lines []int
	var removed []spec.Step
	for i := m.srcStart; i < m.prodStart; i++ {
		it := m.items[i]
		if it.run == nil {
			continue
		}
		switch it.run.class {
		case runTest:
			it.test = true
			for j := i - 1; j >= m.srcStart && m.items[j].run != nil && m.items[j].run.class == runTestDeps && !m.items[j].test; j-- {
				m.items[j].test = true
			}
		case runMixedTest:
			m.notes = append(m.notes, Note{Line: it.line, Msg: "runs tests chained with other commands; it stays in src, so the prod build still runs these tests: split the RUN to move them to the test stage"})
		}
	}
	for _, it := range m.items {
		if it.test {
			lines = append(lines, it.line)
			removed = append(removed, it.step)
			it.note = "moved out of the prod build"
		}
	}
	m.change(Change{
		Kind:    ChangeTestsMoved,
		Summary: "tests moved out of the prod build",
		Lines:   lines,
		Detail:  "the test stage (FROM src) runs them: `docker build --target test` fails when a test fails, and the prod image neither runs them nor holds what they install or write. src ends where the tests ran, so the test stage sees the files they saw; the build steps that followed them are in prod.",
		removed: removed,
	})
}

// implicitTests separates the tests a build runs implicitly (mvn package,
// gradle build): src builds with the skip flag, the test stage runs them.
func (m *migrator) implicitTests() {
	explicit := map[string]bool{}
	for _, it := range m.items {
		if it.test {
			for _, info := range it.run.infos {
				if info.Role == ecosystem.RoleTest {
					explicit[info.Tool] = true
				}
			}
		}
	}
	for i := m.srcStart; i < m.prodStart; i++ {
		it := m.items[i]
		if it.test || it.run == nil || it.run.class != runImplicitTest {
			continue
		}
		run := *it.step.Run
		var flags []string
		var tests []string
		ok := true
		inserts := map[int]string{}
		for k, seg := range it.run.segs {
			info := it.run.infos[k]
			if info.Role != ecosystem.RoleImplicitTest {
				continue
			}
			for _, prev := range it.run.infos[:k] {
				if prev.Role != ecosystem.RoleNeutral {
					ok = false // a cd or an export before the build: the test stage could not repeat it
				}
			}
			flags = append(flags, info.SkipFlag)
			prefix := seg.Words[:seg.Assigns]
			var pw []string
			for _, w := range prefix {
				pw = append(pw, w.Raw)
			}
			tests = append(tests, strings.Join(append(pw, info.TestCmd), " "))
			inserts[seg.End()] = info.SkipFlag
		}
		if !ok {
			m.notes = append(m.notes, Note{Line: it.line, Msg: "runs the tests implicitly (" + strings.Join(flags, ", ") + " would skip them) after other commands; it stays as it is, so the prod build still runs the tests"})
			continue
		}
		if run.Command.Exec {
			args := append([]string(nil), run.Command.Args...)
			for _, f := range flags {
				args = append(args, strings.Fields(f)...)
			}
			run.Command.Args = args
		} else {
			text := run.Command.Shell
			offs := make([]int, 0, len(inserts))
			for o := range inserts {
				offs = append(offs, o)
			}
			sort.Sort(sort.Reverse(sort.IntSlice(offs)))
			for _, o := range offs {
				text = text[:o] + " " + inserts[o] + text[o:]
			}
			run.Command.Shell = text
		}
		rw := it.step
		rw.Run = &run
		rw.Comment = append(append([]string(nil), it.step.Comment...), "dockstage migrate: "+strings.Join(flags, ", ")+" added; the test stage runs the tests")
		it.rewritten = &rw
		it.note = "rewritten: " + strings.Join(flags, ", ")
		tool := ""
		for _, info := range it.run.infos {
			if info.Role == ecosystem.RoleImplicitTest {
				tool = info.Tool
			}
		}
		var testStep *spec.Step
		if !explicit[tool] {
			tr := spec.Run{Command: spec.Command{Shell: strings.Join(tests, " && ")}, Mounts: run.Mounts, Network: run.Network, Security: run.Security, Device: run.Device}
			testStep = &spec.Step{Run: &tr, Pos: it.step.Pos, Comment: []string{"dockstage migrate: the tests line " + strconv.Itoa(it.line) + " ran implicitly"}}
			it.testRun = testStep
		}
		what := ""
		for _, info := range it.run.infos {
			if info.Role == ecosystem.RoleImplicitTest {
				what = info.What
			}
		}
		detail := fmt.Sprintf("`%s` ran the tests as part of the build; src now builds with %s", what, strings.Join(flags, ", "))
		if testStep != nil {
			detail += fmt.Sprintf(" and the test stage runs `%s`", testStep.Run.Command.Shell)
		} else {
			detail += " (the test stage already runs them)"
		}
		detail += ". The build output is the same, without the test run and its reports; a failing test now fails `--target test`, not the prod build."
		m.changes = append(m.changes, Change{
			Kind:    ChangeTestsMoved,
			Summary: "tests moved out of the prod build",
			Lines:   []int{it.line},
			Detail:  detail,
			removed: []spec.Step{it.step},
			added:   []spec.Step{rw},
		})
	}
}
