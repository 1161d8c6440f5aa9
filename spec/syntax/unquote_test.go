package syntax

import (
	"strings"
	"testing"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

func TestUnquoteWord(t *testing.T) {
	tests := []struct {
		in, want string
		esc      rune
	}{
		{`plain`, `plain`, '\\'},
		{`"a b"`, `a b`, '\\'},
		{`'a b'`, `a b`, '\\'},
		{`a\ b`, `a b`, '\\'},
		{`\$HOME`, `\$HOME`, '\\'},
		{`$HOME/x`, `$HOME/x`, '\\'},
		{`'$HOME'`, `\$HOME`, '\\'},
		{`"$HOME"`, `$HOME`, '\\'},
		{`"say \"hi\""`, `say "hi"`, '\\'},
		{`"a\\b"`, `a\b`, '\\'},
		{`"a\nb"`, `a\nb`, '\\'},
		{`"\$5"`, `\$5`, '\\'},
		{`C:\\dir`, `C:\dir`, '\\'},
		{`"$A"b`, `${A}b`, '\\'},
		{`"$1"2`, `${1}2`, '\\'},
		{`"$"{x}`, `\${x}`, '\\'},
		{`${A:-"x y"}z`, `${A:-"x y"}z`, '\\'},
		{`"${A/}/x}"`, `${A/}/x}`, '\\'},
		{`trailing\`, `trailing`, '\\'},
		{"C:\\Tools;${PATH}", "C:\\Tools;${PATH}", '`'},
		{"`$5", "`$5", '`'},
		{"'$5'", "`$5", '`'},
		{"\"a``b\"", "a`b", '`'},
		// A literal escape character right before a `$`: doubled.
		{`C:\\$HOME`, `C:\\$HOME`, '\\'},
		{`"C:\\$HOME"`, `C:\\$HOME`, '\\'},
		{`C:\\${HOME}x`, `C:\\${HOME}x`, '\\'},
		{`'C:\$HOME'`, `C:\\\$HOME`, '\\'},
		{`\\\$X`, `\\\$X`, '\\'},
		{`'\\$X'`, `\\\\\$X`, '\\'},
		{`a\\$`, `a\\\$`, '\\'},
		{`C:\\`, `C:\`, '\\'},
		{"C:\\``$HOME", "C:\\``$HOME", '`'},
		{"'``$X'", "`````$X", '`'},
	}
	for _, tt := range tests {
		got, err := UnquoteWord(tt.in, tt.esc)
		if err != nil {
			t.Errorf("UnquoteWord(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("UnquoteWord(%q) = %q, want %q", tt.in, got, tt.want)
		}
		checkUnquoteMeaning(t, tt.in, tt.esc)
	}
}

// requoteWord is the renderer's side of UnquoteWord: it writes a spec value
// as a Dockerfile word, outside quotes (quoted false) or in double quotes.
func requoteWord(v string, esc rune, quoted bool) string {
	rs := []rune(v)
	var b strings.Builder
	if quoted {
		b.WriteByte('"')
	}
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case c == esc && escRunBeforeDollar(rs, i, esc) > 0:
			n := escRunBeforeDollar(rs, i, esc)
			b.WriteString(string(rs[i : i+n]))
			i += n
			if n%2 == 1 {
				b.WriteByte('$')
				i++
			}
			continue
		case c == '$':
			end, err := ScanDollar(rs, i, esc)
			if err != nil {
				end = len(rs)
			}
			b.WriteString(string(rs[i:end]))
			i = end
			continue
		case quoted && (c == esc || c == '"'):
			b.WriteRune(esc)
		case !quoted && (c == esc || c == '"' || c == '\'' || unicode.IsSpace(c)):
			b.WriteRune(esc)
		}
		b.WriteRune(c)
		i++
	}
	if quoted {
		b.WriteByte('"')
	}
	return b.String()
}

var testEnv = shell.EnvsFromSlice([]string{"A=1", "B=two words", "HOME=/root", "AB=ab", "1=one", "PATH=/bin"})

// checkUnquoteMeaning checks that unquoting raw and writing the result back
// (both ways the renderer may) means the same word to BuildKit's lexer.
func checkUnquoteMeaning(t *testing.T, raw string, esc rune) {
	t.Helper()
	lex := shell.NewLex(esc)
	want, _, err := lex.ProcessWord(raw, testEnv)
	if err != nil {
		return
	}
	v, err := UnquoteWord(raw, esc)
	if err != nil {
		return
	}
	for _, w := range []string{requoteWord(v, esc, false), requoteWord(v, esc, true), Word(v, esc)} {
		got, _, err := lex.ProcessWord(w, testEnv)
		if err != nil {
			t.Errorf("word %q -> spec %q -> %q: %v", raw, v, w, err)
			continue
		}
		if got != want {
			t.Errorf("word %q (= %q) -> spec %q -> %q (= %q)", raw, want, v, w, got)
		}
	}
}
