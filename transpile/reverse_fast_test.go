package transpile

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/dockstage/dockstage/spec/syntax"
)

// checkPlainWord checks plainWord against BuildKit's lexer: a word it
// calls plain reads as itself, without an error.
func checkPlainWord(t *testing.T, w string, esc rune) {
	t.Helper()
	if !plainWord(w, esc) {
		return
	}
	got, _, err := shell.NewLex(esc).ProcessWord(w, syntax.AnyEnv{})
	if err != nil || got != w {
		t.Fatalf("plainWord(%q, %q) is true; BuildKit's lexer reads %q, %v", w, esc, got, err)
	}
}

var plainWordSeeds = []string{"", "a", "a b", "/usr/local/bin", "é", "a\tb", "~x", "{a}", "a=b", "x`y", `a\b`, "$A", `"q"`, "<<EOF", "\xff"}

func TestPlainWord(t *testing.T) {
	for _, w := range plainWordSeeds {
		checkPlainWord(t, w, '\\')
		checkPlainWord(t, w, '`')
	}
	if plainWord("$A", '\\') || plainWord(`a\b`, '\\') || plainWord("a`b", '`') || !plainWord("a`b", '\\') {
		t.Error("plainWord: wrong on $, the escape character or a character that is not one")
	}
}

// FuzzPlainWord checks plainWord against BuildKit's lexer on any word.
func FuzzPlainWord(f *testing.F) {
	for _, w := range plainWordSeeds {
		f.Add(w, false)
		f.Add(w, true)
	}
	f.Fuzz(func(t *testing.T, w string, backtick bool) {
		checkPlainWord(t, w, escapeOf(backtick))
	})
}

// TestBlankRun checks blankRun against BuildKit's separator expression.
func TestBlankRun(t *testing.T) {
	re := regexp.MustCompile(`[\t\v\f\r ]+`)
	for _, s := range []string{"", "RUN", "RUN a", "RUN \t\v a", "\f", "a\u00a0b", "a\nb c", "é x", " x"} {
		var got []int
		if i, j, ok := blankRun(s); ok {
			got = []int{i, j}
		}
		if want := re.FindStringIndex(s); !reflect.DeepEqual(got, want) {
			t.Errorf("blankRun(%q) = %v, the expression finds %v", s, got, want)
		}
	}
}

// rawLexer is the lexer dockerfile2llb expands heredoc bodies with, as
// checkExpansion makes it.
func rawLexer() *shell.Lex {
	lex := shell.NewLex('\\')
	lex.SkipProcessQuotes = true
	return lex
}

var rawSeeds = []string{"", "echo $HOME\n", "a ${B}", "${", "$", "\\${x", "$$", "'unclosed", "\"x", "<<EOF", "`a`", "a\\", "$1 ${1:-a} ${x:?}", "${x:#a}", "\xff$"}

func TestRawExpandable(t *testing.T) {
	for _, w := range rawSeeds {
		checkRawExpandable(t, w)
	}
	if rawExpandable("${x:#a}") || !rawExpandable("'unclosed") {
		t.Error("rawExpandable: wrong on a ${ or an unclosed quote")
	}
}

// checkRawExpandable checks rawExpandable against the lexer: text it passes
// expands without an error.
func checkRawExpandable(t *testing.T, w string) {
	t.Helper()
	if !rawExpandable(w) {
		return
	}
	if _, _, err := rawLexer().ProcessWord(w, syntax.AnyEnv{}); err != nil {
		t.Fatalf("rawExpandable(%q) is true; BuildKit's lexer fails: %v", w, err)
	}
}

// FuzzRawExpandable checks rawExpandable against BuildKit's lexer on any
// heredoc body.
func FuzzRawExpandable(f *testing.F) {
	for _, w := range rawSeeds {
		f.Add(w)
	}
	f.Fuzz(checkRawExpandable)
}

var quotedSeeds = []string{"", "a", `"a b"`, `'a b'`, `"a\"b"`, `"a\\b"`, `"a\b"`, `a\ b`, `a\`, `"a\`, `'a`, `"a`, `"'"'"'`, "x`y", "\"a`\"b\"", "`'", "é\\é", "\"\\é\"", "<<EOF", "\ufeffa", "a\ufeff", `"$A"`, "\xff", `\"`, `""`, `''`, `"\\\""`}

// checkQuotedWord checks quotedWord against BuildKit's lexer: a word it
// reads, the lexer reads the same, without an error.
func checkQuotedWord(t *testing.T, w string, esc rune) {
	t.Helper()
	q, ok := quotedWord(w, esc)
	if !ok {
		return
	}
	got, _, err := shell.NewLex(esc).ProcessWord(w, syntax.AnyEnv{})
	if err != nil || got != q {
		t.Fatalf("quotedWord(%q, %q) = %q; BuildKit's lexer reads %q, %v", w, esc, q, got, err)
	}
}

func TestQuotedWord(t *testing.T) {
	for _, w := range quotedSeeds {
		checkQuotedWord(t, w, '\\')
		checkQuotedWord(t, w, '`')
	}
	if q, ok := quotedWord(`"a b" 'c'`, '\\'); !ok || q != "a b c" {
		t.Errorf(`quotedWord("a b" 'c') = %q, %v`, q, ok)
	}
	if _, ok := quotedWord(`"a`, '\\'); ok {
		t.Error("quotedWord reads an unclosed quote")
	}
}

// FuzzQuotedWord checks quotedWord against BuildKit's lexer on any word.
func FuzzQuotedWord(f *testing.F) {
	for _, w := range quotedSeeds {
		f.Add(w, false)
		f.Add(w, true)
	}
	f.Fuzz(func(t *testing.T, w string, backtick bool) {
		checkQuotedWord(t, w, escapeOf(backtick))
	})
}

var runPrefixSeeds = []string{"RUN apt-get update &&", "run echo", "RUN", "  RUN x", "RUN --mount=x", "RUN -- x", "RUN\t-x", "RUNX a", "RUN cat <<EOF", "RUN echo \\", "RUN echo `", "RUN [\"a\",", "ONBUILD RUN x", "RUN\u00a0--x", "RUN \u2003--x", "RUN \"--x\"", "RUN é", "RUN\v x"}

// checkFlaglessRunPrefix checks flaglessRunPrefix against BuildKit's
// parse of the prefix (with esc's directive), as parseOne makes it.
func checkFlaglessRunPrefix(t *testing.T, prefix string, esc rune) {
	t.Helper()
	if !flaglessRunPrefix(prefix) {
		return
	}
	text := prefix + "\n"
	if esc == '`' {
		text = "# escape=`\n" + text
	}
	res, err := parser.Parse(strings.NewReader(text))
	if err != nil || len(res.AST.Children) != 1 || !strings.EqualFold(res.AST.Children[0].Value, "run") || len(res.AST.Children[0].Flags) > 0 {
		t.Fatalf("flaglessRunPrefix(%q) is true (escape %q); BuildKit reads %v, %v", prefix, esc, res, err)
	}
}

func TestFlaglessRunPrefix(t *testing.T) {
	for _, s := range runPrefixSeeds {
		checkFlaglessRunPrefix(t, s, '\\')
		checkFlaglessRunPrefix(t, s, '`')
	}
	for s, want := range map[string]bool{"RUN echo": true, "RUN --mount=x": false, "RUN cat <<EOF": false, "RUNX a": false, "ONBUILD RUN x": false} {
		if got := flaglessRunPrefix(s); got != want {
			t.Errorf("flaglessRunPrefix(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzFlaglessRunPrefix checks flaglessRunPrefix against BuildKit's parse
// on any line.
func FuzzFlaglessRunPrefix(f *testing.F) {
	for _, s := range runPrefixSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, prefix string, backtick bool) {
		checkFlaglessRunPrefix(t, prefix, escapeOf(backtick))
	})
}

// escapeOf is the escape character a fuzz input's flag picks.
func escapeOf(backtick bool) rune {
	if backtick {
		return '`'
	}
	return '\\'
}
