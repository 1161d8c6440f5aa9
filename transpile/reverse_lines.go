package transpile

import (
	"strings"
	"unicode"
	"unicode/utf8"

	bkcommand "github.com/moby/buildkit/frontend/dockerfile/command"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockstage/dockstage/spec/syntax"
)

// Physical and logical lines: an instruction as BuildKit's parser joins it
// (parser.Parse), with a map back to the source lines, the comments around
// it and its raw text; command splitting mirrors parser.splitCommand.

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
	segBuf      [1]segment
	lineBuf     [1]physLine
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
	r.readLogical(lg, start)
	return lg
}

// readLogical is logicalLine into lg, a zero logical (build takes them
// from one slice per file).
func (r *reverser) readLogical(lg *logical, start int) {
	lg.segs, lg.lines = lg.segBuf[:0], lg.lineBuf[:0] // most instructions are one line
	raw := r.lines[start-1]
	t := strings.TrimLeftFunc(raw, unicode.IsSpace)
	seg, cont := r.trimCont(t)
	lg.segs = append(lg.segs, segment{line: start, col: len(raw) - len(t), off: 0, n: len(seg)})
	first := seg // the text as is, unless continued lines join it
	var b strings.Builder
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
		if b.Len() == 0 {
			b.WriteString(first)
		}
		seg, cont = r.trimCont(raw)
		lg.segs = append(lg.segs, segment{line: i, col: 0, off: b.Len(), n: len(seg)})
		b.WriteString(seg)
		lg.lines = append(lg.lines, physLine{i, lineContent})
		lg.lastContent = i
	}
	lg.text = first
	if len(lg.segs) > 1 {
		lg.text = b.String()
	}
	lg.end = i
	lg.eofCont = cont
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

// blankRun is the first run of BuildKit's command separator
// (`[\t\v\f\r ]+`, parser.splitCommand) in s, as [start, end); ok is false
// when s has none.
func blankRun(s string) (start, end int, ok bool) {
	isBlank := func(c byte) bool { return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ' }
	for i := 0; i < len(s); i++ {
		if isBlank(s[i]) {
			j := i + 1
			for j < len(s) && isBlank(s[j]) {
				j++
			}
			return i, j, true
		}
	}
	return 0, 0, false
}

// splitCommand splits a logical line into the instruction keyword, its flag
// words and the arguments, as BuildKit does; argsOff is the offset of args
// in line. The flag words are the real bytes: BuildKit's own copy turns
// each byte above 0x7F into a rune (syntax.MangleFlag gives that form back).
func (r *reverser) splitCommand(line string) (cmd string, flags []string, argsOff int, args string, dashdash bool) {
	lead := len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
	trimmed := strings.TrimSpace(line)
	sepStart, sepEnd, ok := blankRun(trimmed)
	if !ok {
		return trimmed, nil, len(line), "", false
	}
	cmd = trimmed[:sepStart]
	rest := trimmed[sepEnd:]
	remaining, flags, dashdash := syntax.ExtractFlags(rest, r.escape)
	off := lead + sepEnd + len(rest) - len(remaining)
	args = strings.TrimSpace(remaining)
	off += len(remaining) - len(strings.TrimLeftFunc(remaining, unicode.IsSpace))
	if args == "" {
		off = len(line)
	}
	return cmd, flags, off, args, dashdash
}

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
	moved    []string     // comment lines to put above the step
	internal bool         // a consistency check failed
	inValue  map[int]bool // comment lines inside a continued value (spanned)
}

// upperKeywords maps each instruction keyword BuildKit knows
// (bkcommand.Commands), written in upper case, to its lower-case form.
var upperKeywords = func() map[string]string {
	m := make(map[string]string, len(bkcommand.Commands))
	for kw := range bkcommand.Commands {
		m[strings.ToUpper(kw)] = kw
	}
	return m
}()

// lowerKeyword is strings.ToLower(kw), without a copy for a keyword
// written in upper case, as most are.
func lowerKeyword(kw string) string {
	if l, ok := upperKeywords[kw]; ok {
		return l
	}
	return strings.ToLower(kw)
}

// cutFlag splits one of in.flags, "--name=value" or "--name", as BuildKit's
// BFlags reads it.
func cutFlag(f string) (name, value string, hasValue bool) {
	return strings.Cut(strings.TrimPrefix(f, "--"), "=")
}

// asWritten names a flag (or a --mount key) whose value a spec field keeps
// as written.
type asWritten struct {
	name string
	to   *string
}

// setAsWritten stores value in the field of fields called name and reports
// whether there is one.
func setAsWritten(fields []asWritten, name, value string) bool {
	for _, f := range fields {
		if f.name == name {
			*f.to = value
			return true
		}
	}
	return false
}

func (r *reverser) internalf(in *instr, format string, args ...any) {
	in.internal = true
	r.errorf(in.line, "internal error: "+format+"; please report this Dockerfile", args...)
}

// newInstr splits node, whose text starts at offset base of lg.text.
func (r *reverser) newInstr(node *parser.Node, lg *logical, base, line int, heredocs []parser.Heredoc) *instr {
	in := &instr{}
	r.initInstr(in, node, lg, base, line, heredocs)
	return in
}

// initInstr is newInstr into in, a zero instr (build takes them from one
// slice per file).
func (r *reverser) initInstr(in *instr, node *parser.Node, lg *logical, base, line int, heredocs []parser.Heredoc) {
	*in = instr{node: node, lg: lg, kw: lowerKeyword(node.Value), line: line, heredocs: heredocs}
	if !strings.HasPrefix(lg.text[base:], node.Original) {
		r.internalf(in, "the rebuilt line %q does not match BuildKit's %q", lg.text[base:], node.Original)
		return
	}
	cmd, flags, off, args, dashdash := r.splitCommand(node.Original)
	if cmd != node.Value || len(flags) != len(node.Flags) {
		r.internalf(in, "the instruction splits differently from BuildKit (%q %q, want %q %q)", cmd, flags, node.Value, node.Flags)
		return
	}
	for i, f := range flags {
		if syntax.MangleFlag(f) != node.Flags[i] {
			r.internalf(in, "flag %q splits differently from BuildKit (%q)", f, node.Flags[i])
			return
		}
		if !utf8.ValidString(f) {
			r.errorf(line, "the flag %q splits inside a UTF-8 character (BuildKit reads flags byte by byte); dockstage cannot import it", f)
			in.internal = true
			return
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
}

// moveComments moves the comment lines inside the instruction (up to its
// last joined line) above it.
func (r *reverser) moveComments(in *instr, before int) {
	for _, pl := range in.lg.lines {
		if pl.kind == lineComment && pl.n < before && pl.n < in.lg.lastContent {
			if t, ok := r.comment(pl.n); ok {
				in.moved = append(in.moved, t)
				r.movedf(pl.n, in.kw)
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
// of the same text, checked against the raw text joined back. Each comment
// line above the command's first line goes where place says
// (innerComments), or above the instruction when place is nil.
func (r *reverser) rawText(in *instr, off int, want string, place func(n int) *[]string) string {
	lg := in.lg
	L, c, ok := lg.at(off)
	if !ok {
		r.moveComments(in, lg.end+1)
		return ""
	}
	if place == nil {
		r.moveComments(in, L)
	} else {
		r.innerComments(in, L, place)
	}
	out := []string{r.contLine(r.lines[L-1][c:])}
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
		default:
			l = r.contLine(l)
		}
		out = append(out, l)
	}
	// At end of file the instruction may end in a continuation (or in lines
	// that were only a continuation): drop it, it joins nothing.
	stripped := false
	var trailing []string // comment lines among those, in order
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
			k := len(out) // the comment lines right before the blank go above the instruction
			for k > 1 && isCommentLine(out[k-1]) {
				k--
			}
			group := make([]string, 0, len(out)-k+len(trailing))
			for _, l := range out[k:] {
				group = append(group, commentTextOf(l))
			}
			trailing = append(group, trailing...) // groups come last first
			out = out[:k]
			continue
		}
		break
	}
	in.moved = append(in.moved, trailing...)
	if stripped {
		r.warnf(lg.lastContent, "line continuation at end of file removed from %s", strings.ToUpper(in.kw))
	}
	text := strings.TrimRightFunc(strings.Join(out, "\n"), unicode.IsSpace)
	if syntax.Continues(text[strings.LastIndexByte(text, '\n')+1:], r.escape) {
		// A final escape that BuildKit's rule reads as a continuation (a lone
		// one left by a continuation at end of file) would join the next
		// instruction in a spec; `\\` at the end is an escaped escape, text
		// to BuildKit and to a spec alike (syntax.Continues).
		r.errorf(in.line, "%s: the command ends with the escape character %c, which a spec would read as a line continuation; quote it (for example '%c')", strings.ToUpper(in.kw), r.escape, r.escape)
		in.internal = true
		return text
	}
	if got := r.joinShell(text); strings.TrimSpace(got) != strings.TrimSpace(want) {
		r.internalf(in, "the command text %q reads back as %q, not BuildKit's %q", text, got, want)
	}
	return text
}

// contLine is line l of a command without the blanks after its line
// continuation, which BuildKit's parser drops with the escape character:
// `echo a \   ` reads `echo a \`.
func (r *reverser) contLine(l string) string {
	if seg, cont := r.trimCont(l); cont && len(seg)+utf8.RuneLen(r.escape) < len(l) {
		return seg + string(r.escape)
	}
	return l
}

// commentTextOf is the text of a comment line: after the `#` and at most
// one space, which stays when a tab follows it (`# \tx` reads " \tx",
// `#\tx` reads "\tx": the render writes each back as it stood).
func commentTextOf(l string) string {
	t := strings.TrimLeftFunc(l, unicode.IsSpace)
	t = strings.TrimPrefix(t, "#")
	if strings.HasPrefix(t, " \t") {
		return t
	}
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
