package spec

import (
	"os"
	"path/filepath"
	"testing"
)

// TestProbesOneParse checks that a valid spec's probes all pass in the one
// batched parse, so that validation parses one synthetic Dockerfile per spec.
func TestProbesOneParse(t *testing.T) {
	files, _ := filepath.Glob("../examples/*/dockstage.yaml")
	files = append(files, "testdata/good/flask-like.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Load(f, data)
		if err != nil {
			t.Fatal(err)
		}
		v := &validator{s: s, escape: '\\'}
		v.validate()
		if len(v.errs) > 0 {
			t.Fatalf("%s: %v", f, v.errs)
		}
		if len(v.probes) == 0 || !v.batchPasses() {
			t.Errorf("%s: %d probes, the batched parse does not pass", f, len(v.probes))
		}
	}
}
