// Package migrate turns a single-stage Dockerfile into dockstage's standard
// stage layout (base -> src -> test -> prod), with a report of what moved
// where and a proof that the prod build is the original build except for
// the changes the report names.
//
// The pipeline: transpile.Reverse imports the Dockerfile; the last stage's
// steps are given roles (see Migrate for the rules); where it is safe, the
// dependency install moves before the source copy with only the manifests
// it reads; the result is a spec with stages base, src, test (only when the
// original runs tests) and prod, and a compose section publishing the
// EXPOSEd ports. Prove flattens the migrated prod chain back into one stage
// and compares it with the original using transpile.CompareSpecs (the
// `dockstage diff` rules); every difference must be one the report names.
//
// Like package transpile, migrate is pure: no I/O except reading the build
// context through the fs.FS the caller passes.
package migrate

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
)

// The standard stages migrate creates.
const (
	StageBase = "base"
	StageSrc  = "src"
	StageTest = "test"
	StageProd = "prod"
)

// Options configure Migrate.
type Options struct {
	// File names the Dockerfile in positions and the report; default
	// "Dockerfile".
	File string
	// Name is the spec name (compose service and image); default "app".
	Name string
	// Context is the build context the Dockerfile is built with; nil when
	// unknown, and then no install is reordered (migrate cannot check the
	// manifests).
	Context fs.FS
	// KeepShellForm leaves shell-form CMD and ENTRYPOINT as they are.
	KeepShellForm bool
}

// Result is a migration.
type Result struct {
	// Original is the Dockerfile imported as it is (transpile.Reverse).
	Original *spec.Spec
	// Spec is the migrated spec; it has passed spec.Validate.
	Spec *spec.Spec
	// Report says where each line went and every change in behaviour.
	Report *Report
	// Warnings are transpile.Reverse's warnings on the Dockerfile.
	Warnings []transpile.Warning
}

// InternalError is a migration that failed its own proof or validation: a
// bug in dockstage, never the user's input.
type InternalError struct {
	File string
	Msg  string
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("%s: internal error: %s; please report this Dockerfile", e.File, e.Msg)
}

// Migrate splits the last stage of a Dockerfile into the standard layout.
//
// Role inference, in the order of the original steps:
//   - base: the FROM (with its --platform), everything before the source
//     copy (system packages, runtime set-up, manifest copies and the
//     installs that read them), and the moved dependency install;
//   - src: from the source copy (the first COPY/ADD from the build context
//     whose sources are not all dependency manifests) to the last test step,
//     or to the prod tail when there is none;
//   - test: the RUNs in src made only of test commands (pytest, npm test,
//     go test, mvn test, gradle test, cargo test, rspec, rake test, phpunit,
//     dotnet test, ...) and the test-only installs just before them
//     (requirements-dev.txt, pip install pytest); and, for a build that runs
//     the tests implicitly (mvn package/verify/install, gradle build), the
//     test command while src gets -DskipTests / -x test;
//   - prod: the build steps after the last test step (so that the test
//     stage, FROM src, sees what the tests saw), then the longest tail of
//     configuration steps (USER, EXPOSE,
//     HEALTHCHECK, ENTRYPOINT, CMD, VOLUME, STOPSIGNAL, ENV, LABEL, ARG,
//     WORKDIR, SHELL, ONBUILD), plus ONBUILD, and CMD/ENTRYPOINT when an
//     ENTRYPOINT would otherwise reset a CMD of an earlier stage.
//
// Stages never reorder steps except for the named changes: the prod chain
// base+src+prod is the original sequence without the test steps. Build
// args declared in a stage are declared again at the head of each later
// stage that runs a command or expands a variable (an ARG's scope ends
// with its stage).
//
// A multistage Dockerfile is migrated when its last stage starts from an
// image: the earlier stages are kept as they are (builder stages) and only
// the last one is split; a last stage built on an earlier stage, or an
// earlier stage named base, src, test or prod, is refused.
//
// Errors: transpile.Reverse's spec.ErrorList for an invalid Dockerfile, a
// spec.ErrorList for a refused input, *InternalError when the result fails
// its validation or proof.
func Migrate(src []byte, opts Options) (*Result, error) {
	if opts.File == "" {
		opts.File = "Dockerfile"
	}
	orig, warns, err := transpile.Reverse(opts.File, src, transpile.ReverseOptions{Name: opts.Name})
	if err != nil {
		return nil, err
	}
	m := &migrator{opts: opts, orig: orig, ctx: loadContext(opts.Context), src: strings.Split(string(src), "\n")}
	if err := m.check(); err != nil {
		return nil, err
	}
	// The last stage becomes base: Reverse's name for it does not matter.
	kept := warns[:0:0]
	for _, w := range warns {
		if !(w.Pos.Line == m.final.Pos.Line && strings.Contains(w.Msg, "unnamed stage")) {
			kept = append(kept, w)
		}
	}
	warns = kept
	m.split()
	out, err := m.assemble()
	if err != nil {
		return nil, err
	}
	if err := spec.Validate(out); err != nil {
		return nil, &InternalError{File: opts.File, Msg: "the migrated spec does not validate: " + err.Error()}
	}
	m.contextChange(out)
	rep := m.report(out)
	proof, err := Prove(orig, out, rep)
	if err != nil {
		return nil, &InternalError{File: opts.File, Msg: "proof: " + err.Error()}
	}
	if !proof.OK() {
		return nil, &InternalError{File: opts.File, Msg: "the migrated prod build differs from the original in ways the report does not name:\n" + proof.String()}
	}
	rep.Proof = proof.Summary()
	return &Result{Original: orig, Spec: out, Report: rep, Warnings: warns}, nil
}

// ---------------------------------------------------------------------------

type runClass int

const (
	runOther runClass = iota
	runNeutral
	runToolSetup
	runInstall
	runTestDeps
	runTest
	runImplicitTest
	runMixedTest // tests chained with other commands
)

type runInfo struct {
	segs  []segment
	infos []segInfo
	class runClass
}

// item is one step of the stage being split.
type item struct {
	step spec.Step
	line int // line in the original Dockerfile
	run  *runInfo

	test      bool   // goes to the test stage
	toProd    bool   // configuration moved to prod
	blockMove bool   // moves before the source copy
	note      string // for the line map
	// rewritten is the step src gets instead of step (implicit tests).
	rewritten *spec.Step
	// testRun is the test command the test stage gets for an implicit test.
	testRun *spec.Step
	// execForm is the step prod gets instead of step (shell to exec form).
	execForm *spec.Step
}

type migrator struct {
	opts Options
	orig *spec.Spec
	ctx  *buildContext
	src  []string // Dockerfile lines

	final *spec.Stage
	items []*item
	esc   rune

	srcStart, prodStart, sourceCopy int
	// srcEnd ends src after the last test step: the build steps after the
	// tests go to prod, so that the test stage sees what the tests saw.
	srcEnd         int
	manifestCopies []spec.Step

	changes []Change
	notes   []Note
	ecos    ecoSet
}

func (m *migrator) errorf(line int, format string, args ...any) error {
	return spec.ErrorList{{Pos: spec.Pos{File: m.opts.File, Line: line}, Msg: fmt.Sprintf(format, args...)}}
}

func (m *migrator) check() error {
	s := m.orig
	m.final = s.Stages[len(s.Stages)-1]
	m.esc = '\\'
	if s.Directives != nil && s.Directives.Escape == "`" {
		m.esc = '`'
	}
	std := 0
	for _, st := range s.Stages {
		switch strings.ToLower(st.Name) {
		case StageBase, StageSrc, StageTest, StageProd:
			std++
		}
	}
	if std >= 2 && strings.EqualFold(m.final.Name, StageProd) {
		return m.errorf(m.final.Pos.Line, "migrate: the Dockerfile already has dockstage's stages (base, src, ..., prod); nothing to migrate: import it with `dockstage import`")
	}
	for i, st := range s.Stages[:len(s.Stages)-1] {
		switch strings.ToLower(st.Name) {
		case StageBase, StageSrc, StageTest, StageProd:
			return m.errorf(st.Pos.Line, "migrate: stage %d is named %q, one of the stages migrate creates (base, src, test, prod); rename it, or import the Dockerfile as it is with `dockstage import`", i, st.Name)
		}
	}
	// An image or stage reference of the last stage that spells one of
	// the new stage names would name that stage after the split.
	isStd := func(ref string) bool {
		switch strings.ToLower(ref) {
		case StageBase, StageSrc, StageTest, StageProd:
			return true
		}
		return false
	}
	// A reference that is not an earlier stage names an image; spelled like
	// one of the new stages, it would name that stage after the split.
	for i, st := range s.Stages {
		earlier := func(ref string) bool {
			if n, err := strconv.Atoi(ref); err == nil {
				return n < i
			}
			for _, e := range s.Stages[:i] {
				if !e.Anonymous && strings.EqualFold(e.Name, ref) {
					return true
				}
			}
			return false
		}
		refs := []spec.Step{{Pos: st.Pos, Copy: &spec.Copy{From: st.From}}}
		refs = append(refs, st.Steps...)
		for _, step := range refs {
			var names []string
			if c := step.Copy; c != nil && c.From != "" {
				names = append(names, c.From)
			}
			if step.Run != nil {
				for _, mt := range step.Run.Mounts {
					if mt.From != "" {
						names = append(names, mt.From)
					}
				}
			}
			for _, r := range names {
				if isStd(r) && !earlier(r) {
					return m.errorf(step.Pos.Line, "migrate: %q names an image like one of the stages migrate creates (base, src, test, prod); write its full name (docker.io/library/%s)", r, strings.ToLower(r))
				}
			}
		}
	}
	if len(s.Stages) > 1 {
		for _, st := range s.Stages[:len(s.Stages)-1] {
			if strings.EqualFold(st.Name, m.final.From) || m.final.From == strconv.Itoa(indexOf(s, st)) {
				return m.errorf(m.final.Pos.Line, "migrate: the last stage builds on stage %q; migrate splits a single-stage Dockerfile, or the last stage of a multistage one when it starts from an image; import this one as it is with `dockstage import`", st.Name)
			}
		}
	}
	return nil
}

func indexOf(s *spec.Spec, st *spec.Stage) int {
	for i, x := range s.Stages {
		if x == st {
			return i
		}
	}
	return -1
}

// ---------------------------------------------------------------------------
// Step kinds

func isConfig(s spec.Step) bool {
	return s.Arg != nil || s.Env != nil || s.Label != nil || s.Workdir != nil || s.User != nil ||
		s.Expose != nil || s.Volume != nil || s.StopSignal != nil || s.Shell != nil || s.Maintainer != nil ||
		s.Cmd != nil || s.Entrypoint != nil || s.Healthcheck != nil || s.OnBuild != nil
}

// manifestNames are the dependency manifests of the ecosystems migrate knows.
var manifestNames = []string{
	"requirements*.txt", "constraints*.txt", "pyproject.toml", "poetry.lock", "poetry.toml", "Pipfile", "Pipfile.lock",
	"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", ".yarnrc", ".yarnrc.yml", ".npmrc",
	"pnpm-lock.yaml", "pnpm-workspace.yaml", "go.mod", "go.sum", "pom.xml", ".mvn", "mvnw", "build.gradle",
	"build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties", "gradlew", "gradle",
	"Gemfile", "Gemfile.lock", "composer.json", "composer.lock", "auth.json", "Cargo.toml", "Cargo.lock",
	"*.csproj", "*.fsproj", "*.vbproj", "*.sln", "nuget.config", "NuGet.Config", "Directory.Build.props",
	"Directory.Packages.props", "global.json",
}

var exampleManifests = []string{"requirements.txt", "package.json", "package-lock.json", "composer.json", "go.mod", "go.sum", "Gemfile", "Gemfile.lock", "pom.xml"}

// isManifest reports whether a COPY source names dependency manifests only.
func isManifest(src string) bool {
	b := path.Base(strings.TrimSuffix(src, "/"))
	for _, p := range manifestNames {
		if ok, _ := path.Match(p, b); ok {
			return true
		}
	}
	if strings.ContainsAny(b, "*?[") {
		for _, e := range exampleManifests {
			if ok, _ := path.Match(b, e); ok {
				return true
			}
		}
	}
	return false
}

// contextCopy returns the COPY or ADD of a step when it copies from the
// build context (no --from, no URL, no heredoc).
func contextCopy(s spec.Step) *spec.Copy {
	c := s.Copy
	if c == nil {
		c = s.Add
	}
	if c == nil || c.From != "" || len(c.Heredocs) > 0 {
		return nil
	}
	for _, src := range c.Src {
		if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
			return nil
		}
	}
	return c
}

func isSourceCopy(s spec.Step) bool {
	c := contextCopy(s)
	if c == nil {
		return false
	}
	for _, src := range c.Src {
		if !isManifest(src) {
			return true
		}
	}
	return false
}

func (m *migrator) classifyRun(s spec.Step) *runInfo {
	r := s.Run
	ri := &runInfo{}
	if len(r.Heredocs) > 0 {
		return ri
	}
	for _, mt := range r.Mounts {
		if (mt.Type == "" || mt.Type == "bind") && mt.From == "" {
			return ri // reads the build context
		}
	}
	if r.Command.Exec {
		ri.segs = execSegment(r.Command.Args)
	} else {
		ri.segs = splitShell(r.Command.Shell, m.esc)
	}
	count := map[segKind]int{}
	for _, seg := range ri.segs {
		info := classify(seg, m.ctx)
		ri.infos = append(ri.infos, info)
		count[info.kind]++
	}
	n := len(ri.segs)
	switch {
	case n == 0:
	case count[segTest] > 0 && count[segTest]+count[segTestDeps]+count[segNeutral] == n:
		ri.class = runTest
	case count[segTest] > 0:
		ri.class = runMixedTest
	case count[segImplicitTest] > 0:
		ri.class = runImplicitTest
	case count[segInstall] > 0 && count[segInstall]+count[segToolSetup]+count[segNeutral] == n:
		ri.class = runInstall
	case count[segTestDeps] > 0 && count[segTestDeps]+count[segNeutral] == n:
		ri.class = runTestDeps
	case count[segToolSetup] > 0 && count[segToolSetup]+count[segNeutral] == n:
		ri.class = runToolSetup
	case count[segNeutral] == n:
		ri.class = runNeutral
	}
	return ri
}

// ---------------------------------------------------------------------------
// Splitting

func (m *migrator) split() {
	for _, st := range m.final.Steps {
		it := &item{step: st, line: st.Pos.Line}
		if st.Run != nil {
			it.run = m.classifyRun(st)
			for _, info := range it.run.infos {
				if info.eco != "" && info.kind != segNeutral {
					tool := toolOf(info)
					if info.kind == segToolSetup {
						tool = "" // installing poetry with pip does not make pip the tool
					}
					m.ecos.add(info.eco, tool, fmt.Sprintf("%s:%d: %s", m.opts.File, it.line, info.what))
				}
			}
		}
		m.items = append(m.items, it)
	}
	m.detectEcosystems()
	n := len(m.items)
	m.sourceCopy = n
	for i, it := range m.items {
		if isSourceCopy(it.step) {
			m.sourceCopy = i
			break
		}
	}
	m.prodStart = n
	for m.prodStart > 0 && isConfig(m.items[m.prodStart-1].step) {
		m.prodStart--
	}
	if m.prodStart < m.sourceCopy {
		m.sourceCopy = n // no source copy before the tail: nothing to reorder
	}
	m.srcStart = min(m.sourceCopy, m.prodStart)
	m.moveConfig()
	m.markTests()
	m.reorder()
	m.implicitTests()
	m.srcEnd = m.prodStart
	for i := m.prodStart - 1; i >= m.srcStart; i-- {
		if it := m.items[i]; it.test || it.rewritten != nil {
			m.srcEnd = i + 1
			break
		}
	}
	for _, it := range m.items[m.srcEnd:m.prodStart] {
		if !it.test && !it.blockMove && !it.toProd && it.note == "" {
			it.note = "after the tests: prod builds it"
		}
	}
	m.execForms()
}

func toolOf(info segInfo) string {
	switch info.tool {
	case "pytest", "py.test", "unittest", "tox", "nox", "django", "jest", "mocha", "vitest", "node", "corepack", "gem", "rspec", "rake", "rails", "phpunit":
		return ""
	}
	return info.tool
}

func (m *migrator) detectEcosystems() {
	for _, mk := range imageMarkers {
		if mk.re.MatchString(m.expandFrom()) {
			m.ecos.add(mk.eco, mk.tool, fmt.Sprintf("%s:%d: FROM %s", m.opts.File, m.final.Pos.Line, m.final.From))
		}
	}
	if !m.ctx.known {
		return
	}
	for _, mk := range contextMarkers {
		for _, f := range m.ctx.matching(mk.pattern, true) {
			tool := mk.tool
			if f == "pyproject.toml" {
				if text, ok := m.ctx.read(f); ok && strings.Contains(text, "[tool.poetry") {
					tool = "poetry"
				}
			}
			m.ecos.add(mk.eco, tool, "context: "+f)
		}
	}
	if len(m.ecos.list) == 0 {
		for _, f := range m.ctx.sortedFiles() {
			for _, mk := range contextMarkers {
				if ok, _ := path.Match(mk.pattern, path.Base(f)); ok && strings.Contains(mk.pattern, "*.") {
					m.ecos.add(mk.eco, mk.tool, "context: "+f)
				}
			}
		}
	}
}

// expandFrom is the last stage's image with global build-arg defaults
// substituted.
func (m *migrator) expandFrom() string {
	from := m.final.From
	for _, kv := range m.orig.Args {
		if kv.Value == nil {
			continue
		}
		from = strings.ReplaceAll(from, "${"+kv.Key+"}", *kv.Value)
		from = strings.ReplaceAll(from, "$"+kv.Key, *kv.Value)
	}
	return from
}

// moveConfig moves ONBUILD (a FROM <stage> would run its triggers) and,
// when an ENTRYPOINT in a later stage would reset a CMD set earlier,
// CMD and ENTRYPOINT from base and src to prod.
func (m *migrator) moveConfig() {
	lastEntrypoint, firstCmd := -1, -1
	for i, it := range m.items {
		if it.step.Entrypoint != nil {
			lastEntrypoint = i
		}
		if it.step.Cmd != nil && firstCmd < 0 {
			firstCmd = i
		}
	}
	moveCmds := firstCmd >= 0 && firstCmd < m.prodStart && lastEntrypoint > firstCmd
	var lines []int
	var moved []spec.Step
	first := -1
	for i, it := range m.items[:m.prodStart] {
		s := it.step
		if s.OnBuild == nil && !(moveCmds && (s.Cmd != nil || s.Entrypoint != nil)) {
			continue
		}
		if first < 0 {
			first = i
		}
		it.toProd = true
		it.note = "moved to prod"
		lines = append(lines, it.line)
	}
	if first >= 0 {
		// A move shows as the moved steps or as the steps they passed.
		for _, it := range m.items[first:m.prodStart] {
			moved = append(moved, it.step)
		}
	}
	if len(lines) > 0 {
		m.changes = append(m.changes, Change{
			Kind:    ChangeConfigMoved,
			Summary: "image configuration moved to the prod stage",
			Lines:   lines,
			Detail:  "ONBUILD triggers would run in the next stage if they stayed in base or src, and an ENTRYPOINT resets a CMD set in an earlier stage; these instructions only set the image configuration, so prod gets them in the same order.",
			moved:   moved,
		})
	}
}

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
	if len(lines) > 0 {
		m.changes = append(m.changes, Change{
			Kind:    ChangeTestsMoved,
			Summary: "tests moved out of the prod build",
			Lines:   lines,
			Detail:  "the test stage (FROM src) runs them: `docker build --target test` fails when a test fails, and the prod image neither runs them nor holds what they install or write. src ends where the tests ran, so the test stage sees the files they saw; the build steps that followed them are in prod.",
			removed: removed,
		})
	}
}

// implicitTests separates the tests a build runs implicitly (mvn package,
// gradle build): src builds with the skip flag, the test stage runs them.
func (m *migrator) implicitTests() {
	explicit := map[string]bool{}
	for _, it := range m.items {
		if it.test {
			for _, info := range it.run.infos {
				if info.kind == segTest {
					explicit[info.tool] = true
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
			if info.kind != segImplicitTest {
				continue
			}
			for _, prev := range it.run.infos[:k] {
				if prev.kind != segNeutral {
					ok = false // a cd or an export before the build: the test stage could not repeat it
				}
			}
			flags = append(flags, info.skipFlag)
			prefix := seg.words[:len(seg.words)-len(command(seg.words))]
			var pw []string
			for _, w := range prefix {
				pw = append(pw, w.raw)
			}
			tests = append(tests, strings.Join(append(pw, info.testCmd), " "))
			inserts[seg.end()] = info.skipFlag
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
			if info.kind == segImplicitTest {
				tool = info.tool
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
			if info.kind == segImplicitTest {
				what = info.what
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

// shellBuiltins cannot run in exec form.
var shellBuiltins = map[string]bool{
	"cd": true, "export": true, "source": true, ".": true, "set": true, "eval": true, "exec": true, "trap": true,
	"ulimit": true, "umask": true, "alias": true, "unset": true, "read": true, "wait": true, "exit": true, "shift": true,
	"if": true, "then": true, "for": true, "while": true, "until": true, "case": true, "function": true, "[": true,
	"[[": true, "!": true, "{": true, "local": true, "return": true, "command": true, "type": true, "hash": true,
}

// execArgs returns the exec-form words of a shell-form command when /bin/sh
// -c would run exactly those words: plain words only, no shell syntax,
// optionally behind `exec`.
func execArgs(c *spec.Command) ([]string, bool) {
	if c.Exec || strings.ContainsAny(c.Shell, "\n\r") {
		return nil, false
	}
	f := strings.Fields(c.Shell)
	if len(f) > 0 && f[0] == "exec" {
		f = f[1:]
	}
	if len(f) == 0 || strings.Contains(f[0], "=") || shellBuiltins[f[0]] {
		return nil, false
	}
	for _, w := range f {
		if !plainWord(w) {
			return nil, false
		}
	}
	return f, true
}

func (m *migrator) execForms() {
	if m.opts.KeepShellForm {
		return
	}
	hasShell, hasCmd, hasEntrypoint := false, false, false
	for _, it := range m.items {
		s := it.step
		hasShell = hasShell || s.Shell != nil
		hasCmd = hasCmd || s.Cmd != nil
		hasEntrypoint = hasEntrypoint || s.Entrypoint != nil
	}
	for i, it := range m.items {
		if i < m.prodStart && !it.toProd {
			continue
		}
		s := it.step
		var c *spec.Command
		kw := ""
		switch {
		case s.Cmd != nil:
			c, kw = s.Cmd, "CMD"
		case s.Entrypoint != nil:
			c, kw = s.Entrypoint, "ENTRYPOINT"
		default:
			continue
		}
		if c.Exec {
			continue
		}
		args, ok := execArgs(c)
		switch {
		case !ok:
			m.notes = append(m.notes, Note{Line: it.line, Msg: "shell-form " + kw + " kept: it uses shell syntax (quotes, variables, operators), so an exec form would not run the same command"})
			continue
		case hasShell:
			m.notes = append(m.notes, Note{Line: it.line, Msg: "shell-form " + kw + " kept: the Dockerfile sets SHELL"})
			continue
		case kw == "CMD" && hasEntrypoint:
			m.notes = append(m.notes, Note{Line: it.line, Msg: "shell-form CMD kept: the ENTRYPOINT receives the CMD as arguments, which exec form would change"})
			continue
		case kw == "ENTRYPOINT" && hasCmd:
			m.notes = append(m.notes, Note{Line: it.line, Msg: "shell-form ENTRYPOINT kept: in exec form it would receive the CMD as arguments"})
			continue
		}
		nc := spec.Command{Exec: true, Args: args, Pos: c.Pos}
		ns := s
		if kw == "CMD" {
			ns.Cmd = &nc
		} else {
			ns.Entrypoint = &nc
		}
		it.execForm = &ns
		it.note = "exec form"
		detail := fmt.Sprintf("`%s %s` ran `/bin/sh -c %q`; prod now runs %s directly, as PID 1, so it receives docker stop's SIGTERM (the shell did not forward it). The words are plain, so the command line is the same.", kw, c.Shell, c.Shell, quoteArgs(args))
		caveat := ""
		if kw == "CMD" {
			caveat = "if the base image has an ENTRYPOINT, it now receives these words instead of /bin/sh -c and the text"
		} else {
			caveat = "arguments given to `docker run IMAGE ...` are now passed to the entrypoint (shell form ignored them)"
		}
		m.changes = append(m.changes, Change{
			Kind:    ChangeExecForm,
			Summary: "shell-form " + kw + " turned to exec form",
			Lines:   []int{it.line},
			Detail:  detail,
			Caveats: []string{caveat},
			removed: []spec.Step{s},
			added:   []spec.Step{ns},
		})
	}
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// ---------------------------------------------------------------------------
// Reordering the dependency install

// blockAllowed: steps that may move with the install to before the source
// copy: they neither read nor write the build context's files.
func blockAllowed(it *item) bool {
	s := it.step
	switch {
	case it.test:
		return false
	case s.Env != nil || s.Arg != nil || s.Label != nil:
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
	if !m.ctx.known {
		m.refuse(line, "no build context to check the manifests against (give --context DIR)")
		return
	}
	if m.ctx.truncated {
		m.refuse(line, "the build context is too large to check (more than %d entries)", contextMaxEntries)
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
			for _, d := range info.writes {
				if m.ctx.has(d) {
					m.refuse(it.line, "the build context holds %s, which the source copy would lay over what `%s` writes there; add %s to .dockerignore", d, info.what, d)
					return
				}
			}
			if info.kind != segInstall {
				continue
			}
			if info.unsafe != "" {
				m.refuse(it.line, "%s", info.unsafe)
				return
			}
			if info.caveat != "" {
				caveats = append(caveats, info.caveat)
			}
			for _, f := range info.need {
				f, ok := m.relManifest(f, wd)
				if !ok {
					m.refuse(it.line, "`%s` reads %s, outside the directory the source is copied to", info.what, f)
					return
				}
				if !m.ctx.has(f) {
					m.refuse(it.line, "`%s` reads %s, which is not in the build context", info.what, f)
					return
				}
				if !have[f] {
					have[f] = true
					need = append(need, f)
				}
			}
			for _, f := range info.maybe {
				if f, ok := m.relManifest(f, wd); ok && m.ctx.has(f) && !have[f] {
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
		if m.ctx.hasDir(f) {
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

// contextChange names the files the rendered .dockerignore would keep out
// of the image: transpile.Forward derives its patterns from the spec, and
// they go in front of the user's own.
func (m *migrator) contextChange(out *spec.Spec) {
	if !m.ctx.known {
		return
	}
	fo, err := transpile.Forward(out)
	if err != nil || fo.Dockerignore == nil {
		return
	}
	var sources []string
	var lines []int
	for _, st := range m.orig.Stages {
		for _, s := range st.Steps {
			if c := contextCopy(s); c != nil {
				sources = append(sources, c.Src...)
				lines = append(lines, s.Pos.Line)
			}
		}
	}
	gone := m.ctx.narrowed(fo.Dockerignore.Patterns, sources)
	if len(gone) == 0 {
		return
	}
	var affected []int
	for _, st := range m.orig.Stages {
		for _, s := range st.Steps {
			if c := contextCopy(s); c != nil {
				for _, g := range gone {
					if copiedBy(strings.TrimSuffix(g, "/"), c.Src) {
						affected = append(affected, s.Pos.Line)
						break
					}
				}
			}
		}
	}
	list := gone
	more := ""
	if len(list) > 12 {
		more = fmt.Sprintf(" and %d more", len(list)-12)
		list = list[:12]
	}
	m.changes = append(m.changes, Change{
		Kind:    ChangeContextNarrowed,
		Summary: "files kept out of the image by the new .dockerignore",
		Lines:   affected,
		Detail: fmt.Sprintf("the .dockerignore that dockstage renders from the spec (its block goes in front of your own patterns) keeps %s%s out of the build context, so the copy no longer puts them in the image: version control, local env files (often secrets) and dockstage's own files have no place there. To keep one, name it in a COPY or re-include it below the block (!NAME).",
			strings.Join(list, ", "), more),
		Caveats: []string{"this holds where the .dockerignore is read: in the build context's root, beside a Dockerfile built with that context"},
	})
}

// ---------------------------------------------------------------------------
// Assembling the spec

// needsArgs reports whether steps see build args: a RUN gets them in its
// environment, any other step only through a $ expansion.
func needsArgs(steps []spec.Step) bool {
	for _, s := range steps {
		if s.Run != nil || (s.OnBuild == nil && strings.Contains(stepText(s), "$")) {
			return true
		}
	}
	return false
}

func argSteps(steps []spec.Step) []spec.Step {
	var out []spec.Step
	for _, s := range steps {
		if s.Arg != nil {
			a := s
			a.Comment = nil
			out = append(out, a)
		}
	}
	return out
}

// carry prefixes steps with the build args in scope when they need them.
func carry(scope, steps []spec.Step) []spec.Step {
	if len(scope) == 0 || !needsArgs(steps) {
		return steps
	}
	c := append([]spec.Step(nil), scope...)
	c[0].Comment = []string{"dockstage migrate: build args of the stages above (an ARG's scope ends with its stage)"}
	return append(c, steps...)
}

func (m *migrator) assemble() (*spec.Spec, error) {
	o := m.orig
	out := &spec.Spec{
		Version: o.Version, Name: o.Name, Directives: o.Directives, Comment: o.Comment, Args: o.Args,
		TrailingComment: o.TrailingComment, Pos: o.Pos,
	}
	out.Stages = append(out.Stages, o.Stages[:len(o.Stages)-1]...)
	var base, src, test, prod, toProd []spec.Step
	for i, it := range m.items {
		switch {
		case it.toProd:
			s := it.step
			if it.execForm != nil {
				s = *it.execForm
			}
			toProd = append(toProd, s)
		case i < m.srcStart:
			base = append(base, it.step)
		case it.blockMove:
		case it.test:
			test = append(test, it.step)
		case i >= m.srcEnd:
			s := it.step
			if it.execForm != nil {
				s = *it.execForm
			}
			prod = append(prod, s)
		default:
			s := it.step
			if it.rewritten != nil {
				s = *it.rewritten
			}
			if it.testRun != nil {
				test = append(test, *it.testRun)
			}
			src = append(src, s)
		}
	}
	if len(m.manifestCopies) > 0 {
		base = append(base, m.manifestCopies...)
		for _, it := range m.items {
			if it.blockMove {
				base = append(base, it.step)
			}
		}
	}
	prod = append(toProd, prod...)
	scopeBase := argSteps(base)
	scopeSrc := append(append([]spec.Step(nil), scopeBase...), argSteps(src)...)
	f := m.final
	out.Stages = append(out.Stages,
		&spec.Stage{Name: StageBase, Comment: f.Comment, From: f.From, Platform: f.Platform, Steps: base, Pos: f.Pos, FromPos: f.FromPos},
		&spec.Stage{Name: StageSrc, From: StageBase, Steps: carry(scopeBase, src), Pos: f.Pos},
	)
	if len(test) > 0 {
		out.Stages = append(out.Stages, &spec.Stage{Name: StageTest, From: StageSrc, Steps: carry(scopeSrc, test), Pos: f.Pos})
	}
	out.Stages = append(out.Stages, &spec.Stage{Name: StageProd, From: StageSrc, Steps: carry(scopeSrc, prod), Pos: f.Pos})
	out.Compose = &spec.Compose{Ports: m.ports()}
	return out, nil
}

// canonicalPorts writes a port or a range of ports in plain decimal
// ("+010" is port 10 for BuildKit).
func canonicalPorts(p string) (string, bool) {
	lo, hi, isRange := strings.Cut(p, "-")
	var out []string
	for _, n := range []string{lo, hi}[:map[bool]int{false: 1, true: 2}[isRange]] {
		x, err := strconv.Atoi(n)
		if err != nil || x < 1 || x > 65535 {
			return "", false
		}
		out = append(out, strconv.Itoa(x))
	}
	return strings.Join(out, "-"), true
}

// ports maps the EXPOSEd ports to compose port mappings on the same host
// port.
func (m *migrator) ports() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range m.items {
		for _, e := range it.step.Expose {
			if strings.Contains(e, "$") {
				m.notes = append(m.notes, Note{Line: it.line, Msg: fmt.Sprintf("EXPOSE %s uses a variable; compose.yaml does not publish it", e)})
				continue
			}
			port, proto, _ := strings.Cut(strings.ToLower(e), "/")
			port, ok := canonicalPorts(port)
			if !ok {
				m.notes = append(m.notes, Note{Line: it.line, Msg: fmt.Sprintf("EXPOSE %s: compose.yaml does not publish it (not a port or a range of ports)", e)})
				continue
			}
			mapping := port + ":" + port
			if proto != "" && proto != "tcp" {
				mapping += "/" + proto
			}
			if !seen[mapping] {
				seen[mapping] = true
				out = append(out, mapping)
			}
		}
	}
	return out
}
