package templates

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
)

// FuzzRender: every spec that loads and validates renders, and its render
// passes verification (no InternalError: validation must reject whatever
// would break the Dockerfile or compose files).
func FuzzRender(f *testing.F) {
	for _, g := range []string{"../spec/testdata/good/*.yaml", "../examples/*/dockstage.yaml", "../dockstage.yaml"} {
		files, _ := filepath.Glob(g)
		for _, file := range files {
			b, _ := os.ReadFile(file)
			f.Add(b)
		}
	}
	// compose volumes of every kind: host paths, named (declared at the
	// top level), anonymous, with modes
	f.Add([]byte("version: 1\nname: app\nstages:\n  src: {from: alpine}\n  prod: {from: src}\ncompose:\n  service: web\n  environment: {A: \"1\"}\n  build_args: {B: x}\n  volumes: [\"data:/data\", \"./x:/x:ro\", /anon, \"~/h:/h\", \"/abs:/abs:rw,z\"]\n  dev:\n    volumes: [\"./:/app\", \"data:/data:nocopy\", \"cache:/c\"]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := spec.Load("fuzz.yaml", data)
		if err != nil || spec.Validate(s) != nil {
			return
		}
		out, err := transpile.Forward(s)
		if err != nil {
			t.Fatalf("Forward failed on a valid spec: %v", err)
		}
		if _, err := Render(out, Options{Source: "dockstage.yaml"}); err != nil {
			t.Fatalf("valid spec does not render: %v\n%s", err, data)
		}
	})
}
