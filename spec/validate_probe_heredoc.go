package spec

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// heredocsReadAsWritten reports, without a parse, that `RUN text` and its
// heredoc bodies docs certainly read back with BuildKit's parser as
// written (the probe's question for a command with heredocs): text has
// readsAsWritten's shape apart from heredocs (joinedLine), BuildKit opens
// in the joined line exactly the heredocs docs name, in their order
// (buildkitHeredocs, the words parser.heredocsFromLine reads), and no line
// of a body, shorter than maxWritten and without NUL, reads as its
// terminator (parser.Parse ends a body at the first line that, without
// its line ending and, for <<-, its leading tabs, is the name). Each body
// then ends at its own terminator line, where writeProbe puts it.
// FuzzHeredocsReadAsWritten checks this rule against the probe itself.
func heredocsReadAsWritten(text string, docs []Heredoc, esc rune, lex *shell.Lex) bool {
	if len(docs) == 0 {
		return false
	}
	joined, ok := joinedLine("RUN", text, esc)
	if !ok {
		return false
	}
	var bk [4]parser.Heredoc
	opened, ok := buildkitHeredocs(lex, "RUN "+joined, bk[:0])
	if !ok || len(opened) != len(docs) {
		return false
	}
	for i, d := range docs {
		if opened[i].Name != d.Name || len(d.Body) >= maxWritten || strings.IndexByte(d.Body, 0) >= 0 {
			return false
		}
		for rest, more := d.Body, d.Body != ""; more; {
			var l string
			l, rest, more = strings.Cut(rest, "\n")
			if !more && l == "" {
				break // the body's last newline: writeProbe adds no line after it
			}
			l = strings.TrimRight(l, "\r\n")
			if l == d.Name || strings.TrimLeft(l, "\t") == d.Name {
				return false
			}
		}
	}
	return true
}

// noEnv is a shell.EnvGetter that defines no variable (parser's
// emptyEnvs).
type noEnv struct{}

func (noEnv) Get(string) (string, bool) { return "", false }
func (noEnv) Keys() []string            { return nil }

// heredocLexer is the lexer parser.heredocsFromLine reads a line's words
// with: backslash escapes, raw quotes and escapes, unset variables kept.
func heredocLexer() *shell.Lex {
	lex := shell.NewLex('\\')
	lex.RawQuotes = true
	lex.RawEscapes = true
	lex.SkipUnsetEnv = true
	return lex
}

// buildkitHeredocs is parser.heredocsFromLine, appended to docs: the
// heredocs BuildKit's parser opens in an instruction's joined line (the
// line's shell words, read with lex, a heredocLexer, each tried with
// parser.ParseHeredoc). ok is false where heredocsFromLine fails.
func buildkitHeredocs(lex *shell.Lex, line string, docs []parser.Heredoc) ([]parser.Heredoc, bool) {
	words, ok := plainWords(line)
	if !ok {
		words, _ = lex.ProcessWords(line, noEnv{})
	}
	for _, w := range words {
		if !strings.Contains(w, "<<") {
			continue // parser.ParseHeredoc's expression needs one: it finds no heredoc
		}
		h, err := parser.ParseHeredoc(w)
		if err != nil {
			return docs, false
		}
		if h != nil {
			docs = append(docs, *h)
		}
	}
	return docs, true
}

// plainWords is what a heredocLexer's ProcessWords makes of line, worked
// out without it for a line with none of the characters it gives a
// meaning beyond "<" (quotes, the backslash, '$'), valid UTF-8 without NUL
// or a leading byte order mark: the line split at Unicode white space,
// except that "<<" keeps the tabs, carriage returns and spaces right after
// it in its word (shellWord.processPossibleHeredoc, which reads '<'
// characters two at a time). ok is false for any other line.
// FuzzPlainWords checks it against the lexer.
func plainWords(line string) (words []string, ok bool) {
	if strings.ContainsAny(line, "'\"\\$\x00") || !utf8.ValidString(line) || strings.HasPrefix(line, "\uFEFF") {
		return nil, false
	}
	start := -1 // where the current word starts
	for i := 0; i < len(line); {
		r, n := utf8.DecodeRuneInString(line[i:])
		switch {
		case r == '<':
			if start < 0 {
				start = i
			}
			i++
			if i < len(line) && line[i] == '<' {
				i++
				for i < len(line) && (line[i] == '\t' || line[i] == '\r' || line[i] == ' ') {
					i++
				}
			}
		case unicode.IsSpace(r):
			if start >= 0 {
				words = append(words, line[start:i])
				start = -1
			}
			i += n
		default:
			if start < 0 {
				start = i
			}
			i += n
		}
	}
	if start >= 0 {
		words = append(words, line[start:])
	}
	return words, true
}
