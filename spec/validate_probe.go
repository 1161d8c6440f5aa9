package spec

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockstage/dockstage/spec/syntax"
)

// probe is one instruction text to read back with BuildKit's parser, the
// authority on how a line reads: it must stay exactly one keyword
// instruction, without flags and in shell form.
type probe struct {
	at      int // len(v.errs) when the probe was asked for: where its error goes
	p       Pos
	path    fieldPath
	keyword string
	text    string
	docs    []Heredoc
}

// probe asks for keyword and text (and heredoc bodies) to be read back;
// runProbes reports, as a positioned error, text that would not stay one
// instruction: a trailing escape character, a leading flag, a JSON array,
// an opened heredoc, a blank continuation.
func (v *validator) probe(p Pos, path fieldPath, keyword, text string, docs []Heredoc) {
	if len(docs) == 0 && readsAsWritten(keyword, text, v.escape) || keyword == "RUN" && heredocsReadAsWritten(text, docs, v.escape, v.heredocLexer()) {
		return
	}
	v.probes = append(v.probes, probe{at: len(v.errs), p: p, path: path, keyword: keyword, text: text, docs: docs})
}

// maxWritten bounds the text readsAsWritten decides on, far below the
// line length BuildKit's scanner reads (bufio.MaxScanTokenSize, 64 KiB).
const maxWritten = 16 << 10

// readsAsWritten reports, without a parse, that `KEYWORD text` (no heredoc
// bodies) certainly reads back with BuildKit's parser as one instruction
// without flags, exec form or heredocs, the probe's question. It follows
// parser.Parse: the first line, then while it continues
// (syntax.TrimContinuation) the next lines, skipping comment and blank
// ones; the text must end exactly where the continuation does. The joined
// line must hold no "<<" (parser.Parse looks for heredocs only in a line
// that holds one) and start, after blanks, with printable ASCII other than
// '-' (parser.extractBuilderFlags reads flags only from a word starting
// with "--") and '[' (parser.parseMaybeJSON reads JSON only from text
// starting with '['). The text holds no carriage return or NUL and is
// shorter than maxWritten. The keywords are those whose BuildKit line
// parser takes the text as one string (parseMaybeJSON: RUN; parseString:
// WORKDIR, USER, STOPSIGNAL, MAINTAINER). Any other text is probed;
// FuzzReadsAsWritten checks this rule against the probe itself.
func readsAsWritten(keyword, text string, esc rune) bool {
	joined, ok := joinedLine(keyword, text, esc)
	return ok && !strings.Contains(joined, "<<")
}

// joinedLine is the line BuildKit's parser joins `KEYWORD text` into
// (after the keyword), when text has readsAsWritten's shape apart from
// heredocs: one of its keywords, no carriage return or NUL, shorter than
// maxWritten, continued lines that end where the text does, and a first
// character that starts no flag or JSON array. ok is false otherwise.
func joinedLine(keyword, text string, esc rune) (joined string, ok bool) {
	switch keyword {
	case "RUN", "WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER":
	default:
		return "", false
	}
	if len(text) >= maxWritten || strings.ContainsAny(text, "\r\x00") {
		return "", false
	}
	first, rest, more := strings.Cut(text, "\n")
	joined, cont := syntax.TrimContinuation(first, esc)
	var b strings.Builder // the joined lines, when text continues
	for cont && more {
		var l string
		l, rest, more = strings.Cut(rest, "\n")
		t := strings.TrimLeftFunc(l, unicode.IsSpace)
		if t == "" || t[0] == '#' { // parser.Parse skips blank and comment lines here
			continue
		}
		var seg string
		seg, cont = syntax.TrimContinuation(l, esc)
		if b.Cap() == 0 {
			b.Grow(len(text))
			b.WriteString(joined)
		}
		b.WriteString(seg)
	}
	if b.Cap() > 0 {
		joined = b.String()
	}
	if cont || more {
		return "", false
	}
	t := strings.TrimLeft(joined, " \t\v\f\r")
	if t != "" && t[0] == '[' {
		return joined, notJSONArray(joined)
	}
	return joined, t != "" && t[0] >= '!' && t[0] <= '~' && t[0] != '-'
}

// notJSONArray reports that BuildKit's parser reads joined, a line's
// arguments starting with '[', as shell form: parser.parseJSON fails to
// unmarshal it (blanks trimmed, as splitCommand and parseJSON trim them)
// as a JSON array, so parseMaybeJSON keeps the text. An array, also one
// of other values than strings (an error then), is not written form.
func notJSONArray(joined string) bool {
	if !utf8.ValidString(joined) {
		return false
	}
	var v []any
	return json.Unmarshal([]byte(strings.TrimSpace(joined)), &v) != nil
}

// writeProbe writes probe pr: its instruction and heredoc bodies.
func (v *validator) writeProbe(b *strings.Builder, pr probe) {
	b.WriteString(pr.keyword + " " + pr.text + "\n")
	for _, h := range pr.docs {
		b.WriteString(h.Body)
		if h.Body != "" && !strings.HasSuffix(h.Body, "\n") {
			b.WriteString("\n")
		}
		b.WriteString(h.Name + "\n")
	}
}

// endLabel is the instruction written after the probes.
const endLabel = "LABEL dockstage.probe=end"

// probeStart writes what a probe file starts with: the escape directive
// the spec needs and FROM scratch.
func (v *validator) probeStart(b *strings.Builder) {
	if v.escape == '`' {
		b.WriteString("# escape=`\n")
	}
	b.WriteString("FROM scratch\n")
}

// probeFile is the file that probeReason parses: pr, then a LABEL.
func (v *validator) probeFile(pr probe) string {
	var b strings.Builder
	v.probeStart(&b)
	v.writeProbe(&b, pr)
	b.WriteString(endLabel + "\n")
	return b.String()
}

// runProbes reads every probe back with one parse of one synthetic
// Dockerfile (FROM scratch, then each probe, then a LABEL: batchPasses). When that file
// reads back as written (each probe one instruction on its own lines)
// every probe passed. Otherwise each probe is parsed on its own
// (FROM scratch, the probe, a LABEL), so that its error and its place in
// the error list are the same as with a parse per probe.
func (v *validator) runProbes() {
	if len(v.probes) == 0 || v.batchPasses() {
		return
	}
	var errs ErrorList
	next := 0
	for _, pr := range v.probes {
		reason := v.probeReason(pr)
		if reason == "" {
			continue
		}
		errs = append(errs, v.errs[next:pr.at]...)
		next = pr.at
		p := pr.p
		if !p.IsValid() {
			p = v.s.Pos
		}
		errs.Add(p, "%s: %s would not read back as written: %s", pr.path, pr.keyword, reason)
	}
	v.errs = append(errs, v.errs[next:]...)
}

// batchPasses parses all probes in one file (FROM scratch, then each
// probe, then a LABEL) and reports whether each read back on its own lines as one
// instruction without flags, exec form or extra heredocs. A probe that
// took in a line after it (a trailing escape character, an open heredoc)
// or ended early shows in the count of nodes and in their line ranges.
func (v *validator) batchPasses() bool {
	var b strings.Builder
	v.probeStart(&b)
	line := strings.Count(b.String(), "\n")
	spans := make([][2]int, len(v.probes))
	for k, pr := range v.probes {
		from := b.Len()
		v.writeProbe(&b, pr)
		spans[k] = [2]int{line + 1, line + strings.Count(b.String()[from:], "\n")}
		line = spans[k][1]
	}
	b.WriteString(endLabel + "\n") // the last probe may run into it too
	res, err := parser.Parse(strings.NewReader(b.String()))
	if err != nil || len(res.AST.Children) != 2+len(v.probes) || res.AST.Children[1+len(v.probes)].Original != endLabel {
		return false
	}
	for k, pr := range v.probes {
		in := res.AST.Children[1+k]
		if in.StartLine != spans[k][0] || in.EndLine != spans[k][1] || len(in.Flags) > 0 || in.Attributes["json"] || len(in.Heredocs) != len(pr.docs) {
			return false
		}
	}
	return true
}

// probeReason parses probe pr on its own and says why it does not read
// back as written ("" when it does).
func (v *validator) probeReason(pr probe) string {
	res, err := parser.Parse(strings.NewReader(v.probeFile(pr)))
	switch {
	case err != nil:
		return err.Error()
	case len(res.AST.Children) != 3 || !strings.EqualFold(res.AST.Children[2].Value, "label"):
		return "it does not end where it should (a trailing escape character or an open heredoc joins the next instruction)"
	case len(res.AST.Children[1].Flags) > 0:
		return fmt.Sprintf("it starts with %q, which reads as a flag", res.AST.Children[1].Flags[0])
	case res.AST.Children[1].Attributes["json"]:
		return "it reads as an exec-form JSON array"
	case len(res.AST.Children[1].Heredocs) != len(pr.docs):
		return "it opens a heredoc"
	}
	return ""
}
