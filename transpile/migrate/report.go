package migrate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// Change kinds: every way the migrated prod build may differ from the
// original.
const (
	// ChangeTestsMoved: test steps (and the test-only installs before them)
	// left the prod build for the test stage; or a build that ran the tests
	// implicitly now skips them and the test stage runs them.
	ChangeTestsMoved = "tests-moved"
	// ChangeInstallCached: the dependency install moved before the source
	// copy, after a copy of only the manifests it reads.
	ChangeInstallCached = "install-cached"
	// ChangeExecForm: a shell-form CMD or ENTRYPOINT of plain words became
	// exec form.
	ChangeExecForm = "exec-form"
	// ChangeConfigMoved: ONBUILD, CMD or ENTRYPOINT moved to prod.
	ChangeConfigMoved = "config-moved"
	// ChangeStageRenamed: the original's last stage had a name that
	// `--target` and COPY --from of other builds use; it is now prod.
	ChangeStageRenamed = "stage-renamed"
	// ChangeContextNarrowed: the .dockerignore the spec renders keeps
	// files out of the build context that the original copied into the
	// image. It changes no instruction, so Prove does not see it; it is
	// computed from the build context.
	ChangeContextNarrowed = "context-narrowed"
)

// Ecosystem is a language ecosystem migrate found, with what shows it.
type Ecosystem = ecosystem.Found

// Report is what a migration did: where each original line went, every
// change in behaviour, notes on what was left as it is and why, and the
// proof's result.
type Report struct {
	// File is the Dockerfile migrated.
	File string `json:"file"`
	// Stages of the migrated spec, in order.
	Stages []string `json:"stages"`
	// Ecosystems found in the Dockerfile and the build context.
	Ecosystems []Ecosystem `json:"ecosystems"`
	// Lines map each original instruction (and each new one, Line 0) to
	// its stage.
	Lines []LineMap `json:"lines"`
	// Changes are the only differences between the original build and the
	// migrated prod build.
	Changes []Change `json:"changes"`
	// Notes say what migrate left as it is, and why.
	Notes []Note `json:"notes"`
	// SuggestedTest is a test stage for the detected ecosystem when the
	// original runs no tests (migrate never invents one).
	SuggestedTest *Suggestion `json:"suggested_test_stage,omitempty"`
	// Files are the files written and what each is, when the caller says
	// (templates/workspace does; the text's "files written" section).
	Files []WrittenFile `json:"files,omitempty"`
	// Pending are the files the migration renders but did not write, and
	// what each is (the original Dockerfile kept in place: the text's "not
	// written yet" section); Next is the command to run next, with what it
	// does (the text's "next" line). The caller fills both, as Files.
	Pending []WrittenFile `json:"pending,omitempty"`
	Next    string        `json:"next,omitempty"`
	// Proof is the result of Prove.
	Proof ProofSummary `json:"proof"`

	// slim is the slim prod, which Prove checks as the prod it replaced.
	slim *slimPlan
	// wheels is the wheels stage, which Prove leaves out.
	wheels *wheelsPlan
}

// LineMap is one instruction and the stage it went to.
type LineMap struct {
	// Line in the original Dockerfile; 0 for an instruction migrate added.
	Line        int    `json:"line"`
	Instruction string `json:"instruction"`
	// Stage: base, src, test, prod, a kept builder stage, or "args" for
	// build args before the first FROM.
	Stage string `json:"stage"`
	// Note says what happened beyond the move: "moved before the source
	// copy", "exec form", "new: ...".
	Note string `json:"note,omitempty"`
}

// Change is one change in behaviour of the prod build.
type Change struct {
	// Kind is one of the Change* constants.
	Kind    string `json:"kind"`
	Summary string `json:"summary"`
	// Lines of the original Dockerfile the change is about.
	Lines  []int  `json:"lines"`
	Detail string `json:"detail"`
	// Caveats are residual differences the change may bring.
	Caveats []string `json:"caveats,omitempty"`

	// The instructions the change removes from, adds to and moves within
	// the prod build: what Prove accounts the differences with.
	removed, added, moved []spec.Step
}

// Note is something migrate left as it is, with the reason.
type Note struct {
	Line int    `json:"line,omitempty"`
	Msg  string `json:"message"`
}

// WrittenFile is a file the migration writes and what it is.
type WrittenFile struct {
	Path string `json:"path"`
	What string `json:"what"`
}

// Suggestion is a test stage to add by hand.
type Suggestion struct {
	// Reason says why there is no test stage.
	Reason string `json:"reason"`
	// AfterSplit is set when the tests run inside a build command: the
	// stage is for once that RUN is split.
	AfterSplit bool   `json:"after_split,omitempty"`
	Ecosystem  string `json:"ecosystem"`
	// From is the stage the test stage starts from: src, or the builder
	// stage that has the toolchain and the source when src has not.
	From  string   `json:"from"`
	Steps []string `json:"steps"`
	// Assumes says what the steps take for granted.
	Assumes string `json:"assumes,omitempty"`
}

// ProofSummary is the result of Prove.
type ProofSummary struct {
	// Target is the migrated target compared with the original's last stage.
	Target string `json:"target"`
	// Differences found by the comparison.
	Differences int `json:"differences"`
	// Accounted is true when each difference is one of the changes.
	Accounted bool `json:"accounted"`
}

// JSON returns the report as indented JSON.
func (r *Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Text returns the report as text for migrate-report.txt.
func (r *Report) Text() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "dockstage migrate %s: stages %s\n", r.File, strings.Join(r.Stages, " -> "))
	if len(r.Ecosystems) == 0 {
		b.WriteString("ecosystem: none recognised\n")
	}
	for _, e := range r.Ecosystems {
		name := e.Name
		if e.Tool != "" {
			name += " (" + e.Tool + ")"
		}
		fmt.Fprintf(&b, "ecosystem: %s: %s\n", name, strings.Join(e.Evidence, "; "))
	}
	b.WriteString("\nline  stage  instruction\n")
	for _, l := range r.Lines {
		n := "-"
		if l.Line > 0 {
			n = strconv.Itoa(l.Line)
		}
		fmt.Fprintf(&b, "%4s  %-5s  %s", n, l.Stage, l.Instruction)
		if l.Note != "" {
			fmt.Fprintf(&b, "   (%s)", l.Note)
		}
		b.WriteByte('\n')
	}
	b.WriteString("\nchanges in behaviour (the only differences between the original build and the prod target):\n")
	if len(r.Changes) == 0 {
		b.WriteString("  none: the prod target is the original build\n")
	}
	for i, c := range r.Changes {
		fmt.Fprintf(&b, "%d. %s (line %s)\n", i+1, c.Summary, joinInts(c.Lines))
		wrap(&b, c.Detail, "   ")
		for _, cv := range c.Caveats {
			wrap(&b, "caveat: "+cv, "   ")
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\nnotes:\n")
		for _, n := range r.Notes {
			msg := n.Msg
			if n.Line > 0 {
				msg = "line " + strconv.Itoa(n.Line) + ": " + msg
			}
			wrap(&b, "- "+msg, "  ")
		}
	}
	if s := r.SuggestedTest; s != nil {
		b.WriteString("\nsuggested test stage:\n")
		msg := s.Reason + ". For " + s.Ecosystem + ", add this between src and prod in dockstage.yaml"
		if s.AfterSplit {
			msg = s.Reason + ". Once that RUN is split, add this for " + s.Ecosystem + " between src and prod in dockstage.yaml"
		}
		if s.From != StageSrc {
			msg += "; it starts from " + s.From + ", the stage that has the toolchain and the source"
		}
		if s.Assumes != "" {
			msg += " (it assumes " + s.Assumes + ")"
		}
		wrap(&b, msg+":", "  ")
		fmt.Fprintf(&b, "    test:\n      from: %s\n      steps:\n", s.From)
		for _, st := range s.Steps {
			fmt.Fprintf(&b, "        - run: %s\n", st)
		}
	}
	if len(r.Files) > 0 {
		b.WriteString("\nfiles written:\n")
		for _, f := range r.Files {
			wrap(&b, "- "+f.Path+": "+f.What, "  ")
		}
	}
	if len(r.Pending) > 0 {
		b.WriteString("\nnot written yet:\n")
		for _, f := range r.Pending {
			wrap(&b, "- "+f.Path+": "+f.What, "  ")
		}
	}
	if r.Next != "" {
		b.WriteString("\n")
		wrap(&b, "next: "+r.Next, "")
	}
	b.WriteString("\nproof:\n")
	p := r.Proof
	msg := "the prod target, its stages joined into one, was compared instruction by instruction with the original's last stage (the rules of `dockstage diff`): "
	switch {
	case p.Differences == 0 && p.Accounted:
		msg += "no difference, the prod target is the original build."
	case p.Accounted:
		if p.Differences == 1 {
			msg += "1 difference, one of the changes above."
		} else {
			msg += plural(p.Differences, "difference") + ", each one of the changes above."
		}
	default:
		msg += plural(p.Differences, "difference") + ", NOT all of them named above."
	}
	for _, c := range r.Changes {
		if c.Kind == ChangeSlimProd {
			msg += " The slim prod was compared as the prod stage it replaces (FROM src, the same steps) and checked to hold only the build's output and the configuration"
			if r.slim != nil && r.slim.runs {
				msg += ", and the file its command runs to be where the command looks for it (against prod's WORKDIR), copied from the path the original's command ran"
			}
			msg += "; its runtime image is the change named above."
		}
	}
	for _, c := range r.Changes {
		if c.Kind == ChangeContextNarrowed {
			msg += " The .dockerignore change is in the build context, not in an instruction: it was computed from the context's files."
			break
		}
	}
	wrap(&b, msg, "  ")
	return []byte(b.String())
}

// plural is "1 difference", "2 differences".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// wrap writes text wrapped at 100 columns, each line indented.
func wrap(b *strings.Builder, text, indent string) {
	const width = 100
	line := indent
	cont := indent
	if strings.HasPrefix(text, "- ") {
		cont += "  "
	} else if strings.HasPrefix(text, "caveat: ") {
		cont += "  "
	}
	for _, w := range strings.Fields(text) {
		if utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width && strings.TrimSpace(line) != "" {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = cont
		}
		if strings.TrimSpace(line) != "" {
			line += " "
		}
		line += w
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
}

// builderTests lists the lines of the earlier stages that run tests.
// testStageFrom is the stage a suggested test stage starts from and the
// ecosystem of its tests: src for a single-stage Dockerfile; for a
// multistage one, src when the last stage has a toolchain of one of found
// (its image or its RUNs) and copies the source, else the last named
// builder stage that has both (FROM an earlier stage inherits that
// stage's). ok is false when no stage has both.
func (m *migrator) testStageFrom(found []Ecosystem) (from string, e Ecosystem, ok bool) {
	if len(m.orig.Stages) == 1 {
		return StageSrc, found[0], true
	}
	var final ecosystem.FoundSet
	final.AddImage(m.expandFrom(), "", m.final.From)
	source := false
	for _, it := range m.items {
		m.runEcosystems(&final, it.step)
		source = source || isSourceCopy(it.step)
	}
	if e, ok := firstIn(found, &final); ok && source {
		return StageSrc, e, true
	}
	for i := len(m.builders) - 1; i >= 0; i-- {
		st := m.orig.Stages[i]
		if st.Anonymous || !m.builders[i].source {
			continue
		}
		if e, ok := firstIn(found, &m.builders[i].ecos); ok {
			return st.Name, e, true
		}
	}
	return "", Ecosystem{}, false
}

// firstIn is the first of found that set holds too.
func firstIn(found []Ecosystem, set *ecosystem.FoundSet) (Ecosystem, bool) {
	for _, e := range found {
		for _, s := range set.List() {
			if s.Name == e.Name {
				return e, true
			}
		}
	}
	return Ecosystem{}, false
}

func (m *migrator) builderTests() []int {
	var lines []int
	for _, st := range m.orig.Stages[:len(m.orig.Stages)-1] {
		for _, step := range st.Steps {
			if step.Run == nil {
				continue
			}
			if ri := m.classifyRun(step); ri.class == runTest || ri.class == runMixedTest || ri.class == runImplicitTest {
				lines = append(lines, step.Pos.Line)
			}
		}
	}
	return lines
}

// describeLine is the first line of the instruction at line n of the
// Dockerfile, shortened.
func (m *migrator) describeLine(n int) string {
	if n < 1 || n > len(m.src) {
		return ""
	}
	l := strings.TrimSpace(strings.TrimSuffix(m.src[n-1], "\r"))
	if t, cont := syntax.TrimContinuation(l, m.orig.Escape()); cont {
		l = strings.TrimSpace(t) + " ..."
	}
	return shorten(l)
}

func shorten(s string) string {
	const max = 72
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-3]) + "..."
}

// describeStep is a one-line Dockerfile-like text of a step migrate added.
func describeStep(s spec.Step) string {
	switch s.Keyword() {
	case "COPY":
		var parts []string
		if s.Copy.Chown != "" {
			parts = append(parts, "--chown="+s.Copy.Chown)
		}
		if s.Copy.Chmod != "" {
			parts = append(parts, "--chmod="+s.Copy.Chmod)
		}
		if s.Copy.Link {
			parts = append(parts, "--link")
		}
		parts = append(append(parts, s.Copy.Src...), s.Copy.Dest)
		return shorten("COPY " + strings.Join(parts, " "))
	case "RUN":
		return shorten("RUN " + s.Run.Command.Shell)
	}
	return shorten(strings.TrimSpace(stepText(s)))
}

func (m *migrator) report(out *spec.Spec) *Report {
	r := &Report{File: m.opts.File, slim: m.slim, wheels: m.wheelsPlan}
	for _, st := range out.Stages {
		r.Stages = append(r.Stages, st.Name)
	}
	r.Ecosystems = m.ecos.List()
	if r.Ecosystems == nil {
		r.Ecosystems = []Ecosystem{}
	}
	for _, kv := range m.orig.Args {
		r.Lines = append(r.Lines, LineMap{Line: kv.Pos.Line, Instruction: m.describeLine(kv.Pos.Line), Stage: "args", Note: "build arg before the first FROM, kept"})
	}
	for _, st := range m.orig.Stages[:len(m.orig.Stages)-1] {
		r.Lines = append(r.Lines, LineMap{Line: st.Pos.Line, Instruction: m.describeLine(st.Pos.Line), Stage: st.Name, Note: "builder stage, kept as it is"})
		for _, s := range st.Steps {
			r.Lines = append(r.Lines, LineMap{Line: s.Pos.Line, Instruction: m.describeLine(s.Pos.Line), Stage: st.Name})
		}
	}
	r.Lines = append(r.Lines, LineMap{Line: m.final.Pos.Line, Instruction: m.describeLine(m.final.Pos.Line), Stage: StageBase})
	copiesListed := false
	for i, it := range m.items {
		stage := StageSrc
		switch {
		case it.toProd:
			stage = StageProd
		case it.dropped:
			stage = StageWheels
		case i < m.srcStart, it.blockMove:
			stage = StageBase
		case it.test:
			stage = StageTest
		case i >= m.srcEnd:
			stage = StageProd
			if m.slim != nil && m.slim.build != nil && (!isConfig(it.step) || it.step.Workdir != nil) {
				stage = StageBuild
			}
		}
		if it.blockMove && !copiesListed {
			copiesListed = true
			for _, cp := range m.manifestCopies {
				r.Lines = append(r.Lines, LineMap{Instruction: describeStep(cp), Stage: StageBase, Note: "new: the dependency manifests, before the source copy"})
			}
		}
		r.Lines = append(r.Lines, LineMap{Line: it.line, Instruction: m.describeLine(it.line), Stage: stage, Note: it.note})
		if it.testRun != nil {
			r.Lines = append(r.Lines, LineMap{Instruction: describeStep(*it.testRun), Stage: StageTest, Note: fmt.Sprintf("new: the %s line %d ran %s", map[bool]string{true: "checks", false: "tests"}[it.run.class == runMixedTest], it.line, map[bool]string{true: "in a chain", false: "implicitly"}[it.run.class == runMixedTest])})
		}
	}
	if out.StageIndex(StageTest, len(out.Stages)) >= 0 {
		for _, s := range m.testPrep {
			note := "new: the development dependencies, for the checks"
			if len(s.Comment) > 0 && s.Comment[0] == wheelsTestNote {
				note = "new: " + strings.TrimPrefix(s.Comment[0], "dockstage migrate: ")
			}
			r.Lines = append(r.Lines, LineMap{Instruction: describeStep(s), Stage: StageTest, Note: note})
		}
	}
	var carried []string
	for _, st := range out.Stages {
		if len(st.Steps) > 0 && st.Steps[0].Arg != nil && len(st.Steps[0].Comment) > 0 && strings.HasPrefix(st.Steps[0].Comment[0], "dockstage migrate: build args") {
			carried = append(carried, st.Name)
		}
	}
	if len(carried) > 0 {
		m.notes = append(m.notes, Note{Msg: "the build args declared in the stages above are declared again at the head of " + strings.Join(carried, ", ") + " (an ARG's scope ends with its stage); their values are the same"})
	}
	hasTest := out.StageIndex(StageTest, len(out.Stages)) >= 0
	builderTests := m.builderTests()
	if len(m.orig.Stages) > 1 {
		msg := "only the last stage was split; the earlier stages are kept as they are"
		if len(builderTests) > 0 {
			msg += ", with the tests they run (line " + joinInts(builderTests) + ")"
		}
		m.notes = append(m.notes, Note{Msg: msg})
	}
	mixed := false
	for _, it := range m.items {
		mixed = mixed || it.run != nil && it.run.class == runMixedTest
	}
	onbuild := false
	for _, it := range m.items {
		onbuild = onbuild || it.step.Keyword() == "ONBUILD"
	}
	switch {
	case hasTest, len(builderTests) > 0:
	case onbuild:
		m.notes = append(m.notes, Note{Msg: "no test stage suggested: this is an ONBUILD image, whose triggers build the app in the images FROM it; there is no app here to test"})
	case len(r.Ecosystems) == 0:
		m.notes = append(m.notes, Note{Msg: "no test stage: " + m.noTests() + " and no ecosystem was recognised to suggest one"})
	default:
		from, e, ok := m.testStageFrom(r.Ecosystems)
		if !ok {
			m.notes = append(m.notes, Note{Msg: "no test stage suggested: no stage of the original has both the toolchain and the source to run the tests in"})
			break
		}
		if steps, assumes := ecosystem.TestSuggestion(e, m.ctx); steps != nil {
			name := e.Name
			if e.Tool != "" {
				name += " (" + e.Tool + ")"
			}
			reason := m.noTests() + ", so there is no test stage"
			if mixed {
				reason = "the original runs its tests inside a build command (see the notes), so there is no test stage"
			}
			r.SuggestedTest = &Suggestion{Reason: reason, AfterSplit: mixed, Ecosystem: name, From: from, Steps: steps, Assumes: assumes}
		}
	}
	if m.sourceCopy == len(m.items) && m.prodStart > 0 {
		m.notes = append(m.notes, Note{Msg: "no COPY of the source from the build context: src holds no steps"})
	}
	r.Changes = m.changes
	if r.Changes == nil {
		r.Changes = []Change{}
	}
	r.Notes = m.notes
	if r.Notes == nil {
		r.Notes = []Note{}
	}
	return r
}

// noTests says that the original runs no tests, naming its build-time
// checks (RUNs of `test` or `[` only, such as `test -f index.html`): they
// are assertions on the build, not a test suite, and stay in it, so the
// prod build still fails without them.
func (m *migrator) noTests() string {
	var lines []string
	for _, it := range m.items {
		if it.run == nil || len(it.run.segs) == 0 || it.testRun != nil {
			continue
		}
		check := true
		for _, seg := range it.run.segs {
			args := seg.Args()
			check = check && len(args) > 0 && (args[0].Value == "test" || args[0].Value == "[" || args[0].Value == "[[")
		}
		if check {
			lines = append(lines, strconv.Itoa(it.line))
		}
	}
	switch len(lines) {
	case 0:
		return "the original runs no tests"
	case 1:
		return "the original runs no tests (its check on line " + lines[0] + " stays in the build, which still fails without it)"
	}
	return "the original runs no tests (its checks on lines " + strings.Join(lines, ", ") + " stay in the build, which still fails without them)"
}
