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
// context through the fs.FS the caller passes. It is layer 5: it imports
// spec (stage references, the step keyword dispatch, the escape character),
// spec/syntax (line continuations), transpile, transpile/ecosystem (what
// commands and project files mean, the build-context scan) and
// transpile/shell (RUN text as commands).
//
// The phases, one file each: stepkinds.go (what each step is), split.go
// (roles, driving the rest), teststage.go (tests), reorder.go (the
// dependency install before the source copy), execform.go (prod's CMD and
// ENTRYPOINT in exec form), assemble.go (the spec), then report.go and
// proof.go.
package migrate

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	"github.com/dockstage/dockstage/transpile/shell"
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
	// KeepProdBase keeps prod on the original image (FROM src) even when
	// the build's output is known (see slim.go).
	KeepProdBase bool
	// IgnoreFile, when set, is where the rendered .dockerignore block goes
	// instead of the context's .dockerignore (a Dockerfile.dockerignore
	// beside the migrated Dockerfile, as the user sees its path): the
	// report says so.
	IgnoreFile string
	// IgnorePending is set when the rendered files, the .dockerignore among
	// them, are not written with the spec (the original Dockerfile is kept
	// in place): the report says the block is not in effect yet.
	IgnorePending bool
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
	m := &migrator{opts: opts, orig: orig, ctx: ecosystem.ScanContext(opts.Context), src: strings.Split(string(src), "\n")}
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
	// Forward validates the spec: the one validation of the result.
	fo, err := transpile.Forward(out)
	if err != nil {
		return nil, &InternalError{File: opts.File, Msg: "the migrated spec does not validate: " + err.Error()}
	}
	m.contextChange(fo)
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
	segs  []shell.Command
	infos []ecosystem.Classified
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
	dropped   bool   // leaves the prod chain (a compiler install: the wheels stage has it)
	note      string // for the line map
	// rewritten is the step src gets instead of step (implicit tests).
	rewritten *spec.Step
	// testRun is the test command the test stage gets for an implicit test.
	testRun *spec.Step
	// execForm is the step prod gets instead of step (shell to exec form).
	execForm *spec.Step
	// devSplit is set on an install whose test requirements went to the
	// test stage (devreqs.go).
	devSplit bool
	// devKept says why devReqs left such an install whole ("" when it
	// split it or did not look at it), for the note.
	devKept string
}

type migrator struct {
	opts Options
	orig *spec.Spec
	ctx  *ecosystem.BuildContext
	src  []string // Dockerfile lines

	final *spec.Stage
	items []*item

	srcStart, prodStart, sourceCopy int
	// srcEnd ends src after the last test step: the build steps after the
	// tests go to prod, so that the test stage sees what the tests saw.
	srcEnd         int
	manifestCopies []spec.Step

	changes []Change
	notes   []Note
	slim    *slimPlan
	// wheelsPlan is the wheels stage, when the pip install needs a
	// compiler (wheels.go).
	wheelsPlan *wheelsPlan
	// prodPrep are steps at the head of the prod stage (testsout.go).
	prodPrep []spec.Step
	// devBuild is a node build with the development dependencies
	// (proddeps.go); baseSteps are base's steps, for slimnode.go.
	devBuild  *devBuild
	baseSteps []spec.Step
	// testPrep are steps at the head of the test stage (prodDeps).
	testPrep []spec.Step
	// devSplit are the test requirements files the test stage copies and
	// installs (devreqs.go), relative to the context.
	devSplit []string
	ecos     ecosystem.FoundSet
	// builders are the toolchains of the stages before the last.
	builders []*toolchain
}

func (m *migrator) errorf(line int, format string, args ...any) error {
	return spec.ErrorList{{Pos: spec.Pos{File: m.opts.File, Line: line}, Msg: fmt.Sprintf(format, args...)}}
}

func (m *migrator) check() error {
	s := m.orig
	m.final = s.Stages[len(s.Stages)-1]
	std := 0
	for _, st := range s.Stages {
		if isStandard(st.Name) {
			std++
		}
	}
	if std >= 2 && strings.EqualFold(m.final.Name, StageProd) {
		return m.errorf(m.final.Pos.Line, "migrate: the Dockerfile already has dockstage's stages (base, src, ..., prod); nothing to migrate: import it with `dockstage import`")
	}
	for i, st := range s.Stages[:len(s.Stages)-1] {
		if isStandard(st.Name) {
			return m.errorf(st.Pos.Line, "migrate: stage %d is named %q, one of the stages migrate creates (base, src, test, prod); rename it, or import the Dockerfile as it is with `dockstage import`", i, st.Name)
		}
	}
	// A reference that is not an earlier stage (spec.StageIndex for FROM,
	// spec.StageRef for COPY --from and RUN --mount from=) names an image;
	// spelled like one of the new stages, it would name that stage after the
	// split.
	for i, st := range s.Stages {
		if isStandard(st.From) && s.StageIndex(st.From, i) < 0 {
			return m.imageLikeStage(st.Pos.Line, st.From)
		}
		for _, step := range st.Steps {
			for _, ref := range step.References() {
				if isStandard(ref.From) && s.StageRef(ref.From, i) < 0 {
					return m.imageLikeStage(step.Pos.Line, ref.From)
				}
			}
		}
	}
	// The last stage is split only when it starts from an image; an index
	// counts as a stage reference here too.
	last := len(s.Stages) - 1
	if j := s.StageRef(m.final.From, last); j >= 0 {
		return m.errorf(m.final.Pos.Line, "migrate: the last stage builds on stage %q; migrate splits a single-stage Dockerfile, or the last stage of a multistage one when it starts from an image; import this one as it is with `dockstage import`", s.Stages[j].Name)
	}
	return nil
}

// isStandard reports whether name is one of the stages migrate creates.
func isStandard(name string) bool {
	switch strings.ToLower(name) {
	case StageBase, StageSrc, StageTest, StageProd:
		return true
	}
	return false
}

func (m *migrator) imageLikeStage(line int, ref string) error {
	return m.errorf(line, "migrate: %q names an image like one of the stages migrate creates (base, src, test, prod); write its full name (docker.io/library/%s)", ref, strings.ToLower(ref))
}
