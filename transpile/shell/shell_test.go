package shell

import (
	"strings"
	"testing"
)

// show writes a script as its commands' words (values) joined by " ", each
// followed by its operator; "!" marks a command that is not Plain, "?" an
// unparsed one.
func show(s Script) string {
	var b strings.Builder
	for i, c := range s.Commands {
		if i > 0 {
			b.WriteString(" ")
		}
		var ws []string
		for _, w := range c.Words {
			ws = append(ws, w.Value)
		}
		b.WriteString(strings.Join(ws, " "))
		if c.Construct != "" {
			b.WriteString(c.Construct)
		}
		if !c.Plain() {
			b.WriteString("!")
		}
		if c.Unparsed {
			b.WriteString("?")
		}
		if c.Op != OpEnd {
			b.WriteString(" " + string(c.Op))
		}
	}
	return b.String()
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		text string
		esc  rune
		want string
	}{
		{"npm ci && npm test", '\\', "npm ci && npm test"},
		{"set -eux; \\\n    pip install -r requirements.txt", '\\', "set -eux ; pip install -r requirements.txt"},
		{"pip install \\\n  # a comment\n\n  flask", '\\', "pip install flask"},
		{"pip install `\n  # a comment\n  flask && `\n  x", '`', "pip install flask && x"},
		// BuildKit's continuation rule (syntax.TrimContinuation): blanks
		// after the escape, CRLF line ends, the escape at the end.
		{"pip install \\  \t\r\n  flask \\", '\\', "pip install flask"},
		{"a ``\nb", '`', "a ``! ; b"}, // an escaped escape does not continue
		{`echo "a b" 'c d' e\ f "\$x"`, '\\', "echo a b c d e f $x"},
		{"a | b", '\\', "a! | b!"},
		{"a || b", '\\', "a! || b!"},
		{"a & b", '\\', "a! & b!"},
		{"x > /dev/null", '\\', "x!"},
		{"echo ${HOME}/x && y", '\\', "echo ${HOME}/x && y"},
		{"echo $(date) && y", '\\', "date! echo $(date)! && y"},
		{"FOO=1 BAR=\"a b\" npm ci", '\\', "FOO=1 BAR=a b npm ci"},
		{"if true; then pip install x; fi", '\\', "true! pip install x!"},
		{"(cd a && make)", '\\', "cd a! && make!"},
		{"[[ -f x ]] && y", '\\', "[[! && y"},
		{"pip install x # note", '\\', "pip install x!"},
		{"find . -exec rm {} \\;", '\\', "find . -exec rm {} ;!"},
		{"echo \"unclosed", '\\', "echo \"unclosed!?"},
		{"a && (b", '\\', "a!? ; b!?"},
	} {
		if got := show(Parse(tc.text, tc.esc)); got != tc.want {
			t.Errorf("Parse(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestWordOffsets(t *testing.T) {
	text := "mvn \\\n  -B package \"-Dx=a b\""
	s := Parse(text, '\\')
	if !s.Parsed || len(s.Commands) != 1 {
		t.Fatalf("Parse(%q) = %+v", text, s)
	}
	c := s.Commands[0]
	want := []struct {
		raw  string
		line int
	}{{"mvn", 1}, {"-B", 2}, {"package", 2}, {`"-Dx=a b"`, 2}}
	for i, w := range c.Words {
		if w.Raw != want[i].raw || text[w.Start:w.End] != w.Raw || w.Line != want[i].line {
			t.Errorf("word %d = %+v, want raw %q on line %d", i, w, want[i].raw, want[i].line)
		}
	}
	if c.End() != len(text) {
		t.Errorf("End() = %d, want %d", c.End(), len(text))
	}
}

func TestDynamic(t *testing.T) {
	for text, want := range map[string]bool{
		"a": false, "'$a'": false, "$a": true, "\"$a\"": true, "*.txt": true, "\\*.txt": false, "~/x": true, "'*'": false,
	} {
		c := Parse("cmd "+text, '\\').Commands[0]
		if got := c.Words[1].Dynamic; got != want {
			t.Errorf("%s: Dynamic = %v, want %v", text, got, want)
		}
	}
}

func TestShellScript(t *testing.T) {
	for text, want := range map[string]string{
		`sh -c "apt-get update && apt-get install -y x"`: "apt-get update && apt-get install -y x",
		`/bin/bash -o pipefail -ec 'a | b'`:              "a | b",
		`sh script.sh`:                                   "",
		`python -c 'print(1)'`:                           "",
		`sh -c "$CMD"`:                                   "",
	} {
		got, ok := Parse(text, '\\').Commands[0].ShellScript()
		if got != want || ok != (want != "") {
			t.Errorf("ShellScript(%s) = %q, %v, want %q", text, got, ok, want)
		}
	}
}

func TestExec(t *testing.T) {
	s := Exec([]string{"npm", "ci"})
	if got := show(s); got != "npm ci" {
		t.Errorf("Exec = %q", got)
	}
	if s.Commands[0].End() != -1 {
		t.Errorf("Exec End() = %d, want -1", s.Commands[0].End())
	}
}

// TestStatementSpan: a simple command's statement span covers its
// redirections and stops before the operator joining it to the next.
func TestStatementSpan(t *testing.T) {
	text := "go build ./... && go test ./... > test.log 2>&1 && echo done"
	cmds := Parse(text, '\\').Commands
	if len(cmds) != 3 {
		t.Fatalf("%d commands, want 3", len(cmds))
	}
	for i, want := range []string{"go build ./...", "go test ./... > test.log 2>&1", "echo done"} {
		c := cmds[i]
		if got := text[c.StmtStart:c.StmtEnd]; got != want {
			t.Errorf("command %d spans %q, want %q", i, got, want)
		}
	}
}
