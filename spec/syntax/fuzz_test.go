package syntax

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// FuzzUnquoteWord checks that an unquoted ENV/LABEL/ARG word, written back
// the ways the renderer writes it (Word included), means the same to
// BuildKit's lexer.
func FuzzUnquoteWord(f *testing.F) {
	addEscapeSeeds(f, `"a b"`, `'$x'`, `\$y`, `"$A"b`, `${A:-"q"}`, `a\\b`, `"\"$HOME\""`, "`$", `$1$`, `"${A/x/y}"z`, `C:\\$HOME`, `'\$x'`, `"\\${A}"`, "``$A")
	f.Fuzz(func(t *testing.T, w string, backtick bool) {
		esc := fuzzEscape(backtick)
		if strings.ContainsAny(w, "\x00\n") || !utf8.ValidString(w) {
			return
		}
		checkUnquoteMeaning(t, w, esc)
	})
}

// FuzzContinuedWord checks that a word spanning lines (breaks between its
// characters) unquotes and is written back (Word) to a word that means
// the same to BuildKit's lexer, its lines joined.
func FuzzContinuedWord(f *testing.F) {
	for _, s := range []string{"\"\\\n  a \\\n# c\n  b\"", "a\\\nb", "\"$A\"\\\nb", "${A:-\\\nx}", "'x\\\n$y'", "\"C:\\\\\\\n$H\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		if strings.ContainsAny(w, "\x00\r") || !utf8.ValidString(w) || !ValueBreaksOK(w, '\\') {
			return
		}
		lex := shell.NewLex('\\')
		want, _, err := lex.ProcessWord(JoinValue(w, '\\'), testEnv)
		if err != nil {
			return
		}
		v, err := UnquoteWord(w, '\\')
		if err != nil {
			return
		}
		out := Word(v, '\\')
		if !ValueBreaksOK(out, '\\') {
			t.Fatalf("word %q -> spec %q -> %q: not a continued word", w, v, out)
		}
		got, _, err := lex.ProcessWord(JoinValue(out, '\\'), testEnv)
		if err != nil || got != want {
			t.Fatalf("word %q (= %q) -> spec %q -> %q (= %q, %v)", w, want, v, out, got, err)
		}
	})
}

// FuzzPlainWord checks UnquoteWord's shortcut for a plain word (plainWord)
// against the full rules: both give the same spec form.
func FuzzPlainWord(f *testing.F) {
	addEscapeSeeds(f, "a", "/usr/local/bin", "C:\\app", "x=y", "é", "\xff", "`a", "a b")
	f.Fuzz(func(t *testing.T, w string, backtick bool) {
		esc := fuzzEscape(backtick)
		rs, breaks, ok := splitBreaks(w, esc)
		want, werr := unquoteRunes(rs, breaks, esc)
		got, err := UnquoteWord(w, esc)
		if plainWord(w, esc) && (!ok || werr != nil || err != nil || got != want) {
			t.Fatalf("plain word %q: shortcut %q (%v), full rules %q (%v, split ok %v)", w, got, err, want, werr, ok)
		}
	})
}

// addEscapeSeeds adds each seed twice, for the fuzz targets that take a
// text and a bool choosing the escape character (fuzzEscape).
func addEscapeSeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
}

// fuzzEscape is the escape character a fuzzed bool picks: the backtick (a
// backtick escape directive) when it is true, else DefaultEscape.
func fuzzEscape(backtick bool) rune {
	if backtick {
		return '`'
	}
	return DefaultEscape
}
