package spec

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
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
	v.errs.Sort()
	return v.errs.Err()
}

type validator struct {
	s      *Spec
	errs   ErrorList
	escape rune
	args   map[string]string // global build args with a default
	// inOnBuild is set while an ONBUILD trigger is checked: no stage
	// name resolves there.
	inOnBuild bool
	// noProbe skips the BuildKit probe of the next command (its heredocs
	// already failed).
	noProbe bool
}

// nameRE is BuildKit's stage name rule (instructions/parse.go validStageName).
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-_.]*$`)

// serviceRE is compose's service name rule.
var serviceRE = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

var envKeyRE = regexp.MustCompile(`^[^=\s-][^=\s]*$|^-[^-=\s][^=\s]*$|^-$`)

var (
	octalLike = regexp.MustCompile(`^[0-9]+$`)
	octalMode = regexp.MustCompile(`^[0-7]{3,4}$`)
)

var numericOwner = regexp.MustCompile(`^[0-9]+(:[0-9]+)?$`)

func (v *validator) errorf(p Pos, format string, args ...any) {
	if !p.IsValid() {
		p = v.s.Pos
	}
	v.errs.Add(p, format, args...)
}

func (v *validator) validate() {
	s := v.s
	if s.Version != Version {
		v.errorf(s.VersionPos, "version: unknown spec version %d; this dockstage reads version %d", s.Version, Version)
	}
	if s.Name == "" {
		v.errorf(s.NamePos, "name: missing; give the service a name (lower case letters, digits, '.', '_', '-')")
	} else if !serviceRE.MatchString(s.Name) || strings.ToLower(s.Name) != s.Name {
		v.errorf(s.NamePos, "name: %q is not a valid service name; use lower case letters, digits, '.', '_' and '-'", s.Name)
	}
	if d := s.Directives; d != nil {
		switch d.Escape {
		case "", "\\":
		case "`":
			v.escape = '`'
		default:
			v.errorf(d.Pos, "directives.escape: %q is not an escape character; use \"\\\\\" or \"`\"", d.Escape)
		}
		v.line(d.Pos, "directives.syntax", d.Syntax)
		v.line(d.Pos, "directives.check", d.Check)
	}
	for _, c := range s.Comment {
		v.line(s.Pos, "comment", c)
	}
	for _, c := range s.TrailingComment {
		v.line(s.Pos, "trailing_comment", c)
	}
	v.args = map[string]string{}
	v.kvs("args", s.Args, true)
	for _, kv := range s.Args {
		if kv.Value != nil {
			v.args[kv.Key] = *kv.Value
		}
	}
	if len(s.Stages) == 0 {
		v.errorf(s.Pos, "stages: a spec needs at least one stage")
	}
	seen := map[string]*Stage{}
	for i, st := range s.Stages {
		lower := strings.ToLower(st.Name)
		if !nameRE.MatchString(lower) {
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

func (v *validator) line(p Pos, path, s string) {
	if i := strings.IndexAny(s, "\n\r\x00"); i >= 0 {
		v.errorf(p, "%s: %s is not allowed here; this field is one Dockerfile line", path, strconv.QuoteRune(rune(s[i])))
	}
}

func (v *validator) kvs(path string, l KVList, allowNil bool) {
	seen := map[string]bool{}
	for _, kv := range l {
		p := path + "." + kv.Key
		if strings.HasSuffix(path, ".label") && kv.Key != "" && !strings.ContainsAny(kv.Key, "=\n\r\x00") && !strings.HasPrefix(kv.Key, "--") {
			// LABEL keys may hold blanks ("com.example.my label"); they are quoted.
		} else if !envKeyRE.MatchString(kv.Key) {
			v.errorf(kv.Pos, "%s: invalid key; keys cannot be empty, start with \"--\" or contain '=' or whitespace", p)
		}
		v.line(kv.Pos, p, kv.Key)
		if kv.Value == nil && !allowNil {
			v.errorf(kv.Pos, "%s: missing value", p)
		}
		if kv.Value != nil {
			v.line(kv.Pos, p, *kv.Value)
			if msg := v.refsOK(*kv.Value); msg != "" {
				v.errorf(kv.Pos, "%s: %s", p, msg)
			}
		}
		if seen[kv.Key] {
			v.errorf(kv.Pos, "%s: duplicate key", p)
		}
		seen[kv.Key] = true
	}
}

// refOK reports whether ref (after build-arg expansion) is an earlier
// stage, a stage index below idx, or a valid image reference; it returns a
// message otherwise.
func (v *validator) ref(ref string, idx int, allowIndex bool) string {
	if ref == "" {
		return "is empty"
	}
	names := idx // stages a name may resolve to: those before this one
	if v.inOnBuild {
		names = 0 // a trigger runs in a later build
	}
	if v.s.StageIndex(ref, names) >= 0 {
		return ""
	}
	if allowIndex {
		if n, err := strconv.Atoi(ref); err == nil {
			if v.s.StageRef(ref, idx) < 0 {
				return fmt.Sprintf("stage index %d is not an earlier stage (this is stage %d)", n, idx)
			}
			return ""
		}
	}
	for _, st := range v.s.Stages[idx:] {
		if strings.EqualFold(st.Name, ref) {
			return fmt.Sprintf("names stage %q, which is defined later (line %d); move that stage above", st.Name, st.Pos.Line)
		}
	}
	if ref == "scratch" {
		return ""
	}
	lex := shell.NewLex(v.escape)
	res, err := lex.ProcessWordWithMatches(ref, syntax.Env(v.args))
	if err != nil {
		return fmt.Sprintf("%q: %v", ref, err)
	}
	if len(res.Unmatched) > 0 {
		var undeclared []string
		for name := range res.Unmatched {
			if !v.declared(name) {
				undeclared = append(undeclared, name)
			}
		}
		if len(undeclared) > 0 {
			sort.Strings(undeclared)
			return fmt.Sprintf("%q uses %s, which no build arg before the first stage declares (FROM sees only those and the predefined platform args); add it to args", ref, strings.Join(undeclared, ", "))
		}
		return "" // a declared build arg without default: given at build time
	}
	if _, err := reference.ParseNormalizedNamed(res.Result); err != nil {
		exp := ""
		if res.Result != ref {
			exp = fmt.Sprintf(" (expands to %q)", res.Result)
		}
		return fmt.Sprintf("%q%s is neither an earlier stage nor a valid image reference: %v", ref, exp, err)
	}
	return ""
}

// refsOK checks each ${...} reference in a value with BuildKit's lexer: it
// must be closed and well formed ("" when all are).
func (v *validator) refsOK(val string) string {
	rs := []rune(val)
	for i := 0; i+1 < len(rs); i++ {
		if rs[i] == v.escape {
			i++
			continue
		}
		if rs[i] != '$' || rs[i+1] != '{' {
			continue
		}
		end, closed := syntax.RefEnd(rs, i+1, v.escape)
		if !closed {
			return fmt.Sprintf("%q: the reference ${ is not closed; add } or write \\$ for a literal dollar", val)
		}
		ref := string(rs[i:end])
		if _, _, err := shell.NewLex(v.escape).ProcessWord(ref, syntax.AnyEnv{}); err != nil {
			return fmt.Sprintf("%q: %s: %v", val, ref, err)
		}
		i = end - 1
	}
	return ""
}

// predefinedArgs are the build args BuildKit defines for FROM without a
// declaration (https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope).
var predefinedArgs = map[string]bool{
	"BUILDPLATFORM": true, "BUILDOS": true, "BUILDARCH": true, "BUILDVARIANT": true,
	"TARGETPLATFORM": true, "TARGETOS": true, "TARGETARCH": true, "TARGETVARIANT": true,
}

// declared reports whether name is a global build arg (with or without
// default) or one BuildKit predefines.
func (v *validator) declared(name string) bool {
	if predefinedArgs[name] {
		return true
	}
	for _, kv := range v.s.Args {
		if kv.Key == name {
			return true
		}
	}
	return false
}

func (v *validator) stage(idx int, st *Stage) {
	path := "stages." + st.Name
	fp := st.FromPos
	if !fp.IsValid() {
		fp = st.Pos
	}
	v.line(fp, path+".from", st.From)
	v.line(fp, path+".platform", st.Platform)
	if strings.EqualFold(st.From, st.Name) {
		v.errorf(fp, "%s.from: a stage cannot be built from itself", path)
	} else if msg := v.ref(st.From, idx, false); msg != "" {
		v.errorf(fp, "%s.from: %s", path, msg)
	}
	for _, c := range st.Comment {
		v.line(st.Pos, path+".comment", c)
	}
	for i := range st.Steps {
		v.step(&st.Steps[i], fmt.Sprintf("%s.steps[%d]", path, i), idx, false)
	}
}

func (v *validator) step(s *Step, path string, idx int, inOnBuild bool) {
	p := s.Pos
	for _, c := range s.Comment {
		v.line(p, path+".comment", c)
	}
	n := s.instructions()
	if n != 1 {
		v.errorf(p, "%s: a step holds exactly one instruction, found %d", path, n)
		return
	}
	switch s.Keyword() {
	case "ARG":
		v.kvs(path+".arg", s.Arg, true)
		if len(s.Arg) == 0 {
			v.errorf(p, "%s.arg: declare at least one build arg", path)
		}
	case "ENV":
		v.kvs(path+".env", s.Env, false)
		if len(s.Env) == 0 {
			v.errorf(p, "%s.env: set at least one variable", path)
		}
	case "LABEL":
		v.kvs(path+".label", s.Label, false)
		if len(s.Label) == 0 {
			v.errorf(p, "%s.label: set at least one label", path)
		}
	case "WORKDIR":
		v.text(p, path+".workdir", "WORKDIR", *s.Workdir)
	case "USER":
		v.text(p, path+".user", "USER", *s.User)
	case "STOPSIGNAL":
		v.text(p, path+".stopsignal", "STOPSIGNAL", *s.StopSignal)
	case "MAINTAINER":
		v.text(p, path+".maintainer", "MAINTAINER", *s.Maintainer)
	case "EXPOSE":
		if len(s.Expose) == 0 {
			v.errorf(p, "%s.expose: list at least one port", path)
		}
		for _, e := range s.Expose {
			if msg := checkExpose(e); msg != "" {
				v.errorf(p, "%s.expose: %s", path, msg)
			} else if strings.ContainsAny(e, " \t\\`\"'") || strings.HasPrefix(e, "-") {
				v.errorf(p, "%s.expose: %q: a port cannot hold blanks, quotes, escape characters or start with '-'", path, e)
			}
		}
	case "VOLUME":
		if len(s.Volume) == 0 {
			v.errorf(p, "%s.volume: list at least one path", path)
		}
		for _, e := range s.Volume {
			v.nonEmptyLine(p, path+".volume", e)
		}
	case "SHELL":
		if len(s.Shell) == 0 {
			v.errorf(p, "%s.shell: give the shell and its arguments, e.g. [/bin/bash, -c]", path)
		}
		for _, e := range s.Shell {
			v.line(p, path+".shell", e)
		}
	case "COPY":
		v.copy(s.Copy, path+".copy", idx, false, p)
	case "ADD":
		v.copy(s.Add, path+".add", idx, true, p)
	case "RUN":
		v.run(s.Run, path+".run", idx, p)
	case "CMD":
		v.command(s.Cmd, path+".cmd", p, nil)
	case "ENTRYPOINT":
		v.command(s.Entrypoint, path+".entrypoint", p, nil)
	case "HEALTHCHECK":
		v.healthcheck(s.Healthcheck, path+".healthcheck", p)
	case "ONBUILD":
		if inOnBuild {
			v.errorf(p, "%s.onbuild: ONBUILD cannot trigger another ONBUILD", path)
			return
		}
		if s.OnBuild.Maintainer != nil {
			v.errorf(p, "%s.onbuild: ONBUILD cannot trigger MAINTAINER", path)
		}
		if len(s.OnBuild.Comment) > 0 {
			v.errorf(p, "%s.onbuild: a trigger cannot carry comments; put them on the onbuild step", path)
		}
		// A trigger runs in a later build: stage references are not checked here.
		v.inOnBuild = true
		v.step(s.OnBuild, path+".onbuild", len(v.s.Stages), true)
		v.inOnBuild = false
	}
}

func (v *validator) nonEmptyLine(p Pos, path, s string) {
	if strings.TrimSpace(s) == "" {
		v.errorf(p, "%s: empty value", path)
		return
	}
	v.line(p, path, s)
}

// checkExpose checks one EXPOSE entry: PORT, PORT/PROTO or a range
// START-END[/PROTO]; entries with a variable are left to build time.
func checkExpose(e string) string {
	if strings.Contains(e, "$") {
		return ""
	}
	port, proto, hasProto := strings.Cut(e, "/")
	if hasProto {
		switch strings.ToLower(proto) {
		case "tcp", "udp", "sctp":
		default:
			return fmt.Sprintf("%q: unknown protocol %q; use tcp, udp or sctp", e, proto)
		}
	}
	lo, hi, isRange := strings.Cut(port, "-")
	for _, x := range []string{lo, hi} {
		if !isRange && x == hi {
			continue
		}
		n, err := strconv.Atoi(x)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("%q: port must be a number from 1 to 65535", e)
		}
	}
	if isRange {
		a, _ := strconv.Atoi(lo)
		b, _ := strconv.Atoi(hi)
		if a > b {
			return fmt.Sprintf("%q: range start is above its end", e)
		}
	}
	return ""
}

func (v *validator) heredocs(p Pos, path string, opened []string, docs []Heredoc) {
	names := map[string]bool{}
	for _, o := range opened {
		names[o] = true
	}
	have := map[string]bool{}
	for _, h := range docs {
		hp := h.Pos
		if !hp.IsValid() {
			hp = p
		}
		if !names[h.Name] {
			v.errorf(hp, "%s.heredocs: %q is not opened with <<%s in the command or sources", path, h.Name, h.Name)
		}
		have[h.Name] = true
		for _, line := range strings.Split(h.Body, "\n") {
			l := strings.TrimRight(line, "\r")
			if l == h.Name || strings.TrimLeft(l, "\t") == h.Name {
				v.errorf(hp, "%s.heredocs.%s: the body contains the terminator line %q, which would end it early; pick another name", path, h.Name, h.Name)
				break
			}
		}
		if strings.Contains(h.Body, "\x00") {
			v.errorf(hp, "%s.heredocs.%s: NUL is not allowed in a heredoc body", path, h.Name)
		}
	}
	for _, o := range opened {
		if !have[o] {
			v.errorf(p, "%s: <<%s opens a heredoc but heredocs has no body named %q", path, o, o)
		}
	}
}

// shellText checks a shell-form command: lines continue only through the
// escape character (or are comments inside a continuation), the text does
// not end with the escape character, does not start with a flag and does
// not parse as exec form.
func (v *validator) shellText(p Pos, path, text string, allowHeredoc bool) {
	if strings.ContainsRune(text, 0) {
		v.errorf(p, "%s: NUL is not allowed", path)
		return
	}
	if strings.TrimSpace(text) == "" {
		v.errorf(p, "%s: empty command", path)
		return
	}
	trim := strings.TrimLeft(text, " \t")
	if strings.HasPrefix(trim, "--") {
		v.errorf(p, "%s: a shell-form command cannot start with %q (the Dockerfile would read it as a flag); use the step's flag keys or exec form", path, strings.Fields(trim)[0])
	}
	if strings.HasPrefix(trim, "[") {
		var arr []string
		if json.Unmarshal([]byte(strings.TrimSpace(text)), &arr) == nil {
			v.errorf(p, "%s: this shell-form string is a JSON array and would become exec form; write it as a YAML list", path)
		}
	}
	if strings.HasSuffix(text, "\n") {
		v.errorf(p, "%s: the command ends with a newline, which would end the instruction early; in YAML write the block with |- (not |) or remove the trailing newline", path)
		return
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if strings.ContainsRune(strings.ReplaceAll(text, "\r\n", ""), '\r') {
		v.errorf(p, "%s: a carriage return is allowed only before a newline", path)
	}
	cont := syntax.Continuation(v.escape)
	for i, l := range lines {
		last := i == len(lines)-1
		isComment := i > 0 && strings.HasPrefix(strings.TrimLeft(l, " \t"), "#")
		switch {
		case last && cont.MatchString(l):
			v.errorf(p, "%s: the command ends with the escape character %s, which would join the next instruction; remove it", path, string(v.escape))
		case !last && !isComment && !cont.MatchString(l):
			v.errorf(p, "%s: line %d of the command ends without the escape character %s, so the newline would end the instruction; end each continued line with %s, or use a heredoc", path, i+1, string(v.escape), string(v.escape))
		case last && isComment:
			v.errorf(p, "%s: the command cannot end with a comment line", path)
		case last && i > 0 && strings.TrimSpace(l) == "":
			v.errorf(p, "%s: the command cannot end with a blank line after a continuation (it would join the next instruction)", path)
		}
	}
	if !allowHeredoc && len(syntax.HeredocNames(text)) > 0 {
		v.errorf(p, "%s: heredocs (<<NAME) are only allowed in run, copy and add", path)
	}
}

// probe writes keyword and text (and heredoc bodies) as one instruction
// between two others and parses it with BuildKit's parser, the authority
// on how the line reads. It reports, as a positioned error, text that
// would not stay exactly one keyword instruction without flags and in
// shell form: a trailing escape character, a leading flag, a JSON array,
// an opened heredoc, a blank continuation. It returns false on error.
func (v *validator) probe(p Pos, path, keyword, text string, docs []Heredoc) bool {
	var b strings.Builder
	if v.escape == '`' {
		b.WriteString("# escape=`\n")
	}
	b.WriteString("FROM scratch\n" + keyword + " " + text + "\n")
	for _, h := range docs {
		b.WriteString(h.Body)
		if h.Body != "" && !strings.HasSuffix(h.Body, "\n") {
			b.WriteString("\n")
		}
		b.WriteString(h.Name + "\n")
	}
	b.WriteString("LABEL dockstage.probe=end\n")
	res, err := parser.Parse(strings.NewReader(b.String()))
	reason := ""
	switch {
	case err != nil:
		reason = err.Error()
	case len(res.AST.Children) != 3 || !strings.EqualFold(res.AST.Children[2].Value, "label"):
		reason = "it does not end where it should (a trailing escape character or an open heredoc joins the next instruction)"
	case len(res.AST.Children[1].Flags) > 0:
		reason = fmt.Sprintf("it starts with %q, which reads as a flag", res.AST.Children[1].Flags[0])
	case res.AST.Children[1].Attributes["json"]:
		reason = "it reads as an exec-form JSON array"
	case len(res.AST.Children[1].Heredocs) != len(docs):
		reason = "it opens a heredoc"
	}
	if reason != "" {
		v.errorf(p, "%s: %s would not read back as written: %s", path, keyword, reason)
		return false
	}
	return true
}

// text checks a single-line instruction argument (WORKDIR, USER,
// STOPSIGNAL, MAINTAINER).
func (v *validator) text(p Pos, path, keyword, s string) {
	n := len(v.errs)
	v.nonEmptyLine(p, path, s)
	if len(v.errs) == n {
		v.probe(p, path, keyword, s, nil)
	}
}

func (v *validator) command(c *Command, path string, p Pos, docs []Heredoc) {
	if c.Pos.IsValid() {
		p = c.Pos
	}
	if c.Exec {
		for _, a := range c.Args {
			if strings.ContainsRune(a, 0) {
				v.errorf(p, "%s: NUL is not allowed", path)
			}
		}
		if len(docs) > 0 {
			v.errorf(p, "%s: heredocs need a shell-form command", path)
		}
		return
	}
	n := len(v.errs)
	v.shellText(p, path, c.Shell, docs != nil)
	if len(v.errs) == n && !v.noProbe && len(syntax.HeredocNames(c.Shell)) == len(docs) {
		v.probe(p, path, "RUN", c.Shell, docs)
	}
}

func (v *validator) run(r *Run, path string, idx int, p Pos) {
	if r.Pos.IsValid() {
		p = r.Pos
	}
	n := len(v.errs)
	if !r.Command.Exec {
		v.heredocs(p, path, syntax.HeredocNames(r.Command.Shell), r.Heredocs)
	} else if len(r.Heredocs) > 0 {
		v.errorf(p, "%s.heredocs: heredocs need a shell-form command", path)
	}
	// With broken heredocs the command's own probe would only repeat them.
	v.noProbe = len(v.errs) > n
	v.command(&r.Command, path+".command", p, nilIfEmpty(r.Heredocs))
	v.noProbe = false
	switch r.Network {
	case "", "default", "none", "host":
	default:
		v.errorf(p, "%s.network: %q is not a network mode; use default, none or host", path, r.Network)
	}
	switch r.Security {
	case "", "sandbox", "insecure":
	default:
		v.errorf(p, "%s.security: %q is not a security mode; use sandbox or insecure", path, r.Security)
	}
	for _, d := range r.Device {
		v.nonEmptyLine(p, path+".device", d)
	}
	for i, m := range r.Mounts {
		mp := m.Pos
		if !mp.IsValid() {
			mp = p
		}
		v.mount(m, fmt.Sprintf("%s.mounts[%d]", path, i), idx, mp)
	}
}

func nilIfEmpty(h []Heredoc) []Heredoc {
	if h == nil {
		return []Heredoc{}
	}
	return h
}

func (v *validator) mount(m Mount, path string, idx int, p Pos) {
	for _, f := range []string{m.Type, m.Target, m.Source, m.From, m.ID, m.Sharing, m.Mode, m.UID, m.GID, m.Size, m.Env} {
		v.line(p, path, f)
		if strings.ContainsAny(f, ",\"") {
			v.errorf(p, "%s: %q: mount values cannot contain ',' or '\"'", path, f)
		}
	}
	typ := m.Type
	if typ == "" {
		typ = "bind"
	}
	switch typ {
	case "bind", "cache", "tmpfs", "secret", "ssh":
	default:
		v.errorf(p, "%s.type: %q is not a mount type; use bind, cache, tmpfs, secret or ssh", path, m.Type)
	}
	switch m.Sharing {
	case "", "shared", "private", "locked":
	default:
		v.errorf(p, "%s.sharing: %q; use shared, private or locked", path, m.Sharing)
	}
	if m.Target == "" && typ != "secret" && typ != "ssh" {
		v.errorf(p, "%s.target: a %s mount needs a target", path, typ)
	}
	if m.Size != "" && typ != "tmpfs" {
		v.errorf(p, "%s.size: only tmpfs mounts take a size", path)
	}
	if m.Required != nil && typ != "secret" && typ != "ssh" {
		v.errorf(p, "%s.required: only secret and ssh mounts take required", path)
	}
	if m.From != "" && !strings.Contains(m.From, "$") {
		if msg := v.ref(m.From, idx, true); msg != "" {
			v.errorf(p, "%s.from: %s", path, msg)
		}
	}
}

func (v *validator) copy(c *Copy, path string, idx int, isAdd bool, p Pos) {
	if c.Pos.IsValid() {
		p = c.Pos
	}
	if len(c.Src) == 0 {
		v.errorf(p, "%s.src: list at least one source", path)
	}
	var opened []string
	for _, s := range c.Src {
		v.nonEmptyLine(p, path+".src", s)
		if strings.HasPrefix(s, "<<") {
			opened = append(opened, syntax.HeredocNames(s)...)
		}
	}
	v.heredocs(p, path, opened, c.Heredocs)
	v.nonEmptyLine(p, path+".dest", c.Dest)
	if strings.HasPrefix(c.Dest, "<<") {
		v.errorf(p, "%s.dest: a heredoc cannot be the destination", path)
	}
	for _, f := range []string{c.Chown, c.Chmod, c.Checksum} {
		v.line(p, path, f)
	}
	for _, e := range c.Exclude {
		v.nonEmptyLine(p, path+".exclude", e)
	}
	if c.Chmod != "" && !strings.Contains(c.Chmod, "$") && octalLike.MatchString(c.Chmod) && !octalMode.MatchString(c.Chmod) {
		v.errorf(p, "%s.chmod: %q is not an octal file mode; write e.g. 0755 or 644", path, c.Chmod)
	}
	if c.Link && c.Chown != "" && !strings.Contains(c.Chown, "$") && !numericOwner.MatchString(c.Chown) {
		v.errorf(p, "%s.chown: %q: with link: true BuildKit needs a numeric owner (UID[:GID]), since the layer is made without the image's /etc/passwd", path, c.Chown)
	}
	if !isAdd {
		if c.Checksum != "" || c.KeepGitDir != nil || c.Unpack != nil {
			v.errorf(p, "%s: checksum, keep_git_dir and unpack are ADD flags; use add", path)
		}
	} else if c.From != "" || c.Parents {
		v.errorf(p, "%s: from and parents are COPY flags; use copy", path)
	}
	if c.From != "" {
		v.line(p, path+".from", c.From)
		if strings.Contains(c.From, "$") {
			v.errorf(p, "%s.from: %q: --from does not expand build args; define an alias stage (`FROM ${IMAGE} AS alias`) and copy from it", path, c.From)
		} else if msg := v.ref(c.From, idx, true); msg != "" {
			v.errorf(p, "%s.from: %s", path, msg)
		}
	}
}

func (v *validator) healthcheck(h *Healthcheck, path string, p Pos) {
	if h.Pos.IsValid() {
		p = h.Pos
	}
	if h.None {
		return
	}
	if h.Test == nil {
		v.errorf(p, "%s.test: missing; give the check command or write `healthcheck: none`", path)
	} else {
		if h.Test.Exec && len(h.Test.Args) == 0 {
			v.errorf(p, "%s.test: empty command", path)
		}
		if h.Test.Exec && len(h.Test.Args) > 0 && (h.Test.Args[0] == "CMD" || h.Test.Args[0] == "CMD-SHELL" || h.Test.Args[0] == "NONE") {
			v.errorf(p, "%s.test: drop the leading %q: dockstage writes HEALTHCHECK CMD itself; a list is the exec form (CMD [...]), a string the shell form", path, h.Test.Args[0])
		}
		v.command(h.Test, path+".test", p, nil)
	}
	for _, d := range []struct{ k, v string }{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start_period", h.StartPeriod}, {"start_interval", h.StartInterval}} {
		if d.v == "" {
			continue
		}
		dur, err := time.ParseDuration(d.v)
		if err != nil {
			v.errorf(p, "%s.%s: %q is not a duration; write e.g. 30s or 1m30s", path, d.k, d.v)
		} else if dur != 0 && dur < time.Millisecond {
			v.errorf(p, "%s.%s: %q is below BuildKit's minimum of 1ms", path, d.k, d.v)
		} else if dur < 0 {
			v.errorf(p, "%s.%s: %q is negative", path, d.k, d.v)
		}
	}
	if h.Retries != nil && *h.Retries < 0 {
		v.errorf(p, "%s.retries: cannot be negative", path)
	}
}

var composePortRE = regexp.MustCompile(`^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9]+\.[0-9.]+):)?(?:([0-9]+)(?:-([0-9]+))?:)?([0-9]+)(?:-([0-9]+))?(?:/(tcp|udp|sctp))?$`)

func (v *validator) compose(c *Compose) {
	p := c.Pos
	v.line(p, "compose.service", c.Service)
	if c.Service != "" && !serviceRE.MatchString(c.Service) {
		v.errorf(p, "compose.service: %q is not a valid service name", c.Service)
	}
	v.line(p, "compose.image", c.Image)
	if c.Image != "" {
		if _, err := reference.ParseNormalizedNamed(c.Image); err != nil {
			v.errorf(p, "compose.image: %q: %v", c.Image, err)
		}
	}
	v.line(p, "compose.context", c.Context)
	v.line(p, "compose.dockerfile", c.Dockerfile)
	v.target(orPos(c.TargetPos, p), "compose.target", or(c.Target, DefaultTarget))
	v.kvs("compose.build_args", c.BuildArgs, true)
	v.ports(orPos(c.PortsPos, p), "compose.ports", c.Ports)
	v.kvs("compose.environment", c.Environment, true)
	for _, vol := range c.Volumes {
		v.nonEmptyLine(p, "compose.volumes", vol)
	}
	if c.Command != nil && !c.Command.Exec {
		v.line(p, "compose.command", c.Command.Shell)
	}
	if d := c.Dev; d != nil {
		dp := d.Pos
		v.target(orPos(d.TargetPos, dp), "compose.dev.target", or(d.Target, DefaultDevTarget))
		v.ports(orPos(d.PortsPos, dp), "compose.dev.ports", d.Ports)
		v.kvs("compose.dev.environment", d.Environment, true)
		for _, vol := range d.Volumes {
			v.nonEmptyLine(dp, "compose.dev.volumes", vol)
		}
		if d.Command != nil && !d.Command.Exec {
			v.line(dp, "compose.dev.command", d.Command.Shell)
		}
	}
}

func orPos(p, def Pos) Pos {
	if p.IsValid() {
		return p
	}
	return def
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (v *validator) target(p Pos, path, t string) {
	if t == "" {
		return
	}
	for _, st := range v.s.Stages {
		if strings.EqualFold(st.Name, t) {
			return
		}
	}
	names := make([]string, len(v.s.Stages))
	for i, st := range v.s.Stages {
		names[i] = st.Name
	}
	v.errorf(p, "%s: no stage named %q to build; stages are %s (set %s)", path, t, strings.Join(names, ", "), path)
}

func (v *validator) ports(p Pos, path string, ports []string) {
	for _, port := range ports {
		if strings.Contains(port, "$") {
			continue
		}
		m := composePortRE.FindStringSubmatch(port)
		if m == nil {
			v.errorf(p, "%s: %q is not a port mapping; write CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, optionally /tcp or /udp", path, port)
			continue
		}
		for _, n := range m[1:5] {
			if n == "" {
				continue
			}
			if x, err := strconv.Atoi(n); err != nil || x < 1 || x > 65535 {
				v.errorf(p, "%s: %q: port %s is out of range 1-65535", path, port, n)
			}
		}
	}
}
