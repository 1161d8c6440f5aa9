package transpile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
)

// FuzzImportRenderSameBuild: every Dockerfile that imports renders, and
// its render is the same build (transpile.CompareBuilds, every target, and
// BuildKit's own reading of both), imports again to the same spec, and
// keeps every comment line. FuzzReverse (package transpile) covers what
// import alone must do; it cannot render, which lives in package
// templates.
func FuzzImportRenderSameBuild(f *testing.F) {
	for _, pattern := range []string{
		"testdata/import/*/Dockerfile",
		"testdata/import-negative/*/Dockerfile",
		"migrate/testdata/*/Dockerfile",
		"lint/testdata/dockerfile/*/Dockerfile",
	} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, _, err := transpile.Reverse("Dockerfile", src, transpile.ReverseOptions{})
		if err != nil {
			return
		}
		want, err := spec.Marshal(s)
		if err != nil {
			t.Fatalf("spec.Marshal of an imported spec: %v", err)
		}
		out, err := transpile.Forward(s)
		if err != nil {
			t.Fatalf("Forward of an imported spec: %v\nDockerfile:\n%s", err, src)
		}
		rendered, _, err := templates.RenderDockerfile(out.Dockerfile, templates.Options{Source: "dockstage.yaml"})
		if err != nil {
			t.Fatalf("render of an imported spec: %v\nDockerfile:\n%s\nspec:\n%s", err, src, want)
		}
		checkSameBuild(t, src, rendered)
		if _, err := buildkitView(src); err == nil {
			checkBuildKitView(t, src, rendered)
		}
		checkReimport(t, want, rendered)
		checkComments(t, src, rendered)
		if t.Failed() {
			t.Logf("Dockerfile:\n%q\nrender:\n%s", src, rendered)
		}
	})
}
