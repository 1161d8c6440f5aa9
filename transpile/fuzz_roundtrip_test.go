package transpile_test

import (
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
	transpile.AddSeeds(f,
		"testdata/import/*/Dockerfile",
		"testdata/import-negative/*/Dockerfile",
		"migrate/testdata/*/Dockerfile",
		"../templates/lint/testdata/dockerfile/*/Dockerfile",
	)
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
