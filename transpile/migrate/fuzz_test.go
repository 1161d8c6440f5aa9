package migrate

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
)

// fuzzContext is a build context with a manifest of each ecosystem, so that
// fuzzed installs can be reordered.
var fuzzContext = fstest.MapFS{
	"requirements.txt":  {Data: []byte("flask\n")},
	"package.json":      {Data: []byte(`{"scripts": {"test": "jest", "start": "serve -s dist -l 3000"}}`)},
	"package-lock.json": {Data: []byte(`{}`)},
	"go.mod":            {Data: []byte("module example.com/x\n")},
	"pom.xml":           {Data: []byte("<project/>")},
	"Gemfile":           {Data: []byte("source 'https://rubygems.org'\n")},
	"composer.json":     {Data: []byte(`{}`)},
	"app/main.py":       {Data: []byte("")},
}

// FuzzMigrate: Migrate never panics; when it succeeds the spec validates,
// renders, and its rendered prod target passes the proof; when it fails the
// error is an input error (the Dockerfile is invalid or refused), never an
// internal one.
func FuzzMigrate(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/Dockerfile")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && pytest\nCMD python app.py\n"))
	f.Add([]byte("FROM node:18\nARG A=1\nWORKDIR /w\nCOPY . .\nENV B=$A\nRUN npm ci\nRUN npm test\nONBUILD RUN x\nENTRYPOINT node x\n"))
	f.Add([]byte("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nUSER node\nEXPOSE 3000\nCMD [\"npm\", \"start\"]\n"))
	f.Add([]byte("FROM python:3.12\nWORKDIR /s\nCOPY . .\nRUN mkdocs build\nCMD [\"python3\", \"-m\", \"http.server\", \"-d\", \"/s/site\"]\n"))
	f.Add([]byte("FROM python:3.12\nWORKDIR /app\nRUN apt-get update && apt-get install -y gcc libpq-dev && rm -rf /var/lib/apt/lists/*\nCOPY requirements.txt .\nRUN pip install --user -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app/main.py\"]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		res, err := Migrate(src, Options{Context: fuzzContext})
		if err != nil {
			var ie *InternalError
			if errors.As(err, &ie) {
				t.Fatalf("internal error on input %q: %v", src, err)
			}
			return
		}
		if !rendersBack(res.Original) {
			t.Fatalf("the original does not render back to the same build (a renderer or import bug): %q", src)
		}
		if err := spec.Validate(res.Spec); err != nil {
			t.Fatalf("the migrated spec does not validate: %v", err)
		}
		out, err := transpile.Forward(res.Spec)
		if err != nil {
			t.Fatalf("Forward: %v", err)
		}
		rendered, err := templates.Render(out, templates.Options{})
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		back, _, err := transpile.Reverse("Dockerfile.out", rendered[0].Content, transpile.ReverseOptions{})
		if err != nil {
			t.Fatalf("Reverse of the rendered Dockerfile: %v\n%s", err, rendered[0].Content)
		}
		p, err := Prove(res.Original, back, res.Report)
		if err != nil || !p.OK() {
			t.Fatalf("proof on the rendered Dockerfile: %v\n%s", err, p)
		}
	})
}

// rendersBack reports whether s, rendered and imported again, is the same
// build: the proof of a migration relies on the renderer.
func rendersBack(s *spec.Spec) bool {
	out, err := transpile.Forward(s)
	if err != nil {
		return false
	}
	files, err := templates.Render(out, templates.Options{})
	if err != nil {
		return false
	}
	back, _, err := transpile.Reverse("Dockerfile", files[0].Content, transpile.ReverseOptions{})
	if err != nil {
		return false
	}
	d, err := transpile.CompareSpecs(s, back, "")
	return err == nil && len(d) == 0
}
