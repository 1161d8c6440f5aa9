// Package spec defines dockstage's YAML spec (version 1): the types, strict
// position-aware loading, semantic validation and canonical marshalling,
// stage-reference resolution and dependency chains (stages.go), and the
// step keyword dispatch (step.go). Layer 1 of the README's Layout: of
// dockstage it imports only spec/syntax.
//
// A spec describes one service's container build as an ordered list of
// stages (base -> src -> test -> prod plus builder stages), each an image or
// an earlier stage followed by ordered steps, one step per Dockerfile
// instruction. Every Dockerfile instruction and flag has a place, so that a
// Dockerfile imported into a spec renders back to the same build.
//
// Value conventions, shared by every field that becomes a Dockerfile word:
//   - `$NAME` and `${NAME...}` are build-arg / environment references,
//     expanded by the builder exactly as in a Dockerfile; `\$` is a literal
//     dollar sign, and escape characters directly before a `$` pair up as
//     BuildKit's lexer reads them (`\\$HOME` is a literal backslash, then
//     the reference); an escape character before anything else is itself
//     (syntax.UnquoteWord, syntax.Word).
//   - Shell-form commands (a YAML string for run, cmd, entrypoint and a
//     healthcheck test) are the Dockerfile text after the instruction and its
//     flags; they may span lines only through the escape character
//     (backslash-newline), as in a Dockerfile.
//   - Exec-form commands are YAML sequences.
package spec

// CommentBlank is the comment item that stands for a blank line inside a
// block of comment lines (a comment, a blank line, a comment), or between
// the comments and the instruction they stand above. A comment line never
// holds a NUL (validation and import refuse one), so no comment text is
// this item. In YAML it is a
// blank line between the items of a block `comment:` or
// `trailing_comment:` list (after the last item: above the next key):
// Load reads one, Marshal writes one.
const CommentBlank = "\x00"

// Version is the only spec version this package reads and writes.
const Version = 1

// DefaultTarget is the stage compose.yaml builds when compose.target is
// not set.
const DefaultTarget = "prod"

// DefaultDevTarget is the stage compose.dev.yaml builds when
// compose.dev.target is not set.
const DefaultDevTarget = "src"

// Pos is a position in a spec file: 1-based line and column. The zero Pos
// means "unknown" (for example a spec built in code).
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether the position is known.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Spec is a whole dockstage spec.
type Spec struct {
	// Version of the spec format; must be 1.
	Version int `yaml:"version"`
	// Name of the service: the compose service and the image name. Lower
	// case letters, digits, '.', '_' and '-'.
	Name string `yaml:"name"`
	// Extends lists the layouts the spec is merged over, in order: each a
	// path relative to the spec or a git layout git:URL//PATH@REF, with
	// the values of the layout's params (spec/layout, README "Layouts").
	// Later layouts win over earlier ones, the spec over all of them.
	Extends []Extend `yaml:"extends,omitempty"`
	// Params declares a layout's parameters, by name; only a layout has
	// them (a spec sets them with extends[].with).
	Params Params `yaml:"params,omitempty"`
	// Directives are the Dockerfile parser directives (syntax, escape,
	// check) written at the top of the rendered Dockerfile.
	Directives *Directives `yaml:"directives,omitempty"`
	// Comment holds comment lines written at the top of the Dockerfile,
	// after the directives (text without the leading "# ").
	Comment []string `yaml:"comment,omitempty"`
	// Args are the build args declared before the first FROM, in order;
	// a nil value declares the arg without a default (`ARG NAME`).
	Args KVList `yaml:"args,omitempty"`
	// Stages in Dockerfile order; the keys are the stage names.
	Stages Stages `yaml:"stages"`
	// TrailingComment holds comment lines after the last instruction.
	TrailingComment []string `yaml:"trailing_comment,omitempty"`
	// Dockerignore asks render for a generated block at the top of
	// .dockerignore (an allow list of what the COPY/ADD sources and RUN
	// bind mounts read, or a deny list of .git, local .env files and
	// dockstage's own outputs), in front of the user's own patterns,
	// which are kept. Off by default, so that
	// rendering never changes the build context unless the spec says so:
	// `import` leaves it off, `init` and `migrate` turn it on and say so.
	Dockerignore bool `yaml:"dockerignore,omitempty"`
	// Compose describes compose.yaml and compose.dev.yaml; when nil no
	// compose file is rendered.
	Compose *Compose `yaml:"compose,omitempty"`

	// Pos is where the spec starts (file name, line 1).
	Pos        Pos `yaml:"-"`
	VersionPos Pos `yaml:"-"`
	NamePos    Pos `yaml:"-"`
	StagesPos  Pos `yaml:"-"` // position of the stages value
	// CommentPos and TrailingCommentPos are where each comment line is
	// (Load fills every []Pos field named after a list field, item by
	// item, so that an error names the item, not the list).
	CommentPos         []Pos `yaml:"-"`
	TrailingCommentPos []Pos `yaml:"-"`

	// failed are the positions of the mappings LoadNode could not decode
	// whole (Check leaves out Validate's errors there).
	failed map[Pos]bool
}

// Directives are Dockerfile parser directives
// (https://docs.docker.com/reference/dockerfile/#parser-directives).
type Directives struct {
	// Syntax is the frontend image, e.g. "docker/dockerfile:1".
	Syntax string `yaml:"syntax,omitempty"`
	// Escape is the escape character: "\\" (default) or "`".
	Escape string `yaml:"escape,omitempty"`
	// Check configures build checks, e.g. "skip=JSONArgsRecommended;error=true".
	Check string `yaml:"check,omitempty"`

	Pos       Pos `yaml:"-"`
	SyntaxPos Pos `yaml:"-"` // position of each value
	EscapePos Pos `yaml:"-"`
	CheckPos  Pos `yaml:"-"`
}

// Stage is one build stage: FROM, then steps.
type Stage struct {
	// Name is the stage name (the key in `stages`). Names compare without
	// regard to case, as BuildKit does.
	Name string `yaml:"-"`
	// Comment lines that stood above the FROM.
	Comment []string `yaml:"comment,omitempty"`
	// Anonymous stages render without `AS name` (an imported Dockerfile's
	// unnamed stage); other stages refer to them by index.
	Anonymous bool `yaml:"anonymous,omitempty"`
	// From is an earlier stage's name, an image reference (build args
	// allowed: `python:${PY}-slim`) or "scratch".
	From string `yaml:"from"`
	// Platform is FROM's --platform value, e.g. "$BUILDPLATFORM".
	Platform string `yaml:"platform,omitempty"`
	// Steps are the stage's instructions in order. Over a layout's stage
	// they replace the layout's steps whole.
	Steps []Step `yaml:"steps,omitempty"`
	// StepsPatch changes a layout's steps of this stage at steps named by
	// their id, in order, instead of replacing them (spec/layout).
	StepsPatch []StepPatch `yaml:"steps_patch,omitempty"`
	// TrailingComment holds comment lines after the stage's last
	// instruction, above the blank line before the next stage (import
	// keeps a comment that closes a stage with that stage).
	TrailingComment []string `yaml:"trailing_comment,omitempty"`

	Pos     Pos `yaml:"-"` // position of the stage key
	FromPos Pos `yaml:"-"` // position of the from value
	// PlatformPos is the position of the platform value.
	PlatformPos Pos   `yaml:"-"`
	CommentPos  []Pos `yaml:"-"` // position of each comment line

	TrailingCommentPos []Pos `yaml:"-"`
}

// Stages is the ordered list of stages; in YAML a mapping from stage name to
// stage.
type Stages []*Stage

// KV is one key and value of an ordered mapping.
type KV struct {
	Key string
	// Value is nil for an ARG without default.
	Value *string
	// Comment lines that stood above the pair: inside a continued
	// ENV/LABEL/ARG (`ENV A=1 \` / `# why` / `B=2`), or above a global
	// ARG. In YAML they are the comment lines above the key (or list
	// item), without "# ".
	Comment []string
	Pos     Pos // position of the key
}

// KVList is an ordered mapping (args, env, labels). In YAML a mapping, or
// the list form `[NAME, {NAME: value}]` in which names may repeat (global
// args declared twice, as Dockerfiles do).
type KVList []KV

// Step is one Dockerfile instruction. Exactly one of the instruction fields
// is set; Comment may accompany it.
type Step struct {
	// ID names the step, unique in its stage, so that a spec extending
	// the layout the step is in can patch its stage's steps around it
	// (Stage.StepsPatch). It is not rendered.
	ID string `yaml:"id,omitempty"`
	// Comment lines that stood above the instruction.
	Comment []string `yaml:"comment,omitempty"`

	Arg     KVList   `yaml:"arg,omitempty"`
	Env     KVList   `yaml:"env,omitempty"`
	Label   KVList   `yaml:"label,omitempty"`
	Workdir *string  `yaml:"workdir,omitempty"`
	User    *string  `yaml:"user,omitempty"`
	Expose  []string `yaml:"expose,omitempty,flow"`
	// Volume lists VOLUME's paths. In YAML a list is the exec (JSON) form,
	// VOLUME ["/data"]; a string is the shell form, its paths separated by
	// blanks as BuildKit splits them, VOLUME /data /logs (VolumeShell).
	Volume      []string     `yaml:"volume,omitempty,flow"`
	StopSignal  *string      `yaml:"stopsignal,omitempty"`
	Shell       []string     `yaml:"shell,omitempty,flow"`
	Maintainer  *string      `yaml:"maintainer,omitempty"`
	Copy        *Copy        `yaml:"copy,omitempty"`
	Add         *Copy        `yaml:"add,omitempty"`
	Run         *Run         `yaml:"run,omitempty"`
	Cmd         *Command     `yaml:"cmd,omitempty"`
	Entrypoint  *Command     `yaml:"entrypoint,omitempty"`
	Healthcheck *Healthcheck `yaml:"healthcheck,omitempty"`
	OnBuild     *Step        `yaml:"onbuild,omitempty"`

	// BlankBefore is a blank line above the instruction (above its
	// comment) in the Dockerfile. In YAML it is a blank line above the
	// step's item in a block `steps` list, as a hand-written spec groups
	// its steps: Marshal writes one, Load reads it.
	BlankBefore bool `yaml:"-"`
	// VolumeShell writes Volume in shell form (VOLUME /data): Load sets it
	// for a string, Marshal writes a string for it when no path carries a
	// comment.
	VolumeShell bool `yaml:"-"`

	Pos   Pos `yaml:"-"`
	IDPos Pos `yaml:"-"`
	// Positions of each item of the list fields, as Load read them.
	CommentPos []Pos `yaml:"-"`
	ExposePos  []Pos `yaml:"-"`
	VolumePos  []Pos `yaml:"-"`
	ShellPos   []Pos `yaml:"-"`
	// Comment lines above each item of Expose, Volume and Shell: nil, or
	// one entry per item (see ItemComments).
	ExposeComment ItemComments `yaml:"-"`
	VolumeComment ItemComments `yaml:"-"`
	ShellComment  ItemComments `yaml:"-"`
}

// ItemComments are the comment lines above each item of a list field
// (Step.ExposeComment, Copy.SrcComment, Command.ArgsComment...): entry i
// holds the lines above item i, without "# ", and the list is nil when no
// item has any. In the Dockerfile they are comment lines inside the
// continued instruction (`COPY a \` / `# why` / `b /dst/`), which then
// writes one item per line; in YAML the comment above the item of a
// block list (yaml.v3's HeadComment).
type ItemComments = [][]string

// HasComments reports whether an entry of cs holds a comment line.
func HasComments(cs ItemComments) bool {
	for _, c := range cs {
		if len(c) > 0 {
			return true
		}
	}
	return false
}

// Command is an exec-form (YAML sequence) or shell-form (YAML string)
// command line.
type Command struct {
	// Exec is true for the exec (JSON array) form.
	Exec bool
	// Args is the exec-form argument vector.
	Args []string
	// Shell is the shell-form text.
	Shell string

	Pos Pos
	// ArgsComment holds the comment lines above each of Args
	// (ItemComments).
	ArgsComment ItemComments
}

// Run is a RUN instruction. In YAML it is a string (shell form), a sequence
// (exec form) or a mapping with `command` and the flags.
type Run struct {
	Command Command `yaml:"command"`
	// Mounts are the --mount flags, in order.
	Mounts []Mount `yaml:"mounts,omitempty"`
	// Network is --network: default, none or host.
	Network string `yaml:"network,omitempty"`
	// Security is --security: sandbox or insecure.
	Security string `yaml:"security,omitempty"`
	// Device holds --device flags (dockerfile:1-labs).
	Device []string `yaml:"device,omitempty"`
	// Heredocs are the here-documents the command opens with `<<NAME`, in
	// order.
	Heredocs []Heredoc `yaml:"heredocs,omitempty"`
	// CommandComment holds the comment lines between the flags and the
	// shell-form command (`RUN --mount=... \` / `# why` / `make`); in YAML
	// the comment above the command key.
	CommandComment []string `yaml:"-"`
	// MountsComment holds the comment lines above each --mount flag
	// (ItemComments); in YAML the comment above the item of mounts.
	MountsComment ItemComments `yaml:"-"`

	Pos Pos `yaml:"-"`
	// Positions of the values, as Load read them.
	NetworkPos  Pos   `yaml:"-"`
	SecurityPos Pos   `yaml:"-"`
	DevicePos   []Pos `yaml:"-"`
}

// Mount is one RUN --mount
// (https://docs.docker.com/reference/dockerfile/#run---mount). Values are
// kept as written; empty means "not given".
type Mount struct {
	// Type: bind (default), cache, tmpfs, secret or ssh.
	Type     string `yaml:"type,omitempty"`
	Target   string `yaml:"target,omitempty"`
	Source   string `yaml:"source,omitempty"`
	From     string `yaml:"from,omitempty"`
	ID       string `yaml:"id,omitempty"`
	Sharing  string `yaml:"sharing,omitempty"`
	Mode     string `yaml:"mode,omitempty"`
	UID      string `yaml:"uid,omitempty"`
	GID      string `yaml:"gid,omitempty"`
	Size     string `yaml:"size,omitempty"`
	Env      string `yaml:"env,omitempty"`
	ReadOnly *bool  `yaml:"readonly,omitempty"`
	Required *bool  `yaml:"required,omitempty"`

	Pos Pos `yaml:"-"`
}

// Heredoc is the body of one here-document opened in a RUN, COPY or ADD
// with `<<NAME`, `<<-NAME`, `<<"NAME"` or `<<'NAME'` (the opening form stays
// in the command or source list). Body is kept byte for byte, with its line
// endings, without the terminator line.
type Heredoc struct {
	Name string `yaml:"name"`
	Body string `yaml:"body"`

	Pos Pos `yaml:"-"`
}

// Copy is a COPY or ADD instruction.
type Copy struct {
	// Src are the sources: paths in the build context (or in `from`), URLs
	// and git repositories for ADD, or heredoc openers such as "<<EOF".
	Src []string `yaml:"src,flow"`
	// Dest is the destination path in the image.
	Dest string `yaml:"dest"`
	// From is --from: an earlier stage's name or index, or an image
	// reference. A COPY with From is an artifact.
	From    string   `yaml:"from,omitempty"`
	Chown   string   `yaml:"chown,omitempty"`
	Chmod   string   `yaml:"chmod,omitempty"`
	Link    bool     `yaml:"link,omitempty"`
	Parents bool     `yaml:"parents,omitempty"`
	Exclude []string `yaml:"exclude,omitempty"`
	// Checksum is ADD --checksum.
	Checksum string `yaml:"checksum,omitempty"`
	// KeepGitDir is ADD --keep-git-dir.
	KeepGitDir *bool `yaml:"keep_git_dir,omitempty"`
	// Unpack is ADD --unpack.
	Unpack *bool `yaml:"unpack,omitempty"`
	// Heredocs hold the bodies of heredoc sources.
	Heredocs []Heredoc `yaml:"heredocs,omitempty"`

	Pos Pos `yaml:"-"`
	// Positions of the values (of each item of a list), as Load read them.
	SrcPos      []Pos `yaml:"-"`
	DestPos     Pos   `yaml:"-"`
	FromPos     Pos   `yaml:"-"`
	ChownPos    Pos   `yaml:"-"`
	ChmodPos    Pos   `yaml:"-"`
	ChecksumPos Pos   `yaml:"-"`
	ExcludePos  []Pos `yaml:"-"`
	// SrcComment holds the comment lines above each source
	// (ItemComments); DestComment those above the destination, in YAML
	// the comment above the dest key.
	SrcComment  ItemComments `yaml:"-"`
	DestComment []string     `yaml:"-"`
}

// Healthcheck is HEALTHCHECK. `healthcheck: none` disables the image's
// healthcheck (HEALTHCHECK NONE).
type Healthcheck struct {
	// None is HEALTHCHECK NONE; no other field may be set.
	None bool `yaml:"-"`
	// Test is the check command: a string is CMD-SHELL (shell form), a
	// sequence is CMD (exec form).
	Test *Command `yaml:"test,omitempty"`
	// Durations as Go/Docker durations ("30s", "1m30s").
	Interval      string `yaml:"interval,omitempty"`
	Timeout       string `yaml:"timeout,omitempty"`
	StartPeriod   string `yaml:"start_period,omitempty"`
	StartInterval string `yaml:"start_interval,omitempty"`
	Retries       *int   `yaml:"retries,omitempty"`

	Pos Pos `yaml:"-"`
	// Positions of the values, as Load read them.
	IntervalPos      Pos `yaml:"-"`
	TimeoutPos       Pos `yaml:"-"`
	StartPeriodPos   Pos `yaml:"-"`
	StartIntervalPos Pos `yaml:"-"`
	RetriesPos       Pos `yaml:"-"`
}

// Compose describes the rendered compose files.
type Compose struct {
	// Service name; defaults to the spec name.
	Service string `yaml:"service,omitempty"`
	// Image is the image name compose tags the build with; default
	// "<name>:<target>".
	Image string `yaml:"image,omitempty"`
	// Target is the stage compose.yaml builds; default "prod".
	Target string `yaml:"target,omitempty"`
	// Context is the build context relative to the spec's directory
	// (where the compose file is, unless render -o DIR writes it
	// elsewhere: then it is rewritten for DIR); default ".".
	Context string `yaml:"context,omitempty"`
	// Dockerfile is the Dockerfile's path relative to the build context;
	// default "Dockerfile".
	Dockerfile string `yaml:"dockerfile,omitempty"`
	// BuildArgs passed to the build.
	BuildArgs KVList `yaml:"build_args,omitempty"`
	// Ports are compose port mappings, "HOST:CONTAINER[/PROTO]".
	Ports []string `yaml:"ports,omitempty"`
	// Environment of the service's container.
	Environment KVList `yaml:"environment,omitempty"`
	// Volumes of the service, in compose short syntax
	// (SOURCE:TARGET[:MODE], or TARGET alone for an anonymous volume). A
	// SOURCE starting with "." is a host path relative to the spec's
	// directory (render -o DIR rewrites it for DIR), one starting with "/"
	// or "~" an absolute one, and a bare name a named volume, which the
	// compose file declares at its top level.
	Volumes []string `yaml:"volumes,omitempty"`
	// Command overrides the image's CMD.
	Command *Command `yaml:"command,omitempty"`
	// Dev describes compose.dev.yaml; when nil, no dev file is rendered.
	Dev *ComposeDev `yaml:"dev,omitempty"`

	Pos        Pos   `yaml:"-"`
	TargetPos  Pos   `yaml:"-"`
	PortsPos   Pos   `yaml:"-"`
	VolumesPos []Pos `yaml:"-"`
}

// ComposeDev describes compose.dev.yaml: a build of a development target
// with the source bind-mounted so edits show without a rebuild. Unset
// ports and environment default to those of Compose.
type ComposeDev struct {
	// Target is the stage to build; default "src".
	Target      string   `yaml:"target,omitempty"`
	Ports       []string `yaml:"ports,omitempty"`
	Environment KVList   `yaml:"environment,omitempty"`
	// Volumes, typically the source bind mount "./:/opt" (as
	// Compose.Volumes).
	Volumes []string `yaml:"volumes,omitempty"`
	Command *Command `yaml:"command,omitempty"`

	Pos        Pos   `yaml:"-"`
	TargetPos  Pos   `yaml:"-"`
	PortsPos   Pos   `yaml:"-"`
	VolumesPos []Pos `yaml:"-"`
}

// Extend is one layout a spec extends. In YAML a string (the layout alone)
// or a mapping with layout and with.
type Extend struct {
	// Layout is the layout file: a path relative to the spec's directory,
	// or git:URL//PATH@REF (URL a repository git can clone, PATH the file
	// in it, REF a tag, branch or commit).
	Layout string `yaml:"layout"`
	// With sets the layout's params: name -> value of the param's type
	// (a number for int, true or false for bool, a string for string).
	With Values `yaml:"with,omitempty"`

	Pos       Pos `yaml:"-"`
	LayoutPos Pos `yaml:"-"`
}

// Params are a layout's declared parameters, in order; in YAML a mapping
// from name to Param.
type Params []Param

// Param declares one parameter of a layout. A layout uses it in its
// values as ${{ params.NAME }} (spec/layout).
type Param struct {
	// Name is the parameter's name (the key in params).
	Name string `yaml:"-"`
	// Type is the type of the value: string, int or bool.
	Type string `yaml:"type"`
	// Default is the value when the spec sets none, of the param's type;
	// a param without a default is required.
	Default *Value `yaml:"default,omitempty"`
	// Required says the spec must set the param (no default).
	Required bool `yaml:"required,omitempty"`
	// Description says what the param is for.
	Description string `yaml:"description,omitempty"`

	Pos Pos `yaml:"-"`
}

// StepPatch is one change to the steps of a layout's stage: exactly one
// of Before, After and Replace with Steps, or Remove alone, each naming a
// step by its id.
type StepPatch struct {
	// Before inserts Steps before the step with this id.
	Before string `yaml:"before,omitempty"`
	// After inserts Steps after the step with this id.
	After string `yaml:"after,omitempty"`
	// Replace puts Steps in the place of the step with this id.
	Replace string `yaml:"replace,omitempty"`
	// Remove drops the step with this id.
	Remove string `yaml:"remove,omitempty"`
	// Steps are the steps inserted.
	Steps []Step `yaml:"steps,omitempty"`

	Pos Pos `yaml:"-"`
}

// Values is an ordered mapping of names to scalars that keep their YAML
// type (extends[].with).
type Values []Value

// Value is a scalar with its YAML type: Text as written and Tag, the YAML
// tag it resolved to (!!str, !!int, !!float or !!bool).
type Value struct {
	// Name is the key, in a Values mapping.
	Name string
	Text string
	Tag  string

	Pos     Pos // position of the value
	NamePos Pos // position of the key
}
