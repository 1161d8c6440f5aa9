package transpile

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockstage/dockstage/spec"
)

// Every error of a file at once: BuildKit's parser.Parse and
// instructions.Parse stop at the first instruction that fails. parseAll
// continues after it: a line range parser.Parse rejects is blanked (line
// numbers kept) and the file parsed again; each instruction is then parsed
// on its own (instructions.ParseInstructionWithLinter), and the ones that
// fail are left out of the instructions.Parse of the whole.

// maxParseRounds bounds the re-parses after parser.Parse errors.
const maxParseRounds = 200

// parseAll parses src with BuildKit, collecting the errors in r.errs; it
// returns the parse result (nil when nothing could be read), the AST of
// the instructions that parse, and the stages and global args of
// instructions.Parse.
func (r *reverser) parseAll(src []byte) (*parser.Result, *parser.Node, []instructions.Stage, []instructions.ArgCommand) {
	var res *parser.Result
	for round := 0; ; round++ {
		var err error
		res, err = parser.Parse(bytes.NewReader(src))
		if err == nil {
			break
		}
		start, end := errorLines(err)
		r.errs = append(r.errs, r.positioned(r.buildkitError(err))...)
		if start < 1 || round >= maxParseRounds {
			return nil, nil, nil, nil
		}
		src = blankLines(src, start, end)
	}
	lint := linter.New(&linter.Config{})
	if stages, metaArgs, err := instructions.Parse(res.AST, lint); err == nil {
		return res, res.AST, stages, metaArgs // the usual case: one parse
	}
	var good []*parser.Node
	for _, n := range res.AST.Children {
		if _, err := instructions.ParseInstructionWithLinter(n, lint); err != nil {
			r.errs = append(r.errs, r.positioned(r.buildkitError(parser.WithLocation(err, n.Location())))...)
			continue
		}
		good = append(good, n)
	}
	ast := *res.AST
	ast.Children = good
	stages, metaArgs, err := instructions.Parse(&ast, lint)
	if err != nil {
		r.errs = append(r.errs, r.positioned(r.buildkitError(err))...)
		return res, &ast, nil, nil
	}
	return res, &ast, stages, metaArgs
}

// errorLines returns the line range a BuildKit error names (0, 0 when it
// names none).
func errorLines(err error) (start, end int) {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		l := le.Locations[0]
		start, end = l[0].Start.Line, l[len(l)-1].End.Line
		if end < start {
			end = start
		}
	}
	return start, end
}

// blankLines empties the physical lines start..end of src, keeping their
// line endings, so that the lines after keep their numbers.
func blankLines(src []byte, start, end int) []byte {
	lines := bytes.SplitAfter(src, []byte("\n"))
	for i := start - 1; i < end && i < len(lines); i++ {
		if bytes.HasSuffix(lines[i], []byte("\n")) {
			lines[i] = []byte("\n")
		} else {
			lines[i] = nil
		}
	}
	return bytes.Join(lines, nil)
}

var flagInMsgRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`--[A-Za-z][A-Za-z-]*`) })

// positioned adds a column to each error of err (a spec.ErrorList from
// buildkitError): the flag the message names, else the value it quotes
// last, else the instruction's keyword.
func (r *reverser) positioned(err error) spec.ErrorList {
	var list spec.ErrorList
	if !errors.As(err, &list) {
		return spec.ErrorList{{Pos: r.pos(1), Msg: err.Error()}}
	}
	for i := range list {
		e := list[i]
		if e.Pos.Col > 0 || e.Pos.Line < 1 || e.Pos.Line > len(r.lines) {
			continue
		}
		e.Pos.Col = r.column(e.Pos.Line, e.Msg)
	}
	return list
}

// column finds, on line n, where the thing a message is about starts
// (1-based): a --flag it names, a word it quotes, else the first
// non-blank character.
func (r *reverser) column(n int, msg string) int {
	l := r.lines[n-1]
	if f := flagInMsgRE().FindString(msg); f != "" {
		if i := strings.Index(l, f); i >= 0 {
			return i + 1
		}
	}
	for _, w := range quotedWords(msg) {
		if len(w) > 1 {
			if i := strings.Index(l, w); i >= 0 && i > firstNonBlank(l) {
				return i + 1
			}
		}
	}
	return firstNonBlank(l) + 1
}

var quotedRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"([^"]+)"|'([^']+)'|: ([^\s:;]+)$`) })

// quotedWords returns the quoted words of msg, in order.
func quotedWords(msg string) []string {
	var out []string
	for _, m := range quotedRE().FindAllStringSubmatch(msg, -1) {
		for _, g := range m[1:] {
			if g != "" {
				out = append(out, g)
			}
		}
	}
	return out
}

func firstNonBlank(l string) int {
	return len(l) - len(strings.TrimLeftFunc(l, unicode.IsSpace))
}

// validateRest adds, to the errors of a file that does not import, those
// spec.Validate finds in the instructions that parsed (a bad EXPOSE next
// to an unknown instruction): every error in one run. It gives up quietly
// where the rest cannot be built (no FROM first, a failing FROM, stage
// references that no longer hold).
func (r *reverser) validateRest(ast *parser.Node) {
	if ast == nil || !startsWithFrom(ast) || len(r.stages) > 0 {
		return
	}
	saved, savedWarns := r.errs, r.warns
	defer func() {
		if p := recover(); p != nil {
			r.errs = saved
		}
		r.warns = savedWarns
	}()
	r.errs = nil
	s := r.build(ast)
	r.checkRefs(s)
	if len(r.errs) > 0 {
		r.errs = saved
		return
	}
	r.errs = saved
	var list spec.ErrorList
	if err := spec.Validate(s); errors.As(err, &list) {
		for _, e := range list {
			if e.Pos.Col == 0 && e.Pos.Line >= 1 && e.Pos.Line <= len(r.lines) {
				e.Pos.Col = r.column(e.Pos.Line, e.Msg)
			}
		}
		r.errs = append(r.errs, list...)
	}
}

// startsWithFrom reports whether the first instruction other than ARG is
// a FROM.
func startsWithFrom(ast *parser.Node) bool {
	for _, n := range ast.Children {
		switch lowerKeyword(n.Value) {
		case "arg":
			continue
		case "from":
			return true
		}
		return false
	}
	return false
}

// checkJSONForms warns about an argument list that looks like an exec form
// (starts with '[') but is not a JSON array: BuildKit silently takes it as
// shell form (`CMD ["python", "app.py"` runs /bin/sh -c with that text).
func (r *reverser) checkJSONForms(ast *parser.Node) {
	for _, n := range ast.Children {
		r.checkJSONForm(n, n)
		if strings.EqualFold(n.Value, "onbuild") && n.Next != nil && len(n.Next.Children) > 0 {
			r.checkJSONForm(n, n.Next.Children[0])
		}
	}
}

func (r *reverser) checkJSONForm(top, n *parser.Node) {
	kw := lowerKeyword(n.Value)
	switch kw {
	case "run", "cmd", "entrypoint", "healthcheck", "copy", "add", "volume":
	default:
		return
	}
	if n.Attributes["json"] || top.StartLine < 1 || top.StartLine > len(r.lines) || !strings.Contains(n.Original, "[") {
		return
	}
	_, _, off, args, _ := r.splitCommand(n.Original)
	if kw == "healthcheck" {
		f := strings.Fields(args)
		if len(f) == 0 || !strings.EqualFold(f[0], "cmd") {
			return
		}
		i := strings.Index(args, f[0]) + len(f[0])
		rest := strings.TrimLeftFunc(args[i:], unicode.IsSpace)
		off += len(args) - len(rest)
		args = rest
	}
	if !strings.HasPrefix(args, "[") {
		return
	}
	lg := r.logicalLine(top.StartLine)
	base := strings.Index(lg.text, n.Original)
	line, col := top.StartLine, 0
	if base >= 0 {
		if l, c, ok := lg.at(base + off); ok {
			line, col = l, c+1
		}
	}
	what, taken := strings.ToUpper(kw), "takes it as shell form"
	if kw == "copy" || kw == "add" || kw == "volume" {
		taken = "reads it as words split at blanks"
	}
	r.warns = append(r.warns, Warning{Pos: spec.Pos{File: r.file, Line: line, Col: col},
		Msg: fmt.Sprintf("%s: %s looks like an exec form but is not a JSON array, so BuildKit %s; write a JSON array (double-quoted strings, commas, a closing ]) or drop the [", what, shorten(args), taken)})
}

// shorten cuts s to a length fit for a message.
func shorten(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
