package transpile

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/tonistiigi/go-csvvalue"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
)

// ReverseOptions configures Reverse.
type ReverseOptions struct {
	// Name is the spec name (the compose service and image name); default
	// "app".
	Name string
}

// Warning is a decision Reverse made that the user may want to know about:
// something normalised, moved or named on the user's behalf. Pos.File and
// Pos.Line locate it in the Dockerfile (Col is 0: BuildKit's parser gives
// lines only).
type Warning struct {
	Pos spec.Pos
	Msg string
}

// String formats the warning as `file:line: message`.
func (w Warning) String() string {
	e := spec.Error{Pos: w.Pos, Msg: w.Msg}
	return e.Error()
}

// Reverse imports a Dockerfile into a spec. file names the source in errors
// and warnings. The Dockerfile goes through BuildKit's parser.Parse and
// instructions.Parse (so whatever BuildKit rejects is rejected here, with its
// line), then each instruction becomes one spec step, with the original
// source lines sliced to keep what the AST drops: comments, and shell-form
// text with its line continuations.
//
// The result has passed spec.Validate. On failure the error is a
// spec.ErrorList of `file:line: message` entries and the spec is nil.
// Warnings are returned in both cases, sorted by line.
//
// The rules a renderer mirrors (with spec/types.go's value conventions):
//   - shell-form text (RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD) is the
//     Dockerfile text after the keyword and its flags, byte for byte, with
//     its escape-newline continuations, indentation and the comment lines
//     inside them; empty continuation lines are dropped, trailing white
//     space is trimmed and CRLF becomes LF;
//   - heredoc bodies are byte for byte (CRLF and `<<-` tabs kept), without
//     the terminator line; the opener stays in the command or source list;
//   - ENV, LABEL and ARG keys and values are unquoted shell words: see
//     syntax.UnquoteWord;
//   - comment lines above an instruction become its comment (text after
//     `#` and one optional space); comments inside a continued instruction
//     other than shell-form text move above it.
func Reverse(file string, src []byte, opts ReverseOptions) (*spec.Spec, []Warning, error) {
	r := &reverser{file: file, name: opts.Name}
	if r.name == "" {
		r.name = "app"
	}
	s, err := r.run(src)
	sort.SliceStable(r.warns, func(i, j int) bool { return r.warns[i].Pos.Line < r.warns[j].Pos.Line })
	if err != nil {
		return nil, r.warns, err
	}
	return s, r.warns, nil
}

// reverser holds the state of one Reverse call.
type reverser struct {
	file string
	name string

	lines    []string // physical lines: no "\n", trailing "\r" removed
	rawLines []string // physical lines: no "\n", "\r" kept
	body     []bool   // body[i]: line i+1 is a heredoc body or terminator line

	escape rune

	directives     *spec.Directives
	directiveLines map[int]bool

	warns []Warning
	errs  spec.ErrorList

	// validateFailed reports that the error came from spec.Validate (the
	// final check); tests use it to tell Reverse bugs from input errors.
	validateFailed bool

	stages []*stageInfo
}

type stageInfo struct {
	name  string // lower case; "" when unnamed
	line  int
	stage *spec.Stage
}

func (r *reverser) pos(line int) spec.Pos { return spec.Pos{File: r.file, Line: line} }

func (r *reverser) warnf(line int, format string, args ...any) {
	r.warns = append(r.warns, Warning{Pos: r.pos(line), Msg: fmt.Sprintf(format, args...)})
}

func (r *reverser) errorf(line int, format string, args ...any) {
	r.errs.Add(r.pos(line), format, args...)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func (r *reverser) run(src []byte) (s *spec.Spec, err error) {
	defer func() {
		// BuildKit's parser is not ours: turn a panic on odd input into an
		// error rather than crashing the caller.
		if p := recover(); p != nil {
			s, err = nil, spec.ErrorList{{Pos: r.pos(1), Msg: fmt.Sprintf("internal error: importing this Dockerfile panicked (%v); please report it", p)}}
		}
	}()
	if err := r.splitLines(src); err != nil {
		return nil, err
	}
	if err := r.scanDirectives(); err != nil {
		return nil, err
	}
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, r.buildkitError(err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, r.buildkitError(err)
	}
	if len(stages) == 0 {
		line := 1
		if n := len(res.AST.Children); n > 0 {
			line = res.AST.Children[n-1].StartLine
		}
		r.errorf(line, "the Dockerfile has no FROM: add a stage (FROM image) after the build args")
		return nil, r.errs
	}
	r.markBodies(res.AST)
	r.checkLines()
	r.checkOnBuild(res.AST)
	r.checkExpansion(stages, metaArgs)
	if len(r.errs) > 0 {
		r.errs.Sort()
		return nil, r.errs
	}
	s = r.build(res.AST)
	r.checkRefs(s)
	if len(r.errs) > 0 {
		r.errs.Sort()
		return nil, r.errs
	}
	if err := spec.Validate(s); err != nil {
		r.validateFailed = true
		return nil, err
	}
	return s, nil
}

// splitLines checks the encoding and splits src into physical lines the way
// BuildKit's scanner does (on "\n" only).
func (r *reverser) splitLines(src []byte) error {
	if bytes.HasPrefix(src, utf8BOM) {
		src = src[len(utf8BOM):]
		r.warnf(1, "UTF-8 byte order mark removed")
	}
	for i, l := range bytes.Split(src, []byte("\n")) {
		if !utf8.Valid(l) {
			return spec.ErrorList{{Pos: r.pos(i + 1), Msg: "the line is not valid UTF-8; save the Dockerfile as UTF-8"}}
		}
		if bytes.IndexByte(l, 0) >= 0 {
			return spec.ErrorList{{Pos: r.pos(i + 1), Msg: "the line holds a NUL byte, which a spec cannot hold; remove it"}}
		}
	}
	text := string(src)
	text = strings.TrimSuffix(text, "\n")
	if len(src) == 0 {
		r.rawLines = nil
	} else {
		r.rawLines = strings.Split(text, "\n")
	}
	r.lines = make([]string, len(r.rawLines))
	for i, l := range r.rawLines {
		r.lines[i] = strings.TrimRight(l, "\r")
	}
	r.body = make([]bool, len(r.lines))
	return nil
}

// scanDirectives reads the parser directives at the top of the file with
// BuildKit's own DirectiveParser, as parser.Parse does (leading white space
// trimmed, stopping at the first line that is not a directive).
func (r *reverser) scanDirectives() error {
	r.escape = parser.DefaultEscapeToken
	r.directiveLines = map[int]bool{}
	var dp parser.DirectiveParser
	for i, l := range r.lines {
		d, err := dp.ParseLine([]byte(strings.TrimLeftFunc(l, unicode.IsSpace)))
		if err != nil {
			return spec.ErrorList{{Pos: r.pos(i + 1), Msg: err.Error() + "; remove the repeated directive"}}
		}
		if d == nil {
			break
		}
		if r.directives == nil {
			r.directives = &spec.Directives{Pos: r.pos(i + 1)}
		}
		r.directiveLines[i+1] = true
		switch d.Name {
		case "syntax":
			r.directives.Syntax = d.Value
		case "check":
			r.directives.Check = d.Value
		case "escape":
			if d.Value != "\\" && d.Value != "`" {
				return spec.ErrorList{{Pos: r.pos(i + 1), Msg: fmt.Sprintf("invalid escape character %q; use \\ or `", d.Value)}}
			}
			r.escape = syntax.Escape(d.Value)
			r.directives.Escape = d.Value
		}
	}
	return nil
}

var parseErrorPrefix = regexp.MustCompile(`^dockerfile parse error on line \d+: `)

// buildkitError turns an error from parser.Parse or instructions.Parse into
// a positioned ErrorList with a hint on what to do.
func (r *reverser) buildkitError(err error) error {
	line := 0
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line = le.Locations[0][0].Start.Line
	}
	if line < 1 {
		line = 1
	}
	msg := parseErrorPrefix.ReplaceAllString(err.Error(), "")
	switch {
	case strings.HasPrefix(msg, "unknown instruction"):
		if !strings.Contains(msg, "did you mean") {
			msg += "; check the spelling or remove the line"
		}
	case strings.Contains(msg, "no build stage in current context"):
		msg += ": only ARG can come before the first FROM; move the instruction into a stage"
	case strings.Contains(msg, "unterminated heredoc"):
		msg += ": end the here-document with a line holding only its name"
	case strings.Contains(msg, "file with no instructions"):
		msg = "the Dockerfile has no instructions; start it with FROM"
		line = 1
	}
	// Name the instruction when BuildKit's message does not.
	if line <= len(r.lines) {
		if f := strings.Fields(r.lines[line-1]); len(f) > 0 && !strings.HasPrefix(f[0], "#") {
			kw := strings.ToUpper(f[0])
			if !strings.Contains(strings.ToUpper(msg), kw) {
				msg = kw + ": " + msg
			}
		}
	}
	return spec.ErrorList{{Pos: r.pos(line), Msg: msg}}
}

// heredocLines returns how many physical lines the heredocs of node take
// (bodies plus terminator lines).
func heredocLines(node *parser.Node) int {
	n := 0
	for _, h := range node.Heredocs {
		n += strings.Count(h.Content, "\n") + 1
	}
	return n
}

// markBodies records which physical lines are heredoc bodies: those keep
// their bytes and are exempt from the line checks.
func (r *reverser) markBodies(ast *parser.Node) {
	for _, n := range ast.Children {
		k := heredocLines(n)
		for l := n.EndLine - k + 1; l <= n.EndLine; l++ {
			if l >= 1 && l <= len(r.body) {
				r.body[l-1] = true
			}
		}
	}
}

// checkLines rejects what a spec cannot hold outside heredoc bodies (a
// carriage return inside a line) and notes CRLF line endings.
func (r *reverser) checkLines() {
	crlf := 0
	for i, l := range r.lines {
		if r.body[i] {
			continue
		}
		if strings.ContainsRune(l, '\r') {
			r.errorf(i+1, "a carriage return inside the line, which a spec cannot hold; remove it")
		}
		if crlf == 0 && strings.HasSuffix(r.rawLines[i], "\r") {
			crlf = i + 1
		}
	}
	if crlf > 0 {
		r.warnf(crlf, "CRLF line endings normalised to LF (heredoc bodies keep theirs)")
	}
}

// checkOnBuild parses ONBUILD triggers, which instructions.Parse keeps as
// text: a trigger BuildKit would reject when the image is used as a base is
// rejected now.
func (r *reverser) checkOnBuild(ast *parser.Node) {
	for _, n := range ast.Children {
		if !strings.EqualFold(n.Value, "onbuild") || n.Next == nil || len(n.Next.Children) == 0 {
			continue
		}
		if _, err := instructions.ParseInstruction(n.Next.Children[0]); err != nil {
			msg := parseErrorPrefix.ReplaceAllString(err.Error(), "")
			r.errorf(n.StartLine, "ONBUILD trigger: %s", msg)
		}
	}
}

func locLine(loc []parser.Range) int {
	if len(loc) == 0 {
		return 1
	}
	return loc[0].Start.Line
}

// checkExpansion runs BuildKit's word expansion over every word BuildKit
// expands at build time (instructions.Parse does not), so that an unclosed
// `${`, a bad modifier or an unclosed quote is an import error, not a build
// failure later. RUN mounts are validated with it too.
func (r *reverser) checkExpansion(stages []instructions.Stage, metaArgs []instructions.ArgCommand) {
	lex := shell.NewLex(r.escape)
	var lexErr error
	expand := func(w string) (string, error) {
		res, _, err := lex.ProcessWord(w, syntax.AnyEnv{})
		if err != nil && lexErr == nil {
			lexErr = err
		}
		return res, err
	}
	rawLex := shell.NewLex('\\') // as dockerfile2llb expands heredoc bodies
	rawLex.SkipProcessQuotes = true
	expandRaw := func(w string) (string, error) {
		res, _, err := rawLex.ProcessWord(w, syntax.AnyEnv{})
		return res, err
	}
	report := func(line int, what string, err error) {
		// BuildKit reports an unclosed `${NAME` as a modifier that is the
		// end-of-text rune.
		msg := strings.ReplaceAll(err.Error(), "unsupported modifier (\uFFFD) in substitution", "syntax error: missing '}'")
		switch {
		case strings.Contains(msg, "missing '}'"), strings.Contains(msg, "bad substitution"), strings.Contains(msg, "unsupported modifier"):
			msg += "; close the ${...} reference or write a literal dollar sign as " + string(r.escape) + "$"
		case strings.Contains(msg, "matching single-quote"), strings.Contains(msg, "matching double-quote"):
			msg += "; close the quote"
		}
		r.errorf(line, "%s: %s", what, msg)
	}
	for i := range metaArgs {
		if err := metaArgs[i].Expand(expand); err != nil {
			report(locLine(metaArgs[i].Location()), "ARG", err)
		}
	}
	for _, st := range stages {
		if _, _, err := lex.ProcessWord(st.BaseName, syntax.AnyEnv{}); err != nil {
			report(locLine(st.Location), "FROM", err)
		}
		if st.Platform != "" {
			if _, _, err := lex.ProcessWord(st.Platform, syntax.AnyEnv{}); err != nil {
				report(locLine(st.Location), "FROM --platform", err)
			}
		}
		for _, c := range st.Commands {
			what := strings.ToUpper(c.Name())
			line := locLine(c.Location())
			if ex, ok := c.(instructions.SupportsSingleWordExpansion); ok {
				lexErr = nil
				err := ex.Expand(expand)
				switch {
				case err == nil:
				case lexErr != nil:
					report(line, what, err)
				case strings.Contains(fmt.Sprint(c), "$"):
					// A RUN --mount value from a build arg: checked at build time.
				default:
					report(line, what, err)
				}
			}
			if ex, ok := c.(instructions.SupportsSingleWordExpansionRaw); ok {
				if err := ex.ExpandRaw(expandRaw); err != nil {
					report(line, what+" heredoc", err)
				}
			}
			if e, ok := c.(*instructions.ExposeCommand); ok {
				for _, p := range e.Ports {
					if _, err := lex.ProcessWords(p, syntax.AnyEnv{}); err != nil {
						report(line, what, err)
					}
				}
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Physical and logical lines

const (
	lineFirst   = iota // the line the instruction starts on
	lineContent        // a continuation line BuildKit joins in
	lineComment        // a comment line inside the continuation (dropped by BuildKit)
	lineEmpty          // an empty continuation line (dropped by BuildKit)
)

type physLine struct {
	n    int // 1-based line number
	kind int
}

// segment is a piece of the logical line taken from one physical line.
type segment struct {
	line int // physical line number
	col  int // byte offset in that line
	off  int // byte offset in the logical line
	n    int // length
}

// logical is one instruction as BuildKit's parser sees it: its physical
// lines joined by the continuation rules, with a map back to the source.
type logical struct {
	text        string
	segs        []segment
	lines       []physLine
	end         int  // last physical line of the instruction, before heredoc bodies
	lastContent int  // last line that BuildKit joined in
	eofCont     bool // the instruction was still continued at end of file
}

func isCommentLine(l string) bool {
	t := strings.TrimLeftFunc(l, unicode.IsSpace)
	return strings.HasPrefix(t, "#")
}

func isBlank(l string) bool { return strings.TrimLeftFunc(l, unicode.IsSpace) == "" }

// trimCont removes a line continuation the way BuildKit does; cont reports
// whether there was one.
func (r *reverser) trimCont(l string) (string, bool) {
	return syntax.TrimContinuation(l, r.escape)
}

// logicalLine rebuilds the instruction starting at physical line start, as
// parser.Parse does.
func (r *reverser) logicalLine(start int) *logical {
	lg := &logical{}
	raw := r.lines[start-1]
	t := strings.TrimLeftFunc(raw, unicode.IsSpace)
	seg, cont := r.trimCont(t)
	lg.segs = append(lg.segs, segment{line: start, col: len(raw) - len(t), off: 0, n: len(seg)})
	var b strings.Builder
	b.WriteString(seg)
	lg.lines = append(lg.lines, physLine{start, lineFirst})
	lg.lastContent = start
	i := start
	for cont && i < len(r.lines) {
		i++
		raw = r.lines[i-1]
		switch {
		case isCommentLine(raw):
			lg.lines = append(lg.lines, physLine{i, lineComment})
			continue
		case isBlank(raw):
			lg.lines = append(lg.lines, physLine{i, lineEmpty})
			continue
		}
		seg, cont = r.trimCont(raw)
		lg.segs = append(lg.segs, segment{line: i, col: 0, off: b.Len(), n: len(seg)})
		b.WriteString(seg)
		lg.lines = append(lg.lines, physLine{i, lineContent})
		lg.lastContent = i
	}
	lg.text = b.String()
	lg.end = i
	lg.eofCont = cont
	return lg
}

// at maps a logical offset to a physical line and column.
func (lg *logical) at(off int) (line, col int, ok bool) {
	for _, s := range lg.segs {
		if off >= s.off && off < s.off+s.n {
			return s.line, s.col + off - s.off, true
		}
	}
	return 0, 0, false
}

// ---------------------------------------------------------------------------
// Command splitting (mirrors parser.splitCommand and extractBuilderFlags)

var reWhitespace = regexp.MustCompile(`[\t\v\f\r ]+`)

// splitCommand splits a logical line into the instruction keyword, its flag
// words and the arguments, as BuildKit does; argsOff is the offset of args
// in line. The flag words are the real bytes: BuildKit's own copy turns
// each byte above 0x7F into a rune (syntax.MangleFlag gives that form back).
func (r *reverser) splitCommand(line string) (cmd string, flags []string, argsOff int, args string, dashdash bool) {
	lead := len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
	trimmed := strings.TrimSpace(line)
	loc := reWhitespace.FindStringIndex(trimmed)
	if loc == nil {
		return trimmed, nil, len(line), "", false
	}
	cmd = trimmed[:loc[0]]
	rest := trimmed[loc[1]:]
	remaining, flags, dashdash := syntax.ExtractFlags(rest, r.escape)
	off := lead + loc[1] + len(rest) - len(remaining)
	args = strings.TrimSpace(remaining)
	off += len(remaining) - len(strings.TrimLeftFunc(remaining, unicode.IsSpace))
	if args == "" {
		off = len(line)
	}
	return cmd, flags, off, args, dashdash
}

// ---------------------------------------------------------------------------
// Building the spec

// instr is one instruction being converted.
type instr struct {
	node     *parser.Node
	lg       *logical
	kw       string // lower-case keyword
	flags    []string
	argsOff  int // offset of the arguments in lg.text
	args     string
	line     int
	heredocs []parser.Heredoc
	moved    []string // comment lines to put above the step
	internal bool     // a consistency check failed
}

func (r *reverser) internalf(in *instr, format string, args ...any) {
	in.internal = true
	r.errorf(in.line, "internal error: "+format+"; please report this Dockerfile", args...)
}

// newInstr splits node, whose text starts at offset base of lg.text.
func (r *reverser) newInstr(node *parser.Node, lg *logical, base, line int, heredocs []parser.Heredoc) *instr {
	in := &instr{node: node, lg: lg, kw: strings.ToLower(node.Value), line: line, heredocs: heredocs}
	if !strings.HasPrefix(lg.text[base:], node.Original) {
		r.internalf(in, "the rebuilt line %q does not match BuildKit's %q", lg.text[base:], node.Original)
		return in
	}
	cmd, flags, off, args, dashdash := r.splitCommand(node.Original)
	if cmd != node.Value || len(flags) != len(node.Flags) {
		r.internalf(in, "the instruction splits differently from BuildKit (%q %q, want %q %q)", cmd, flags, node.Value, node.Flags)
		return in
	}
	for i, f := range flags {
		if syntax.MangleFlag(f) != node.Flags[i] {
			r.internalf(in, "flag %q splits differently from BuildKit (%q)", f, node.Flags[i])
			return in
		}
		if !utf8.ValidString(f) {
			r.errorf(line, "the flag %q splits inside a UTF-8 character (BuildKit reads flags byte by byte); dockstage cannot import it", f)
			in.internal = true
			return in
		}
	}
	if dashdash {
		r.warnf(line, "the `--` that ends the flags of %s is dropped", strings.ToUpper(in.kw))
		if strings.HasPrefix(args, "--") {
			r.errorf(line, "%s arguments starting with -- cannot be imported: the spec has no place for the `--` that protects them", strings.ToUpper(in.kw))
			in.internal = true
		}
	}
	in.flags = flags
	in.argsOff = base + off
	in.args = args
	return in
}

// moveComments moves the comment lines inside the instruction (up to its
// last joined line) above it.
func (r *reverser) moveComments(in *instr, before int) {
	for _, pl := range in.lg.lines {
		if pl.kind == lineComment && pl.n < before && pl.n < in.lg.lastContent {
			if t, ok := r.comment(pl.n); ok {
				in.moved = append(in.moved, t)
				r.warnf(pl.n, "comment inside the continued %s moved above it", strings.ToUpper(in.kw))
			}
		}
	}
}

// comment returns the text of comment line n, or false for dockstage's own
// generated header lines.
func (r *reverser) comment(n int) (string, bool) {
	t := commentTextOf(r.lines[n-1])
	if strings.HasPrefix(t, "Code generated by dockstage") || strings.HasPrefix(t, "dockstage:sha256=") {
		return "", false
	}
	return t, true
}

// rawText returns the source text from logical offset off to the end of the
// instruction: the shell-form command as written. want is BuildKit's view
// of the same text, checked against the raw text joined back.
func (r *reverser) rawText(in *instr, off int, want string) string {
	lg := in.lg
	L, c, ok := lg.at(off)
	if !ok {
		r.moveComments(in, lg.end+1)
		return ""
	}
	r.moveComments(in, L)
	out := []string{r.lines[L-1][c:]}
	emptyWarned := false
	for _, pl := range lg.lines {
		if pl.n <= L || pl.n > lg.lastContent {
			continue
		}
		l := r.lines[pl.n-1]
		switch pl.kind {
		case lineEmpty:
			if !emptyWarned {
				r.warnf(pl.n, "empty continuation line removed from %s (BuildKit skips it)", strings.ToUpper(in.kw))
				emptyWarned = true
			}
			continue
		case lineComment:
			// Leading white space other than spaces and tabs (which BuildKit
			// also skips) is dropped so the line still reads as a comment.
			t := strings.TrimLeftFunc(l, unicode.IsSpace)
			lead := strings.Map(func(r rune) rune {
				if r == ' ' || r == '\t' {
					return r
				}
				return -1
			}, l[:len(l)-len(t)])
			l = lead + t
		}
		out = append(out, l)
	}
	// At end of file the instruction may end in a continuation (or in lines
	// that were only a continuation): drop it, it joins nothing.
	stripped := false
	for {
		last := out[len(out)-1]
		seg, cont := r.trimCont(last)
		if !cont {
			break
		}
		stripped = true
		out[len(out)-1] = seg
		if len(out) > 1 && isBlank(seg) {
			out = out[:len(out)-1]
			for len(out) > 1 && isCommentLine(out[len(out)-1]) {
				in.moved = append(in.moved, commentTextOf(out[len(out)-1]))
				out = out[:len(out)-1]
			}
			continue
		}
		break
	}
	if stripped {
		r.warnf(lg.lastContent, "line continuation at end of file removed from %s", strings.ToUpper(in.kw))
	}
	text := strings.TrimRightFunc(strings.Join(out, "\n"), unicode.IsSpace)
	if strings.HasSuffix(text, string(r.escape)) {
		// BuildKit reads `\\` (or a lone `\` left by a continuation at end
		// of file) as text; a spec reads a final escape as a continuation.
		r.errorf(in.line, "%s: the command ends with the escape character %c, which a spec would read as a line continuation; quote it (for example '%c')", strings.ToUpper(in.kw), r.escape, r.escape)
		in.internal = true
		return text
	}
	if got := r.joinShell(text); strings.TrimSpace(got) != strings.TrimSpace(want) {
		r.internalf(in, "the command text %q reads back as %q, not BuildKit's %q", text, got, want)
	}
	return text
}

// commentTextOf is the text of a comment line: after the `#` and at most
// one space.
func commentTextOf(l string) string {
	t := strings.TrimLeftFunc(l, unicode.IsSpace)
	t = strings.TrimPrefix(t, "#")
	return strings.TrimPrefix(t, " ")
}

// joinShell joins multi-line shell text as BuildKit's parser does.
func (r *reverser) joinShell(text string) string {
	var b strings.Builder
	for i, l := range strings.Split(text, "\n") {
		if i > 0 && (isCommentLine(l) || isBlank(l)) {
			continue
		}
		seg, _ := r.trimCont(l)
		b.WriteString(seg)
	}
	return b.String()
}

// build walks the AST and builds the spec.
func (r *reverser) build(ast *parser.Node) *spec.Spec {
	s := &spec.Spec{
		Version:    spec.Version,
		Name:       r.name,
		Directives: r.directives,
		Pos:        r.pos(1),
	}
	r.nameStages(ast)
	var pending []string
	prevEnd := 0
	var stage *spec.Stage
	stageIdx := -1
	for _, node := range ast.Children {
		pending = append(pending, r.gapComments(prevEnd+1, node.StartLine-1)...)
		prevEnd = node.EndLine
		lg := r.logicalLine(node.StartLine)
		if want := lg.end + heredocLines(node); want != node.EndLine {
			r.errorf(node.StartLine, "internal error: the instruction ends on line %d, BuildKit says %d; please report this Dockerfile", want, node.EndLine)
			continue
		}
		in := r.newInstr(node, lg, 0, node.StartLine, node.Heredocs)
		if in.internal {
			continue
		}
		switch {
		case in.kw == "arg" && stage == nil:
			r.moveComments(in, lg.end+1)
			s.Comment = append(s.Comment, pending...)
			s.Comment = append(s.Comment, in.moved...)
			r.ignoredFlags(in)
			s.Args = append(s.Args, r.argKVs(in)...)
		case in.kw == "from":
			r.moveComments(in, lg.end+1)
			stageIdx++
			stage = r.stage(in, stageIdx)
			stage.Comment = append(append([]string(nil), pending...), in.moved...)
			s.Stages = append(s.Stages, stage)
		default:
			st, ok := r.step(in)
			if !ok {
				break
			}
			st.Comment = append(append([]string(nil), pending...), in.moved...)
			if len(st.Comment) == 0 {
				st.Comment = nil
			}
			stage.Steps = append(stage.Steps, st)
		}
		pending = nil
		// Comment lines after the last joined line: only at end of file.
		for _, pl := range lg.lines {
			if pl.kind == lineComment && pl.n > lg.lastContent {
				if t, ok := r.comment(pl.n); ok {
					pending = append(pending, t)
				}
			}
		}
	}
	pending = append(pending, r.gapComments(prevEnd+1, len(r.lines))...)
	s.TrailingComment = pending
	if len(s.Comment) == 0 {
		s.Comment = nil
	}
	return s
}

// gapComments returns the comments on lines from..to (blank lines and
// directives skipped).
func (r *reverser) gapComments(from, to int) []string {
	var out []string
	for n := from; n <= to && n <= len(r.lines); n++ {
		if r.directiveLines[n] || !isCommentLine(r.lines[n-1]) {
			continue
		}
		if t, ok := r.comment(n); ok {
			out = append(out, t)
		}
	}
	return out
}

// nameStages records the stage names and picks the name of each unnamed
// stage: "stage-N" as BuildKit calls it, unless a stage or a reference
// already uses that word.
func (r *reverser) nameStages(ast *parser.Node) {
	taken := map[string]bool{}
	for _, n := range ast.Children {
		if strings.EqualFold(n.Value, "from") {
			args := nodeValues(n.Next)
			if len(args) == 3 {
				taken[strings.ToLower(args[2])] = true
			}
			if len(args) > 0 {
				taken[strings.ToLower(args[0])] = true
			}
		}
		for _, f := range n.Flags {
			if v, ok := strings.CutPrefix(f, "--from="); ok {
				taken[strings.ToLower(v)] = true
			}
			if v, ok := strings.CutPrefix(f, "--mount="); ok {
				fields, _ := csvvalue.Fields(v, nil)
				for _, fl := range fields {
					if k, v, ok := strings.Cut(fl, "="); ok && strings.EqualFold(k, "from") {
						taken[strings.ToLower(v)] = true
					}
				}
			}
		}
	}
	for _, n := range ast.Children {
		if !strings.EqualFold(n.Value, "from") {
			continue
		}
		args := nodeValues(n.Next)
		si := &stageInfo{line: n.StartLine}
		if len(args) == 3 {
			si.name = strings.ToLower(args[2])
		}
		r.stages = append(r.stages, si)
	}
	for i, si := range r.stages {
		if si.name != "" {
			continue
		}
		name := fmt.Sprintf("stage-%d", i)
		for k := 2; taken[name]; k++ {
			name = fmt.Sprintf("stage-%d-%d", i, k)
		}
		taken[name] = true
		si.stage = &spec.Stage{Name: name, Anonymous: true}
	}
}

func nodeValues(n *parser.Node) []string {
	var out []string
	for ; n != nil; n = n.Next {
		out = append(out, n.Value)
	}
	return out
}

func (r *reverser) stage(in *instr, idx int) *spec.Stage {
	si := r.stages[idx]
	st := si.stage
	args := nodeValues(in.node.Next)
	if st == nil {
		st = &spec.Stage{Name: args[2]}
	} else {
		r.warnf(in.line, "unnamed stage %d is called %q in the spec (anonymous: it still renders without AS)", idx, st.Name)
	}
	si.stage = st
	st.From = args[0]
	st.Pos = r.pos(in.line)
	st.FromPos = r.pos(in.line)
	for _, f := range in.flags {
		if name, v, _ := strings.Cut(f, "="); name == "--platform" {
			st.Platform = v
		}
	}
	return st
}

// ignoredFlags warns about flags BuildKit accepts and ignores (ARG,
// STOPSIGNAL and HEALTHCHECK NONE do not parse their flags).
func (r *reverser) ignoredFlags(in *instr) {
	if len(in.flags) > 0 {
		r.warnf(in.line, "%s ignores flags; %s dropped", strings.ToUpper(in.kw), strings.Join(in.flags, " "))
	}
}

// step converts one instruction (not FROM, not a global ARG).
func (r *reverser) step(in *instr) (spec.Step, bool) {
	st := spec.Step{Pos: r.pos(in.line)}
	n := in.node
	switch in.kw {
	case "arg":
		r.moveComments(in, in.lg.end+1)
		r.ignoredFlags(in)
		st.Arg = r.argKVs(in)
	case "env", "label":
		r.moveComments(in, in.lg.end+1)
		kvs := r.pairs(in)
		if in.kw == "env" {
			st.Env = kvs
		} else {
			st.Label = kvs
		}
	case "workdir", "user", "stopsignal", "maintainer":
		r.moveComments(in, in.lg.end+1)
		v := n.Next.Value
		switch in.kw {
		case "workdir":
			st.Workdir = &v
		case "user":
			st.User = &v
		case "stopsignal":
			r.ignoredFlags(in)
			st.StopSignal = &v
		case "maintainer":
			r.warnf(in.line, "MAINTAINER is deprecated (build check MaintainerDeprecated); kept as is, consider LABEL org.opencontainers.image.authors")
			st.Maintainer = &v
		}
	case "expose":
		r.moveComments(in, in.lg.end+1)
		st.Expose = nodeValues(n.Next)
	case "volume":
		r.moveComments(in, in.lg.end+1)
		for _, v := range nodeValues(n.Next) {
			st.Volume = append(st.Volume, strings.TrimSpace(v))
		}
	case "shell":
		r.moveComments(in, in.lg.end+1)
		st.Shell = nodeValues(n.Next)
	case "copy", "add":
		r.moveComments(in, in.lg.end+1)
		c := r.copyStep(in)
		if in.kw == "copy" {
			st.Copy = c
		} else {
			st.Add = c
		}
	case "run":
		st.Run = r.runStep(in)
	case "cmd", "entrypoint":
		c := r.command(in, in.argsOff, n.Next)
		if c == nil {
			return st, false
		}
		if in.kw == "cmd" {
			st.Cmd = c
		} else {
			st.Entrypoint = c
		}
	case "healthcheck":
		st.Healthcheck = r.healthcheck(in)
		if st.Healthcheck == nil {
			return st, false
		}
	case "onbuild":
		child := n.Next.Children[0]
		cin := r.newInstr(child, in.lg, in.argsOff, in.line, in.heredocs)
		if cin.internal {
			return st, false
		}
		trig, ok := r.step(cin)
		if !ok {
			return st, false
		}
		in.moved = append(in.moved, cin.moved...)
		trig.Comment = nil
		st.OnBuild = &trig
	default:
		r.errorf(in.line, "unknown instruction %s", n.Value)
		return st, false
	}
	return st, !in.internal
}

// command converts CMD/ENTRYPOINT arguments (or HEALTHCHECK CMD's): exec
// form from the JSON attribute, otherwise the raw shell text from off.
func (r *reverser) command(in *instr, off int, args *parser.Node) *spec.Command {
	c := &spec.Command{Pos: r.pos(in.line)}
	if in.node.Attributes["json"] {
		r.moveComments(in, in.lg.end+1)
		c.Exec = true
		c.Args = nodeValues(args)
		if c.Args == nil {
			c.Args = []string{}
		}
		return c
	}
	if args == nil {
		r.moveComments(in, in.lg.end+1)
		r.errorf(in.line, "%s needs a command; write %s [] to clear the inherited one", strings.ToUpper(in.kw), strings.ToUpper(in.kw))
		return nil
	}
	c.Shell = r.rawText(in, off, args.Value)
	return c
}

func (r *reverser) runStep(in *instr) *spec.Run {
	run := &spec.Run{Pos: r.pos(in.line)}
	for _, f := range in.flags {
		name, v, _ := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		switch name {
		case "mount":
			if m, ok := r.mount(in, v); ok {
				run.Mounts = append(run.Mounts, m)
			}
		case "network":
			run.Network = v
		case "security":
			run.Security = v
		case "device":
			run.Device = append(run.Device, v)
		}
	}
	if in.node.Attributes["json"] {
		r.moveComments(in, in.lg.end+1)
		run.Command = spec.Command{Exec: true, Args: nodeValues(in.node.Next), Pos: r.pos(in.line)}
		if run.Command.Args == nil {
			run.Command.Args = []string{}
		}
		return run
	}
	if in.node.Next == nil {
		r.moveComments(in, in.lg.end+1)
		r.errorf(in.line, "RUN needs a command")
		in.internal = true
		return run
	}
	run.Command = spec.Command{Shell: r.rawText(in, in.argsOff, in.node.Next.Value), Pos: r.pos(in.line)}
	run.Heredocs = r.heredocs(in, syntax.HeredocNames(run.Command.Shell))
	return run
}

// heredocs converts the instruction's here-documents; opened are the names
// the spec sees opened in the command or sources, which must be BuildKit's.
func (r *reverser) heredocs(in *instr, opened []string) []spec.Heredoc {
	var names []string
	var out []spec.Heredoc
	line := in.lg.end + 1
	for _, h := range in.heredocs {
		names = append(names, h.Name)
		n := strings.Count(h.Content, "\n")
		if line-1+n > len(r.rawLines) {
			r.internalf(in, "heredoc %s runs past the end of the file", h.Name)
			return nil
		}
		body := ""
		if n > 0 {
			body = strings.Join(r.rawLines[line-1:line-1+n], "\n") + "\n"
		}
		if body != h.Content {
			r.internalf(in, "heredoc %s body differs from the source lines", h.Name)
			return nil
		}
		out = append(out, spec.Heredoc{Name: h.Name, Body: h.Content, Pos: r.pos(line)})
		line += n + 1
	}
	if strings.Join(names, " ") != strings.Join(opened, " ") {
		kw := strings.ToUpper(in.kw)
		if len(names) == 0 {
			r.errorf(in.line, "%s: <<%s is not a here-document for BuildKit (it is quoted, inside a word or on a comment line) but a spec reads every <<NAME in a command as one; dockstage cannot import it: break up the << (for example '<''<%s')", kw, opened[0], opened[0])
		} else {
			r.errorf(in.line, "%s: BuildKit reads the here-documents %s but a spec would read %s; dockstage cannot import it: open each here-document as a word of its own, <<NAME with NAME of letters, digits and _", kw, strings.Join(names, ", "), strings.Join(opened, ", "))
		}
		in.internal = true
		return nil
	}
	return out
}

// mount converts one RUN --mount value like BuildKit's parseMount; values
// are kept as written, keys are BuildKit's canonical ones.
func (r *reverser) mount(in *instr, val string) (spec.Mount, bool) {
	m := spec.Mount{Pos: r.pos(in.line)}
	fields, err := csvvalue.Fields(val, nil)
	if err != nil {
		r.errorf(in.line, "RUN --mount=%s: %v", val, err)
		in.internal = true
		return m, false
	}
	seen := map[string]bool{}
	boolVal := func(key, v string, bare bool) *bool {
		b := true
		if !bare {
			var err error
			if b, err = strconv.ParseBool(v); err != nil {
				r.errorf(in.line, "RUN --mount: %s=%s is not true or false; the spec holds it as a boolean", key, v)
				in.internal = true
			}
		}
		return &b
	}
	for _, field := range fields {
		key, value, hasValue := strings.Cut(field, "=")
		key = strings.ToLower(key)
		canon := map[string]string{"dst": "target", "destination": "target", "src": "source", "ro": "readonly", "rw": "readonly", "readwrite": "readonly"}[key]
		if canon == "" {
			canon = key
		}
		if seen[canon] {
			r.warnf(in.line, "RUN --mount sets %s twice; the last value is kept, as BuildKit does", canon)
		}
		seen[canon] = true
		if !hasValue {
			switch key {
			case "readonly", "ro", "readwrite", "rw", "required":
			default:
				r.errorf(in.line, "RUN --mount: invalid field %q: must be a key=value pair", field)
				in.internal = true
				continue
			}
		}
		switch key {
		case "type":
			m.Type = strings.ToLower(value)
			if m.Type != value {
				r.warnf(in.line, "RUN --mount type %q written in lower case", value)
			}
		case "target", "dst", "destination":
			m.Target = value
		case "source", "src":
			m.Source = value
		case "from":
			m.From = value
		case "id":
			m.ID = value
		case "sharing":
			m.Sharing = strings.ToLower(value)
			if m.Sharing != value {
				r.warnf(in.line, "RUN --mount sharing %q written in lower case", value)
			}
		case "mode":
			m.Mode = value
		case "uid":
			m.UID = value
		case "gid":
			m.GID = value
		case "size":
			m.Size = value
		case "env":
			m.Env = value
		case "readonly", "ro":
			m.ReadOnly = boolVal(key, value, !hasValue)
		case "readwrite", "rw":
			rw := boolVal(key, value, !hasValue)
			ro := !*rw
			m.ReadOnly = &ro
		case "required":
			m.Required = boolVal(key, value, !hasValue)
		default:
			r.errorf(in.line, "RUN --mount: unexpected key %q in %q", key, field)
			in.internal = true
		}
	}
	if m.Type == "" {
		// BuildKit's default, and what the renderer writes for it.
		m.Type = "bind"
	}
	return m, !in.internal
}

func (r *reverser) copyStep(in *instr) *spec.Copy {
	c := &spec.Copy{Pos: r.pos(in.line)}
	for _, f := range in.flags {
		name, v, has := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		isTrue := !has || strings.EqualFold(v, "true")
		switch name {
		case "from":
			c.From = v
		case "chown":
			c.Chown = v
		case "chmod":
			c.Chmod = v
		case "link":
			c.Link = isTrue
		case "parents":
			c.Parents = isTrue
		case "exclude":
			c.Exclude = append(c.Exclude, v)
		case "checksum":
			c.Checksum = v
		case "keep-git-dir":
			c.KeepGitDir = &isTrue
		case "unpack":
			b := isTrue
			c.Unpack = &b
		}
	}
	words := nodeValues(in.node.Next)
	c.Src = words[:len(words)-1]
	c.Dest = words[len(words)-1]
	var opened []string
	for _, s := range c.Src {
		if strings.HasPrefix(s, "<<") {
			opened = append(opened, syntax.HeredocNames(s)...)
		}
	}
	c.Heredocs = r.heredocs(in, opened)
	return c
}

func (r *reverser) healthcheck(in *instr) *spec.Healthcheck {
	n := in.node
	h := &spec.Healthcheck{Pos: r.pos(in.line)}
	if strings.EqualFold(n.Next.Value, "none") {
		r.moveComments(in, in.lg.end+1)
		r.ignoredFlags(in)
		h.None = true
		return h
	}
	for _, f := range in.flags {
		name, v, _ := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		switch name {
		case "interval":
			h.Interval = v
		case "timeout":
			h.Timeout = v
		case "start-period":
			h.StartPeriod = v
		case "start-interval":
			h.StartInterval = v
		case "retries":
			if v != "" {
				i, err := strconv.Atoi(v)
				if err != nil {
					r.errorf(in.line, "HEALTHCHECK --retries=%s is not a number", v)
					return nil
				}
				h.Retries = &i
			}
		}
	}
	// The command follows the type word, as in parser.parseHealthConfig
	// (which looks at bytes).
	rest := in.lg.text[in.argsOff:]
	sep := 0
	for sep < len(rest) && !unicode.IsSpace(rune(rest[sep])) {
		sep++
	}
	next := sep
	for next < len(rest) && unicode.IsSpace(rune(rest[next])) {
		next++
	}
	h.Test = r.command(in, in.argsOff+next, n.Next.Next)
	if h.Test == nil {
		return nil
	}
	return h
}

// argKVs converts ARG words (`NAME` or `NAME=value`).
func (r *reverser) argKVs(in *instr) spec.KVList {
	var out spec.KVList
	for _, w := range nodeValues(in.node.Next) {
		k, v, has := strings.Cut(w, "=")
		kv := spec.KV{Key: r.unquote(in, k), Pos: r.pos(in.line)}
		if has {
			val := r.unquote(in, v)
			kv.Value = &val
		}
		out = append(out, kv)
	}
	r.checkDupKeys(in, out)
	return out
}

// pairs converts ENV or LABEL key/value pairs, including the legacy
// `ENV KEY value` form.
func (r *reverser) pairs(in *instr) spec.KVList {
	var out spec.KVList
	for n := in.node.Next; n != nil; {
		if n.Next == nil || n.Next.Next == nil {
			r.internalf(in, "unexpected %s node shape", strings.ToUpper(in.kw))
			return out
		}
		k, v, sep := n.Value, n.Next.Value, n.Next.Next.Value
		if sep == "" {
			r.warnf(in.line, "legacy form `%s %s %s` read as %s=%s (the spec renders the KEY=value form)", strings.ToUpper(in.kw), k, v, k, v)
		}
		val := r.unquote(in, v)
		out = append(out, spec.KV{Key: r.unquote(in, k), Value: &val, Pos: r.pos(in.line)})
		n = n.Next.Next.Next
	}
	r.checkDupKeys(in, out)
	return out
}

func (r *reverser) checkDupKeys(in *instr, kvs spec.KVList) {
	seen := map[string]bool{}
	for _, kv := range kvs {
		if seen[kv.Key] {
			r.errorf(in.line, "%s sets %s twice; a spec step holds each key once: split the instruction or remove one", strings.ToUpper(in.kw), kv.Key)
			in.internal = true
		}
		seen[kv.Key] = true
	}
}

func (r *reverser) unquote(in *instr, w string) string {
	s, err := syntax.UnquoteWord(w, r.escape)
	if err != nil {
		r.errorf(in.line, "%s `%s`: %v", strings.ToUpper(in.kw), w, err)
		in.internal = true
	}
	return s
}

// checkRefs checks what BuildKit does not (or accepts silently): unique
// stage names, global build args declared once, and --from / mount from
// naming an earlier stage.
func (r *reverser) checkRefs(s *spec.Spec) {
	byName := map[string]int{}
	for i, si := range r.stages {
		if si.name == "" {
			continue
		}
		if j, ok := byName[si.name]; ok {
			r.errorf(si.line, "stage name %q is already used by the stage on line %d (BuildKit would silently use the later one); rename one of them", si.name, r.stages[j].line)
			continue
		}
		byName[si.name] = i
	}
	seen := map[string]int{}
	for _, kv := range s.Args {
		if l, ok := seen[kv.Key]; ok {
			r.errorf(kv.Pos.Line, "build arg %s is already declared before the first FROM (line %d); the spec holds one declaration per global build arg: remove one", kv.Key, l)
		}
		seen[kv.Key] = kv.Pos.Line
	}
	for idx, st := range s.Stages {
		for _, step := range st.Steps {
			for _, ref := range step.References() {
				r.checkRef(s, idx, step.Pos.Line, ref)
			}
		}
	}
}

// checkRef reports a reference made in stage idx that names that stage or
// a later one (BuildKit resolves only earlier stages: spec.Spec.StageRef).
func (r *reverser) checkRef(s *spec.Spec, idx, line int, ref spec.Reference) {
	what, from := ref.Flag, ref.From
	if n, err := strconv.Atoi(from); err == nil {
		if n >= idx {
			r.errorf(line, "%s=%s names stage %d, which is not an earlier stage (this is stage %d); copy from an earlier stage", what, from, n, idx)
		}
		return
	}
	if j := s.StageIndex(from, len(s.Stages)); j >= idx {
		if j == idx {
			r.errorf(line, "%s=%s names the stage it is in; copy from an earlier stage", what, from)
		} else {
			r.errorf(line, "%s=%s names stage %q, which is defined later (line %d); move that stage above this one", what, from, from, r.stages[j].line)
		}
	}
}
