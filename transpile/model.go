// Package transpile maps between dockstage specs and Dockerfile and compose
// models, in both directions, as pure functions without I/O: Forward lowers
// a spec to models that package templates renders; Reverse imports a
// Dockerfile into a spec; CompareBuilds and CompareSpecs tell whether two
// builds are the same, instruction by instruction, and Compare (dockstage
// diff) by image config, each difference once with its Dockerfile lines. Layer 4 of the README's Layout: of dockstage it
// imports spec, spec/syntax and the transpile packages below it
// (transpile/shell, transpile/ecosystem).
package transpile

import "github.com/dockstage/dockstage/spec"

// Output is everything Forward derives from a spec.
type Output struct {
	Dockerfile *Dockerfile
	// Compose is compose.yaml; nil when the spec has no compose section.
	Compose *ComposeFile
	// DevCompose is compose.dev.yaml; nil when the spec has no compose.dev.
	DevCompose *ComposeFile
	// Dockerignore is the generated part of .dockerignore.
	Dockerignore *Dockerignore
	// Bake is docker-bake.hcl.
	Bake *Bake
}

// Dockerfile is the model of a Dockerfile: directives, header comments,
// build args before the first FROM, stages and trailing comments.
type Dockerfile struct {
	// Directives are parser directives, written first, in this order.
	Directives []Directive
	// Escape is the escape character ('\\' or '`').
	Escape rune
	// Comment lines after the directives (text without "# ").
	Comment []string
	// Args are the ARG instructions before the first FROM.
	Args   []Instruction
	Stages []Stage
	// TrailingComment lines after the last instruction.
	TrailingComment []string
}

// Directive is one parser directive, `# name=value`.
type Directive struct {
	Name, Value string
}

// Stage is a FROM instruction and the instructions that follow it.
type Stage struct {
	// Name is the stage name; empty for an anonymous stage.
	Name string
	From Instruction
	// Instructions after FROM.
	Instructions []Instruction
	// TrailingComment lines follow the last instruction, before the blank
	// line that starts the next stage.
	TrailingComment []string
}

// Form says how an instruction's arguments are written.
type Form int

const (
	// FormText writes Text as it is (shell form and single-value
	// instructions such as WORKDIR).
	FormText Form = iota
	// FormWords writes Words separated by spaces, as they are.
	FormWords
	// FormJSON writes Words as a JSON array (exec form).
	FormJSON
	// FormKV writes KVs as key=value words, quoting values as needed.
	FormKV
	// FormNone writes nothing after the keyword and flags
	// (HEALTHCHECK NONE is Keyword HEALTHCHECK, Text NONE).
	FormNone
)

// Instruction is one Dockerfile instruction.
type Instruction struct {
	// Comment lines above the instruction.
	Comment []string
	// BlankBefore writes a blank line above the comment and instruction.
	BlankBefore bool
	// Keyword in upper case: RUN, COPY, ...
	Keyword string
	// Flags in order, written `--name=value` (or `--name` when Bare).
	Flags []Flag
	// FlagComment holds the comment lines above each of Flags
	// (spec.ItemComments); when any is set, the flags go one per line.
	FlagComment [][]string
	// ArgsComment holds the comment lines between the flags and the
	// arguments, which then start on a line of their own.
	ArgsComment []string
	Form        Form
	Text        string
	Words       []string
	// WordComment holds the comment lines above each of Words
	// (spec.ItemComments); when any is set, the words go one per line,
	// continued with the escape character, each comment inside the
	// continuation above its word.
	WordComment [][]string
	KVs         []KeyValue
	// Sub is what follows the flags for HEALTHCHECK (the CMD part) and
	// ONBUILD (the trigger).
	Sub *Instruction
	// Heredocs are written after the instruction line, each body followed by
	// its terminator.
	Heredocs []spec.Heredoc
	// Pos is where the instruction comes from in the spec.
	Pos spec.Pos
}

// Flag is one instruction flag.
type Flag struct {
	Name, Value string
	// Bare flags are written without a value: `--link`.
	Bare bool
}

// KeyValue is one ENV, LABEL or ARG pair; a nil Value is written as the
// key alone (`ARG NAME`).
type KeyValue struct {
	Key   string
	Value *string
	// Comment lines written above the pair (inside the continuation for
	// a pair after the first).
	Comment []string
}

// ComposeFile is the model of a compose file with one service.
type ComposeFile struct {
	// Source is the spec file the compose file is generated from.
	Service ComposeService
	// Volumes are the named volumes the service mounts, in order, which
	// the file declares at its top level (compose refuses a service that
	// mounts an undeclared one).
	Volumes []string
}

// ComposeService is a compose service built from the Dockerfile.
type ComposeService struct {
	Name  string
	Image string
	Build ComposeBuild
	// Ports in compose short syntax.
	Ports       []string
	Environment []KeyValue
	Volumes     []string
	// Command overrides CMD; nil keeps the image's.
	Command *spec.Command
}

// ComposeBuild is a service's build section.
type ComposeBuild struct {
	Context    string
	Dockerfile string
	Target     string
	Args       []KeyValue
}
