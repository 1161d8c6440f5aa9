package spec

import (
	"strings"
	"testing"
)

// TestYAMLErrors: the syntax errors people make get the line and column
// they are on, in plain words, with what to do.
func TestYAMLErrors(t *testing.T) {
	head := "version: 1\nname: x\nstages:\n  base:\n    from: python:3.12\n"
	for _, c := range []struct{ src, pos, words string }{
		{head + "    steps:\n      - run: echo\n        - user: x\n", "f.yaml:8:9", "list item"},
		{head + "    - run: x\n", "f.yaml:6:5", "list item"},
		{head + "\tsteps: []\n", "f.yaml:6:1", "tab"},
		{"version: 1\nname: \"x\nstages: {}\n", "f.yaml:2:7", `quoted with " here is not closed`},
		{head + "    steps:\n      - run: 'echo hi\n      - user: x\n", "f.yaml:7:14", `quoted with ' here is not closed`},
	} {
		_, err := Load("f.yaml", []byte(c.src))
		if err == nil || !strings.HasPrefix(err.Error(), c.pos+": ") || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%q: got %v, want %s: ...%s...", c.src, err, c.pos, c.words)
		}
	}
}
