package examples

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/dockstage/dockstage/transpile"
)

// render plans an example's files as `dockstage render` does (load,
// Forward, render and verify, in the spec's directory).
func render(t *testing.T, specPath string) []workspace.File {
	t.Helper()
	plan, err := workspace.Render(specPath, nil, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return plan.Files
}

func specs(t *testing.T) []string {
	t.Helper()
	paths, _ := filepath.Glob("*/dockstage.yaml")
	if len(paths) < 4 {
		t.Fatalf("found %d example specs, want at least 4", len(paths))
	}
	return paths
}

// TestCommittedFilesMatchRender fails when a committed rendered file differs
// from a fresh render of its spec (run `make render-examples` to fix).
func TestCommittedFilesMatchRender(t *testing.T) {
	for _, p := range specs(t) {
		dir := filepath.Dir(p)
		t.Run(dir, func(t *testing.T) {
			for _, f := range render(t, p) {
				committed, err := os.ReadFile(filepath.Join(dir, f.Name))
				if err != nil {
					t.Errorf("%s: %v (run make render-examples)", f.Name, err)
					continue
				}
				if f.Kind == workspace.Dockerignore {
					committed, _ = templates.SplitDockerignore(committed)
				}
				if string(committed) != string(f.Content) {
					t.Errorf("%s/%s differs from a fresh render of %s (run make render-examples)", dir, f.Name, p)
				}
				if len(f.Warnings) > 0 {
					t.Errorf("%s: build-check warnings: %v", f.Name, f.Warnings)
				}
			}
		})
	}
}

// TestRoundTrip checks spec -> render -> import -> spec for every example:
// the imported spec renders to the same Dockerfile.
func TestRoundTrip(t *testing.T) {
	for _, p := range specs(t) {
		t.Run(filepath.Dir(p), func(t *testing.T) {
			first := render(t, p)[0]
			s, _, err := transpile.Reverse("Dockerfile", first.Content, transpile.ReverseOptions{Name: "x"})
			if err != nil {
				t.Fatal(err)
			}
			out, err := transpile.Forward(s)
			if err != nil {
				t.Fatal(err)
			}
			df, _, err := templates.RenderDockerfile(out.Dockerfile, templates.Options{Source: "dockstage.yaml"})
			if err != nil {
				t.Fatal(err)
			}
			if string(df) != string(first.Content) {
				t.Errorf("render(import(render(spec))) differs from render(spec)\n--- first\n%s\n--- again\n%s", first.Content, df)
			}
		})
	}
}
