package shell

import (
	"regexp"
	"strings"
	"sync"
	"unicode"

	dsyntax "github.com/dockstage/dockstage/spec/syntax"
	"mvdan.cc/sh/v3/syntax"
)

// Parse reads the shell-form text of a RUN, CMD or ENTRYPOINT (the
// instruction's physical lines, joined by the Dockerfile escape character
// esc, '\\' or '`') as a script.
//
// The text is normalised first, the way BuildKit reads it: a line
// continuation (esc, optional spaces or tabs, a newline) is removed, and so
// are the comment and blank lines that follow one. The result is parsed
// with mvdan.cc/sh/v3/syntax in bash mode (a superset of POSIX sh).
//
// Fallback: text the parser rejects (an unclosed quote, a here-document
// whose body the Dockerfile keeps apart, a script for another shell) gives
// Script{Parsed: false} whose commands are the text split at &&, ||, ;, |,
// newlines and parentheses into whitespace-separated words, quotes and
// escapes not honoured (Value == Raw), every one Unparsed. Unparsed
// commands are never Plain: callers that classify or rewrite commands leave
// them alone, and heuristics that look for command names still find them.
func Parse(text string, esc rune) Script {
	norm, offs := normalize(text, esc)
	f, err := syntax.NewParser(syntax.KeepComments(true), syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(norm), "")
	if err != nil {
		return fallback(text)
	}
	w := &walker{norm: norm, offs: offs, text: text}
	w.stmts(f.Stmts, 0)
	for i := 1; i < len(w.cmds); i++ {
		w.cmds[i].After = w.cmds[i-1].Op
	}
	return Script{Commands: w.cmds, Parsed: true}
}

// normalize removes the line continuations of text (a line that ends in
// the escape character esc and optional blanks, BuildKit's rule:
// dsyntax.TrimContinuation; the last line too) and the comment and blank
// lines after each. offs[i] is the offset in text of byte i of the result;
// offs[len(result)] is len(text).
func normalize(text string, esc rune) (string, []int) {
	var b strings.Builder
	offs := make([]int, 0, len(text)+1)
	keep := func(start int, s string) {
		b.WriteString(s)
		for k := range len(s) {
			offs = append(offs, start+k)
		}
	}
	for start := 0; start < len(text); {
		end := nextLine(text, start)
		line := text[start:end]
		body := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if trimmed, cont := dsyntax.TrimContinuation(body, esc); cont {
			keep(start, trimmed)
			start = skipDropped(text, end)
			continue
		}
		keep(start, line)
		start = end
	}
	offs = append(offs, len(text))
	return b.String(), offs
}

// nextLine returns the offset after the newline at or after i.
func nextLine(text string, i int) int {
	if k := strings.IndexByte(text[i:], '\n'); k >= 0 {
		return i + k + 1
	}
	return len(text)
}

// skipDropped skips, from the start of a line at i, the blank and comment
// lines BuildKit drops inside a continuation.
func skipDropped(text string, i int) int {
	for i < len(text) {
		k := i
		for k < len(text) && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r') {
			k++
		}
		if k < len(text) && text[k] != '\n' && text[k] != '#' {
			return i
		}
		i = nextLine(text, k)
	}
	return i
}

// walker collects the simple commands of a parsed script.
type walker struct {
	norm, text string
	offs       []int
	cmds       []Command
}

func (w *walker) stmts(list []*syntax.Stmt, place Place) {
	for i, st := range list {
		op := OpEnd
		switch {
		case st.Background || st.Coprocess || st.Disown:
			op = OpBackground
		case i < len(list)-1:
			op = OpSeq
		}
		w.stmt(st, place, op)
	}
}

// stmt adds the commands of st and sets op on the last of them.
func (w *walker) stmt(st *syntax.Stmt, place Place, op Op) {
	start := len(w.cmds)
	w.command(st.Cmd, place)
	if len(w.cmds) == start {
		// Only redirections (> file), or nothing the walker knows.
		w.cmds = append(w.cmds, Command{Place: place, Construct: construct(st.Cmd)})
	}
	for i := start; i < len(w.cmds); i++ {
		c := &w.cmds[i]
		c.Redirected = c.Redirected || len(st.Redirs) > 0
		c.Negated = c.Negated || st.Negated
	}
	last := &w.cmds[len(w.cmds)-1]
	if len(w.cmds) == start+1 {
		last.StmtStart, last.StmtEnd = w.span(st)
	}
	if len(st.Comments) > 0 {
		last.Commented = true
	}
	last.Op = op
	for _, r := range st.Redirs {
		if r.Word != nil {
			w.nested(r.Word, place)
		}
	}
}

func (w *walker) command(cmd syntax.Command, place Place) {
	switch x := cmd.(type) {
	case nil:
	case *syntax.CallExpr:
		// Substitutions run before the command: their commands come first.
		w.nested(x, place)
		c := Command{Place: place, Assigns: len(x.Assigns)}
		for _, a := range x.Assigns {
			c.Words = append(c.Words, w.assign(a, &c))
		}
		for _, word := range x.Args {
			c.Words = append(c.Words, w.word(word, &c))
		}
		w.cmds = append(w.cmds, c)
	case *syntax.DeclClause:
		w.nested(x, place)
		c := Command{Place: place, Words: []Word{w.lit(x.Variant)}}
		for _, a := range x.Args {
			c.Words = append(c.Words, w.assign(a, &c))
		}
		w.cmds = append(w.cmds, c)
	case *syntax.BinaryCmd:
		op := OpAnd
		inner := place
		switch x.Op {
		case syntax.OrStmt:
			op = OpOr
		case syntax.Pipe, syntax.PipeAll:
			op, inner = OpPipe, place|InPipeline
		}
		w.stmt(x.X, inner, op)
		w.stmt(x.Y, inner, OpEnd)
	case *syntax.Subshell:
		w.stmts(x.Stmts, place|InSubshell)
	case *syntax.Block:
		w.stmts(x.Stmts, place|InSubshell)
	case *syntax.IfClause:
		for c := x; c != nil; c = c.Else {
			w.stmts(c.Cond, place|InBranch)
			w.stmts(c.Then, place|InBranch)
		}
	case *syntax.CaseClause:
		w.nested(x.Word, place)
		for _, item := range x.Items {
			w.stmts(item.Stmts, place|InBranch)
		}
	case *syntax.WhileClause:
		w.stmts(x.Cond, place|InLoop)
		w.stmts(x.Do, place|InLoop)
	case *syntax.ForClause:
		w.nested(x.Loop, place)
		w.stmts(x.Do, place|InLoop)
	case *syntax.FuncDecl:
		w.stmt(x.Body, place|InFunction, OpEnd)
	case *syntax.TimeClause:
		if x.Stmt != nil {
			w.stmt(x.Stmt, place|InClause, OpEnd)
		}
	case *syntax.CoprocClause:
		w.stmt(x.Stmt, place|InClause, OpEnd)
	default:
		w.nested(cmd, place)
		w.cmds = append(w.cmds, Command{Place: place, Construct: construct(cmd)})
	}
}

// construct names a compound command that has no words of its own.
func construct(cmd syntax.Command) string {
	switch cmd.(type) {
	case nil:
		return ""
	case *syntax.TestClause:
		return "[["
	case *syntax.ArithmCmd:
		return "(("
	case *syntax.LetClause:
		return "let"
	case *syntax.TestDecl:
		return "@test"
	}
	return "compound"
}

// nested adds the commands of the substitutions inside node, marked
// InSubstitution; it does not descend into nested statement lists of
// other kinds (the walker visits those itself).
func (w *walker) nested(node syntax.Node, place Place) {
	syntax.Walk(node, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.CmdSubst:
			w.stmts(x.Stmts, place|InSubstitution)
			return false
		case *syntax.ProcSubst:
			w.stmts(x.Stmts, place|InSubstitution)
			return false
		}
		return true
	})
}

// span returns the offsets in the original text of a node of the
// normalised text.
func (w *walker) span(n syntax.Node) (int, int) {
	s, e := int(n.Pos().Offset()), int(n.End().Offset())
	s, e = min(max(s, 0), len(w.norm)), min(max(e, 0), len(w.norm))
	if e <= s {
		return w.offs[s], w.offs[s]
	}
	return w.offs[s], w.offs[e-1] + 1
}

func (w *walker) newWord(n syntax.Node) Word {
	s, e := w.span(n)
	return Word{Raw: w.text[s:e], Start: s, End: e, Line: strings.Count(w.text[:s], "\n") + 1}
}

func (w *walker) lit(l *syntax.Lit) Word {
	out := w.newWord(l)
	out.Value = l.Value
	return out
}

func (w *walker) assign(a *syntax.Assign, c *Command) Word {
	out := w.newWord(a)
	var b strings.Builder
	if a.Name != nil {
		b.WriteString(a.Name.Value)
		if a.Append {
			b.WriteString("+")
		}
		if !a.Naked {
			b.WriteString("=")
		}
	}
	switch {
	case a.Value != nil:
		v := w.word(a.Value, c)
		b.WriteString(v.Value)
		out.Dynamic = v.Dynamic
	case a.Array != nil || a.Index != nil:
		// name=(a b) or name[i]=v: as written.
		b.Reset()
		b.WriteString(out.Raw)
		out.Dynamic = true
	}
	out.Value = b.String()
	return out
}

// word converts a word; what it holds of substitutions marks c.
func (w *walker) word(word *syntax.Word, c *Command) Word {
	out := w.newWord(word)
	var b strings.Builder
	w.parts(word.Parts, false, &b, &out, c)
	out.Value = b.String()
	return out
}

var globChars = "*?[~"

func (w *walker) parts(parts []syntax.WordPart, quoted bool, b *strings.Builder, out *Word, c *Command) {
	for _, p := range parts {
		switch x := p.(type) {
		case *syntax.Lit:
			if quoted {
				b.WriteString(unescape(x.Value, true, false))
				continue
			}
			if strings.ContainsAny(unescape(x.Value, false, true), globChars) {
				out.Dynamic = true
			}
			if strings.ContainsAny(unescape(x.Value, false, true), "{}") {
				c.Substitutes = true
			}
			b.WriteString(unescape(x.Value, false, false))
		case *syntax.SglQuoted:
			if x.Dollar {
				out.Dynamic = true
				b.WriteString(w.source(x))
				continue
			}
			b.WriteString(x.Value)
		case *syntax.DblQuoted:
			if x.Dollar {
				out.Dynamic = true
			}
			w.parts(x.Parts, true, b, out, c)
		case *syntax.ParamExp:
			out.Dynamic = true
			b.WriteString(w.source(x))
		default:
			// $(...), `...`, $((...)), <(...), extended globs.
			out.Dynamic = true
			c.Substitutes = true
			b.WriteString(w.source(x))
		}
	}
}

// source returns the normalised text of a node.
func (w *walker) source(n syntax.Node) string {
	s, e := int(n.Pos().Offset()), int(n.End().Offset())
	s, e = min(max(s, 0), len(w.norm)), min(max(e, 0), len(w.norm))
	if e < s {
		return ""
	}
	return w.norm[s:e]
}

// unescape resolves the backslash escapes of a literal: unquoted, a
// backslash escapes any character; inside double quotes (quoted), only
// $ ` " \ and a newline. An escaped newline goes; with drop, every escaped
// character goes (so that an escaped \* does not count as a glob).
func unescape(s string, quoted, drop bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (!quoted || strings.IndexByte("$`\"\\\n", s[i+1]) >= 0) {
			i++
			if drop || s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// fallbackSplitRE splits unparsed text into commands.
var fallbackSplitRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`&&|\|\||[;|\n()]`) })

// fallback is the conservative reading of text the parser rejects (see
// Parse).
func fallback(text string) Script {
	var out []Command
	at := 0
	bounds := fallbackSplitRE().FindAllStringIndex(text, -1)
	bounds = append(bounds, []int{len(text), len(text)})
	for _, bd := range bounds {
		part := text[at:bd[0]]
		c := Command{Unparsed: true}
		for _, f := range fieldSpans(part) {
			s, e := at+f[0], at+f[1]
			raw := text[s:e]
			c.Words = append(c.Words, Word{Value: raw, Raw: raw, Dynamic: strings.ContainsAny(raw, "$`*?[~"),
				Start: s, End: e, Line: strings.Count(text[:s], "\n") + 1})
		}
		if len(c.Words) > 0 {
			if len(out) > 0 {
				c.After = OpSeq
				out[len(out)-1].Op = OpSeq
			}
			out = append(out, c)
		}
		at = bd[1]
	}
	return Script{Commands: out}
}

// fieldSpans returns the spans of the whitespace-separated fields of s
// (strings.Fields with offsets).
func fieldSpans(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		space := unicode.IsSpace(r)
		switch {
		case space && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		case !space && start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}
