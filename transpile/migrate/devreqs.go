package migrate

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	"github.com/dockstage/dockstage/transpile/shell"
)

// The test-requirements phase: a pip install of the prod chain that reads
// the runtime requirements and test or development ones in one command
// (pip install -r requirements.txt -r requirements-test.txt,
// ecosystem.Classified.DevManifests) is split: the prod chain installs the
// runtime ones only, and the test stage copies the test requirements
// files and installs them, before the tests. A COPY before the install
// that names a test requirements file beside others leaves it out. Where
// the split is not safe (the install is not a RUN of its own, the working
// directory is not known, a copy holds the file alone, a compiler install
// before it that the wheels stage takes) nothing changes and
// mixedTestInstalls notes that prod still holds them.

// ChangeTestReqsOut: the prod chain no longer installs the test
// requirements; the test stage does.
const ChangeTestReqsOut = "test-requirements-out"

// devReqs plans the split (see the file comment); runs after prodDeps,
// before wheels and testsOut.
func (m *migrator) devReqs() {
	if !m.hasTests() {
		return
	}
	firstTest := len(m.items)
	for i, it := range m.items {
		if it.test || it.testRun != nil {
			firstTest = i
			break
		}
	}
	for i, it := range m.items[:firstTest] {
		if it.run == nil || it.toProd || it.rewritten != nil {
			continue
		}
		if it.step.Run.Command.Exec || len(it.run.segs) != 1 {
			it.devKept = "it is not a RUN of the pip install alone"
			continue
		}
		info, seg := it.run.infos[0], it.run.segs[0]
		if info.Role != ecosystem.RoleInstall || len(info.DevManifests) == 0 || !seg.Plain() || info.Tool != "pip" {
			it.devKept = "it is not a plain pip install"
			continue
		}
		it.devKept = m.splitDevReqs(i, it, info, seg)
	}
}

// reqArg is a requirements file argument of a pip command: the words
// [first, last] it spans and the file.
type reqArg struct {
	first, last int
	file        string
}

// pipReqArgs returns the -r arguments of a pip command (-r F,
// --requirement F, --requirement=F, -rF).
func pipReqArgs(seg shell.Command) []reqArg {
	var out []reqArg
	ws := seg.Words
	for i := seg.Assigns; i < len(ws); i++ {
		a := ws[i].Value
		switch {
		case (a == "-r" || a == "--requirement") && i+1 < len(ws):
			out = append(out, reqArg{i, i + 1, ws[i+1].Value})
			i++
		case strings.HasPrefix(a, "--requirement="):
			out = append(out, reqArg{i, i, strings.TrimPrefix(a, "--requirement=")})
		case strings.HasPrefix(a, "-r") && len(a) > 2 && !strings.HasPrefix(a, "--"):
			out = append(out, reqArg{i, i, a[2:]})
		}
	}
	return out
}

// dropArgs returns text without the words of the arguments args of seg
// (and the blanks and line continuations before each).
func dropArgs(text string, seg shell.Command, args []reqArg) string {
	for k := len(args) - 1; k >= 0; k-- {
		start, end := seg.Words[args[k].first].Start, seg.Words[args[k].last].End
		for start > 0 {
			if c := text[start-1]; c == ' ' || c == '\t' {
				start--
			} else if c == '\n' && start >= 2 && text[start-2] == '\\' {
				start -= 2
			} else {
				break
			}
		}
		text = text[:start] + text[end:]
	}
	return text
}

// splitDevReqs splits the install (see the file comment); it returns why
// it left the install whole, "" when it split it.
func (m *migrator) splitDevReqs(i int, it *item, info ecosystem.Classified, seg shell.Command) string {
	if len(seg.Words) == 0 || seg.Words[0].Start < 0 {
		return "its words do not map back to the RUN's text"
	}
	wd, ok := m.workdirAt(i)
	if !ok {
		return "its WORKDIR is not known"
	}
	for _, c := range m.items[:i] {
		if c.run == nil {
			continue
		}
		for _, sg := range c.run.segs {
			if idx, ok := ecosystem.CompilerPackages(sg); ok && len(idx) > 0 {
				// the wheels stage takes the install as it is (wheels.go)
				return fmt.Sprintf("the compiler install on line %d comes before it, and the wheels stage builds the install as it is", c.line)
			}
		}
	}
	dev := map[string]bool{}
	for _, f := range info.DevManifests {
		dev[path.Clean(f)] = true
	}
	var devArgs, runArgs []reqArg
	var files []string // the test requirements files, relative to the context
	for _, a := range pipReqArgs(seg) {
		if !dev[path.Clean(a.file)] {
			runArgs = append(runArgs, a)
			continue
		}
		f, ok := m.relManifest(a.file, wd)
		if !ok || strings.ContainsAny(a.file, "$*?[") || !m.ctx.HasFile(f) || m.ctx.Ignored(f) {
			return fmt.Sprintf("%s is not a file of the build context that migrate can copy on its own", a.file)
		}
		devArgs = append(devArgs, a)
		files = append(files, f)
	}
	if len(devArgs) == 0 || len(runArgs) == 0 {
		return "it installs no runtime requirements beside the test ones"
	}
	// the copies before the install that name a test requirements file
	type copyEdit struct {
		it  *item
		new spec.Step
	}
	var edits []copyEdit
	for _, c := range m.items[:i] {
		cp := c.step.Copy
		if cp == nil || cp.From != "" || c.test || c.rewritten != nil {
			continue
		}
		ncp := cp.KeepSources(func(s string) bool { return !dev[path.Clean(s)] })
		keep := ncp.Src
		if len(keep) == len(cp.Src) {
			continue
		}
		if len(keep) == 0 || len(cp.Src) > 1 && len(keep) == 1 && !strings.HasSuffix(cp.Dest, "/") && cp.Dest != "." {
			return fmt.Sprintf("the COPY on line %d would lose all its sources or change the meaning of its destination without the test requirements", c.line)
		}
		ns := c.step
		ns.Copy = &ncp
		ns.Comment = append(append([]string(nil), c.step.Comment...), "dockstage migrate: the test requirements are copied in the test stage")
		edits = append(edits, copyEdit{c, ns})
	}
	if it.blockMove {
		m.dropManifestCopies(dev)
	}
	text := it.step.Run.Command.Shell
	prodRun := *it.step.Run
	prodRun.Command.Shell = dropArgs(text, seg, devArgs)
	testRun := *it.step.Run
	testRun.Command.Shell = dropArgs(text, seg, runArgs)
	rw := it.step
	rw.Run = &prodRun
	rw.Comment = append(append([]string(nil), it.step.Comment...), "dockstage migrate: the runtime requirements only; the test stage installs the test ones")
	it.rewritten = &rw
	it.note = "rewritten: the runtime requirements only"
	removed, added := []spec.Step{it.step}, []spec.Step{rw}
	for _, e := range edits {
		e.it.rewritten = &e.new
		e.it.note = "rewritten: without the test requirements files"
		removed, added = append(removed, e.it.step), append(added, e.new)
	}
	var lines []int
	for _, e := range edits {
		lines = append(lines, e.it.line)
	}
	lines = append(lines, it.line)
	var copies []spec.Step
	for _, f := range files {
		copies = append(copies, spec.Step{Copy: &spec.Copy{Src: []string{f}, Dest: path.Join(wd, f)}, Pos: it.step.Pos})
	}
	copies[0].Comment = []string{"dockstage migrate: the test requirements, for the tests only (prod has the runtime ones)"}
	m.testPrep = append(m.testPrep, copies...)
	m.testPrep = append(m.testPrep, spec.Step{Run: &testRun, Pos: it.step.Pos})
	m.devSplit = append(m.devSplit, files...)
	it.devSplit = true
	names := strings.Join(files, " and ")
	m.changes = append(m.changes, Change{
		Kind:    ChangeTestReqsOut,
		Summary: "prod installs the runtime requirements only",
		Lines:   lines,
		Detail: fmt.Sprintf("`%s` installed the test requirements (%s) with the runtime ones; the prod chain now runs `%s`, and the test stage copies %s and runs `%s` before the tests.",
			segText(text, seg), names, strings.TrimSpace(prodRun.Command.Shell), names, strings.TrimSpace(testRun.Command.Shell)),
		Caveats: []string{
			"pip resolves the runtime requirements alone now: a version that the test requirements pinned or constrained may resolve differently in prod",
			"a package the app imports at run time but only the test requirements list is no longer in prod: move it to the runtime requirements",
		},
		removed: removed,
		added:   added,
	})
	return ""
}

// dropManifestCopies leaves the test requirements files dev out of the
// manifests that reorder copies before the install it moved (and out of
// its change, which adds those copies).
func (m *migrator) dropManifestCopies(dev map[string]bool) {
	var before, after []string
	var kept []spec.Step
	for _, cp := range m.manifestCopies {
		before = append(before, cp.Copy.Src...)
		ncp := cp.Copy.KeepSources(func(s string) bool { return !dev[path.Clean(s)] })
		keep := ncp.Src
		if len(keep) == 0 {
			continue
		}
		cp.Copy = &ncp
		after = append(after, keep...)
		kept = append(kept, cp)
	}
	if len(kept) == 0 || len(before) == len(after) {
		return // nothing to leave out, or nothing left to copy
	}
	if len(m.manifestCopies[0].Comment) > 0 && len(kept[0].Comment) == 0 {
		kept[0].Comment = m.manifestCopies[0].Comment
	}
	m.manifestCopies = kept
	for i := range m.changes {
		if c := &m.changes[i]; c.Kind == ChangeInstallCached {
			c.added = kept
			c.Detail = strings.Replace(c.Detail, "base copies only "+strings.Join(before, ", "), "base copies only "+strings.Join(after, ", "), 1)
		}
	}
}

// workdirAt is the working directory of the i-th item: false when a
// WORKDIR before it is relative to an unknown one or holds a variable.
func (m *migrator) workdirAt(i int) (string, bool) {
	wd := ""
	for _, t := range m.items[:i] {
		if w := t.step.Workdir; w != nil {
			if strings.Contains(*w, "$") || !path.IsAbs(*w) && wd == "" {
				return "", false
			}
			wd = path.Join(wd, *w)
			if path.IsAbs(*w) {
				wd = path.Clean(*w)
			}
		}
	}
	return wd, wd != ""
}
