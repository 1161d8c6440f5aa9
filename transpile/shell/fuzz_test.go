package shell

import "testing"

// FuzzParse checks that Parse never panics and that every word it returns
// is the text between its offsets, on the line it names.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"npm ci && npm test", "set -eux; \\\n  pip install -r r.txt", "a | b || c & d", "echo $(date) `x` <(y)",
		"if a; then b; elif c; then d; else e; fi", "for i in 1 2; do x $i; done", "f() { a; }", "pip `\n  x",
		"echo \"unclosed", "cat <<EOF > f", "x=1 y=(a b) z", "[[ -f x ]] && (( i++ ))", "a \\\n# c\n\n b",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, backtick bool) {
		esc := '\\'
		if backtick {
			esc = '`'
		}
		s := Parse(text, esc)
		for _, c := range s.Commands {
			if c.Assigns > len(c.Words) {
				t.Fatalf("%q: %d assignments of %d words", text, c.Assigns, len(c.Words))
			}
			if c.Unparsed == s.Parsed {
				t.Fatalf("%q: command Unparsed=%v in a script Parsed=%v", text, c.Unparsed, s.Parsed)
			}
			for _, w := range c.Words {
				if w.Start < 0 || w.End < w.Start || w.End > len(text) || text[w.Start:w.End] != w.Raw {
					t.Fatalf("%q: word %+v is not the text at its offsets", text, w)
				}
				if w.Line < 1 {
					t.Fatalf("%q: word %+v has no line", text, w)
				}
			}
		}
	})
}
