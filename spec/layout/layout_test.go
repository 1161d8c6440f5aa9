package layout

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
)

// write writes files (name -> content) under a new directory and returns it.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func load(t *testing.T, dir, name string) (*Result, error) {
	t.Helper()
	p := filepath.Join(dir, name)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return Load(p, data, Options{})
}

func TestMergeTestdata(t *testing.T) {
	data, err := os.ReadFile("testdata/web.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Load("testdata/web.yaml", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(res.Spec); err != nil {
		t.Fatal(err)
	}
	sp := res.Spec
	var names []string
	for _, st := range sp.Stages {
		names = append(names, st.Name)
	}
	if got := strings.Join(names, " "); got != "base src assets prod" {
		t.Errorf("stage order = %s, want base src assets prod (a new stage goes before the next stage the spec lists)", got)
	}
	prod := sp.Stages[3]
	var kw []string
	for _, s := range prod.Steps {
		kw = append(kw, s.Keyword())
	}
	if got := strings.Join(kw, " "); got != "EXPOSE HEALTHCHECK COPY CMD" {
		t.Errorf("prod steps = %s, want EXPOSE HEALTHCHECK COPY CMD (user removed, copy before cmd)", got)
	}
	if got := prod.Steps[0].Expose[0]; got != "9000" {
		t.Errorf("expose = %s, want 9000 from with", got)
	}
	if p := prod.Steps[0].ExposePos[0]; p.File != "testdata/web.yaml" || p.Line != 5 {
		t.Errorf("expose value position = %s, want testdata/web.yaml:5 (where the value is written)", p)
	}
	if got := *prod.Steps[1].Healthcheck.Retries; got != 3 {
		t.Errorf("retries = %d, want the default 3", got)
	}
	if got := prod.Steps[3].Cmd.Args[3]; got != "--port=9000" {
		t.Errorf("cmd arg = %s, want --port=9000", got)
	}
	if got := *sp.Args[0].Value; got != "python:3.12-slim" {
		t.Errorf("PYTHON_IMAGE = %s", got)
	}
	if p := sp.Stages[0].FromPos; p.File != "testdata/python.yaml" || p.Line != 10 {
		t.Errorf("base from position = %s, want testdata/python.yaml:10", p)
	}
	env := sp.Compose.Environment
	if len(env) != 2 || env[0].Key != "LOG_LEVEL" || *env[0].Value != "debug" || env[1].Key != "TZ" {
		t.Errorf("environment = %+v, want LOG_LEVEL=debug (the spec wins) then TZ (the layout's)", env)
	}
	if len(res.Layouts) != 1 || res.Layouts[0].File != "testdata/python.yaml" || len(res.Layouts[0].Params) != 3 {
		t.Errorf("layouts = %+v", res.Layouts)
	}
	eff, err := res.Effective()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  PYTHON_IMAGE: python:3.12-slim # testdata/python.yaml:7\n",
		"    LOG_LEVEL: debug # testdata/web.yaml:18\n",
		"          - 9000 # testdata/web.yaml:5\n",
		"          retries: 3 # testdata/python.yaml:5\n",
		"extends: # testdata/web.yaml:3\n",
		"stages: # testdata/web.yaml:6\n",
		"  prod: # testdata/web.yaml:11\n",
	} {
		if !strings.Contains(string(eff), want) {
			t.Errorf("effective spec lacks %q:\n%s", want, eff)
		}
	}
	// The effective spec is itself a spec (without layouts) that loads to
	// the same stages.
	again, err := spec.Load("effective.yaml", eff)
	if err != nil {
		t.Fatal(err)
	}
	again.Extends = nil
	a, _ := spec.Marshal(again)
	sp.Extends = nil
	b, _ := spec.Marshal(sp)
	if string(a) != string(b) {
		t.Errorf("effective spec reloads differently:\n%s\n---\n%s", a, b)
	}
}

func TestLaterLayoutWins(t *testing.T) {
	dir := write(t, map[string]string{
		"a.yaml":         "args: {A: a, B: a}\nstages:\n  base: {from: alpine, steps: [{run: a}]}\n",
		"b.yaml":         "args: {B: b, C: b}\nstages:\n  base: {steps: [{run: b}]}\n  prod: {from: base}\n",
		"dockstage.yaml": "version: 1\nname: x\nextends: [a.yaml, b.yaml]\nargs: {C: spec}\n",
	})
	res, err := load(t, dir, "dockstage.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, kv := range res.Spec.Args {
		got = append(got, kv.Key+"="+*kv.Value)
	}
	if strings.Join(got, " ") != "A=a B=b C=spec" {
		t.Errorf("args = %v, want A=a B=b C=spec", got)
	}
	st := res.Spec.Stages
	if len(st) != 2 || st[0].From != "alpine" || st[0].Steps[0].Run.Command.Shell != "b" || st[1].Name != "prod" {
		t.Errorf("stages: %+v", st)
	}
}

func TestErrors(t *testing.T) {
	layout := `params:
  python: {type: string, required: true}
  port: {type: int, default: 8080}
stages:
  base:
    from: python:${{ params.python }}
    steps:
      - id: deps
        run: pip install
      - run: echo ${{ params.prt }}
`
	for _, tc := range []struct {
		name, spec string
		layout     string
		want       []string
	}{
		{"missing required", "version: 1\nname: x\nextends: [l.yaml]\n", layout,
			[]string{`dockstage.yaml:3:11: extends[0]: layout l.yaml needs param "python" (string); set it in with: {python: ...}`,
				`l.yaml:10:14: ${{ params.prt }}: the layout declares no param "prt"; declare it under params`}},
		{"unknown and wrong type", "version: 1\nname: x\nextends:\n  - layout: l.yaml\n    with: {python: 3.12, prot: 1, port: \"80\"}\n", layout,
			[]string{`dockstage.yaml:5:20: extends[0].with.python: expected a string (the param is string), got a number "3.12"; quote it: "3.12"`,
				`dockstage.yaml:5:26: extends[0].with.prot: layout l.yaml has no param "prot"; did you mean "port"?`,
				`dockstage.yaml:5:41: extends[0].with.port: expected an integer (the param is int), got a string "80"`}},
		{"patch unknown id", "version: 1\nname: x\nextends: [{layout: l.yaml, with: {python: \"3\"}}]\nstages:\n  base:\n    steps_patch:\n      - after: dep\n        steps: [{run: x}]\n      - before: deps\n      - replace: deps\n        remove: deps\n", strings.Replace(layout, "${{ params.prt }}", "hi", 1),
			[]string{`dockstage.yaml:7:16: stages.base.steps_patch[0].after: no step of stage base has id "dep"; its step ids: deps`,
				`dockstage.yaml:9:9: stages.base.steps_patch[1]: before needs steps, the steps to insert`,
				`dockstage.yaml:10:9: stages.base.steps_patch[2]: give exactly one of before, after, replace or remove (a step id), found replace and remove`}},
		{"bad declarations", "version: 1\nname: x\nextends: [l.yaml]\n", "params:\n  a: {type: float, default: 1.5}\n  b: {type: int, default: x}\n  c: {type: bool, default: true, required: true}\nextends: [other.yaml]\n",
			[]string{`l.yaml:2:13: params.a.type: "float" is not a param type; use string, int or bool`,
				`l.yaml:3:27: params.b.default: expected an integer (the param is int), got a string "x"`,
				`l.yaml:4:28: params.c: a required param has no default; drop default or required`,
				`l.yaml:5:1: extends: a layout does not extend other layouts; list them all in the spec's extends, in order`}},
		{"no such layout", "version: 1\nname: x\nextends: [nope.yaml]\n", "",
			[]string{`dockstage.yaml:3:11: extends[0].layout: nope.yaml: no such layout file (the path is relative to the spec's directory DIR: nope.yaml)`}},
		{"steps and steps_patch", "version: 1\nname: x\nextends: [{layout: l.yaml, with: {python: \"3\"}}]\nstages:\n  base:\n    steps: [{run: a}]\n    steps_patch: [{remove: deps}]\n  prod:\n    from: base\n    steps_patch: [{remove: deps}]\n", strings.Replace(layout, "${{ params.prt }}", "hi", 1),
			[]string{`dockstage.yaml:7:5: stages.base.steps_patch: the stage gives steps too; give steps (they replace the layout's whole) or steps_patch (it edits them), not both`}},
		{"error in a layout value", "version: 1\nname: x\nextends: [{layout: l.yaml, with: {python: \"3\", u: \"a\\nb\"}}]\n", "params: {python: {type: string}, u: {type: string}}\nstages:\n  base:\n    from: python:${{ params.python }}\n    steps:\n      - run: {command: x, network: wifi}\n      - user: ${{ params.u }}\n",
			[]string{`l.yaml:6:36: stages.base.steps[0].run.network: "wifi" is not a network mode; use default, none or host`,
				`l.yaml:7:9: stages.base.steps[1].user: '\n' is not allowed here; this field is one Dockerfile line`}},
		// Every error in one run: an unknown step key does not hide the
		// duplicate step id after it, nor a bad param type what follows
		// it; the spec's unknown patch key does not hide its other
		// patch mistakes (and the entry is not also said to name no op).
		{"all at once", "version: 1\nname: x\nextends: [l.yaml]\nstages:\n  base:\n    steps_patch:\n      - {insert: a, steps: [{run: x}]}\n      - {before: a, after: a, steps: [{run: y}]}\n      - {remove: a, steps: [{run: z}]}\n",
			"params:\n  port: {type: integer, default: 80}\nstages:\n  base:\n    from: alpine\n    steps:\n      - {id: a, usr: x}\n      - {id: a, run: echo}\n",
			[]string{`l.yaml:2:16: params.port.type: "integer" is not a param type; use string, int or bool`,
				`l.yaml:7:17: stages.base.steps[0]: unknown key "usr"; did you mean "user"?`,
				`l.yaml:8:14: stages.base.steps[1].id: "a" names another step of the stage too (at l.yaml:7:14); step ids are unique in a stage`,
				`dockstage.yaml:7:10: stages.base.steps_patch[0]: unknown key "insert"; expected one of: after, before, remove, replace, steps`,
				`dockstage.yaml:8:9: stages.base.steps_patch[1]: give exactly one of before, after, replace or remove (a step id), found before and after`,
				`dockstage.yaml:9:10: stages.base.steps_patch[2]: remove takes no steps; use replace to put steps in the step's place`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"dockstage.yaml": tc.spec}
			if tc.layout != "" {
				files["l.yaml"] = tc.layout
			}
			dir := write(t, files)
			res, err := load(t, dir, "dockstage.yaml")
			if err == nil {
				err = spec.Validate(res.Spec)
			}
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.ReplaceAll(err.Error(), dir+"/", "")
			got = strings.ReplaceAll(got, dir, "DIR")
			if tc.name == "all at once" && (strings.Count(got, "\n")+1 != len(tc.want)) {
				t.Errorf("want exactly %d errors, got\n%s", len(tc.want), got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("errors lack\n  %s\ngot\n%s", w, got)
				}
			}
		})
	}
}

// TestPatchBlankLines: a blank line above a step keeps its place in the
// merged steps, whichever file the step comes from; a flow list has none.
func TestPatchBlankLines(t *testing.T) {
	dir := write(t, map[string]string{
		"l.yaml":         "stages:\n  base:\n    from: alpine\n    steps:\n      - id: a\n        run: a\n\n      - id: b\n        run: b\n  prod: {from: base, steps: [{id: c, run: c}, {run: d}]}\n",
		"dockstage.yaml": "version: 1\nname: x\nextends: [l.yaml]\nstages:\n  base:\n    steps_patch:\n      - after: a\n        steps:\n\n          - run: inserted\n  prod:\n    steps_patch: [{after: c, steps: [{run: e}]}]\n",
	})
	res, err := load(t, dir, "dockstage.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range res.Spec.Stages {
		for _, s := range st.Steps {
			got = append(got, fmt.Sprintf("%s:%v", s.Run.Command.Shell, s.BlankBefore))
		}
	}
	if want := "a:false inserted:true b:true c:false e:false d:false"; strings.Join(got, " ") != want {
		t.Errorf("steps and blank lines = %s, want %s", strings.Join(got, " "), want)
	}
}

// TestMissingLayoutPath: a missing local layout names the path as the spec
// writes it, the spec's directory, and the path it resolved to.
func TestMissingLayoutPath(t *testing.T) {
	dir := write(t, map[string]string{"svc/api/dockstage.yaml": "version: 1\nname: x\nextends: [../../layouts/node.yaml]\n"})
	_, err := load(t, dir, "svc/api/dockstage.yaml")
	if err == nil {
		t.Fatal("no error")
	}
	got := strings.ReplaceAll(err.Error(), dir+"/", "")
	want := "svc/api/dockstage.yaml:3:11: extends[0].layout: ../../layouts/node.yaml: no such layout file (the path is relative to the spec's directory svc/api: layouts/node.yaml)"
	if got != want {
		t.Errorf("error =\n  %s\nwant\n  %s", got, want)
	}
}

// TestLaterLayoutReplacesSteps: a later layout that gives a stage's steps
// replaces an earlier layout's steps of that stage, with a warning naming
// both files; the spec replacing a layout's steps is no warning.
func TestLaterLayoutReplacesSteps(t *testing.T) {
	dir := write(t, map[string]string{
		"a.yaml":         "args: {A: a}\nstages:\n  base: {from: alpine, steps: [{run: echo $A}]}\n",
		"b.yaml":         "stages:\n  base:\n    steps: [{run: b}]\n  prod: {from: base, steps: [{run: p}]}\n",
		"dockstage.yaml": "version: 1\nname: x\nextends: [a.yaml, b.yaml]\nstages:\n  prod: {steps: [{run: spec}]}\n",
	})
	res, err := load(t, dir, "dockstage.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(res.Warnings.Error(), dir+"/", "")
	want := "b.yaml:3:5: stages.base.steps: layout b.yaml replaces the steps of stage base that layout a.yaml gives (a later layout's steps replace an earlier one's whole); edit them with steps_patch, or give the stage's steps in one layout"
	if len(res.Warnings) != 1 || got != want {
		t.Errorf("warnings (%d) =\n  %s\nwant\n  %s", len(res.Warnings), got, want)
	}
}

// TestLoadAlone: a layout is recognised (params, or neither version nor
// name) and loads alone with its defaults and placeholders for its
// required params; its mistakes are all reported, in the layout.
func TestLoadAlone(t *testing.T) {
	for text, want := range map[string]bool{
		"params: {a: {type: int}}\nstages: {}\n":                    true,
		"stages: {b: {from: x}}\n":                                  true,
		"version: 1\nname: x\nstages: {b: {from: x}}\n":             false,
		"version: 1\nname: x\nextends: [l.yaml]\nparams: {a: {}}\n": false,
		"- a\n": false,
		"params: {a: {type: int}}\nversion: 1\nname: x\nstages: {}\n": true,
	} {
		if got := IsLayout([]byte(text)); got != want {
			t.Errorf("IsLayout(%q) = %v, want %v", text, got, want)
		}
	}
	data, err := os.ReadFile("testdata/python.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := LoadAlone("testdata/python.yaml", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(res.Spec); err != nil {
		t.Fatal(err)
	}
	if got := *res.Spec.Args[0].Value; got != "python:python-slim" || res.Spec.Name != "python" {
		t.Errorf("PYTHON_IMAGE = %s, name %s; want the placeholder python:python-slim and the file's name", got, res.Spec.Name)
	}
	if p := res.Spec.Stages[0].FromPos; p.File != "testdata/python.yaml" || p.Line != 10 {
		t.Errorf("from position = %s, want testdata/python.yaml:10", p)
	}
	bad := "params:\n  go: {type: string, required: true}\n  port: {type: integer}\nstages:\n  build:\n    from: golang:${{ params.go }}\n    steps:\n      - run: go build ${{ params.nope }}\n"
	_, err = LoadAlone("go.yaml", []byte(bad), Options{})
	want := "go.yaml:3:16: params.port.type: \"integer\" is not a param type; use string, int or bool\n" +
		"go.yaml:8:14: ${{ params.nope }}: the layout declares no param \"nope\"; declare it under params"
	if err == nil || err.Error() != want {
		t.Errorf("errors =\n%v\nwant\n%s", err, want)
	}
}

// TestWrongTypeSaidOnce: a with value of the wrong type is an error at
// the with: entry, and only there: it still goes into the layout, so
// that neither a `from: python:` without it nor the int field it fills
// adds an error of its own.
func TestWrongTypeSaidOnce(t *testing.T) {
	dir := write(t, map[string]string{
		"l.yaml":         "params:\n  python: {type: string, required: true}\n  retries: {type: int, default: 3}\nstages:\n  base:\n    from: python:${{ params.python }}\n    steps:\n      - healthcheck: {test: [curl, x], retries: \"${{ params.retries }}\"}\n",
		"dockstage.yaml": "version: 1\nname: x\nextends:\n  - layout: l.yaml\n    with: {python: 3.12, retries: x}\n",
	})
	_, err := load(t, dir, "dockstage.yaml")
	got := ""
	if err != nil {
		got = strings.ReplaceAll(err.Error(), dir+"/", "")
	}
	want := `dockstage.yaml:5:20: extends[0].with.python: expected a string (the param is string), got a number "3.12"; quote it: "3.12"
dockstage.yaml:5:35: extends[0].with.retries: expected an integer (the param is int), got a string "x"`
	if got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
}
