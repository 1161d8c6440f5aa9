package syntax

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// envValue renders `ENV K=<Word(v)>` and returns the value BuildKit reads,
// with variables left unexpanded by an environment that reports $X as
// "<X>".
type markEnv struct{}

func (markEnv) Get(k string) (string, bool) { return "<" + k + ">", true }
func (markEnv) Keys() []string              { return nil }

func TestWordRoundTripsThroughBuildKit(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"C.UTF-8", "C.UTF-8"},
		{"hello world", "hello world"},
		{`say "hi"`, `say "hi"`},
		{`C:\path\to`, `C:\path\to`},
		{`C:\dest\`, `C:\dest\`},
		{`\\server\share`, `\\server\share`},
		{"$HOME/bin", "<HOME>/bin"},
		{"${A:-x} y", "<A> y"},
		{`price \$5`, "price $5"},
		{"", ""},
		{"tab\there", "tab\there"},
		{"a'b", "a'b"},
		{"ünïcode", "ünïcode"},
		{`${A:-"x y"} z`, "<A> z"},
	}
	// A run of escape characters before `$` (written for \ and turned
	// into backticks for the other escape character).
	runs := []struct{ in, want string }{
		{`C:\\$HOME`, `C:\<HOME>`},
		{`C:\\\$HOME`, `C:\$HOME`},
		{`a\\${A}b`, `a\<A>b`},
		{`a\\\\$A`, `a\\<A>`},
		{`a b\\$A`, `a b\<A>`},
	}
	type tc struct {
		in, want string
		esc      rune
	}
	var all []tc
	for _, c := range cases {
		all = append(all, tc{c.in, c.want, '\\'}, tc{strings.ReplaceAll(c.in, `\$`, "`$"), c.want, '`'})
	}
	for _, c := range runs {
		all = append(all, tc{c.in, c.want, '\\'}, tc{strings.ReplaceAll(c.in, `\`, "`"), strings.ReplaceAll(c.want, `\`, "`"), '`'})
	}
	for _, c := range all {
		v, esc := c.in, c.esc
		w := Word(v, esc)
		df := "# escape=" + string(esc) + "\nFROM scratch\nENV K=" + w + "\n"
		res, err := parser.Parse(strings.NewReader(df))
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		stages, _, err := instructions.Parse(res.AST, nil)
		if err != nil {
			t.Fatalf("%q: %v\n%s", c.in, err, df)
		}
		env := stages[0].Commands[0].(*instructions.EnvCommand)
		raw := env.Env[0].Value
		got, _, err := shell.NewLex(esc).ProcessWord(raw, markEnv{})
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if got != c.want {
			t.Errorf("Word(%q, %q) = %s, BuildKit reads %q, want %q", v, esc, w, got, c.want)
		}
	}
}

// TestWordBareBackslash: under a backtick escape a backslash is an
// ordinary character, so a Windows path is written bare; under the
// backslash escape it is written bare too, each backslash escaped.
func TestWordBareBackslash(t *testing.T) {
	for _, c := range []struct {
		in   string
		esc  rune
		want string
	}{
		{`C:\app`, '`', `C:\app`},
		{`C:\Program Files\app`, '`', `"C:\Program Files\app"`},
		{`C:\dest\`, '`', `C:\dest\`},
		{`C:\a${B}\c`, '`', `C:\a${B}\c`},
		{"a`b", '`', "a``b"},
		{`C:\app`, '\\', `C:\\app`},
		{`C:\Program Files`, '\\', `"C:\\Program Files"`},
		{`C:\\$X`, '\\', `C:\\$X`},
	} {
		if got := Word(c.in, c.esc); got != c.want {
			t.Errorf("Word(%q, %q) = %s, want %s", c.in, c.esc, got, c.want)
		}
	}
}

// TestKeyKeepsDocComment: an ARG name is written bare when BuildKit reads
// it as itself, so the `# NAME text` doc comment above it still names it;
// a name that needs quotes reads back the same.
func TestKeyKeepsDocComment(t *testing.T) {
	for _, k := range []string{"VERSION", "&", "a.b-c", "{x}", "a b", `a"b`, "$X", "#x", "\u2028x"} {
		for _, esc := range []rune{'\\', '`'} {
			src := "# escape=" + string(esc) + "\nFROM scratch\n# " + k + " the doc\nARG " + Key(k, esc) + "\n"
			res, err := parser.Parse(strings.NewReader(src))
			if err != nil {
				t.Fatalf("%q: %v", src, err)
			}
			stages, _, err := instructions.Parse(res.AST, nil)
			if err != nil {
				t.Fatalf("%q: %v", src, err)
			}
			arg := stages[0].Commands[0].(*instructions.ArgCommand).Args[0]
			lex := shell.NewLex(esc)
			got, err := lex.ProcessWordWithMatches(arg.Key, markEnv{})
			if err != nil {
				t.Fatalf("%q: %v", src, err)
			}
			bare := Key(k, esc) == k
			want := k
			if k == "$X" {
				want = "<X>" // the name is expanded, as BuildKit does
			}
			if got.Result != want {
				t.Errorf("%q reads as name %q, want %q", src, got.Result, want)
			}
			if bare && !strings.Contains(k, "$") && arg.DocComment != "the doc" {
				t.Errorf("%q: doc comment %q, want %q", src, arg.DocComment, "the doc")
			}
		}
	}
}
