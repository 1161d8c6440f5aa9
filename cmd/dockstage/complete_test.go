package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// complete runs cobra's hidden __complete command (what the shell scripts
// of `dockstage completion` call) and returns the offered values, without
// descriptions, and the directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	code, out, errs := dockstage(t, "", append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %v: exit %d: %s", args, code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var vals []string
	for _, l := range lines[:len(lines)-1] {
		v, _, _ := strings.Cut(l, "\t")
		vals = append(vals, v)
	}
	return vals, lines[len(lines)-1]
}

func TestCompletionValues(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM alpine:3 AS build\nRUN make\nFROM build AS test\nFROM alpine:3\nCOPY --from=build /out /out\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	minimal := writeSpec(t, t.TempDir(), "version: 1\nname: svc\nstages:\n  base:\n    from: alpine:3\n  prod:\n    from: base\n")
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"init --preset", []string{"init", "--preset", ""}, []string{"go", "python-pip", "static"}},
		{"lint --format", []string{"lint", "--format", ""}, []string{"text", "json", "sarif", "checkstyle", "gitlab", "github"}},
		{"check --format", []string{"check", "--format", ""}, []string{"text", "json"}},
		{"render --only of a spec with compose", []string{"render", flaskSpec, "--stdout", "--only", ""}, []string{"Dockerfile", "compose.yaml", "compose.dev.yaml", "docker-bake.hcl"}},
		{"render --only of a spec without compose", []string{"render", minimal, "--stdout", "--only", ""}, []string{"Dockerfile", "docker-bake.hcl"}},
		{"diff --target of a Dockerfile", []string{"diff", df, flaskSpec, "--target", ""}, []string{"build", "test", "base", "src", "prod"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, directive := complete(t, tt.args...)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("offers %q, want %q among them", got, w)
				}
			}
			if directive != ":4" { // ShellCompDirectiveNoFileComp
				t.Errorf("directive %s, want :4 (no file completion)", directive)
			}
		})
	}
	// Only what the spec renders: no compose files for a spec without a
	// compose section; anonymous stages are not targets.
	if got, _ := complete(t, "render", minimal, "--stdout", "--only", ""); slices.Contains(got, "compose.yaml") {
		t.Errorf("render --only offers %q for a spec without compose", got)
	}
	if got, _ := complete(t, "diff", df, df, "--target", ""); !slices.Equal(got, []string{"build", "test"}) {
		t.Errorf("diff --target offers %q, want [build test] (each once, no anonymous stage)", got)
	}
}

func TestVersionFlag(t *testing.T) {
	_, flag, _ := dockstage(t, "", "--version")
	_, cmd, _ := dockstage(t, "", "version")
	if flag != cmd || !strings.HasPrefix(flag, "dockstage ") {
		t.Errorf("--version prints %q, version prints %q; want the same dockstage line", flag, cmd)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, errs := dockstage(t, "", "completion", sh)
		if code != 0 || !strings.Contains(out, "dockstage") {
			t.Errorf("completion %s: exit %d, %d bytes: %s", sh, code, len(out), errs)
		}
	}
}
