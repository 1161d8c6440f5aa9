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

// TestInitLayoutPaths: init's paths are relative to the current directory
// (a layout file, a git layout's local repository, --layout-dir, plain and
// git) and written into the spec relative to DIR; a wrong NAME lists the
// layouts, a missing --layout-dir says so, and a wrong --with offers the
// closest param.
func TestInitLayoutPaths(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	root := t.TempDir()
	r := gittest.New(t)
	r.Commit(map[string]string{"python.yaml": strings.Replace(cmdLayout, `from: "${PYTHON_IMAGE}"`, "from: scratch", 1)}, "v1")
	if err := os.Symlink(r.Bare, filepath.Join(root, "layouts.git")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "layouts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "layouts", "python.yaml"), []byte(cmdLayout), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"svc/x", "svc/y"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
	for _, tc := range []struct{ args, want string }{
		{"--layout layouts/python.yaml", "../../layouts/python.yaml"},
		{"--layout python --layout-dir layouts", "../../layouts/python.yaml"},
		{"--layout git:layouts.git//python.yaml@v1", "git:../../layouts.git//python.yaml@v1"},
		{"--layout python --layout-dir git:layouts.git//.@v1", "git:../../layouts.git//python.yaml@v1"},
	} {
		args := append([]string{"init", "svc/x", "--force", "--no-render", "--with", "python=3.12"}, strings.Fields(tc.args)...)
		if code, _, errs := dockstage(t, "", args...); code != 0 {
			t.Errorf("init %s: %d\n%s", tc.args, code, errs)
			continue
		}
		text, _ := os.ReadFile(filepath.Join(root, "svc", "x", "dockstage.yaml"))
		if !strings.Contains(string(text), "  - layout: "+tc.want+"\n") {
			t.Errorf("init %s: spec lacks layout %s:\n%s", tc.args, tc.want, text)
		}
		if code, _, errs := dockstage(t, "", "render", "svc/x/dockstage.yaml", "--effective"); code != 0 {
			t.Errorf("init %s: the spec does not load: %d\n%s", tc.args, code, errs)
		}
	}
	for _, tc := range []struct{ args, want string }{
		{"--layout ../../layouts/python.yaml", "--layout ../../layouts/python.yaml: no such layout file (the path is relative to the current directory)"},
		{"--layout pyton --layout-dir layouts", "--layout pyton: no pyton.yaml in --layout-dir layouts; did you mean python? its layouts: python"},
		{"--layout python --layout-dir nolayouts", "--layout-dir nolayouts: no such directory (the path is relative to the current directory)"},
		{"--layout layouts/python.yaml --with colour=1 --with prot=1", `--with colour: layout ../../layouts/python.yaml has no param "colour"; its params: python, port` + "\n" + `--with prot: layout ../../layouts/python.yaml has no param "prot"; did you mean "port"?`},
		{"--layout git:nope.git//python.yaml@v1", "layout unreachable: git:../../nope.git//python.yaml@v1: "},
	} {
		args := append([]string{"init", "svc/y", "--no-render", "--with", "python=3.12"}, strings.Fields(tc.args)...)
		code, _, errs := dockstage(t, "", args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("init %s: %d, want 2 and %q:\n%s", tc.args, code, tc.want, errs)
		}
	}
}

// TestRenderWarnsReplacedSteps: render warns, naming both layouts, when a
// later layout replaces the steps an earlier one gives a stage; a scalar
// extends entry is a layout path.
func TestRenderWarnsReplacedSteps(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a.yaml":         "args: {A: a}\nstages:\n  base: {from: alpine, steps: [{run: echo $A}]}\n",
		"b.yaml":         "stages:\n  base:\n    steps: [{run: b}]\n",
		"dockstage.yaml": "version: 1\nname: x\nextends:\n  - a.yaml\n  - layout: b.yaml\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errs := dockstage(t, "", "render", filepath.Join(dir, "dockstage.yaml"))
	want := filepath.Join(dir, "b.yaml") + ":3:5: warning: stages.base.steps: layout " + filepath.Join(dir, "b.yaml") + " replaces the steps of stage base that layout " + filepath.Join(dir, "a.yaml") + " gives"
	if code != 0 || !strings.Contains(errs, want) {
		t.Errorf("render: %d, want 0 and %q:\n%s", code, want, errs)
	}
}

// TestLayoutAlone: lint checks a layout file alone (its params' defaults
// and placeholders put in, its mistakes in the layout); render says a
// layout is rendered through a spec.
func TestLayoutAlone(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "python.yaml"), filepath.Join(dir, "go.yaml")
	if err := os.WriteFile(good, []byte(cmdLayout), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("params:\n  go: {type: string, required: true}\n  port: {type: integer}\nstages:\n  build:\n    from: golang:${{ params.go }}\n    steps: [{run: \"go build ${{ params.nope }}\"}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := dockstage(t, "", "lint", good); code == 2 || strings.Contains(out, "DS000") {
		t.Errorf("lint of a good layout: %d\n%s%s", code, out, errs)
	}
	code, out, _ := dockstage(t, "", "lint", bad)
	for _, want := range []string{bad + `:3:16: error DS000 params.port.type: "integer" is not a param type`, bad + `:7:19: error DS000 ${{ params.nope }}: the layout declares no param "nope"`} {
		if code != 2 || !strings.Contains(out, want) {
			t.Errorf("lint of a bad layout: %d, lacks %q:\n%s", code, want, out)
		}
	}
	if strings.Contains(out, "name: missing") || strings.Contains(out, "only a layout declares params") {
		t.Errorf("lint read the layout as a spec:\n%s", out)
	}
	for _, args := range [][]string{{"render", good}, {"render", good, "--effective"}} {
		code, _, errs := dockstage(t, "", args...)
		if code != 2 || !strings.Contains(errs, good+": a layout (it declares params, or has no version and name), not a spec: a layout is not rendered alone; extend it from a spec") {
			t.Errorf("%v: %d\n%s", args, code, errs)
		}
	}
}
