package main

import (
	"bytes"
	goflag "flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// update rewrites the golden files under testdata (go test -update; read the diff before committing).
var update = goflag.Bool("update", false, "rewrite golden files under testdata")

// copySources copies an example directory into a new directory of the same
// name, without its spec and rendered files (what init starts from).
func copySources(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	skip := map[string]bool{"dockstage.yaml": true, "Dockerfile": true, "compose.yaml": true, "compose.dev.yaml": true, "docker-bake.hcl": true, ".dockerignore": true}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if skip[rel] {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// lintClean parses a Dockerfile with BuildKit and fails on any warning; it
// returns the stage names.
func lintClean(t *testing.T, df []byte) []string {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(df))
	if err != nil {
		t.Fatal(err)
	}
	var warns []string
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, _ []parser.Range) { warns = append(warns, rule+": "+msg) }})
	stages, _, err := instructions.Parse(res.AST, lint)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) > 0 || len(warns) > 0 {
		t.Errorf("BuildKit warnings: %v %v", res.Warnings, warns)
	}
	var names []string
	for _, s := range stages {
		names = append(names, s.Name)
	}
	return names
}

// TestInitExamples runs init on the sources of each example (spec and
// rendered files removed): the spec it writes validates, renders without a
// build-check warning and has the standard stages; it is kept as a golden
// under testdata/init (the specs the e2e suite builds).
func TestInitExamples(t *testing.T) {
	for _, c := range []struct{ example, preset, port string }{
		{"python-flask", "python-pip", "8080"},
		{"node-express", "node-npm", "3000"},
		{"go-service", "go", "8080"},
		{"static-site", "static", "8080"},
	} {
		t.Run(c.example, func(t *testing.T) {
			dir := copySources(t, filepath.Join("..", "..", "examples", c.example))
			code, out, errs := dockstage(t, "", "init", dir, "--yes")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if out != "" {
				t.Errorf("stdout not empty: %q", out)
			}
			for _, want := range []string{"preset " + c.preset, "wrote " + filepath.Join(dir, "dockstage.yaml"), "port " + c.port, "wrote " + filepath.Join(dir, "Dockerfile")} {
				if !strings.Contains(errs, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errs)
				}
			}
			if strings.Contains(errs, "warning") {
				t.Errorf("render warned:\n%s", errs)
			}
			spec, err := os.ReadFile(filepath.Join(dir, "dockstage.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "init", c.example+".dockstage.yaml")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, spec, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(spec, want) {
				t.Errorf("%s differs from what init wrote (run with -update and read the diff):\n%s", golden, spec)
			}
			df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
			if err != nil {
				t.Fatal(err)
			}
			stages := strings.Join(lintClean(t, df), ",")
			for _, st := range []string{"base", "src", "test", "prod"} {
				if !strings.Contains(","+stages+",", ","+st+",") {
					t.Errorf("Dockerfile stages %s lack %s", stages, st)
				}
			}
			for _, f := range []string{"compose.yaml", "compose.dev.yaml", ".dockerignore"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}
			// A render of the written spec changes nothing: init rendered it.
			if code, _, errs := dockstage(t, "", "render", filepath.Join(dir, "dockstage.yaml")); code != 0 || strings.Contains(errs, "wrote") {
				t.Errorf("render after init: exit %d: %s", code, errs)
			}
		})
	}
}

func TestInitRefusesExistingSpec(t *testing.T) {
	dir := copySources(t, "../../examples/go-service")
	if code, _, errs := dockstage(t, "", "init", dir, "--yes", "--no-render"); code != 0 {
		t.Fatalf("first init: exit %d: %s", code, errs)
	}
	p := filepath.Join(dir, "dockstage.yaml")
	edited := []byte("# mine\n")
	os.WriteFile(p, edited, 0o644)
	code, _, errs := dockstage(t, "", "init", dir, "--yes")
	if code != 2 || !strings.Contains(errs, p+": exists") || !strings.Contains(errs, "--force") {
		t.Fatalf("second init: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, edited) {
		t.Fatal("existing spec replaced without --force")
	}
	if code, _, errs := dockstage(t, "", "init", dir, "--yes", "--force", "--port", "9999"); code != 0 {
		t.Fatalf("init --force: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(p); !bytes.Contains(b, []byte(`ports: ["9999:9999"]`)) {
		t.Fatalf("--force did not replace the spec:\n%s", b)
	}
}

func TestInitRefusesForeignDockerfileBeforeWriting(t *testing.T) {
	dir := copySources(t, "../../examples/node-express")
	handwritten := []byte("FROM node:18\nCMD [\"node\", \"src/server.js\"]\n")
	os.WriteFile(filepath.Join(dir, "Dockerfile"), handwritten, 0o644)
	code, _, errs := dockstage(t, "", "init", dir, "--yes")
	if code != 2 || !strings.Contains(errs, "not generated by dockstage") || !strings.Contains(errs, "dockstage import") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "dockstage.yaml")); !os.IsNotExist(err) {
		t.Error("spec written although the render was refused")
	}
	// --no-render writes only the spec.
	if code, _, errs := dockstage(t, "", "init", dir, "--yes", "--no-render"); code != 0 || !strings.Contains(errs, "next: dockstage render") {
		t.Fatalf("--no-render: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); !bytes.Equal(b, handwritten) {
		t.Fatal("hand-written Dockerfile changed")
	}
}

func TestInitPresetsAndErrors(t *testing.T) {
	empty := t.TempDir()
	code, _, errs := dockstage(t, "", "init", empty, "--yes")
	if code != 2 || !strings.Contains(errs, "cannot tell the ecosystem") || !strings.Contains(errs, "--preset") {
		t.Errorf("empty dir: exit %d: %s", code, errs)
	}
	code, _, errs = dockstage(t, "", "init", empty, "--preset", "pyhton-pip")
	if code != 2 || !strings.Contains(errs, `did you mean "python-pip"?`) || !strings.Contains(errs, "node-npm") {
		t.Errorf("unknown preset: exit %d: %s", code, errs)
	}
	for _, args := range [][]string{{"--port", "70000"}, {"--name", "Bad Name"}, {"a", "b"}, {"--preset-dir", "/nonexistent"}} {
		if code, _, errs := dockstage(t, "", append([]string{"init", empty, "--yes"}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errs)
		}
	}
	code, out, _ := dockstage(t, "", "init", "--list")
	if code != 0 || !strings.Contains(out, "python-pip") || !strings.Contains(out, "static") || !strings.Contains(out, "dotnet") {
		t.Errorf("--list: exit %d:\n%s", code, out)
	}

	// A forced preset on a directory without its files still writes a valid spec.
	code, _, errs = dockstage(t, "", "init", empty, "--preset", "static", "--name", "site", "--yes")
	if code != 0 || !strings.Contains(errs, "preset static (--preset)") {
		t.Fatalf("--preset static: exit %d: %s", code, errs)
	}
	df, _ := os.ReadFile(filepath.Join(empty, "Dockerfile"))
	lintClean(t, df)

	// A team preset directory: its presets are listed and used first.
	team := t.TempDir()
	os.WriteFile(filepath.Join(team, "go.yaml.tmpl"), []byte(`{{/* Our Go. */}}{{template "header" .}}
stages:
  base: {from: "golang:1.26-bookworm"}
  src: {from: base, steps: [{copy: {src: [.], dest: .}}]}
  test: {from: src, steps: [{run: go test ./...}]}
  prod: {from: src, steps: [{user: "10001"}, {expose: ["{{.Port}}"]}, {cmd: [/app]}]}
`), 0o644)
	os.WriteFile(filepath.Join(team, "broken.yaml.tmpl"), []byte("{{/* Broken. */}}version: 1\nname: x\nstages: {base: {frm: x}}\n"), 0o644)
	code, out, _ = dockstage(t, "", "init", "--list", "--preset-dir", team)
	if code != 0 || !strings.Contains(out, "Our Go. (from --preset-dir)") || !strings.Contains(out, "broken") {
		t.Errorf("--list --preset-dir: exit %d:\n%s", code, out)
	}
	dir := copySources(t, "../../examples/go-service")
	code, _, errs = dockstage(t, "", "init", dir, "--yes", "--preset-dir", team, "--no-render")
	if code != 0 {
		t.Fatalf("team preset: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "dockstage.yaml")); !bytes.Contains(b, []byte(`cmd: [/app]`)) {
		t.Errorf("team preset not used:\n%s", b)
	}
	// The next step names the stages the preset's spec has: no test
	// stage, an unnamed last stage built as the default target.
	os.WriteFile(filepath.Join(team, "one.yaml.tmpl"), []byte("{{/* One stage. */}}version: 1\nname: {{.Service}}\nstages: {app: {from: \"golang:1.26-bookworm\", anonymous: true, steps: [{cmd: [/app]}]}}\n"), 0o644)
	one := t.TempDir()
	code, _, errs = dockstage(t, "", "init", one, "--yes", "--preset-dir", team, "--preset", "one")
	if want := "next: docker build " + one + "\n"; code != 0 || !strings.HasSuffix(errs, want) {
		t.Errorf("one-stage team preset: exit %d, want the last line %q:\n%s", code, want, errs)
	}
	code, _, errs = dockstage(t, "", "init", t.TempDir(), "--yes", "--preset-dir", team, "--preset", "broken")
	if code != 2 || !strings.Contains(errs, "wrote an invalid spec") || !strings.Contains(errs, `unknown key "frm"`) {
		t.Errorf("broken team preset: exit %d: %s", code, errs)
	}
}

func TestInitPrompts(t *testing.T) {
	dir := copySources(t, "../../examples/python-flask")
	var out, errb bytes.Buffer
	s := streams{in: strings.NewReader("Bad Name\nweb\n\n"), out: &out, err: &errb}
	err := runInit(t.Context(), s, initOptions{dir: dir, interactive: true, noRender: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "service name [python-flask]: ") || !strings.Contains(errb.String(), "port [8080]: ") {
		t.Errorf("prompts missing:\n%s", errb.String())
	}
	b, _ := os.ReadFile(filepath.Join(dir, "dockstage.yaml"))
	if !bytes.Contains(b, []byte("\nname: web\n")) || !bytes.Contains(b, []byte(`ports: ["8080:8080"]`)) {
		t.Errorf("answers not used:\n%s", b)
	}
}
