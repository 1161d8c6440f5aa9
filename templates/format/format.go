// Package format formats Dockerfiles for `dockstage fmt`: a Dockerfile is
// imported losslessly (transpile.Reverse), rendered back
// (transpile.Forward, templates.RenderDockerfile) and handed out only when
// the result is proven the same build as the input
// (transpile.CompareSpecs on both imports, the check of dockstage diff),
// keeps every comment line of the input, and
// formats to itself. Layer 7 of the README's Layout: it imports spec,
// transpile and templates, nothing above; it reads and writes no files.
package format

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
)

// Format returns src formatted. file names src in errors ("<stdin>" for
// standard input).
//
// What changes: instruction keywords and AS are upper case; ENV and LABEL
// are KEY=value pairs (legacy `ENV KEY value` too), quoted only where
// needed, several pairs one per continued line aligned under the first;
// exec forms are JSON arrays written `["a", "b"]`; flags are spelled
// `--name=value` in one order per instruction; COPY/ADD sources too long
// for one line go one a line; a stage starts after one
// blank line; runs of blank lines become one; a command that starts on the
// line below its keyword starts on the keyword's line. What is kept:
// shell-form text (RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD) byte for byte
// from its first word, with its continuations and indentation (trailing
// blanks and empty continuation lines dropped), heredoc bodies byte for
// byte, every comment line, the blank lines between instructions, below
// comments and below the directives, parser directives (escape included),
// a byte order mark, and the line endings: a file whose first line ends in
// CRLF is written with CRLF. A file dockstage generated (templates.Owned)
// is returned as it is.
//
// Errors: an invalid Dockerfile gives transpile.Reverse's spec.ErrorList
// (every error, `file:line:col: message`). A result that is not proven
// (not the same build, a comment lost, not a fixed point) gives a
// spec.ErrorList naming the input line where it differs and the input is
// left as it is; that is a dockstage bug, never the user's.
func Format(file string, src []byte) ([]byte, error) {
	out, _, err := FormatNotes(file, src)
	return out, err
}

// FormatNotes is Format that also returns the layout changes the user
// should hear of (the README's Formatting Dockerfiles): each comment line
// that stood where a formatted instruction has no place for it (between
// two flags, inside a word or JSON string continued over it, after the
// last JSON item) and was moved above its instruction, as a
// transpile.Warning with CommentMoved set, located in src.
func FormatNotes(file string, src []byte) ([]byte, []transpile.Warning, error) {
	if generated, _ := templates.Owned(src); generated {
		return src, nil, nil
	}
	// ReverseForward validates each import once and lowers it without
	// validating again.
	sa, ma, warns, err := transpile.ReverseForward(file, src, transpile.ReverseOptions{}, transpile.ForwardOptions{})
	if err != nil {
		return nil, nil, err
	}
	var moved []transpile.Warning
	for _, w := range warns {
		if w.CommentMoved {
			moved = append(moved, w)
		}
	}
	ps := parses{}
	out, err := render(ma, src, ps)
	if err != nil {
		return nil, nil, err
	}
	sb, mb, _, err := transpile.ReverseForward(file+" (formatted)", out, transpile.ReverseOptions{}, transpile.ForwardOptions{})
	if err != nil {
		return nil, nil, refusal(file, 1, "the formatted file does not import: %v", err)
	}
	if err := prove(file, sa, sb, src, out); err != nil {
		return nil, nil, err
	}
	if again, err := render(mb, out, ps); err != nil || !bytes.Equal(again, out) {
		return nil, nil, refusal(file, 1, "formatting the result again changes it (not a fixed point)")
	}
	return out, moved, nil
}

// render renders model (the lowered import of src), with src's blank
// lines, line endings and byte order mark.
func render(model *transpile.Output, src []byte, ps parses) ([]byte, error) {
	keepDirectiveOrder(model.Dockerfile.Directives, src)
	out, _, err := templates.RenderDockerfile(model.Dockerfile, templates.Options{})
	if err != nil {
		return nil, err
	}
	out = restoreBlanks(src, out, ps)
	if crlf(src) {
		out = toCRLF(out)
	}
	if bytes.HasPrefix(src, bom) {
		out = append(append([]byte{}, bom...), out...)
	}
	return out, nil
}

// prove checks that out is the same build as src (sa and sb their
// imports: transpile.CompareSpecs, the check of dockstage diff), with the
// same parser directives and every comment line of src, in order.
func prove(file string, sa, sb *spec.Spec, src, out []byte) error {
	diffs, err := transpile.CompareSpecs(sa, sb, "")
	if err != nil {
		return refusal(file, 1, "comparing the formatted file: %v", err)
	}
	var errs spec.ErrorList
	for _, d := range diffs {
		errs.Add(spec.Pos{File: file, Line: max(d.LineA, 1)}, "formatting would change the build (%s: %s); the file is left as it is (please report this)", d.Target, d.Msg)
	}
	if a, b := directives(src), directives(out); a != b {
		errs.Add(spec.Pos{File: file, Line: 1}, "formatting would change the parser directives (%s to %s); the file is left as it is (please report this)", a, b)
	}
	if line, c := lostComment(src, out); line > 0 {
		errs.Add(spec.Pos{File: file, Line: line}, "formatting would lose the comment %q; the file is left as it is (please report this)", c)
	}
	errs.Sort()
	return errs.Err()
}

func refusal(file string, line int, format string, args ...any) error {
	var errs spec.ErrorList
	errs.Add(spec.Pos{File: file, Line: line}, "%s; the file is left as it is (please report this)", fmt.Sprintf(format, args...))
	return errs
}

// lostComment returns the line and text of the first comment line of src
// (a line whose first non-blank is '#', heredoc bodies and shell text
// included, since they are kept byte for byte) that out does not hold in
// the same order; 0 when none is lost. Comment text is compared without
// surrounding blanks and without the blanks after '#'.
func lostComment(src, out []byte) (int, string) {
	have := comments(out)
	k := 0
	for _, c := range comments(src) {
		for k < len(have) && have[k].text != c.text {
			k++
		}
		if k == len(have) {
			return c.line, c.text
		}
		k++
	}
	return 0, ""
}

type commentLine struct {
	line int
	text string
}

// generatedHeader reports whether comment text is a line of the header of
// a file dockstage generated ("Code generated by dockstage ...",
// "dockstage:sha256=..."): import drops it, so a file that carries it but
// is no longer what dockstage generated loses it when formatted.
func generatedHeader(text string) bool {
	return strings.HasPrefix(text, "Code generated by dockstage") || strings.HasPrefix(text, "dockstage:sha256=")
}

// directives lists the parser directives of b, name=value, as BuildKit
// reads them (parser.DirectiveParser).
func directives(b []byte) string {
	var out []string
	for _, d := range sourceDirectives(b) {
		out = append(out, d.Name+"="+d.Value)
	}
	return "[" + strings.Join(out, " ") + "]"
}

// sourceDirectives lists the parser directives at the top of b, in the
// order they stand, as BuildKit's parser.DirectiveParser reads them.
func sourceDirectives(b []byte) []*parser.Directive {
	var dp parser.DirectiveParser
	var out []*parser.Directive
	for _, l := range strings.Split(string(bytes.TrimPrefix(b, bom)), "\n") {
		d, err := dp.ParseLine([]byte(strings.TrimLeftFunc(l, unicode.IsSpace)))
		if err != nil || d == nil {
			break
		}
		out = append(out, d)
	}
	return out
}

// keepDirectiveOrder puts ds (the directives the spec renders, in its own
// order: syntax, escape, check) in the order they stand in src: BuildKit
// reads them in any order, and fmt keeps what the user wrote.
func keepDirectiveOrder(ds []transpile.Directive, src []byte) {
	rank := map[string]int{}
	for i, d := range sourceDirectives(src) {
		rank[d.Name] = i + 1
	}
	sort.SliceStable(ds, func(i, j int) bool {
		ri, rj := rank[ds[i].Name], rank[ds[j].Name]
		if ri == 0 || rj == 0 {
			return ri != 0 && rj == 0
		}
		return ri < rj
	})
}

// comments lists the comment lines of b after its parser directives.
func comments(b []byte) []commentLine {
	var out []commentLine
	var dp parser.DirectiveParser
	directive := true
	for i, l := range strings.Split(string(bytes.TrimPrefix(b, bom)), "\n") {
		if directive {
			if d, err := dp.ParseLine([]byte(strings.TrimLeftFunc(l, unicode.IsSpace))); err == nil && d != nil {
				continue
			}
			directive = false
		}
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "#") {
			continue
		}
		t = strings.TrimSpace(strings.TrimPrefix(t, "#"))
		if t == "" || generatedHeader(t) {
			continue
		}
		out = append(out, commentLine{i + 1, t})
	}
	return out
}

// bom is the UTF-8 byte order mark, which BuildKit skips at the start of a
// Dockerfile; Format keeps it.
var bom = []byte("\xef\xbb\xbf")

// restoreBlanks puts back a blank line below a comment line of out where
// src has one below the same comment line, and below an instruction where
// src has one below the same instruction (the spec keeps comment lines, not
// the blank lines among them, between them and their instruction, or
// between global ARGs).
// A comment line inside a continued instruction is left alone (an empty
// continuation line is dropped on import), and so is one inside a heredoc
// body (kept byte for byte, blank lines included).
func restoreBlanks(src, out []byte, ps parses) []byte {
	in, lines := strings.Split(string(src), "\n"), strings.Split(string(out), "\n")
	esc := escapeOf(src)
	have := comments(out)
	k := 0
	blankAfter := map[int]bool{} // 0-based lines of out
	for _, c := range comments(src) {
		for k < len(have) && have[k].text != c.text {
			k++
		}
		if k == len(have) {
			break
		}
		m := have[k].line // the line after it, 0-based
		k++
		if c.line >= len(in) || strings.TrimSpace(in[c.line]) != "" || m >= len(lines) || strings.TrimSpace(lines[m]) == "" {
			continue
		}
		if continued(in, c.line-1, esc) {
			continue
		}
		blankAfter[m-1] = true
	}
	// The blank line below the parser directives.
	if nd := len(strings.Fields(strings.Trim(directives(src), "[]"))); nd > 0 && nd < len(in) && nd < len(lines) &&
		strings.TrimSpace(in[nd]) == "" && strings.TrimSpace(lines[nd]) != "" {
		blankAfter[nd-1] = true
	}
	// The blank line right below an instruction (before the next one or
	// its comment lines): instructions pair up in order, since the render
	// holds the same instructions.
	na, nb := ps.nodes(src), ps.nodes(out)
	if len(na) == len(nb) {
		for i := 0; i+1 < len(na); i++ {
			end, next := na[i].EndLine, na[i+1].StartLine
			if end < next-1 && end < len(in) && strings.TrimSpace(in[end]) == "" {
				if e := nb[i].EndLine; e < len(lines) && strings.TrimSpace(lines[e]) != "" {
					blankAfter[e-1] = true
				}
			}
		}
	}
	if len(blankAfter) == 0 {
		return out
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		if blankAfter[i] {
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}

// parses holds BuildKit's reading of the texts one Format call parses
// (the fixed-point render reads the first render again), by content.
type parses map[string][]*parser.Node

// nodes are the instructions of b, as BuildKit's parser reads them; nil
// when it does not.
func (ps parses) nodes(b []byte) []*parser.Node {
	if n, ok := ps[string(b)]; ok {
		return n
	}
	var n []*parser.Node
	if res, err := parser.Parse(bytes.NewReader(b)); err == nil {
		n = res.AST.Children
	}
	ps[string(b)] = n
	return n
}

// continued reports whether line i of lines (0-based) stands inside a
// continued instruction: the nearest line above it that is neither blank
// nor a comment ends with the escape character.
func continued(lines []string, i int, esc rune) bool {
	for j := i - 1; j >= 0; j-- {
		t := strings.TrimSpace(lines[j])
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		return syntax.Continues(strings.TrimRight(lines[j], "\r"), esc)
	}
	return false
}

// escapeOf is the escape character b's directives set.
func escapeOf(b []byte) rune {
	var dp parser.DirectiveParser
	for _, l := range strings.Split(string(b), "\n") {
		d, err := dp.ParseLine([]byte(strings.TrimLeftFunc(l, unicode.IsSpace)))
		if err != nil || d == nil {
			break
		}
		if d.Name == "escape" && syntax.IsEscape(d.Value) {
			return syntax.Escape(d.Value)
		}
	}
	return syntax.DefaultEscape
}

// crlf reports whether the first line of b ends in CRLF.
func crlf(b []byte) bool {
	i := bytes.IndexByte(b, '\n')
	return i > 0 && b[i-1] == '\r'
}

// toCRLF ends every line of b that ends in a bare LF with CRLF.
func toCRLF(b []byte) []byte {
	var out bytes.Buffer
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out.WriteByte('\r')
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}
