package transpile

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
)

// ReverseOptions configures Reverse.
type ReverseOptions struct {
	// Name is the spec name (the compose service and image name); default
	// "app".
	Name string
	// StrictStageRefs refuses, as spec validation does, a bare image name
	// that is close to a stage's name (`COPY --from=buidl` beside a stage
	// build), instead of writing it as NAME:latest with a warning (the
	// same image to BuildKit): lint reports it as a misspelt stage.
	StrictStageRefs bool
}

// Warning is a decision Reverse made that the user may want to know about:
// something normalised, moved or named on the user's behalf. Pos.File and
// Pos.Line locate it in the Dockerfile; Pos.Col where the text gives one
// (BuildKit's parser gives lines only).
type Warning struct {
	Pos spec.Pos
	Msg string
	// CommentMoved marks a comment line that stood where the spec has no
	// place for it (between two flags, inside a continued word) and was
	// moved above its instruction: a change to the file's layout that
	// dockstage fmt reports.
	CommentMoved bool
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
// spec.ErrorList of every error of the file (Reverse continues after an
// instruction that fails: reverse_errors.go), sorted, each
// `file:line:col: message` with the column where the text gives one, and
// the spec is nil.
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
	r := &reverser{file: file, name: opts.Name, strictRefs: opts.StrictStageRefs}
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
	file       string
	name       string
	strictRefs bool // ReverseOptions.StrictStageRefs

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

	// prefixes holds BuildKit's nodes of the texts prefixNode asks for,
	// parsed together (prefetchPrefixes); nil when they were not.
	prefixes map[string]*parser.Node
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

// movedf records a comment line moved above its instruction
// (Warning.CommentMoved).
func (r *reverser) movedf(line int, kw string) {
	r.warns = append(r.warns, Warning{Pos: r.pos(line), Msg: fmt.Sprintf("comment inside the continued %s moved above it", strings.ToUpper(kw)), CommentMoved: true})
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
	defer func() {
		// Every error gets a column: where the text it names stands on
		// its line (a --flag, a quoted value), else the instruction's.
		var list spec.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				if e.Pos.Col == 0 && e.Pos.File == r.file && e.Pos.Line >= 1 && e.Pos.Line <= len(r.lines) {
					e.Pos.Col = r.column(e.Pos.Line, e.Msg)
				}
			}
		}
	}()
	if err := r.splitLines(src); err != nil {
		return nil, err
	}
	if err := r.scanDirectives(); err != nil {
		return nil, err
	}
	res, good, stages, metaArgs := r.parseAll(src)
	if res == nil {
		r.errs.Sort()
		return nil, r.errs
	}
	if len(stages) == 0 && len(r.errs) == 0 {
		line := 1
		if n := len(res.AST.Children); n > 0 {
			line = res.AST.Children[n-1].StartLine
		}
		r.errorf(line, "the Dockerfile has no FROM: add a stage (FROM image) after the build args")
		return nil, r.errs
	}
	r.markBodies(res.AST)
	r.checkLines()
	r.checkOnBuild(good)
	r.checkExpansion(stages, metaArgs)
	r.checkJSONForms(good)
	if len(r.errs) > 0 {
		r.validateRest(good)
		r.errs.Sort()
		return nil, r.errs
	}
	s = r.build(good)
	r.checkRefs(s)
	if !r.strictRefs {
		r.tagBareImages(s)
	}
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

// badUTF8 is the byte offset in l of the first byte that is not valid
// UTF-8 (columns of import's errors count bytes, as column does).
func badUTF8(l []byte) int {
	for i := 0; i < len(l); {
		r, n := utf8.DecodeRune(l[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(l)
}

// badLines is src's lines when src holds a byte sequence that is not valid
// UTF-8 or a NUL byte, else none.
func badLines(src []byte) [][]byte {
	if utf8.Valid(src) && bytes.IndexByte(src, 0) < 0 {
		return nil
	}
	return bytes.Split(src, []byte("\n"))
}

// splitLines checks the encoding and splits src into physical lines the way
// BuildKit's scanner does (on "\n" only).
func (r *reverser) splitLines(src []byte) error {
	if bytes.HasPrefix(src, utf8BOM) {
		src = src[len(utf8BOM):]
		r.warnf(1, "UTF-8 byte order mark removed")
	}
	// The whole file is checked once; only a bad one is split to name the
	// first bad line.
	for i, l := range badLines(src) {
		if !utf8.Valid(l) {
			return spec.ErrorList{{Pos: spec.Pos{File: r.file, Line: i + 1, Col: badUTF8(l) + 1}, Msg: "the line is not valid UTF-8; save the Dockerfile as UTF-8"}}
		}
		if j := bytes.IndexByte(l, 0); j >= 0 {
			return spec.ErrorList{{Pos: spec.Pos{File: r.file, Line: i + 1, Col: j + 1}, Msg: "the line holds a NUL byte, which a spec cannot hold; remove it"}}
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

// maybeDirective reports whether line may be a parser directive: "#",
// blanks, a name (an ASCII letter, then letters and digits), blanks and
// "=", the start of what parser.DirectiveParser matches. A line it rejects
// ends the directives without a regexp run over it (a long comment often
// heads a Dockerfile); FuzzMaybeDirective checks that ParseLine finds no
// directive in such a line.
func maybeDirective(line string) bool {
	rest, ok := strings.CutPrefix(line, "#")
	if !ok {
		return false
	}
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	i := 0
	for i < len(rest) && ('a' <= rest[i]|0x20 && rest[i]|0x20 <= 'z' || i > 0 && '0' <= rest[i] && rest[i] <= '9') {
		i++
	}
	if i == 0 {
		return false
	}
	rest = strings.TrimLeft(rest[i:], "\t\n\f\r ")
	return strings.HasPrefix(rest, "=")
}

// scanDirectives reads the parser directives at the top of the file with
// BuildKit's own DirectiveParser, as parser.Parse does (leading white space
// trimmed, stopping at the first line that is not a directive).
func (r *reverser) scanDirectives() error {
	r.escape = syntax.DefaultEscape
	r.directiveLines = map[int]bool{}
	var dp parser.DirectiveParser
	for i, l := range r.lines {
		t := strings.TrimLeftFunc(l, unicode.IsSpace)
		if !maybeDirective(t) {
			break // what ParseLine does with it: the directives end here
		}
		d, err := dp.ParseLine([]byte(t))
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
			if !syntax.IsEscape(d.Value) {
				return spec.ErrorList{{Pos: r.pos(i + 1), Msg: fmt.Sprintf("invalid escape character %q; use \\ or `", d.Value)}}
			}
			r.escape = syntax.Escape(d.Value)
			r.directives.Escape = d.Value
		}
	}
	return nil
}

var parseErrorPrefix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^dockerfile parse error on line \d+: `) })

// TrimParseErrorPrefix drops the "dockerfile parse error on line N: " that
// BuildKit's parser puts before its message, for a report that gives the
// line itself.
func TrimParseErrorPrefix(msg string) string {
	return parseErrorPrefix().ReplaceAllString(msg, "")
}

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
	msg := TrimParseErrorPrefix(err.Error())
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
