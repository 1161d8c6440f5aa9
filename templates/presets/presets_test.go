package presets

import (
	"bytes"
	"errors"
	goflag "flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	"gopkg.in/yaml.v3"
)

// update rewrites the golden files under testdata (go test -update; read the diff before committing).
var update = goflag.Bool("update", false, "rewrite golden files under testdata")

// provePresetSpec loads, validates, forwards and renders a preset's spec and
// fails on any error or BuildKit build-check warning; it returns the spec.
func provePresetSpec(t *testing.T, name string, text []byte) *spec.Spec {
	t.Helper()
	sp, err := spec.Load(name, text)
	if err == nil {
		err = spec.Validate(sp)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	out, err := transpile.Forward(sp)
	if err != nil {
		t.Fatal(err)
	}
	files, err := templates.Render(out, templates.Options{Source: "dockstage.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if len(f.Warnings) > 0 {
			t.Errorf("%s: build-check warnings: %v", f.Name, f.Warnings)
		}
	}
	// The canonical form of the spec loads back to the same spec.
	canon, err := spec.Marshal(sp)
	if err != nil {
		t.Fatal(err)
	}
	again, err := spec.Load(name, canon)
	if err != nil {
		t.Fatalf("canonical form does not load: %v\n%s", err, canon)
	}
	canon2, _ := spec.Marshal(again)
	if !bytes.Equal(canon, canon2) {
		t.Errorf("canonical form is not a fixed point:\n%s\n---\n%s", canon, canon2)
	}
	for _, st := range []string{"base", "src", "test", "prod"} {
		found := false
		for _, s := range sp.Stages {
			found = found || s.Name == st
		}
		if !found {
			t.Errorf("no %s stage", st)
		}
	}
	return sp
}

// TestPresetGoldens: each folder of presets/testdata holds a project
// (input/) and the spec init writes for it (dockstage.yaml). The folder
// name starts with the preset the project must be detected as.
func TestPresetGoldens(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil || len(dirs) == 0 {
		t.Fatal("no golden cases")
	}
	covered := map[string]bool{}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			found, err := ecosystem.Detect(os.DirFS(filepath.Join(dir, "input")))
			if err != nil {
				t.Fatal(err)
			}
			r := found[0]
			if !strings.HasPrefix(filepath.Base(dir), r.Kind.Name) {
				t.Fatalf("detected %s, want the preset the folder is named after", r.Kind.Name)
			}
			covered[r.Kind.Name] = true
			got, err := RenderPreset(r.Kind.Name, PresetData{Service: filepath.Base(dir), Port: r.Port, Result: r}, nil)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(dir, "dockstage.yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the rendered preset (run with -update and read the diff):\n%s", golden, got)
			}
			provePresetSpec(t, golden, got)
		})
	}
	for _, k := range ecosystem.Kinds() {
		if !covered[k.Name] {
			t.Errorf("preset %s has no golden case under presets/testdata", k.Name)
		}
	}
}

// TestEveryPresetOnEmptyProject forces every preset on a directory with
// none of its files (init --preset NAME in an empty directory): the spec
// must still validate and render clean.
func TestEveryPresetOnEmptyProject(t *testing.T) {
	all, err := Presets(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(ecosystem.Kinds()) {
		t.Errorf("%d presets, %d kinds", len(all), len(ecosystem.Kinds()))
	}
	for _, p := range all {
		t.Run(p.Name, func(t *testing.T) {
			if p.Description == "" {
				t.Error("no description comment")
			}
			k, ok := ecosystem.KindByName(p.Name)
			if !ok {
				t.Fatalf("preset %s names no ecosystem kind", p.Name)
			}
			r, err := ecosystem.Analyze(fstest.MapFS{}, k)
			if err != nil {
				t.Fatal(err)
			}
			for _, port := range []int{80, 65535} {
				b, err := RenderPreset(p.Name, PresetData{Service: "svc", Port: port, Result: r}, nil)
				if err != nil {
					t.Fatal(err)
				}
				sp := provePresetSpec(t, p.Name, b)
				if !strings.Contains(string(b), `expose: ["`+strconv.Itoa(port)+`"]`) {
					t.Errorf("port %d not exposed:\n%s", port, b)
				}
				if sp.Compose == nil || sp.Compose.Dev == nil || len(sp.Compose.Dev.Volumes) == 0 {
					t.Error("no compose dev target with a bind mount")
				}
			}
		})
	}
}

// TestPresetHouseRules checks what every preset promises: a non-root
// numeric user and an exec-form command in prod, a cache mount on the
// dependency install in base, base images as build args.
func TestPresetHouseRules(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*/dockstage.yaml")
	for _, golden := range dirs {
		t.Run(filepath.Base(filepath.Dir(golden)), func(t *testing.T) {
			b, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			sp, err := spec.Load(golden, b)
			if err != nil {
				t.Fatal(err)
			}
			var user, command string
			cache := false
			for _, st := range sp.Stages {
				if st.Name == "base" || st.Name == "src" || st.Name == "test" {
					for _, s := range st.Steps {
						if s.Run != nil && len(s.Run.Mounts) > 0 && s.Run.Mounts[0].Type == "cache" {
							cache = true
						}
					}
				}
				if !strings.HasPrefix(st.From, "${") && !isStage(sp, st.From) {
					t.Errorf("stage %s: FROM %s is not a build arg", st.Name, st.From)
				}
				if st.Name != "prod" {
					continue
				}
				for _, s := range st.Steps {
					if s.User != nil {
						user = *s.User
					}
					for _, c := range []*spec.Command{s.Cmd, s.Entrypoint} {
						if c != nil {
							if !c.Exec {
								t.Errorf("prod command %q is not exec form", c.Shell)
							}
							command = strings.Join(c.Args, " ")
						}
					}
				}
			}
			if !strings.Contains(golden, "static-plain") && !cache {
				t.Error("no cache mount on a RUN of base, src or test")
			}
			uid, _, _ := strings.Cut(user, ":")
			if n, err := strconv.Atoi(uid); err != nil || n == 0 {
				t.Errorf("prod user %q is not a numeric non-root user", user)
			}
			if command == "" {
				t.Error("prod has no CMD or ENTRYPOINT")
			}
		})
	}
}

func isStage(sp *spec.Spec, name string) bool {
	for _, s := range sp.Stages {
		if s.Name == name {
			return true
		}
	}
	return false
}

func TestPresetDirOverridesAndUnknown(t *testing.T) {
	team := fstest.MapFS{
		"go.yaml.tmpl": {Data: []byte(`{{/* Team Go preset. */}}{{template "header" .}}
stages:
  base: {from: "golang:1.26-bookworm"}
  src: {from: base, steps: [{copy: {src: [.], dest: .}}]}
  test: {from: src, steps: [{run: go test ./...}]}
  prod: {from: src, steps: [{user: "10001"}, {cmd: [/app]}]}
`)},
		"internal-java.yaml.tmpl": {Data: []byte("{{/* Our Java. */}}version: 1\nname: {{.Service}}\nstages: {}\n")},
	}
	all, err := Presets(team)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range all {
		if p.Name == "go" && (!p.Custom || p.Description != "Team Go preset.") {
			t.Errorf("go preset not the team's: %+v", p)
		}
		names = append(names, p.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "internal-java") {
		t.Errorf("team preset not listed: %v", names)
	}
	b, err := RenderPreset("go", PresetData{Service: "svc", Port: 8080}, team)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "name: svc") || !strings.Contains(string(b), "go test ./...") || !strings.HasPrefix(string(b), spec.SchemaComment) {
		t.Errorf("team preset not used:\n%s", b)
	}

	for _, c := range []struct{ name, suggestion string }{{"pyhton-pip", "python-pip"}, {"python", "python-pip"}, {"nod", "node-npm"}, {"rustt", "rust"}, {"cobol", ""}} {
		_, err := RenderPreset(c.name, PresetData{}, nil)
		var ue *UnknownPresetError
		if !errors.As(err, &ue) {
			t.Fatalf("%s: %v, want an UnknownPresetError", c.name, err)
		}
		if ue.Suggestion != c.suggestion || !strings.Contains(err.Error(), "node-npm") {
			t.Errorf("%s: %v (suggestion %q, want %q)", c.name, err, ue.Suggestion, c.suggestion)
		}
	}
}

func TestYAMLScalar(t *testing.T) {
	for _, s := range []string{"app", "8080", "--watch", "-", "---", "true", "null", "a b", "x: y", "a,b", "[x]", "#c", "it's", `"q"`, "~", "0.0.0.0:8080", "", "ü", "a\nb", "<>&", "@x", "*.jar", "\x7f", "\u2028", "\ufeffx", "\U0001F600", "tab\there", `back\slash`} {
		var got []string
		doc := "v: " + yamlScalar(s) + "\nl: " + presetFuncs["flow"].(func([]string) string)([]string{s, s}) + "\n"
		var m struct {
			V string   `yaml:"v"`
			L []string `yaml:"l"`
		}
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Errorf("%q: %v\n%s", s, err, doc)
			continue
		}
		got = m.L
		if m.V != s || !reflect.DeepEqual(got, []string{s, s}) {
			t.Errorf("%q: read back %q and %q from\n%s", s, m.V, got, doc)
		}
	}
}

// FuzzPresetFromManifests: whatever a package.json, pyproject.toml or
// requirements.txt holds, the spec init writes from it loads and validates
// (values from the project are quoted, never YAML or Dockerfile syntax).
func FuzzPresetFromManifests(f *testing.F) {
	f.Add(`{"name":"a","main":"x.js","scripts":{"start":"node x.js","build":"vite build"},"dependencies":{"express":"4"}}`, "[tool.poetry]\nname = \"x\"\n", "flask\n", "x.js")
	f.Add(`{"scripts":{"start":"node #x: [y]","dev":"node {a},b"}}`, "[project]\ndependencies = [\"fastapi\"]", "", "#x:")
	f.Add(`{"main":"a b\"c.js","scripts":{"build":"x --out-dir '../o u t'"}}`, "", "gunicorn\nflask\n", "a b\"c.js")
	f.Add("module x\n\ngo 1.23.4\ntoolchain go1.24rc1\n", "ruby \"3.3.5\"\nport = \"9090\"\n", "build test: x\n\tgo build\nPORT=70\n", "x")
	f.Add(`{"packageManager":"yarn@4.1.0","scripts":{"build":"tsc","start":"node out/a b.js"}}`, `{"compilerOptions":{"outDir":"../x"}}`, "<TargetFramework>net10.0</TargetFramework>", "x")
	f.Fuzz(func(t *testing.T, pkg, pyproject, reqs, entry string) {
		if !fs.ValidPath(entry) || entry == "." {
			entry = "index.js"
		}
		for _, fsys := range []fstest.MapFS{
			{"package.json": {Data: []byte(pkg)}, entry: {Data: []byte(reqs)}},
			{"package.json": {Data: []byte(pkg)}, "index.html": {}},
			{"pyproject.toml": {Data: []byte(pyproject)}, "requirements.txt": {Data: []byte(reqs)}, "app.py": {Data: []byte(pyproject)}},
			// version files, configuration and a Makefile read for the image, the port and the evidence
			{"go.mod": {Data: []byte(pkg)}, "main.go": {Data: []byte("package main\n" + reqs)}, "Makefile": {Data: []byte(reqs)}, "config.toml": {Data: []byte(pyproject)}},
			{"Gemfile": {Data: []byte(pyproject)}, ".ruby-version": {Data: []byte(reqs)}, "config.ru": {}},
			{"app.csproj": {Data: []byte(pkg)}, "global.json": {Data: []byte(pyproject)}},
			{"package.json": {Data: []byte(pkg)}, "yarn.lock": {}, ".yarnrc.yml": {Data: []byte(reqs)}, "tsconfig.json": {Data: []byte(pyproject)}},
		} {
			rs, err := ecosystem.Detect(fsys)
			if err != nil {
				t.Fatal(err)
			}
			r := rs[0]
			b, err := RenderPreset(r.Kind.Name, PresetData{Service: "svc", Port: r.Port, Result: r}, nil)
			if err != nil {
				t.Fatal(err)
			}
			sp, err := spec.Load("fuzz.yaml", b)
			if err == nil {
				err = spec.Validate(sp)
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
		}
	})
}

// TestPresetCommentsQuoted: a comment in a YAML flow sequence is a plain
// scalar unless quoted, and a plain one ends at its first comma, splitting
// one sentence into two Dockerfile comment lines (trial finding 9). Every
// flow-list comment of a preset is written double-quoted.
func TestPresetCommentsQuoted(t *testing.T) {
	files, _ := filepath.Glob("*.tmpl")
	flow := regexp.MustCompile(`comment: \[(.*)\]\s*$`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(b), "\n") {
			if m := flow.FindStringSubmatch(l); m != nil && !strings.HasPrefix(m[1], `"`) {
				t.Errorf("%s:%d: quote the comment (a plain flow scalar ends at a comma): %s", f, i+1, strings.TrimSpace(l))
			}
		}
	}
}
