package syntax

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzUnquoteWord checks that an unquoted ENV/LABEL/ARG word, written back
// the ways the renderer writes it (Word included), means the same to
// BuildKit's lexer.
func FuzzUnquoteWord(f *testing.F) {
	for _, s := range []string{`"a b"`, `'$x'`, `\$y`, `"$A"b`, `${A:-"q"}`, `a\\b`, `"\"$HOME\""`, "`$", `$1$`, `"${A/x/y}"z`, `C:\\$HOME`, `'\$x'`, `"\\${A}"`, "``$A"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, w string, backtick bool) {
		esc := '\\'
		if backtick {
			esc = '`'
		}
		if strings.ContainsAny(w, "\x00\n") || !utf8.ValidString(w) {
			return
		}
		checkUnquoteMeaning(t, w, esc)
	})
}
