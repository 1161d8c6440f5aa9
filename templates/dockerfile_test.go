package templates

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"text/template"

	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/dockstage/dockstage/transpile"
)

// dockerfileByTemplate renders df's text with Dockerfile.tmpl, the
// layout's reference, as render did before writeDockerfile.
func dockerfileByTemplate(df *transpile.Dockerfile, opt Options) ([]byte, error) {
	esc := df.Escape
	if esc == 0 {
		esc = syntax.DefaultEscape
	}
	funcs := template.FuncMap{
		"comment":     comment,
		"instruction": func(in transpile.Instruction) (string, error) { return instruction(in, esc) },
	}
	return execute("Dockerfile.tmpl", esc, funcs, df, opt)
}

// checkDockerfileLayout checks writeDockerfile against the template on the
// model of Dockerfile src (when it imports), with and without a source
// name (the header and stamp).
func checkDockerfileLayout(t *testing.T, src []byte) {
	t.Helper()
	_, out, _, err := transpile.ReverseForward("Dockerfile", src, transpile.ReverseOptions{}, transpile.ForwardOptions{})
	if err != nil {
		return
	}
	df := out.Dockerfile
	esc := df.Escape
	if esc == 0 {
		esc = syntax.DefaultEscape
	}
	for _, opt := range []Options{{}, {Source: "dockstage.yaml"}} {
		want, werr := dockerfileByTemplate(df, opt)
		got, gerr := writeDockerfile(df, esc, opt)
		if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("writeDockerfile (source %q) writes\n%s(error %v)\nthe template writes\n%s(error %v)\nfor\n%s", opt.Source, got, gerr, want, werr, src)
		}
	}
}

func importCorpus(t testing.TB) [][]byte {
	files, _ := filepath.Glob("../transpile/testdata/import/*/Dockerfile")
	if len(files) == 0 {
		t.Fatal("no import corpus")
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestDockerfileLayout(t *testing.T) {
	for _, src := range importCorpus(t) {
		checkDockerfileLayout(t, src)
	}
	// A model the importer does not make: no stages' comments, only args.
	df := &transpile.Dockerfile{TrailingComment: []string{"end", ""}}
	got, _ := writeDockerfile(df, '\\', Options{})
	want, _ := dockerfileByTemplate(df, Options{})
	if !bytes.Equal(got, want) {
		t.Errorf("writeDockerfile(%+v) = %q, the template writes %q", df, got, want)
	}
}

// FuzzDockerfileLayout checks writeDockerfile against Dockerfile.tmpl on
// the model of any Dockerfile that imports.
func FuzzDockerfileLayout(f *testing.F) {
	for _, src := range importCorpus(f) {
		f.Add(src)
	}
	f.Fuzz(checkDockerfileLayout)
}
