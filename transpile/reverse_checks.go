package transpile

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
)

// What BuildKit accepts but a spec cannot hold, checked before and after
// the spec is built: heredoc bodies, stray lines, ONBUILD triggers,
// expansions, stage and build-arg references.

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
		if _, err := instructions.ParseInstructionWithLinter(n.Next.Children[0], linter.New(&linter.Config{})); err != nil {
			msg := TrimParseErrorPrefix(err.Error())
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

// plainWord reports that BuildKit's lexer reads w as itself, without an
// error: valid UTF-8 without NUL, and none of the characters it treats
// specially ($, quotes, '<' and the escape character). The expansion
// check skips the lexer for such words.
func plainWord(w string, esc rune) bool {
	return !strings.ContainsAny(w, "$'\"<\x00") && !strings.ContainsRune(w, esc) && utf8.ValidString(w)
}

// quotedWord is what BuildKit's lexer (ProcessWord, escape esc) reads a
// word without '$' as, worked out without the lexer: quotes removed (in
// '...' every character is literal; in "..." the escape character escapes
// only '"', '$' and itself and is kept before anything else), outside
// quotes the escape character taken off the character after it (and off
// the end). ok is false for a word with '$', NUL or invalid UTF-8, a
// leading byte order mark (text/scanner drops it) or an unclosed quote
// (the lexer decides those). FuzzQuotedWord checks it against the lexer.
func quotedWord(w string, esc rune) (string, bool) {
	if strings.ContainsAny(w, "$\x00") || !utf8.ValidString(w) || esc >= utf8.RuneSelf || strings.HasPrefix(w, "\uFEFF") {
		return "", false
	}
	e := byte(esc)
	var b strings.Builder
	b.Grow(len(w))
	for i := 0; i < len(w); {
		switch c := w[i]; c {
		case e:
			i++ // the escape character goes; the character after it stays
			if i < len(w) {
				_, n := utf8.DecodeRuneInString(w[i:])
				b.WriteString(w[i : i+n])
				i += n
			}
		case '\'':
			j := strings.IndexByte(w[i+1:], '\'')
			if j < 0 {
				return "", false
			}
			b.WriteString(w[i+1 : i+1+j])
			i += j + 2
		case '"':
			i++
			for {
				if i >= len(w) {
					return "", false
				}
				if w[i] == '"' {
					i++
					break
				}
				if w[i] == e && i+1 < len(w) && (w[i+1] == '"' || w[i+1] == e) {
					i++ // an escaped quote or escape character: the escape goes
				}
				_, n := utf8.DecodeRuneInString(w[i:])
				b.WriteString(w[i : i+n])
				i += n
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), true
}

// rawExpandable reports that BuildKit's heredoc-body expansion (a
// backslash lexer that skips quote processing) certainly reads w without
// an error: only a `${` reference can fail there (shellWord.processDollar;
// `$NAME`, escapes and "<<" never do). FuzzRawExpandable checks it against
// the lexer.
func rawExpandable(w string) bool { return !strings.Contains(w, "${") }

// checkExpansion runs BuildKit's word expansion over every word BuildKit
// expands at build time (instructions.Parse does not), so that an unclosed
// `${`, a bad modifier or an unclosed quote is an import error, not a build
// failure later. RUN mounts are validated with it too, and ONBUILD triggers
// as the build FROM the image reads them: parsed and expanded with the
// default escape character, since a trigger is text that the downstream
// Dockerfile's parser reads.
func (r *reverser) checkExpansion(stages []instructions.Stage, metaArgs []instructions.ArgCommand) {
	esc := r.escape
	var lex *shell.Lex // made on the first word that is not plain, for esc
	lexer := func() *shell.Lex {
		if lex == nil {
			lex = shell.NewLex(esc)
		}
		return lex
	}
	var lexErr error
	expand := func(w string) (string, error) {
		if plainWord(w, esc) {
			return w, nil
		}
		if q, ok := quotedWord(w, esc); ok {
			return q, nil
		}
		res, _, err := lexer().ProcessWord(w, syntax.AnyEnv{})
		if err != nil && lexErr == nil {
			lexErr = err
		}
		return res, err
	}
	var rawLex *shell.Lex // made on the first heredoc body
	expandRaw := func(w string) (string, error) {
		if rawExpandable(w) {
			return w, nil // the expanded text is not used, only the error
		}
		if rawLex == nil {
			rawLex = shell.NewLex('\\') // as dockerfile2llb expands heredoc bodies
			rawLex.SkipProcessQuotes = true
		}
		res, _, err := rawLex.ProcessWord(w, syntax.AnyEnv{})
		return res, err
	}
	report := func(line int, what string, err error) {
		// BuildKit reports an unclosed `${NAME` as a modifier that is the
		// end-of-text rune.
		msg := strings.ReplaceAll(err.Error(), "unsupported modifier (\uFFFD) in substitution", "syntax error: missing '}'")
		switch {
		case strings.Contains(msg, "missing '}'"), strings.Contains(msg, "bad substitution"), strings.Contains(msg, "unsupported modifier"):
			msg += "; close the ${...} reference or write a literal dollar sign as " + string(esc) + "$"
		case strings.Contains(msg, "matching single-quote"), strings.Contains(msg, "matching double-quote"):
			msg += "; close the quote"
		}
		// The expansion is dockerfile2llb's: the build fails on it too
		// (for a trigger, the build FROM this image).
		fails := "docker build fails on it the same way"
		if strings.HasPrefix(what, "ONBUILD") {
			fails = "a docker build FROM this image fails on it the same way"
		}
		r.errorf(line, "%s: %s (%s)", what, msg, fails)
	}
	for i := range metaArgs {
		if err := metaArgs[i].Expand(expand); err != nil {
			report(locLine(metaArgs[i].Location()), "ARG", err)
		}
	}
	// check expands one instruction's words; what names it in a report
	// (its name is upper-cased for a report only).
	var check func(c instructions.Command, line int, what string)
	check = func(c instructions.Command, line int, what string) {
		if ex, ok := c.(instructions.SupportsSingleWordExpansion); ok {
			lexErr = nil
			err := ex.Expand(expand)
			switch {
			case err == nil:
			case lexErr != nil:
				report(line, what, err)
			case flagsHoldDollar(fmt.Sprint(c)):
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
		switch c := c.(type) {
		case *instructions.ExposeCommand:
			for _, p := range c.Ports {
				if _, err := lexer().ProcessWords(p, syntax.AnyEnv{}); err != nil {
					report(line, what, err)
				}
			}
		case *instructions.OnbuildCommand:
			if !strings.ContainsAny(c.Expression, "$'\"<\\`") && !strings.Contains(strings.ToLower(c.Expression), "--mount") {
				// No word the lexer changes, no mount: nothing in the
				// trigger can fail its expansion.
				return
			}
			res, err := parser.Parse(strings.NewReader(c.Expression))
			if err != nil || len(res.AST.Children) != 1 {
				return // checkOnBuild reports a trigger that does not parse
			}
			trigger, err := instructions.ParseInstructionWithLinter(res.AST.Children[0], linter.New(&linter.Config{}))
			if err != nil {
				return
			}
			if tc, ok := trigger.(instructions.Command); ok {
				outer, outerLex := esc, lex
				esc, lex = '\\', nil // lexer makes the trigger's
				check(tc, line, "ONBUILD trigger: "+strings.ToUpper(tc.Name()))
				esc, lex = outer, outerLex
			}
		}
	}
	for _, st := range stages {
		if _, err := expand(st.BaseName); err != nil {
			report(locLine(st.Location), "FROM", err)
		}
		if st.Platform != "" {
			if _, err := expand(st.Platform); err != nil {
				report(locLine(st.Location), "FROM --platform", err)
			}
		}
		for _, c := range st.Commands {
			check(c, locLine(c.Location()), strings.ToUpper(c.Name()))
		}
	}
}

// flagsHoldDollar reports whether the flags of an instruction's source line
// code (`RUN --mount=... cmd`: the words after the keyword that start with
// --, as BuildKit's parser splits them off) hold a $: a value from a build
// arg, which only the build knows.
func flagsHoldDollar(code string) bool {
	words := strings.Fields(code)
	for _, w := range words[min(1, len(words)):] {
		if !strings.HasPrefix(w, "--") {
			break
		}
		if strings.Contains(w, "$") {
			return true
		}
	}
	return false
}

// checkRefs checks what BuildKit does not (or accepts silently): unique
// stage names and --from / mount from
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
	for idx, st := range s.Stages {
		for k := range st.Steps {
			step := &st.Steps[k] // not a copy of the step
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
