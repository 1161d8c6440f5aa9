package format

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"gopkg.in/yaml.v3"
	shsyntax "mvdan.cc/sh/v3/syntax"

	"github.com/dockstage/dockstage/transpile"
)

// TestCompareDockerfmt measures dockstage fmt and dockerfmt (npm
// @reteps/dockerfmt, the path of its CLI in DOCKERFMT) on the same files
// (the import corpus, and FMT_CORPUS when set), side by side: files that
// fail, outputs BuildKit does not parse (parser and instructions),
// outputs that change a non-shell instruction or the shell text of a RUN,
// CMD, ENTRYPOINT or HEALTHCHECK (differences transpile.CompareBuilds
// finds), outputs dockstage cannot import to compare, comment lines lost,
// and outputs that change when formatted again. It skips without
// DOCKERFMT, so make test needs no npm; it asserts dockstage's side only.
func TestCompareDockerfmt(t *testing.T) {
	bin := os.Getenv("DOCKERFMT")
	if bin == "" {
		t.Skip("DOCKERFMT is not set (npm install @reteps/dockerfmt@0.5.4, then DOCKERFMT=node_modules/.bin/dockerfmt)")
	}
	roots := []string{"../../transpile/testdata/import"}
	if c := os.Getenv("FMT_CORPUS"); c != "" {
		roots = append(roots, c)
	}
	tools := []struct {
		name string
		run  func(file string, src []byte) ([]byte, error)
	}{
		{"dockstage fmt", func(file string, src []byte) ([]byte, error) { return Format(file, src) }},
		{"dockerfmt", func(file string, src []byte) ([]byte, error) {
			cmd := exec.Command(bin)
			cmd.Stdin = bytes.NewReader(src)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				return nil, fmt.Errorf("%v: %s", err, stderr.String())
			}
			return out, nil
		}},
	}
	files := corpusFiles(t, roots...)
	type counts struct{ fail, noParse, noImport, nonShell, shell, shellLayout, comments, notIdempotent, changed int }
	res := make([]counts, len(tools))
	examples := make([][]string, len(tools))
	note := func(i int, f, what string) {
		if len(examples[i]) < 40 {
			examples[i] = append(examples[i], f+": "+what)
		}
	}
	valid := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := transpile.Reverse(f, src, transpile.ReverseOptions{}); err != nil {
			continue // not a Dockerfile BuildKit converts: not compared
		}
		valid++
		for i, tool := range tools {
			c := &res[i]
			out, err := tool.run(f, src)
			if err != nil {
				c.fail++
				note(i, f, "fails: "+firstLine(err.Error()))
				continue
			}
			if !bytes.Equal(out, src) {
				c.changed++
			}
			if err := buildkitParses(out); err != nil {
				c.noParse++
				note(i, f, "output does not parse: "+firstLine(err.Error()))
				continue
			}
			diffs, err := transpile.CompareBuilds(f, src, f+" (formatted)", out, "")
			if err != nil {
				c.noImport++
				note(i, f, "output does not import: "+firstLine(err.Error()))
			}
			shell, layout, nonShell := false, false, false
			var first string
			for _, d := range diffs {
				ta, okA := shellText(d.A)
				tb, okB := shellText(d.B)
				switch {
				case okA && okB && canonicalShell(ta) == canonicalShell(tb):
					layout = true
				case okA || okB:
					shell = true
					first = fmt.Sprintf("%q -> %q", ta, tb)
				default:
					nonShell = true
				}
			}
			if shell {
				c.shell++
				note(i, f, "changes shell text: "+firstLine(first))
			} else if layout {
				c.shellLayout++
			}
			if nonShell {
				c.nonShell++
				note(i, f, "changes a non-shell instruction: "+firstLine(diffs[0].String()))
			}
			if line, text := lostComment(src, out); line > 0 {
				c.comments++
				note(i, f, fmt.Sprintf("loses the comment at line %d: %q", line, text))
			}
			if again, err := tool.run(f, out); err != nil || !bytes.Equal(again, out) {
				c.notIdempotent++
				note(i, f, "not idempotent")
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d files BuildKit converts (of %d)\n", valid, len(files))
	fmt.Fprintf(&b, "%-14s %6s %8s %9s %9s %6s %12s %8s %12s %8s\n", "tool", "fail", "noparse", "noimport", "nonshell", "shell", "shelllayout", "comments", "notidempot.", "changed")
	for i, tool := range tools {
		c := res[i]
		fmt.Fprintf(&b, "%-14s %6d %8d %9d %9d %6d %12d %8d %12d %8d\n", tool.name, c.fail, c.noParse, c.noImport, c.nonShell, c.shell, c.shellLayout, c.comments, c.notIdempotent, c.changed)
	}
	b.WriteString("(nonshell: a non-shell instruction differs; shell: shell text differs in what mvdan.cc/sh parses; shelllayout: shell text differs only in layout, the same after mvdan.cc/sh prints it; a file counts once per column)\n")
	for i, tool := range tools {
		for _, e := range examples[i] {
			fmt.Fprintf(&b, "  %s: %s\n", tool.name, e)
		}
	}
	t.Log("\n" + b.String())
	if c := res[0]; c.fail+c.noParse+c.noImport+c.nonShell+c.shell+c.comments+c.notIdempotent > 0 {
		t.Errorf("dockstage fmt: %+v", c)
	}
}

// buildkitParses parses b with BuildKit's parser and instruction parser.
func buildkitParses(b []byte) error {
	res, err := parser.Parse(bytes.NewReader(b))
	if err != nil {
		return err
	}
	_, _, err = instructions.Parse(res.AST, nil)
	return err
}

// shellText is the shell text of a normalised step of CompareBuilds (its
// spec YAML) that holds shell-form text: run, cmd, entrypoint, a
// healthcheck test, in an onbuild trigger too.
func shellText(step string) (string, bool) {
	var m map[string]any
	if yaml.Unmarshal([]byte(step), &m) != nil {
		return "", false
	}
	if ob, ok := m["onbuild"].(map[string]any); ok {
		m = ob
	}
	for _, k := range []string{"run", "cmd", "entrypoint", "healthcheck"} {
		switch v := m[k].(type) {
		case string:
			return v, true
		case map[string]any:
			for _, f := range []string{"command", "test"} {
				if t, ok := v[f].(string); ok {
					return t, true
				}
			}
		}
	}
	return "", false
}

// canonicalShell is text parsed and printed by mvdan.cc/sh (comments
// dropped), or text itself when it does not parse.
func canonicalShell(text string) string {
	f, err := shsyntax.NewParser().Parse(strings.NewReader(text), "")
	if err != nil {
		return text
	}
	var b strings.Builder
	if shsyntax.NewPrinter().Print(&b, f) != nil {
		return text
	}
	return b.String()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}
