package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
