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
		// yaml.v3 names the line the construct started on (3 and 7);
		// the mistake is on 5 and 8.
		{"version: 1\nname: web\nstages:\n  base:\n    from: golang:1.22\n    steps:\n      - workdir: /src\n       - run: go build ./...\n", "f.yaml:8:8", "this line is indented 7 space(s), which fits no mapping or list above it; indent it 6 for a new item of the list on line 7, or 8 to go on with workdir (line 7), or 4 to go on with steps (line 6), or 2 to go on with base (line 4), or 0 to go on with stages (line 3)"},
		{"version: 1\nname: web\nextends:\n  - layout: l.yaml\n   with: {user: root}\nstages: {}\n", "f.yaml:5:4", "with: is indented 3 space(s), which fits no mapping or list above it; indent it 4 to go on with layout (line 4), or 2 for a new item of the list on line 4, or 0 to go on with extends (line 3)"},
		{head + "    steps:\n      - run: echo\n      - expose: [80, 443\n      - user: app\n", "f.yaml:8:17", "the [ opened here is not closed; add ] at the end of the list"},
		{head + "    steps: [{run: echo}]\n    user: x\n  bad\n", "f.yaml:8:3", "bad is not key: value inside the mapping above"},
		// A colon and a space inside a plain value: quote it.
		{head + "    steps:\n      - run: curl -H \"Accept: application/json\" http://x\n", "f.yaml:7:29", "the value of run holds a colon followed by a space"},
		{head + "    steps:\n      - run: echo key: value # a: b\n", "f.yaml:7:22", "quote the whole value (run: '...'"},
		// A key without its colon: the mistake is on its line, not the next.
		{"version: 1\nname: x\nstages:\n  prod:\n    from alpine:3.20\n    steps: []\n", "f.yaml:5:5", "write the key with its colon: from: alpine:3.20"},
		// A } that closes no [: the [ is the one left open.
		{head + "    steps:\n      - copy: {src: [a, b, dest: /x}\n", "f.yaml:7:21", "the [ opened here is not closed; add ]"},
		// A flow list over lines is not a mistake where it opens.
		{head + "    steps: [\n      {run: echo},\n    ]\n   user: x\n", "f.yaml:9:4", "user: is indented 3 space(s)"},
	} {
		_, err := Load("f.yaml", []byte(c.src))
		if err == nil || !strings.HasPrefix(err.Error(), c.pos+": ") || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%q: got %v, want %s: ...%s...", c.src, err, c.pos, c.words)
		}
	}
}
