package lint

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dockstage/dockstage/spec"
	speclayout "github.com/dockstage/dockstage/spec/layout"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
)

// Dockerfile lints a Dockerfile: BuildKit's build checks on the file as it
// is, then dockstage's rules on the spec transpile.Reverse imports it into
// (positions are the Dockerfile's lines). A file BuildKit cannot parse or
// build gets a DS000 finding; a file dockstage cannot import gets DS015
// findings instead of its own rules.
func Dockerfile(file string, src []byte, opt Options) []Finding {
	c := newCollector(file, opt.Config, src, false)
	c.shellcheck = opt.ShellCheck
	c.honourCheckDirective(src)
	c.global = globalIgnores(src)
	start, _ := instructionLines(src)
	bk := runBuildKit(file, src)
	for _, w := range bk.warnings {
		c.add(ruleFor(w.rule, w.desc, w.url), spec.Pos{File: file, Line: w.line, Col: w.col}, anchorOf(start, w.line), w.msg)
	}
	c.pragmas()
	invalid := bk.err != "" && !onlyBuildValues(bk, src)
	// Reverse goes on after an instruction that fails: an invalid file
	// gets every positioned error at once, not BuildKit's first only.
	// Strict: a bare name close to a stage's is DS010 (a misspelt stage),
	// not the image import takes it for.
	s, _, err := transpile.Reverse(file, src, transpile.ReverseOptions{StrictStageRefs: true})
	if invalid && err == nil && onlyUntargetedMount(bk, s, bk.errLine) {
		invalid = false // DS017 says why, at the mount
	}
	if invalid {
		// BuildKit's error in its words, then the others Reverse found on
		// other lines.
		errs := []*spec.Error{{Pos: spec.Pos{File: file, Line: bk.errLine}, Msg: bk.err}}
		if err != nil {
			for _, e := range errorList(file, err) {
				if e.Pos.Line != bk.errLine {
					errs = append(errs, e)
				}
			}
		}
		for _, e := range errs {
			c.addID(RuleInvalid, e.Pos, 0, e.Msg)
			c.out[len(c.out)-1].Fix = invalidFix(e.Msg)
		}
		// The other rules run on the rest: the file without the failing
		// instructions (their lines blank, so lines stay).
		s, err = lintRest(c, file, src, errs, bk, start)
	}
	// Without a spec, the instruction rules also report what dockstage's
	// spec rules cover of hadolint's table (fallback).
	if d := checkInstructions(c, src, func(l int) spec.Pos { return spec.Pos{File: file, Line: l, Col: 1} }, err != nil); d != nil {
		runShellCheck(c, d)
	}
	if invalid {
		if err == nil {
			checkSpec(c, s, opt.Context)
		}
		return c.findings()
	}
	if err != nil {
		for _, e := range errorList(file, err) {
			if key, m, ok := strings.Cut(e.Msg, ": "); ok && strings.Contains(m, "names no stage; did you mean") {
				// A misspelt stage: BuildKit would pull an image that is
				// not there, so the build fails.
				n := len(c.out)
				what := "--from=" // COPY --from, RUN --mount from=
				if strings.Count(key, ".") == 2 && strings.HasPrefix(key, "stages.") && strings.HasSuffix(key, ".from") {
					what = "FROM " // a stage's base
				}
				c.addID(RuleUnknownFrom, e.Pos, anchorOf(start, e.Pos.Line), what+m)
				if len(c.out) > n {
					c.out[n].Severity = Error
				}
				continue
			}
			c.addID(RuleNotImported, e.Pos, anchorOf(start, e.Pos.Line), "dockstage's own rules did not run: "+e.Msg)
		}
		return c.findings()
	}
	checkSpec(c, s, opt.Context)
	return c.findings()
}

// lintRest runs BuildKit's checks (those that run while the build is
// converted, which stop at the first failing instruction) and imports the
// spec for dockstage's rules on an invalid Dockerfile without its failing
// instructions: their lines are blanked, so every other line keeps its
// number. What fails then is blanked too, a few rounds at most; when the
// rest still does not build, one DS015 finding says which rules did not
// run and why. It returns the rest's spec, or Reverse's error.
func lintRest(c *collector, file string, src []byte, errs []*spec.Error, bk buildkitResult, start map[int]int) (*spec.Spec, error) {
	lines := strings.SplitAfter(string(src), "\n")
	blank := func(line int) bool {
		first := anchorOf(start, line)
		if first < 1 || first > len(lines) || strings.TrimSpace(lines[first-1]) == "" {
			return false
		}
		for l := first; l <= len(lines) && anchorOf(start, l) == first; l++ {
			lines[l-1] = strings.Repeat("\n", strings.Count(lines[l-1], "\n"))
			if l > first && start[l] == 0 {
				break
			}
		}
		return true
	}
	for _, e := range errs {
		blank(e.Pos.Line)
	}
	seen := map[string]bool{}
	key := func(w buildkitWarning) string { return fmt.Sprint(w.rule, w.line, w.col, w.msg) }
	for _, w := range bk.warnings {
		seen[key(w)] = true
	}
	var rest []byte
	var bk2 buildkitResult
	for round := 0; round < 4; round++ {
		rest = []byte(strings.Join(lines, ""))
		if bk2 = runBuildKit(file, rest); bk2.err == "" || onlyBuildValues(bk2, rest) || !blank(bk2.errLine) {
			break
		}
	}
	if bk2.err != "" && !onlyBuildValues(bk2, rest) {
		if strings.Contains(bk2.err, "contains no stages") {
			return nil, errors.New(bk2.err) // every FROM failed: no rest to check
		}
		c.addID(RuleNotImported, errs[0].Pos, anchorOf(start, errs[0].Pos.Line), "BuildKit's build checks that run while the build is converted (JSONArgsRecommended, MultipleInstructionsDisallowed, UndefinedVar, ...) and dockstage's own rules did not run: without its failing instructions the file still does not build: "+bk2.err)
		return nil, errors.New(bk2.err)
	}
	for _, w := range bk2.warnings {
		if !seen[key(w)] {
			c.add(ruleFor(w.rule, w.desc, w.url), spec.Pos{File: file, Line: w.line, Col: w.col}, anchorOf(start, w.line), w.msg)
		}
	}
	s, _, err := transpile.Reverse(file, rest, transpile.ReverseOptions{StrictStageRefs: true})
	if err != nil {
		c.addID(RuleNotImported, errs[0].Pos, anchorOf(start, errs[0].Pos.Line), "dockstage's own rules did not run: without its failing instructions dockstage cannot import the file: "+errorList(file, err)[0].Msg)
	}
	return s, err
}

// Spec lints a dockstage spec: it is loaded (merged over the layouts it
// extends, errors positioned in the layout or the spec; a layout file,
// speclayout.IsLayout, as a spec extending it alone sees it,
// speclayout.LoadAlone) and validated by
// transpile.Forward (errors are DS000 findings), rendered in memory (then
// templates.RenderDockerfile), BuildKit's build checks run on the rendered
// Dockerfile and each finding is mapped back to the spec step (or stage, or
// build arg) the instruction comes from; then dockstage's rules run on the
// spec itself.
func Spec(file string, src []byte, opt Options) []Finding {
	c := newCollector(file, opt.Config, src, true)
	c.shellcheck, c.isSpec = opt.ShellCheck, true
	invalid := func(err error) []Finding {
		for _, e := range errorList(file, err) {
			n := len(c.out)
			c.addID(RuleInvalid, e.Pos, 0, e.Msg)
			if len(c.out) > n {
				c.out[n].Fix = specInvalidFix(e.Msg)
			}
		}
		return c.findings()
	}
	var s *spec.Spec
	load := speclayout.Load // merged over its layouts
	if speclayout.IsLayout(src) {
		load = speclayout.LoadAlone // a layout: as a spec extending it sees it
	}
	res, err := load(file, src, opt.Layouts)
	var out *transpile.Output
	if err == nil {
		s = res.Spec
		out, err = transpile.Forward(s) // validates the spec
	}
	if err != nil {
		return invalid(err)
	}
	c.stepComments = specComments(s)
	c.paramPos = res.ParamValue
	// Rendered as render writes it (its header included), so the rendered
	// line numbers in messages are the file's.
	text, _, err := templates.RenderDockerfile(out.Dockerfile, templates.Options{Source: filepath.Base(file)})
	if err != nil {
		return invalid(err)
	}
	c.honourCheckDirective(text)
	posOf := renderedPositions(text, out.Dockerfile)
	if d := checkInstructions(c, text, func(l int) spec.Pos {
		if p := posOf[l]; p.IsValid() {
			return p
		}
		return s.Pos
	}, false); d != nil {
		runShellCheck(c, d)
	}
	bk := runBuildKit("Dockerfile", text)
	for _, w := range bk.warnings {
		p := posOf[w.line]
		if !p.IsValid() {
			p = s.Pos
		}
		c.add(ruleFor(w.rule, w.desc, w.url), p, p.Line, fmt.Sprintf("%s (rendered Dockerfile line %d)", w.msg, w.line))
	}
	if bk.err != "" && !onlyUntargetedMount(bk, s, posOf[bk.errLine].Line) {
		p := posOf[bk.errLine]
		if !p.IsValid() {
			p = s.Pos
		}
		c.addID(RuleInvalid, p, 0, "BuildKit cannot build the Dockerfile this spec renders: "+bk.err)
		return c.findings()
	}
	checkSpec(c, s, opt.Context)
	return c.findings()
}

// errorList turns an error into positioned errors (a spec.ErrorList keeps
// its positions; anything else is at line 1 of file).
func errorList(file string, err error) spec.ErrorList {
	var l spec.ErrorList
	if errors.As(err, &l) {
		for _, e := range l {
			if e.Pos.File == "" {
				e.Pos.File = file
			}
		}
		return l
	}
	var e *spec.Error
	if errors.As(err, &e) {
		return spec.ErrorList{e}
	}
	return spec.ErrorList{{Pos: spec.Pos{File: file, Line: 1}, Msg: err.Error()}}
}

// renderedPositions maps each line of a rendered Dockerfile to the spec
// position of the instruction on it. The rendered file holds exactly the
// model's instructions in order (templates verified it), so the n-th
// parsed instruction is the n-th of the model.
func renderedPositions(text []byte, df *transpile.Dockerfile) map[int]spec.Pos {
	var expect []transpile.Instruction
	expect = append(expect, df.Args...)
	for _, st := range df.Stages {
		expect = append(expect, st.From)
		expect = append(expect, st.Instructions...)
	}
	_, nodes := instructionLines(text)
	out := map[int]spec.Pos{}
	for i, n := range nodes {
		if i >= len(expect) {
			break
		}
		for l := n.StartLine; l <= n.EndLine; l++ {
			out[l] = expect[i].Pos
		}
	}
	return out
}

// specComments indexes the comment lines of a spec's stages and steps by
// the line they are attached to.
func specComments(s *spec.Spec) map[int][]string {
	m := map[int][]string{}
	for _, st := range s.Stages {
		if len(st.Comment) > 0 {
			m[st.Pos.Line] = append(m[st.Pos.Line], st.Comment...)
		}
		for _, step := range st.Steps {
			if len(step.Comment) > 0 {
				m[step.Pos.Line] = append(m[step.Pos.Line], step.Comment...)
			}
		}
	}
	return m
}

// buildValueErrors are BuildKit errors that, offline, come only from a
// value the build supplies: a FROM whose ARG has no default (docker build
// --build-arg gives it) or a VOLUME whose variable the base image sets.
// BuildKit's own check only warns about them (InvalidDefaultArgInFrom,
// UndefinedVar), so they are no invalid file.
var buildValueErrors = []string{"should not be blank", "VOLUME specified can not be an empty string", "invalid reference format"}

// onlyBuildValues reports whether bk's error is one of buildValueErrors and
// a build-check warning says why, on an instruction of src that uses a
// variable (a --build-arg can change what it reads; FROM Base, with no
// variable, fails whatever the build args).
func onlyBuildValues(bk buildkitResult, src []byte) bool {
	if bk.errLine > 0 && !bytes.Contains(lineOf(src, bk.errLine), []byte("$")) {
		return false
	}
	warned := false
	for _, w := range bk.warnings {
		if w.rule == "UndefinedArgInFrom" {
			return false // no ARG at all: no --build-arg can set it
		}
		warned = warned || w.rule == "InvalidDefaultArgInFrom" || w.rule == "UndefinedVar"
	}
	for _, e := range buildValueErrors {
		if strings.Contains(bk.err, e) {
			return warned
		}
	}
	return false
}

// invalidFix is the fix hint for a file BuildKit rejects, by its message.
// specInvalidFix is the fix for a DS000 finding on a spec (an error of the
// spec loader or of transpile.Forward's validation), from its message.
func specInvalidFix(msg string) string {
	switch {
	case strings.Contains(msg, "unknown key"):
		return "use one of the keys the message lists, spelt and indented as they are (dockstage schema prints every field of the spec)"
	case strings.Contains(msg, "missing key"), strings.Contains(msg, "missing;"):
		return "add the key the message names"
	case strings.Contains(msg, "is not a duration"), strings.Contains(msg, ".expose["):
		return invalidFix(msg)
	}
	return "correct the field at this line and column as the message says; dockstage render refuses the spec until then"
}

func invalidFix(msg string) string {
	switch {
	case strings.Contains(msg, "unknown instruction"):
		return "spell the instruction as one of FROM, RUN, COPY, ADD, ENV, ARG, WORKDIR, USER, EXPOSE, VOLUME, LABEL, CMD, ENTRYPOINT, HEALTHCHECK, SHELL, STOPSIGNAL, ONBUILD"
	case strings.Contains(msg, "requires"), strings.Contains(msg, "at least"), strings.Contains(msg, "exactly"):
		return "give the instruction the arguments it needs (see the message); docker build --check shows the same error"
	case strings.Contains(msg, "failed to parse stage name") && strings.Contains(msg, "must be lowercase"):
		return "write the stage a FROM builds on in lower case (FROM base for a stage named Base): BuildKit finds it only by that name; an image reference is lower case too"
	case strings.Contains(msg, "empty"):
		return "start the Dockerfile with FROM image:tag"
	case strings.Contains(msg, "duration"):
		return "write durations with a unit: 30s, 5m, 1h"
	case strings.Contains(msg, "port"), strings.Contains(msg, "protocol"):
		return "EXPOSE a port number (8080) or a range (8000-8010), with /tcp or /udp if needed"
	}
	return "correct the instruction at this line as the message says; docker build --check reports the same error"
}
