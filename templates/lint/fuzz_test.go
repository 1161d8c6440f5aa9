package lint

import (
	"os"
	"path/filepath"
	"testing"
)

// checkFindings asserts what every lint result must hold, whatever the
// input: known rules and severities, positions in the file.
func checkFindings(t *testing.T, file string, fs []Finding) {
	for _, f := range fs {
		if _, ok := LookupRule(f.Rule); !ok && f.Rule == "" {
			t.Fatalf("finding without rule: %+v", f)
		}
		if f.Severity < Info || f.Severity > Error {
			t.Fatalf("bad severity: %+v", f)
		}
		if f.Pos.File != file || f.Pos.Line < 1 || f.Pos.Col < 1 {
			t.Fatalf("bad position: %+v", f)
		}
		if f.Msg == "" {
			t.Fatalf("empty message: %+v", f)
		}
	}
}

// FuzzDockerfile lints arbitrary Dockerfile bytes: no panic, and every
// finding well formed.
func FuzzDockerfile(f *testing.F) {
	paths, _ := filepath.Glob("testdata/dockerfile/*/Dockerfile")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("FROM a\nRUN <<EOF\nx\nEOF\n"))
	f.Add([]byte("# escape=`\nFROM a\nRUN a `\n b\n"))
	f.Add([]byte("# check=error=true;skip=all\nFROM a AS b\nCOPY --from=b / /\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		checkFindings(t, "Dockerfile", Dockerfile("Dockerfile", src, Options{Context: &BuildContext{}}))
	})
}

// FuzzSpec lints arbitrary spec bytes: no panic, every finding well formed.
func FuzzSpec(f *testing.F) {
	paths, _ := filepath.Glob("testdata/spec/*/dockstage.yaml")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkFindings(t, "dockstage.yaml", Spec("dockstage.yaml", src, Options{}))
	})
}
