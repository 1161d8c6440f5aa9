package layout

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
)

// FuzzLoad merges a fuzzed spec over a fuzzed layout: Load never panics,
// every error it reports is positioned in one of the two files, and a
// merged spec's effective form (Effective) loads back as a spec.
func FuzzLoad(f *testing.F) {
	layout, _ := os.ReadFile("testdata/python.yaml")
	web, _ := os.ReadFile("testdata/web.yaml")
	f.Add(string(web), string(layout))
	f.Add("version: 1\nname: x\nextends: [l.yaml]\nstages: {b: {steps_patch: [{remove: a}]}}\n", "stages: {b: {from: x, steps: [{id: a, run: y}]}}\n")
	f.Add("version: 1\nname: x\nextends: [{layout: l.yaml, with: {a: 1}}]\n", "params: {a: {type: int}}\nargs: {A: \"${{ params.a }}\"}\n")
	dir := f.TempDir()
	specFile := filepath.Join(dir, "dockstage.yaml")
	layoutFile := filepath.Join(dir, "l.yaml")
	f.Fuzz(func(t *testing.T, specText, layoutText string) {
		if strings.Contains(specText, "python.yaml") {
			specText = strings.ReplaceAll(specText, "python.yaml", "l.yaml")
		}
		if err := os.WriteFile(layoutFile, []byte(layoutText), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Load(specFile, []byte(specText), Options{})
		if err != nil {
			var el spec.ErrorList
			if !errors.As(err, &el) {
				t.Fatalf("error is not an ErrorList: %v", err)
			}
			for _, e := range el {
				if e.Pos.File != specFile && e.Pos.File != layoutFile && !strings.HasPrefix(e.Pos.File, dir) {
					t.Fatalf("error outside the two files: %v", e)
				}
			}
			return
		}
		eff, err := res.Effective()
		if err != nil {
			t.Fatalf("effective: %v", err)
		}
		if _, err := spec.Load("effective.yaml", eff); err != nil {
			t.Fatalf("the effective spec does not load: %v\n%s", err, eff)
		}
	})
}

// FuzzParseGit: a git layout that parses is written back the same way
// (git:URL//PATH@REF) and parses to the same parts.
func FuzzParseGit(f *testing.F) {
	for _, s := range []string{"git:file:///srv/l.git//py/layout.yaml@v1", "git:../l.git//a.yaml@main", "git:git@example.com:t/l.git//a@v1.2", "git:ssh://u@h/l.git//x/y.yaml@abc", "git://a@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGit(s)
		if err != nil {
			return
		}
		again, err := ParseGit(GitPrefix + g.URL + "//" + g.Path + "@" + g.Ref)
		if err != nil || *again != *g {
			t.Fatalf("%q -> %+v, written back -> %+v, %v", s, g, again, err)
		}
	})
}

// FuzzLoadAlone loads a fuzzed layout alone (dockstage lint LAYOUT):
// LoadAlone never panics, every error is positioned in the layout (or the
// virtual spec extending it, named after it), and a loaded layout's
// effective form loads back as a spec.
func FuzzLoadAlone(f *testing.F) {
	layout, _ := os.ReadFile("testdata/python.yaml")
	f.Add(string(layout))
	f.Add("params: {go: {type: string}, port: {type: integer}}\nstages: {b: {from: \"golang:${{ params.go }}\", steps: [{run: \"${{ params.x }}\"}]}}\n")
	f.Add("stages: {b: {from: x}}\n")
	file := filepath.Join(f.TempDir(), "l.yaml")
	f.Fuzz(func(t *testing.T, text string) {
		res, err := LoadAlone(file, []byte(text), Options{})
		if err != nil {
			var el spec.ErrorList
			if !errors.As(err, &el) {
				t.Fatalf("error is not an ErrorList: %v", err)
			}
			for _, e := range el {
				if !strings.HasPrefix(e.Pos.File, file) {
					t.Fatalf("error outside the layout: %v", e)
				}
			}
			return
		}
		eff, err := res.Effective()
		if err != nil {
			t.Fatalf("effective: %v", err)
		}
		if _, err := spec.Load("effective.yaml", eff); err != nil {
			t.Fatalf("the effective spec does not load: %v\n%s", err, eff)
		}
	})
}
