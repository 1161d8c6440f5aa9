package syntax

import "testing"

func TestContinuedValues(t *testing.T) {
	for _, c := range []struct {
		v, joined string
		ok        bool
		esc       rune
	}{
		{"a b", "a b", true, '\\'},
		{"a \\\n  b", "a   b", true, '\\'},
		{"a \\  \n# c\n\n  # d\nb", "a b", true, '\\'},
		{"a\nb", "", false, '\\'},
		{"a \\\n", "", false, '\\'},
		{"a \\\n# c", "", false, '\\'},
		{"a\\\\\nb", "", false, '\\'}, // an escaped escape does not continue
		{"x `\n y", "x  y", true, '`'},
	} {
		if got := ValueBreaksOK(c.v, c.esc); got != c.ok {
			t.Errorf("ValueBreaksOK(%q) = %v, want %v", c.v, got, c.ok)
		}
		if c.ok {
			if got := JoinValue(c.v, c.esc); got != c.joined {
				t.Errorf("JoinValue(%q) = %q, want %q", c.v, got, c.joined)
			}
		}
	}
	// A Dockerfile word that spans lines keeps its breaks in the spec
	// form, and Word writes them back.
	for _, c := range []struct{ raw, spec, word string }{
		{"\"\\\n    gcc \\\n    # c\n    make\"", "\\\n    gcc \\\n    # c\n    make", "\"\\\n    gcc \\\n    # c\n    make\""},
		{"no\\\ncontinued", "no\\\ncontinued", "\"no\\\ncontinued\""},
		{"\"$A\"\\\nb", "${A}\\\nb", "\"${A}\\\nb\""},
		{"${A:-\\\nx}", "${A:-x}", "${A:-x}"}, // inside a reference: joined
		// A line holding only the escape character after a comment line:
		// one break, the comment kept.
		{"\"a\\\n  # c\n\\\nb\"", "a\\\n  # c\n\\\nb", "\"a\\\n  # c\n\\\nb\""},
	} {
		got, err := UnquoteWord(c.raw, '\\')
		if err != nil || got != c.spec {
			t.Errorf("UnquoteWord(%q) = %q, %v; want %q", c.raw, got, err, c.spec)
		}
		if w := Word(c.spec, '\\'); w != c.word {
			t.Errorf("Word(%q) = %q, want %q", c.spec, w, c.word)
		}
		checkUnquoteMeaning(t, JoinValue(c.raw, '\\'), '\\')
	}
}
