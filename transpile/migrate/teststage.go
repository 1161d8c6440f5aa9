package migrate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	"github.com/dockstage/dockstage/transpile/shell"
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
			if onlyState(it.run) {
				// cd tests && pytest: the checks and the shell state they run in
				it.test = true
				for j := i - 1; j >= m.srcStart && m.items[j].run != nil && m.items[j].run.class == runTestDeps && !m.items[j].test; j-- {
					m.items[j].test = true
				}
				continue
			}
			if why := m.splitChecks(it); why != "" {
				m.notes = append(m.notes, Note{Line: it.line, Msg: "runs checks chained with other commands and stays in the prod build, which still runs them: " + why})
			}
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

// stateCommands change only the shell's state (directory, variables,
// options): a check after one of them needs it repeated in the test stage.
var stateCommands = map[string]bool{"cd": true, "export": true, "set": true, "umask": true, "unset": true, "source": true, ".": true, "ulimit": true}

// splitChecks splits a RUN that chains checks (tests, linters, type
// checks) with build commands: src keeps the build commands, the test
// stage runs the checks (after the same cd, export and set commands). It
// returns why not when the split is not safe, and then changes nothing.
//
// The split is safe when the RUN is a shell-form `&&` list of plain simple
// commands (or a `;` list under a leading `set -e`, where `;` stops at a
// failure as `&&` does; a `;` list without it is split too, with the
// caveat that a failing build command now fails the build): then the build commands run in the same order
// with the same shell state, each check only read the project and wrote
// reports and caches that the build commands after it do not read, and
// the test stage, FROM src, sees the build's output as the checks after it
// did (the checks before it see it too, which they did not).
func (m *migrator) splitChecks(it *item) string {
	run := it.step.Run
	if run.Command.Exec {
		return "exec form"
	}
	segs, infos := it.run.segs, it.run.infos
	errexit, seq := false, false
	for k, seg := range segs {
		if probe := seg; !probe.Plain() && !(probe.Redirected && redirectOnly(probe)) || len(seg.Words) == 0 || seg.Words[0].Start < 0 {
			return fmt.Sprintf("`%s` is not a plain command of an && list (a pipeline, a subshell, ||, a redirection or a substitution), so the commands cannot be told apart safely; split the RUN by hand", shorten(segText(run.Command.Shell, seg)))
		}
		if v := seg.Values(); k == 0 && len(v) > 1 && v[0] == "set" && strings.HasPrefix(v[1], "-") && strings.Contains(v[1], "e") {
			errexit = true
		}
		if seg.Op == shell.OpSeq && !errexit {
			seq = true
		}
	}
	var build []string
	checks := 0
	for k := range segs {
		if r := infos[k].Role; r == ecosystem.RoleTest || r == ecosystem.RoleTestDeps {
			checks++
		} else {
			build = append(build, segFull(run.Command.Shell, segs, k))
		}
	}
	if len(build) == 0 || checks == 0 {
		return "nothing to split"
	}
	if why := m.readsCheckOutput(run.Command.Shell, segs, infos); why != "" {
		return why
	}
	// The test stage repeats the shell state (cd, export, set) the first
	// check ran with, and each later state command.
	var test []string
	var state []string
	for k, seg := range segs {
		text := segFull(run.Command.Shell, segs, k)
		v := seg.Values()
		switch role := infos[k].Role; {
		case role == ecosystem.RoleTest || role == ecosystem.RoleTestDeps:
			if len(test) == 0 {
				test = append(test, state...)
			}
			test = append(test, text)
		case len(v) > 0 && stateCommands[v[0]]:
			state = append(state, text)
			if len(test) > 0 {
				test = append(test, text)
			}
		}
	}
	for _, part := range [][]string{build, test} {
		if strings.HasPrefix(strings.TrimSpace(strings.Join(part, " ")), "[") {
			return "one part of the split would start with [ and read as an exec-form JSON array"
		}
	}
	sep := " && "
	if strings.Contains(run.Command.Shell, "\n") {
		sep = " " + string(m.orig.Escape()) + "\n    && "
	}
	br := *run
	br.Command = spec.Command{Shell: strings.Join(build, sep)}
	rw := it.step
	rw.Run = &br
	rw.Comment = append(append([]string(nil), it.step.Comment...), "dockstage migrate: the checks of this RUN are in the test stage")
	it.rewritten = &rw
	tr := spec.Run{Command: spec.Command{Shell: strings.Join(test, sep)}, Mounts: run.Mounts, Network: run.Network, Security: run.Security, Device: run.Device}
	before, after := checksOrder(segs, infos)
	it.testRun = &spec.Step{Run: &tr, Pos: it.step.Pos, Comment: []string{"dockstage migrate: the checks line " + strconv.Itoa(it.line) + " ran " + orderWords(before, after) + " its build commands"}}
	it.note = "split: the checks went to the test stage"
	var caveats []string
	if before {
		caveats = append(caveats, "a check that ran before a build command now runs after it and also sees that command's output; a build command that read what a check wrote (a coverage report, generated files) would need it back in src")
	}
	if seq {
		caveats = append(caveats, "the commands were joined by `;` without `set -e`: the original RUN's status was its last command's, so a failing build command before it did not fail the build; joined by && now, it does")
	}
	m.changes = append(m.changes, Change{
		Kind:    ChangeTestsMoved,
		Summary: "checks split out of a build command",
		Lines:   []int{it.line},
		Detail: fmt.Sprintf("line %d chained checks with build commands; src keeps `%s` and the test stage runs `%s`. The split is safe: the RUN is a list of plain commands that stop at the first failure, so the build commands run as before with the same directory and variables, and a check writes only reports and caches that no build command reads.",
			it.line, shorten(br.Command.Shell), shorten(tr.Command.Shell)),
		Caveats: caveats,
		removed: []spec.Step{it.step},
		added:   []spec.Step{rw},
	})
	return ""
}

// segText is a command's text as written.
func segText(text string, seg shell.Command) string {
	if len(seg.Words) == 0 || seg.Words[0].Start < 0 {
		var ws []string
		for _, w := range seg.Words {
			ws = append(ws, w.Raw)
		}
		return strings.Join(ws, " ")
	}
	return text[seg.Words[0].Start:seg.End()]
}

// onlyState reports whether a RUN's commands other than checks only set
// the shell's state (cd, export, set), all of them plain.
func onlyState(r *runInfo) bool {
	for k, seg := range r.segs {
		if !seg.Plain() {
			return false
		}
		if role := r.infos[k].Role; role == ecosystem.RoleTest || role == ecosystem.RoleTestDeps || role == ecosystem.RoleNeutral {
			continue
		}
		if v := seg.Values(); len(v) == 0 || !stateCommands[v[0]] {
			return false
		}
	}
	return true
}

// redirectOnly reports whether a command is plain but for its
// redirections.
func redirectOnly(c shell.Command) bool {
	c.Redirected = false
	return c.Plain()
}

// segFull is the text of command k of a plain list as written, its
// redirections included: from its first word to the operator before the
// next command.
func segFull(text string, segs []shell.Command, k int) string {
	start, end := segs[k].Words[0].Start, len(text)
	switch c := segs[k]; {
	case c.StmtEnd > c.StmtStart && c.StmtEnd <= len(text):
		start, end = c.StmtStart, c.StmtEnd // the statement's span (transpile/shell)
	case k+1 < len(segs) && len(segs[k+1].Words) > 0 && segs[k+1].Words[0].Start >= start:
		end = segs[k+1].Words[0].Start
	}
	out := text[start:end]
	trim := func() { out = strings.TrimRight(out, " \t\r\n") }
	for {
		trim()
		switch {
		case strings.HasSuffix(out, "\\"), strings.HasSuffix(out, "`"):
			out = out[:len(out)-1] // a line continuation
		case strings.HasSuffix(out, "&&"):
			out = out[:len(out)-2]
		case strings.HasSuffix(out, ";"):
			out = out[:len(out)-1]
		default:
			return out
		}
	}
}

// readsCheckOutput says why a split is unsafe when a build command names a
// file that a check before it names and the build context does not hold:
// most likely a report or an artifact the check wrote (`pytest
// --junitxml=r.xml && cp r.xml /out`), which the build command would no
// longer find. Only path-like words count (with a . or a /, flag values
// after =); "" when none is shared.
func (m *migrator) readsCheckOutput(text string, segs []shell.Command, infos []ecosystem.Classified) string {
	written := map[string]string{}
	for k, seg := range segs {
		check := infos[k].Role == ecosystem.RoleTest || infos[k].Role == ecosystem.RoleTestDeps
		for j, w := range seg.Values() {
			p := w
			if i := strings.Index(p, "="); strings.HasPrefix(p, "-") && i >= 0 {
				p = p[i+1:]
			} else if strings.HasPrefix(p, "-") || j == 0 {
				continue
			}
			p = strings.TrimSuffix(strings.TrimPrefix(p, "./"), "/")
			if strings.Trim(p, "./") == "" || strings.Contains(p, "...") || !strings.ContainsAny(p, "./") {
				continue
			}
			switch c, ok := written[p]; {
			case check && !m.ctx.Has(p):
				written[p] = segText(text, seg)
			case !check && ok:
				return fmt.Sprintf("`%s` names %s, which the check `%s` before it may have written; split the RUN by hand", shorten(segText(text, seg)), p, shorten(c))
			}
		}
	}
	return ""
}

// checksOrder reports whether one of a RUN's checks (tests, test
// dependencies) came before one of its build commands, and whether one
// came after one; the commands that set the shell's state (cd, export)
// do not count.
func checksOrder(segs []shell.Command, infos []ecosystem.Classified) (before, after bool) {
	checks, builds := false, false
	for k, info := range infos {
		if r := info.Role; r == ecosystem.RoleTest || r == ecosystem.RoleTestDeps {
			checks, after = true, after || builds
		} else if v := segs[k].Values(); len(v) == 0 || !stateCommands[v[0]] {
			builds, before = true, before || checks
		}
	}
	return before, after
}

// orderWords says where a RUN's checks ran among its build commands.
func orderWords(before, after bool) string {
	switch {
	case before && after:
		return "before and after"
	case before:
		return "before"
	}
	return "after"
}
