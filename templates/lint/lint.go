// Package lint checks Dockerfiles, dockstage specs and compose files and
// returns findings at file:line:col: every BuildKit build check (what
// `docker build --check` runs, in-process and offline), every rule of
// hadolint's table (ported as DS1001-DS4006 with the DL ID as alias, or
// covered by a build check; RUN scripts read as shell by transpile/shell),
// ShellCheck on RUN scripts when the caller passes a ShellChecker,
// dockstage's own rules for the standard stage layout and for security,
// and compose-go's validation of compose files.
//
// The rules are data: one table (Rules) gives each rule's ID, name,
// severity, description, URL and fix hint, and RULES.md is generated from
// it. Findings can be suppressed per instruction with a comment line
// `# dockstage:ignore=RULE[,RULE]` directly above it (in a spec, also at
// the end of the line), and per project with a config file (Config,
// .dockstage-lint.yaml, or hadolint's .hadolint.yaml); hadolint's
// `# hadolint ignore=` and `# hadolint global ignore=` pragmas work too.
// The Dockerfile `# check=` directive is honoured:
// skip=... skips rules (dockstage's too), error=true makes build-check
// findings errors.
//
// The package does no file I/O: callers pass file contents and what they
// know about the build context; the one process it may start is the
// shellcheck that FindShellCheck finds, when the caller passes it. It is layer 7: it imports templates (rendering
// a spec, compose verification), transpile (Reverse), transpile/ecosystem
// (what commands mean), transpile/shell (RUN text as commands), spec and
// spec/syntax.
package lint

import (
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/spec"
	speclayout "github.com/dockstage/dockstage/spec/layout"
	"github.com/dockstage/dockstage/templates"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// Kind is what a linted file is.
type Kind int

const (
	// KindDetect asks File to tell the kind from the name and content
	// (DetectKind).
	KindDetect Kind = iota
	// KindDockerfile is a Dockerfile (or Containerfile).
	KindDockerfile
	// KindSpec is a dockstage spec (dockstage.yaml).
	KindSpec
	// KindCompose is a compose file.
	KindCompose
)

func (k Kind) String() string {
	switch k {
	case KindSpec:
		return "spec"
	case KindCompose:
		return "compose"
	}
	return "Dockerfile"
}

var (
	composeNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(docker-)?compose([.-].*)?\.ya?ml$`) })
	specTopRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^stages:`) })
	composeTopRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^(services|include):`) })
)

// DetectKind tells a file's kind from its name, then its content: names
// like compose.yaml, docker-compose.yml and compose.dev.yaml are compose
// files; dockstage.yaml and *.dockstage.yaml are specs; other YAML files
// are compose files when they have a top-level services key and specs when
// they have stages; everything else is a Dockerfile.
func DetectKind(name string, data []byte) Kind {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, "\\", "/")))
	switch {
	case composeNameRE().MatchString(base):
		return KindCompose
	case base == "dockstage.yaml" || base == "dockstage.yml" || strings.HasSuffix(base, ".dockstage.yaml") || strings.HasSuffix(base, ".dockstage.yml"):
		return KindSpec
	case strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml") || base == "-" || base == "<stdin>":
		if composeTopRE().Match(data) {
			return KindCompose
		}
		if specTopRE().Match(data) {
			return KindSpec
		}
		if base == "-" || base == "<stdin>" {
			return KindDockerfile
		}
		return KindSpec
	}
	return KindDockerfile
}

// Finding is one problem found in a file.
type Finding struct {
	// Rule is the rule's ID (DS001, FromAsCasing).
	Rule string
	// Severity after the config's overrides and the check directive.
	Severity Severity
	// Pos is where: the file as given, 1-based line and column (column 1
	// when only the line is known).
	Pos spec.Pos
	// Msg says what is wrong here.
	Msg string
	// Fix says what to do (the rule's fix hint).
	Fix string
	// Alias is the other name of what was found: the hadolint ID
	// (DL3008) of a rule that ports or covers one, or a ShellCheck
	// finding's SC code; empty when there is none.
	Alias string
	// Via names the specs a finding in a layout applies through, when
	// several specs linted together extend the layout it is in and the
	// finding is said once for all of them; nil for a finding in the
	// linted file itself.
	Via []string

	// anchor is the first line of the instruction or spec step the finding
	// belongs to: suppression comments are looked for above it.
	anchor int
}

// BuildContext is what the caller knows about the build context of a
// Dockerfile or spec.
type BuildContext struct {
	// Dockerignore is true when the context has a .dockerignore.
	Dockerignore bool
}

// Options configure a lint run.
type Options struct {
	// Config selects rules and severities; nil runs the defaults.
	Config *Config
	// Context describes the build context; nil when unknown (standard
	// input), which skips the rules that need it (DS009).
	Context *BuildContext
	// Kind makes File read the file as this kind; KindDetect (the zero
	// value) tells it from the name and content.
	Kind Kind
	// ShellCheck, when set, runs ShellCheck on every RUN script
	// (FindShellCheck gives the one on PATH); nil skips the ShellCheck rule.
	ShellCheck ShellChecker
	// Exists, when set and Context is nil, says whether a file exists
	// (paths are file's directory joined with a name): File uses it to
	// fill Context (see BuildContextOf).
	Exists func(path string) bool
	// Layouts say where a spec's layouts come from (spec/layout): a spec
	// is linted merged over them. The zero value reads local layouts
	// only.
	Layouts speclayout.Options
}

// File lints src as the kind opt.Kind names, else the kind DetectKind
// gives for file: Dockerfile, Spec or Compose. file names the source in
// positions.
func File(file string, src []byte, opt Options) []Finding {
	kind := opt.Kind
	if kind == KindDetect {
		kind = DetectKind(file, src)
	}
	if opt.Context == nil && opt.Exists != nil {
		opt.Context = BuildContextOf(file, src, kind, opt.Exists)
	}
	switch kind {
	case KindSpec:
		return Spec(file, src, opt)
	case KindCompose:
		return Compose(file, src, opt)
	}
	return Dockerfile(file, src, opt)
}

// BuildContextOf says what exists says of the build context of a linted
// file: whether it has a .dockerignore. For a Dockerfile the context is
// its directory, and BuildKit also reads FILE.dockerignore beside it; for a
// spec it is the directory its compose.context names, relative to the
// spec (default: the spec's). A compose file has none (nil).
func BuildContextOf(file string, src []byte, kind Kind, exists func(path string) bool) *BuildContext {
	dir := filepath.Dir(file)
	switch kind {
	case KindCompose:
		return nil
	case KindSpec:
		if sp, err := spec.Load(file, src); err == nil && sp.Compose != nil && sp.Compose.Context != "" {
			dir = filepath.Join(dir, sp.Compose.Context)
		}
		return &BuildContext{Dockerignore: exists(filepath.Join(dir, ".dockerignore"))}
	}
	return &BuildContext{Dockerignore: exists(filepath.Join(dir, ".dockerignore")) || exists(file+".dockerignore")}
}

// collector gathers findings and applies the config, the check directive
// and suppression comments.
type collector struct {
	file     string
	cfg      *Config
	skip     map[string]bool // from the check directive
	bkError  bool            // check directive error=true
	comments commentIndex
	// stepComments are a spec's comment lines by the line of the step or
	// stage they stand above: a `dockstage:ignore=` among them suppresses
	// too (an imported Dockerfile's suppression comments land there).
	stepComments map[int][]string
	// global are the rules a `# hadolint global ignore=` pragma names.
	global []string
	// isSpec is set when the linted file is a spec (the layout rules
	// always apply to one).
	isSpec bool
	// shellcheck runs ShellCheck on RUN scripts; nil skips it.
	shellcheck ShellChecker
	// paramPos, when set, says where a param set the value of the step
	// or stage at a position (layout.Result.ParamValue): a finding there
	// names that place, the spec's with: (as render --effective does).
	paramPos func(spec.Pos) (spec.Pos, bool)
	out      []Finding
}

func newCollector(file string, cfg *Config, src []byte, yamlComments bool) *collector {
	return &collector{file: file, cfg: cfg.compiled(), skip: map[string]bool{}, comments: indexComments(src, yamlComments)}
}

// honourCheckDirective follows a Dockerfile's `# check=` directive as
// render does (templates.CheckDirective, the one reading of it): skip=
// names skip rules of either source, error=true raises build checks to
// errors (skip=all is BuildKit's own: its checks report nothing). An
// invalid directive is left to BuildKit, which reports it.
func (c *collector) honourCheckDirective(dockerfile []byte) {
	lc, ok := templates.CheckDirective(dockerfile)
	if !ok {
		return
	}
	for _, r := range lc.SkipRules {
		if rule, ok := LookupRule(r); ok && !rule.Fixed {
			c.skip[rule.ID] = true
		}
	}
	c.bkError = lc.ReturnAsError
}

// add records a finding for rule r at pos (anchor: the first line of the
// instruction or step), unless the rule is off or suppressed there.
func (c *collector) add(r Rule, pos spec.Pos, anchor int, msg string) {
	c.addAlias(r, "", pos, anchor, msg)
}

// addAlias is add with the finding's alias (a hadolint ID or an SC code);
// "" takes the rule's one alias, if it has exactly one, and "-" none.
func (c *collector) addAlias(r Rule, alias string, pos spec.Pos, anchor int, msg string) {
	if !c.cfg.runs(r) || c.skip[r.ID] || c.cfg.ignored(r, alias) {
		return
	}
	switch alias {
	case "":
		alias = defaultAlias(r, msg)
	case "-":
		alias = "" // the rule's alias does not fit this finding
	}
	if pos.File == "" {
		pos.File = c.file
	}
	if pos.Line <= 0 {
		pos.Line = 1
	}
	if pos.Col <= 0 {
		pos.Col = 1
	}
	if anchor <= 0 {
		anchor = pos.Line
	}
	if !r.Fixed && c.cfg.inline() && (c.comments.suppressed(r.ID, pos.Line, alias) || c.comments.suppressed(r.ID, anchor, alias) ||
		suppressedBy(c.stepComments[anchor], r.ID, alias) || ignores(c.global, strings.ToLower(r.ID), alias)) {
		return
	}
	if c.paramPos != nil {
		if q, ok := c.paramPos(pos); ok {
			pos = q
		}
	}
	sev := c.cfg.severityOf(r, alias)
	if r.Source == SourceBuildKit && c.bkError {
		sev = Error
	}
	c.out = append(c.out, Finding{Rule: r.ID, Severity: sev, Pos: pos, Msg: msg, Fix: r.Fix, Alias: alias, anchor: anchor})
}

// addFixed is addID with the finding's alias and a fix hint of its own.
func (c *collector) addFixed(id, alias string, pos spec.Pos, anchor int, msg, fix string) {
	r, _ := LookupRule(id)
	n := len(c.out)
	c.addAlias(r, alias, pos, anchor, msg)
	if len(c.out) > n {
		c.out[n].Fix = fix
	}
}

func (c *collector) addID(id string, pos spec.Pos, anchor int, msg string) {
	r, ok := LookupRule(id)
	if !ok {
		panic("lint: unknown rule " + id)
	}
	c.add(r, pos, anchor, msg)
}

// findings returns the sorted findings, with BuildKit's
// SecretsUsedInArgOrEnv dropped where DS003 reports the same instruction
// (DS003 says the same with a fix hint).
func (c *collector) findings() []Finding {
	ds003 := map[int]bool{}
	for _, f := range c.out {
		if f.Rule == RuleSecretArgEnv {
			ds003[f.anchor] = true
		}
	}
	out := c.out[:0]
	for _, f := range c.out {
		if f.Rule == linter.RuleSecretsUsedInArgOrEnv.Name && ds003[f.anchor] {
			continue
		}
		out = append(out, f)
	}
	SortFindings(out)
	return dedupe(out)
}

// SortFindings sorts by file, line, column, rule and message.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Msg < b.Msg
	})
}

func dedupe(fs []Finding) []Finding {
	out := fs[:0]
	for i, f := range fs {
		if i > 0 && f.Rule == fs[i-1].Rule && f.Pos == fs[i-1].Pos && f.Msg == fs[i-1].Msg {
			continue
		}
		out = append(out, f)
	}
	return out
}

// ---- suppression comments ----

// ignoreRE matches dockstage's suppression comment and hadolint's inline
// pragma (`# hadolint ignore=DL3008,DL3015`); globalIgnoreRE hadolint's
// file-wide one.
var (
	ignoreRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`#\s*(?:dockstage:ignore|hadolint\s+ignore)=([A-Za-z0-9_,\s]*)`)
	})
	globalIgnoreRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^\s*#\s*hadolint\s+global\s+ignore=([A-Za-z0-9_, \t]*)`)
	})
)

// globalIgnores lists the rules the `# hadolint global ignore=` pragmas of
// a Dockerfile name, lower-case.
func globalIgnores(src []byte) []string {
	var out []string
	for _, m := range globalIgnoreRE().FindAllSubmatch(src, -1) {
		for _, id := range strings.Split(string(m[1]), ",") {
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, strings.ToLower(id))
			}
		}
	}
	return out
}

// defaultAlias is the alias a finding of r shows when the check gives none:
// the rule's one hadolint ID, or for the build check that covers three of
// hadolint's rules the one for the instruction the message names.
func defaultAlias(r Rule, msg string) string {
	if r.ID == linter.RuleMultipleInstructionsDisallowed.Name {
		switch {
		case strings.Contains(msg, "CMD"):
			return "DL4003"
		case strings.Contains(msg, "ENTRYPOINT"):
			return "DL4004"
		case strings.Contains(msg, "HEALTHCHECK"):
			return "DL3012"
		}
	}
	if len(r.Aliases) == 1 && strings.HasPrefix(r.Aliases[0], "DL") {
		return r.Aliases[0]
	}
	return ""
}

// commentIndex knows, per line, which rules a suppression comment on that
// line names and whether the line is a whole-line comment.
type commentIndex struct {
	ignores     map[int][]string // line -> rule IDs named on that line
	commentLine map[int]bool     // line is only a comment
	trailing    bool             // a comment at the end of the line counts (YAML)
}

func indexComments(src []byte, yaml bool) commentIndex {
	ci := commentIndex{ignores: map[int][]string{}, commentLine: map[int]bool{}, trailing: yaml}
	for i, l := range strings.Split(string(src), "\n") {
		line := i + 1
		trim := strings.TrimSpace(l)
		if strings.HasPrefix(trim, "#") {
			ci.commentLine[line] = true
		} else if !yaml {
			continue // a Dockerfile has no end-of-line comments
		}
		if ids := ignoredIDs(l); len(ids) > 0 {
			ci.ignores[line] = append(ci.ignores[line], ids...)
		}
	}
	return ci
}

// ignoredIDs lists the rule IDs, lower-case, that a `# dockstage:ignore=`
// comment in text names: the comma-separated list up to the first blank.
func ignoredIDs(text string) []string {
	m := ignoreRE().FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	list := strings.Fields(m[1])
	if len(list) == 0 {
		return nil
	}
	var out []string
	for _, id := range strings.Split(list[0], ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, strings.ToLower(id))
		}
	}
	return out
}

// ignores reports whether the ignored IDs name rule id (lower-case): by
// its ID, an alias (a hadolint ID), "all", or for the ShellCheck rule the
// finding's own SC code (in extra).
func ignores(ids []string, id string, extra ...string) bool {
	for _, x := range ids {
		cx := canonicalID(x)
		if x == id || x == "all" || cx == id || x == aliases[id] || cx == aliases[id] {
			return true
		}
		for _, e := range extra {
			if x == strings.ToLower(e) {
				return true
			}
		}
	}
	return false
}

// aliases are rules that report the same thing: suppressing one by
// comment suppresses the other.
var aliases = map[string]string{
	strings.ToLower(RuleSecretArgEnv):                      strings.ToLower(linter.RuleSecretsUsedInArgOrEnv.Name),
	strings.ToLower(linter.RuleSecretsUsedInArgOrEnv.Name): strings.ToLower(RuleSecretArgEnv),
}

// suppressed reports whether rule id is ignored for a finding on line:
// by a `# dockstage:ignore=` comment in the block of comment lines directly
// above it, or (YAML) at the end of the line itself.
func (ci commentIndex) suppressed(id string, line int, extra ...string) bool {
	id = strings.ToLower(id)
	names := func(l int) bool { return ignores(ci.ignores[l], id, extra...) }
	if ci.trailing && !ci.commentLine[line] && names(line) {
		return true
	}
	for l := line - 1; l > 0 && ci.commentLine[l]; l-- {
		if names(l) {
			return true
		}
	}
	return false
}

// suppressedBy reports whether any of the comment texts (a spec step's or
// stage's comment lines, which render above the instruction) ignores id.
func suppressedBy(comments []string, id string, extra ...string) bool {
	for _, c := range comments {
		if ignores(ignoredIDs("#"+c), strings.ToLower(id), extra...) {
			return true
		}
	}
	return false
}
