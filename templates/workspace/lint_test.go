package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/templates/lint"
)

// TestLint: each file is linted with the config beside it (hadolint's
// .hadolint.yaml here), a config's failure-threshold sets FailOn when
// --fail-on is not given, "-" reads Stdin once, and Summary counts.
func TestLint(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a", "Dockerfile")
	b := filepath.Join(dir, "b", "Dockerfile")
	src := "FROM debian:12.5\nRUN apt-get update && apt-get install -y curl\n"
	for _, p := range []string{a, b} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := "ignored: [DL3008]\nfailure-threshold: error\n"
	if err := os.WriteFile(filepath.Join(dir, "a", ".hadolint.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Lint([]string{a, b}, LintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string][]string{}
	for _, f := range res.Findings {
		rules[f.Pos.File] = append(rules[f.Pos.File], f.Rule)
	}
	has := func(file, rule string) bool {
		for _, r := range rules[file] {
			if r == rule {
				return true
			}
		}
		return false
	}
	pin, _ := lint.LookupRule("DL3008")
	if pin.ID == "" {
		t.Fatal("no rule with alias DL3008")
	}
	if has(a, pin.ID) || !has(b, pin.ID) {
		t.Errorf("%s (DL3008) should be ignored beside a's .hadolint.yaml only: %v", pin.ID, rules)
	}
	if res.FailOn != lint.Error {
		t.Errorf("FailOn = %v, want error (the config's failure-threshold)", res.FailOn)
	}
	summary, invalid, _ := res.Summary()
	if invalid != 0 || !strings.HasSuffix(summary, "in 2 file(s)") {
		t.Errorf("Summary = %q, %d invalid", summary, invalid)
	}
	if res, err = Lint([]string{a}, LintOptions{FailOn: "info"}); err != nil || res.FailOn != lint.Info {
		t.Errorf("--fail-on info: %v %v", res.FailOn, err)
	}
	if _, err := Lint([]string{"-", "-"}, LintOptions{Stdin: strings.NewReader(src)}); err == nil {
		t.Error("stdin twice: no error")
	}
	if _, err := Lint([]string{a}, LintOptions{FailOn: "loud"}); err == nil {
		t.Error("--fail-on loud: no error")
	}
}
