package spec

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/dockstage/dockstage/spec/syntax"
)

// Validate checks the rules a loaded spec must meet before it is rendered
// and returns every violation, sorted, as an ErrorList (nil when valid):
//   - the version is known; the name is a valid compose service name;
//   - stage names match BuildKit's `^[a-z][a-z0-9-_.]*$` (compared in lower
//     case) and are unique;
//   - `from` is an earlier stage or an image reference
//     (distribution/reference, after expanding `${VAR}` with the declared
//     build args); COPY/ADD `from` and mount `from` likewise (or a stage
//     index);
//   - ports are in 1..65535; EXPOSE protocols are tcp, udp or sctp;
//   - single-line fields hold no newline, carriage return or NUL; shell-form
//     commands continue lines only through the escape character and cannot
//     start with a flag or look like exec form; heredoc openers and bodies
//     match;
//   - flag values are ones BuildKit knows (mount types, sharing, network,
//     security, durations);
//   - compose targets name stages.
func Validate(s *Spec) error {
	v := &validator{s: s, escape: '\\'}
	v.validate()
	v.runProbes()
	v.errs.Sort()
	return v.errs.Err()
}

type validator struct {
	s      *Spec
	errs   ErrorList
	escape rune
	genv   globalEnv // what FROM sees of the global build args
	// inOnBuild is set while an ONBUILD trigger is checked: no stage
	// name resolves there.
	inOnBuild bool
	// probes are the instruction texts to read back with BuildKit's
	// parser, checked together by runProbes.
	probes []probe
	// noProbe skips the BuildKit probe of the next command (its heredocs
	// already failed).
	noProbe bool
	// lex is refsOK's lexer for lexEscape (lexer).
	lex       *shell.Lex
	lexEscape rune
	hlex      *shell.Lex // heredocLexer's, for the heredoc rule
}

// serviceRE is compose's service name rule (compose.service).
var serviceRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9._-]+$`) })

func (v *validator) errorf(p Pos, format string, args ...any) {
	if !p.IsValid() {
		p = v.s.Pos
	}
	v.errs.Add(p, format, args...)
}

func (v *validator) validate() {
	s := v.s
	switch {
	case s.Version == 0 && s.VersionPos.Line == 0:
		v.errorf(s.VersionPos, "version: missing; begin the spec with version: %d", Version)
	case s.Version != Version:
		v.errorf(s.VersionPos, "version: unknown spec version %d; this dockstage reads version %d", s.Version, Version)
	}
	if s.Name == "" {
		v.errorf(s.NamePos, "name: missing; give the service a name (lower case letters, digits, '.', '_', '-')")
	} else if !ValidName(s.Name) {
		hint := ""
		if l := strings.ToLower(s.Name); l != s.Name && ValidName(l) {
			hint = " (no capitals: " + l + ")"
		}
		v.errorf(s.NamePos, "name: %q is not a valid service name; use lower case letters, digits, '.', '_' and '-'%s", s.Name, hint)
	}
	if d := s.Directives; d != nil {
		v.escape = s.Escape()
		if d.Escape != "" && !syntax.IsEscape(d.Escape) {
			v.errorf(orPos(d.EscapePos, d.Pos), "directives.escape: %q is not an escape character; use \"\\\\\" or \"`\"", d.Escape)
		}
		v.line(orPos(d.SyntaxPos, d.Pos), pathOf("directives.syntax"), d.Syntax)
		v.line(orPos(d.CheckPos, d.Pos), pathOf("directives.check"), d.Check)
		if _, err := linter.ParseLintOptions(d.Check); d.Check != "" && err != nil {
			v.errorf(orPos(d.CheckPos, d.Pos), "directives.check: %v; write skip=RULE,RULE (or skip=all) and error=true or false, joined by ;", err)
		}
	}
	for i, c := range s.Comment {
		v.comment(itemPos(s.CommentPos, i, s.Pos), pathOf("comment").at(i), c)
	}
	for i, c := range s.TrailingComment {
		v.comment(itemPos(s.TrailingCommentPos, i, s.Pos), pathOf("trailing_comment").at(i), c)
	}
	// Global args may repeat a name, as in a Dockerfile (each
	// declaration in order: Spec.ExpandFrom).
	v.kvsDup(pathOf("args"), s.Args, true, true)
	v.genv = s.globalEnv()
	for _, p := range s.Params {
		v.errorf(p.Pos, "params.%s: only a layout declares params; a spec sets a layout's params with extends[].with", p.Name)
	}
	if len(s.Stages) == 0 {
		v.errorf(orPos(s.StagesPos, s.Pos), "stages: a spec needs at least one stage")
	}
	seen := map[string]*Stage{}
	for i, st := range s.Stages {
		lower := strings.ToLower(st.Name)
		if !validStageName(lower) {
			v.errorf(st.Pos, "stages.%s: invalid stage name; start with a letter, then letters, digits, '-', '_' or '.'", st.Name)
		}
		if prev, ok := seen[lower]; ok {
			v.errorf(st.Pos, "stages.%s: duplicate stage name (first at line %d); stage names compare without case", st.Name, prev.Pos.Line)
		}
		v.stage(i, st)
		seen[lower] = st
	}
	if s.Compose != nil {
		v.compose(s.Compose)
	}
}

// itemPos is the position of item i of a list whose item positions Load
// recorded in ps, else p (a spec built in code has none).
func itemPos(ps []Pos, i int, p Pos) Pos {
	if i < len(ps) && ps[i].IsValid() {
		return ps[i]
	}
	return p
}

// comment checks one item of a comment list: one line, or CommentBlank.
func (v *validator) comment(p Pos, path fieldPath, s string) {
	if s != CommentBlank {
		v.line(p, path, s)
	}
}

// commentItem is comment for item i of the list field path.field.
func (v *validator) commentItem(p Pos, path fieldPath, field string, i int, s string) {
	v.comment(p, path.item(field, i), s)
}

// lineItem is line (nonEmptyLine when nonEmpty) for item i of the list
// field path.field.
func (v *validator) lineItem(p Pos, path fieldPath, field string, i int, s string, nonEmpty bool) {
	if nonEmpty {
		v.nonEmptyLine(p, path.item(field, i), s)
	} else {
		v.line(p, path.item(field, i), s)
	}
}

// line checks that s, the value of the field path, is one line; the
// path's text is made only for an error.
func (v *validator) line(p Pos, path fieldPath, s string) {
	if i := strings.IndexAny(s, "\n\r\x00"); i >= 0 {
		v.errorf(p, "%s: %s is not allowed here; this field is one Dockerfile line", path, strconv.QuoteRune(rune(s[i])))
	}
}

func (v *validator) kvs(path fieldPath, l KVList, allowNil bool) {
	v.kvsDup(path, l, allowNil, false)
}

// kvsDup is kvs; dupOK allows a key more than once (global args, and the
// pairs of one ARG, ENV or LABEL step: BuildKit sets them in order, the
// last value wins and the key keeps the place of its first setting).
func (v *validator) kvsDup(path fieldPath, l KVList, allowNil, dupOK bool) {
	seen := map[string]bool{}
	for _, kv := range l {
		p := path.dot(kv.Key)
		if (path.field("label") || path.field("env")) && kv.Key != "" && !strings.ContainsAny(kv.Key, "=\n\r\x00") && !strings.HasPrefix(kv.Key, "--") {
			// LABEL and ENV keys may hold blanks ("com.example.my label",
			// `ENV my\ key=v`); they are quoted.
		} else if !validEnvKey(kv.Key) {
			v.errorf(kv.Pos, "%s: invalid key; keys cannot be empty, start with \"--\" or contain '=' or whitespace", p)
		}
		v.line(kv.Pos, p, kv.Key)
		for _, c := range kv.Comment {
			v.line(kv.Pos, p.plus(" comment"), c)
		}
		if kv.Value == nil && !allowNil {
			v.errorf(kv.Pos, "%s: missing value", p)
		}
		if kv.Value != nil {
			val := *kv.Value
			if strings.Contains(val, "\n") {
				// A value may span lines as the Dockerfile word did: each
				// line break after the escape character (syntax.JoinValue).
				if syntax.ValueBreaksOK(val, v.escape) {
					val = syntax.JoinValue(val, v.escape)
				} else {
					v.errorf(kv.Pos, "%s: a line break in a value must follow the escape character %s (a continued line, as in the Dockerfile; comment lines may stand between) and the last line must hold text", p, string(v.escape))
					val = strings.ReplaceAll(val, "\n", " ")
				}
			}
			v.line(kv.Pos, p, val)
			if msg := v.refsOK(val); msg != "" {
				v.errorf(kv.Pos, "%s: %s", p, msg)
			}
		}
		if seen[kv.Key] && !dupOK {
			v.errorf(kv.Pos, "%s: duplicate key", p)
		}
		seen[kv.Key] = true
	}
}

func (v *validator) stage(idx int, st *Stage) {
	path := pathOf("stages." + st.Name)
	fp := st.FromPos
	if !fp.IsValid() {
		fp = st.Pos
	}
	v.line(fp, path.dot("from"), st.From)
	if syntax.Continues(st.From, v.escape) {
		v.errorf(fp, "%s.from: %q ends with the escape character %c, which would join the next line to the FROM; an image reference never holds it: remove it", path, st.From, v.escape)
	}
	v.line(fp, path.dot("platform"), st.Platform)
	if st.Platform != "" && !strings.Contains(st.Platform, "$") {
		// As dockerfile2llb reads FROM --platform (containerd's parser).
		if _, err := platforms.Parse(st.Platform); err != nil {
			v.errorf(orPos(st.PlatformPos, fp), "%s.platform: %q is not a platform (BuildKit refuses it); write os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8, or a build arg such as $BUILDPLATFORM", path, st.Platform)
		}
	}
	// `FROM x AS x` is built from image x: BuildKit resolves the base
	// before the stage's own name exists (only earlier stages count).
	if msg := v.ref(st.From, idx, false); msg != "" {
		v.errorf(fp, "%s.from: %s", path, msg)
	}
	for i, c := range st.Comment {
		v.commentItem(itemPos(st.CommentPos, i, st.Pos), path, "comment", i, c)
	}
	for i, c := range st.TrailingComment {
		v.commentItem(itemPos(st.TrailingCommentPos, i, st.Pos), path, "trailing_comment", i, c)
	}
	for _, p := range st.StepsPatch {
		v.errorf(p.Pos, "%s.steps_patch: no layout this spec extends has a stage %s whose steps it could patch; write steps instead, or extend a layout that has the stage", path, st.Name)
	}
	ids := map[string]Pos{}
	for i := range st.Steps {
		step := &st.Steps[i]
		v.step(step, path.item("steps", i), idx, false)
		if step.ID == "" {
			continue
		}
		if !validStepID(step.ID) {
			v.errorf(step.IDPos, "%s.steps[%d].id: %q is not a step id; use letters, digits, '-', '_' and '.', starting with a letter", path, i, step.ID)
		}
		if prev, dup := ids[step.ID]; dup {
			v.errorf(step.IDPos, "%s.steps[%d].id: %q names another step of the stage too (at %s); step ids are unique in a stage", path, i, step.ID, prev)
		}
		ids[step.ID] = step.IDPos
	}
}
