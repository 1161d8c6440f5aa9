package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec/layout/gittest"
)

const cmdLayout = `params:
  python: {type: string, required: true, description: the Python version}
  port: {type: int, default: 8080}
args: {PYTHON_IMAGE: "python:${{ params.python }}-slim"}
stages:
  base: {from: "${PYTHON_IMAGE}", steps: [{id: workdir, workdir: /opt}]}
  prod:
    from: base
    steps:
      - expose: ["${{ params.port }}"]
      - id: cmd
        cmd: [python, -m, app]
`

// TestInitLayoutThenRender: init --layout NAME writes a spec extending the
// layout with its params filled, renders it, and render --effective says
// where each value comes from; a missing required param is refused.
func TestInitLayoutThenRender(t *testing.T) {
	root := t.TempDir()
	layouts := filepath.Join(root, "layouts")
	if err := os.MkdirAll(layouts, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(layouts, "python.yaml"), []byte(cmdLayout), 0o644); err != nil {
		t.Fatal(err)
	}
	svc := filepath.Join(root, "svc", "api")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, errs := dockstage(t, "", "init", svc, "--layout", "python", "--layout-dir", layouts)
	if code != 2 || !strings.Contains(errs, `layout ../../layouts/python.yaml needs python (string: the Python version); set each with --with NAME=VALUE`) {
		t.Fatalf("init without the required param: %d\n%s", code, errs)
	}
	code, _, errs = dockstage(t, "", "init", svc, "--layout", "python", "--layout-dir", layouts, "--with", "python=3.12", "--port", "9000")
	if code != 0 {
		t.Fatalf("init --layout: %d\n%s", code, errs)
	}
	if !strings.Contains(errs, "wrote "+filepath.Join(svc, "dockstage.yaml")+" (service api, extends ../../layouts/python.yaml with python=3.12, port=9000)") {
		t.Errorf("init's report:\n%s", errs)
	}
	specText, _ := os.ReadFile(filepath.Join(svc, "dockstage.yaml"))
	want := "version: 1\nname: api\nextends:\n  - layout: ../../layouts/python.yaml\n    with: {python: \"3.12\", port: 9000}\n"
	if !strings.HasSuffix(string(specText), want) {
		t.Errorf("spec:\n%s\nwant it to end with:\n%s", specText, want)
	}
	df, _ := os.ReadFile(filepath.Join(svc, "Dockerfile"))
	if !strings.Contains(string(df), "ARG PYTHON_IMAGE=python:3.12-slim") || !strings.Contains(string(df), "EXPOSE 9000") {
		t.Errorf("Dockerfile:\n%s", df)
	}
	code, out, errs := dockstage(t, "", "render", filepath.Join(svc, "dockstage.yaml"), "--effective")
	if code != 0 || !strings.Contains(out, "      - 9000 # "+filepath.Join(svc, "dockstage.yaml")+":6\n") || !strings.Contains(out, `PYTHON_IMAGE: "python:3.12-slim" # `+filepath.ToSlash(filepath.Join(layouts, "python.yaml"))+":4\n") {
		t.Errorf("render --effective: %d\n%s%s", code, out, errs)
	}
	if code, _, _ := dockstage(t, "", "check", svc); code != 0 {
		t.Errorf("check after init --layout: %d", code)
	}
	// lint reads the spec merged over its layout: a finding about a value
	// the layout wrote points into the layout.
	code, out, _ = dockstage(t, "", "lint", filepath.Join(svc, "dockstage.yaml"))
	if want := filepath.Join(layouts, "python.yaml") + ":6:3: info DS011 no stage is named test"; !strings.Contains(out, want) {
		t.Errorf("lint (%d) lacks %q:\n%s", code, want, out)
	}
}

// TestLayoutDoneWhen is issue 12's done-when for layouts, on the command
// line: two services extend a git layout at a tag; dockstage lock pins it,
// both render; one value changed in the layout (the tag moved, lock
// --update) makes check exit 1 naming exactly those two and the layout;
// re-rendering clears it; with the remote gone, render and check work
// from the cache.
func TestLayoutDoneWhen(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	r := gittest.New(t)
	layoutText := strings.Replace(cmdLayout, `from: "${PYTHON_IMAGE}"`, "from: scratch", 1)
	r.Commit(map[string]string{"layouts/python.yaml": layoutText}, "v1")
	source := "git:file://" + r.Bare + "//layouts/python.yaml@v1"
	root := t.TempDir()
	var specs []string
	for _, name := range []string{"api", "worker", "other"} {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		args := []string{"init", dir, "--layout", source, "--with", "python=3.12"}
		if name == "other" {
			args = []string{"init", dir, "--layout", filepath.Join(root, "local.yaml"), "--with", "python=3.13"}
			if err := os.WriteFile(filepath.Join(root, "local.yaml"), []byte(layoutText), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if code, _, errs := dockstage(t, "", args...); code != 0 {
			t.Fatalf("init %s: %d\n%s", name, code, errs)
		}
		specs = append(specs, filepath.Join(dir, "dockstage.yaml"))
	}
	if code, _, errs := dockstage(t, "", "lock", specs[0], specs[1]); code != 0 {
		t.Fatalf("lock: %d\n%s", code, errs)
	}
	if code, out, _ := dockstage(t, "", "check", root); code != 0 {
		t.Fatalf("check after init and lock: %d\n%s", code, out)
	}
	// One value changes in the layout; the tag moves; lock --update.
	r.Commit(map[string]string{"layouts/python.yaml": strings.Replace(layoutText, "workdir: /opt", "workdir: /srv", 1)}, "v1")
	if code, out, errs := dockstage(t, "", "lock", "--update", specs[0], specs[1]); code != 0 || !strings.Contains(out+errs, "layout file://"+r.Bare+"@v1: ") {
		t.Fatalf("lock --update: %d\n%s%s", code, out, errs)
	}
	code, out, errs := dockstage(t, "", "check", root)
	if code != 1 || !strings.Contains(errs, "checked 3 spec(s): 2 drifted, 0 invalid") {
		t.Fatalf("check after the layout changed: %d\n%s%s", code, out, errs)
	}
	for _, name := range []string{"api", "worker"} {
		if want := filepath.Join(root, name, "Dockerfile") + ":6: stale-render: unchanged since dockstage generated it, but " + filepath.Join(root, name, "dockstage.yaml") + " now renders something else; run dockstage render " + filepath.Join(root, name, "dockstage.yaml") + "; it extends " + source; !strings.Contains(out, want) {
			t.Errorf("check lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, filepath.Join(root, "other")) {
		t.Errorf("check names other, which extends another layout:\n%s", out)
	}
	for _, p := range specs[:2] {
		if code, _, errs := dockstage(t, "", "render", p); code != 0 {
			t.Fatalf("render %s: %d\n%s", p, code, errs)
		}
	}
	if code, out, _ := dockstage(t, "", "check", root); code != 0 {
		t.Fatalf("check after re-rendering: %d\n%s", code, out)
	}
	// Offline: the remote is gone; the pinned commit is in the cache.
	r.Gone()
	if code, out, errs := dockstage(t, "", "render", specs[0], "--stdout", "--only", "Dockerfile"); code != 0 || !strings.Contains(out, "WORKDIR /srv") {
		t.Fatalf("offline render: %d\n%s%s", code, out, errs)
	}
	if code, out, _ := dockstage(t, "", "check", root); code != 0 {
		t.Fatalf("offline check: %d\n%s", code, out)
	}
}
