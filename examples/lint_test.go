package examples

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dockstage/dockstage/templates/lint"
)

// TestExamplesLintClean asserts issue 6's "every file render writes is
// lint-clean" on the examples: each spec, and each Dockerfile and compose
// file a fresh render produces, has zero findings of any severity: no
// BuildKit build-check warning, no dockstage rule, compose-go accepts the
// compose files. The build context is the example's directory.
func TestExamplesLintClean(t *testing.T) {
	for _, p := range specs(t) {
		dir := filepath.Dir(p)
		t.Run(dir, func(t *testing.T) {
			_, err := os.Stat(filepath.Join(dir, ".dockerignore"))
			opt := lint.Options{Context: &lint.BuildContext{Dockerignore: err == nil}}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			report := func(what string, fs []lint.Finding) {
				if len(fs) == 0 {
					return
				}
				var b bytes.Buffer
				_ = lint.WriteText(&b, fs, lint.TextOptions{})
				t.Errorf("%s is not lint-clean:\n%s", what, b.String())
			}
			report(p, lint.Spec(p, data, opt))
			for _, f := range render(t, p) {
				name := filepath.Join(dir, f.Name)
				switch {
				case f.Name == "Dockerfile":
					report("rendered "+f.Name, lint.Dockerfile(name, f.Content, opt))
				case lint.DetectKind(name, f.Content) == lint.KindCompose:
					report("rendered "+f.Name, lint.Compose(name, f.Content, opt))
				}
			}
		})
	}
}
