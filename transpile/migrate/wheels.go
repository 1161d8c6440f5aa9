package migrate

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// The wheels phase: when a pip install of requirements files needs a
// compiler (gcc, build-essential, ... installed by a system package
// install before it), a wheels stage builds the wheels with the compiler
// (pip wheel --wheel-dir /wheels) and the prod chain installs them
// without it (pip install --no-index --find-links /wheels, the wheels
// bind-mounted from that stage): the compiler packages leave the prod
// chain.

// StageWheels is the stage that builds the Python wheels with the
// compiler.
const StageWheels = "wheels"

// ChangeWheels: the prod chain installs prebuilt wheels and has no
// compiler.
const ChangeWheels = "wheels"

// wheelsTestNote is the comment on the compiler install of the test stage.
const wheelsTestNote = "dockstage migrate: the compiler, for the test requirements"

// wheelsDir is where the wheels stage writes the wheels and where the
// install reads them.
const wheelsDir = "/wheels"

// pipWheelDrop are pip install options that pip wheel does not take (pip's
// documentation of both commands).
var pipWheelDrop = map[string]bool{"--user": true, "-U": true, "--upgrade": true, "--break-system-packages": true,
	"--no-warn-script-location": true, "--compile": true, "--no-compile": true, "--force-reinstall": true,
	"-I": true, "--ignore-installed": true, "--no-warn-conflicts": true, "--root-user-action": true}

// wheelsPlan is what the wheels phase decided: the install, the compiler
// steps, and the wheels stage's build command.
type wheelsPlan struct {
	install   *item
	compilers []*item
	wheel     spec.Step
	stage     *spec.Stage // the wheels stage assembled
}

// wheels plans the wheels stage (see the file comment); a note says why
// not when the compiler may be needed by another build step.
func (m *migrator) wheels() {
	if n := len(m.orig.Stages); m.orig.StageIndex(StageWheels, n) >= 0 || m.orig.StageRef(StageWheels, n) >= 0 {
		return // the name is taken
	}
	var pip *item
	var compilers []*item
	at := -1
	for i, it := range m.items {
		if it.test || it.run == nil || it.toProd {
			continue
		}
		for k, seg := range it.run.segs {
			if idx, ok := ecosystem.CompilerPackages(seg); ok && len(idx) > 0 && pip == nil && seg.Plain() && !it.step.Run.Command.Exec {
				compilers = append(compilers, it)
				break
			}
			if info := it.run.infos[k]; pip == nil && len(compilers) > 0 && info.Tool == "pip" && info.Role == ecosystem.RoleInstall && len(info.Need) > 0 {
				if info.Unsafe != "" {
					what, _, _ := strings.Cut(info.Unsafe, ", which")
					m.notes = append(m.notes, Note{Line: it.line, Msg: "the pip install needs the compiler installed before it, but " + what + ": pip would build that again instead of taking its wheel, so prod keeps the compiler"})
					return
				}
				if it.rewritten != nil || it.step.Run.Command.Exec || len(it.run.segs) != 1 || !seg.Plain() {
					m.notes = append(m.notes, Note{Line: it.line, Msg: "the pip install needs the compiler installed before it, so prod keeps the compiler: the install is not a RUN of the install alone"})
					return
				}
				pip, at = it, i
			}
		}
	}
	if pip == nil {
		for _, it := range compilers {
			m.notes = append(m.notes, Note{Line: it.line, Msg: fmt.Sprintf("prod keeps the compiler packages this RUN installs (%s): migrate moves a compiler out of prod only for a pip install that needs it (the wheels stage); a later install (npm, gem, bundle, go...) may build native code with it, so it stays; to drop it, do that install in a stage of its own and copy its output into prod", strings.Join(compilerNames(it), ", "))})
		}
		return
	}
	// Another build step after the install may compile too.
	for _, it := range m.items[at+1:] {
		if it.test || it.run == nil {
			continue
		}
		for _, seg := range it.run.segs {
			v := seg.Values()
			if len(v) == 0 {
				continue
			}
			b := path.Base(v[0])
			if b == "gcc" || b == "cc" || b == "g++" || b == "make" || b == "cmake" || b == "cargo" || b == "pip" || b == "pip3" ||
				strings.HasPrefix(b, "python") && len(v) > 1 && (v[1] == "setup.py" || len(v) > 2 && v[1] == "-m" && v[2] == "pip") {
				m.notes = append(m.notes, Note{Line: pip.line, Msg: fmt.Sprintf("the pip install needs a compiler, but line %d (%s) may need it too, so prod keeps it; a wheels stage would hold it instead", it.line, m.describeLine(it.line))})
				return
			}
		}
	}
	// The compiler packages leave each install; a RUN left with no
	// package to install (only the index update and clean-up) leaves the
	// prod chain.
	var removed, added []spec.Step
	var pkgs []string
	for _, it := range compilers {
		text := it.step.Run.Command.Shell
		out, last := "", 0
		left := 0
		for _, seg := range it.run.segs {
			idx, ok := ecosystem.CompilerPackages(seg)
			if !ok {
				continue
			}
			all := ecosystem.Packages(seg)
			left += len(all) - len(idx)
			for _, i := range idx {
				w := seg.Words[i]
				start := w.Start
				for start > 0 && (text[start-1] == ' ' || text[start-1] == '\t') {
					start--
				}
				out += text[last:start]
				last = w.End
				pkgs = append(pkgs, w.Value)
			}
		}
		out += text[last:]
		removed = append(removed, it.step)
		if left == 0 && m.onlyHousekeeping(it) {
			it.dropped = true
			it.note = "in the wheels stage only: it installs the compiler"
			continue
		}
		run := *it.step.Run
		run.Command.Shell = out
		rw := it.step
		rw.Run = &run
		rw.Comment = append(append([]string(nil), it.step.Comment...), "dockstage migrate: the compiler is in the wheels stage only")
		it.rewritten = &rw
		it.note = "rewritten: the compiler packages are in the wheels stage only"
		added = append(added, rw)
	}
	// The install reads the wheels; the wheels stage builds them.
	seg := pip.run.segs[0]
	text := pip.step.Run.Command.Shell
	v := seg.Values()
	sub := -1
	for i, w := range v {
		if w == "install" {
			sub = seg.Assigns + i
			break
		}
	}
	if sub < 0 {
		return
	}
	run := *pip.step.Run
	run.Mounts = append(append([]spec.Mount(nil), run.Mounts...), spec.Mount{Type: "bind", From: StageWheels, Source: wheelsDir, Target: wheelsDir})
	run.Command.Shell = text[:seg.Words[sub].End] + " --no-index --find-links " + wheelsDir + text[seg.Words[sub].End:]
	rw := pip.step
	rw.Run = &run
	rw.Comment = append(append([]string(nil), pip.step.Comment...), "dockstage migrate: installs the wheels the wheels stage built with the compiler")
	pip.rewritten = &rw
	pip.note = "rewritten: installs the wheels of the wheels stage"
	removed = append(removed, pip.step)
	added = append(added, rw)

	words := []string{}
	for _, w := range seg.Words[:sub] {
		words = append(words, w.Raw)
	}
	words = append(words, "wheel", "--wheel-dir", wheelsDir)
	for i := sub + 1; i < len(seg.Words); i++ {
		w := seg.Words[i]
		name, _, _ := strings.Cut(w.Value, "=")
		if pipWheelDrop[name] {
			continue
		}
		words = append(words, w.Raw)
	}
	wrun := *pip.step.Run
	wrun.Command.Shell = strings.Join(words, " ")
	m.wheelsPlan = &wheelsPlan{install: pip, compilers: compilers, wheel: spec.Step{Run: &wrun, Pos: pip.step.Pos, Comment: []string{"dockstage migrate: the wheels of the requirements, built with the compiler"}}}
	for _, it := range m.items {
		if it.test && it.run != nil && it.run.class == runTestDeps {
			// the test requirements may need the compiler too
			for _, c := range compilers {
				s := c.step
				s.Comment = []string{wheelsTestNote}
				m.testPrep = append(m.testPrep, s)
			}
			break
		}
	}
	m.changes = append(m.changes, Change{
		Kind:    ChangeWheels,
		Summary: "prod installs prebuilt wheels and holds no compiler",
		Lines:   append(itemLines(compilers), pip.line),
		Detail: fmt.Sprintf("`%s` needed the compiler packages %s installed before it; the wheels stage (the same steps from the same image, then `%s`) builds the wheels with them, and the prod chain installs those wheels with --no-index --find-links %s, bind-mounted from that stage, so prod has none of them.",
			segText(text, seg), strings.Join(pkgs, ", "), wrun.Command.Shell, wheelsDir),
		Caveats: []string{
			"the development packages (-dev) stay: they bring the shared libraries the wheels link (libpq5 for libpq-dev); to drop their headers too, install the runtime packages instead",
			"a package that compiles at run time, or a build step after the install that calls the compiler, would need it back in prod",
		},
		removed: removed,
		added:   added,
	})
}

// onlyHousekeeping reports whether every command of a RUN but its system
// package installs is the package index update or clean-up.
func (m *migrator) onlyHousekeeping(it *item) bool {
	for k, seg := range it.run.segs {
		if _, ok := ecosystem.CompilerPackages(seg); ok {
			continue
		}
		info := it.run.infos[k]
		v := seg.Values()
		if !info.Housekeeping && !(len(v) > 1 && v[0] == "rm" && strings.Contains(strings.Join(v, " "), "/var/lib/apt/lists")) {
			return false
		}
	}
	return true
}

func itemLines(items []*item) []int {
	var out []int
	for _, it := range items {
		out = append(out, it.line)
	}
	return out
}

// wheelStep is the step the wheels stage has for it: the compiler
// installs as the original has them, the others as the prod chain does.
func (m *migrator) wheelStep(it *item) spec.Step {
	if p := m.wheelsPlan; p != nil {
		for _, c := range p.compilers {
			if c == it {
				return it.step
			}
		}
	}
	return it.stepOrRewritten()
}

// wheelsStage is the wheels stage: the original image, the prod chain's
// steps before the install (wheelStep), then pip wheel. chain is those
// steps of base and src in order, the install among them.
func (m *migrator) wheelsStage(chain []spec.Step) *spec.Stage {
	p := m.wheelsPlan
	var steps []spec.Step
	for _, s := range chain {
		if s.Pos.Line == p.install.line && s.Run != nil {
			break
		}
		steps = append(steps, s)
	}
	steps = append(steps, p.wheel)
	f := m.final
	p.stage = &spec.Stage{Name: StageWheels, From: f.From, Platform: f.Platform, Steps: steps, Pos: f.Pos}
	return p.stage
}

// unwheel returns migrated without the wheels stage, for the proof: the
// prod chain's install reads the wheels through a bind mount, the
// instruction the report names as changed; an issue when migrated's
// wheels stage is not the one the plan made.
func (p *wheelsPlan) unwheel(migrated *spec.Spec, esc rune) (*spec.Spec, []string) {
	out := *migrated
	out.Stages = nil
	var issues []string
	for _, st := range migrated.Stages {
		if st.Name != StageWheels {
			out.Stages = append(out.Stages, st)
			continue
		}
		same := st.From == p.stage.From && len(st.Steps) == len(p.stage.Steps)
		for i := 0; same && i < len(st.Steps); i++ {
			same = normText(st.Steps[i], esc) == normText(p.stage.Steps[i], esc)
		}
		if !same {
			issues = append(issues, "the wheels stage is not the one the report names")
		}
	}
	return &out, issues
}

// compilerNames are the compiler packages the RUN of it installs
// (ecosystem.CompilerPackages), as written.
func compilerNames(it *item) []string {
	var out []string
	for _, seg := range it.run.segs {
		idx, ok := ecosystem.CompilerPackages(seg)
		if !ok {
			continue
		}
		v := seg.Values()
		for _, i := range idx {
			if i < len(v) {
				out = append(out, v[i])
			}
		}
	}
	return out
}
