package layout

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec/layout/gittest"
)

const gitLayout = "params: {port: {type: int, default: 8080}}\nstages:\n  base: {from: alpine}\n  prod:\n    from: base\n    steps: [{expose: [\"${{ params.port }}\"]}]\n"

func TestParseGit(t *testing.T) {
	for in, want := range map[string]string{
		"git:file:///srv/l.git//py/layout.yaml@v1":      "file:///srv/l.git py/layout.yaml v1",
		"git:../layouts.git//python.yaml@main":          "../layouts.git python.yaml main",
		"git:git@example.com:team/l.git//a.yaml@v1.2":   "git@example.com:team/l.git a.yaml v1.2",
		"git:ssh://git@example.com/l.git//x/y.yaml@abc": "ssh://git@example.com/l.git x/y.yaml abc",
	} {
		g, err := ParseGit(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := g.URL + " " + g.Path + " " + g.Ref; got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"git:/srv/l.git/a.yaml@v1":  "no // between",
		"git:/srv/l.git//a.yaml":    "no @REF",
		"git:/srv/l.git//../a@v1":   "inside the repository",
		"git:/srv/l.git//a.yaml@-x": "is not a ref",
		"git://a.yaml@v1":           "no repository",
	} {
		if _, err := ParseGit(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", in, err, want)
		}
	}
}

// TestGitLayoutOffline reads a git layout at a tag, then makes the remote
// unreachable and reads it again at the pinned commit, from the cache.
func TestGitLayoutOffline(t *testing.T) {
	r := gittest.New(t)
	v1 := r.Commit(map[string]string{"python.yaml": gitLayout}, "v1")
	r.Commit(map[string]string{"python.yaml": strings.Replace(gitLayout, "8080", "9090", 1)}, "")
	specDir := t.TempDir()
	specFile := filepath.Join(specDir, "dockstage.yaml")
	src := "version: 1\nname: x\nextends: [\"git:" + r.Bare + "//python.yaml@v1\"]\n"
	g := &Git{Dir: t.TempDir()}
	res, err := Load(specFile, []byte(src), Options{Git: g})
	if err != nil {
		t.Fatal(err)
	}
	ly := res.Layouts[0]
	if ly.Git == nil || ly.Git.Commit != v1 || ly.Git.Key() != r.Bare+"@v1" {
		t.Fatalf("git layout = %+v, want commit %s of v1", ly.Git, v1)
	}
	if got := res.Spec.Stages[1].Steps[0].Expose[0]; got != "8080" {
		t.Errorf("expose = %s, want 8080 (v1's default)", got)
	}
	// The remote goes away; the pinned commit is read from the cache by a
	// new process (a new Git over the same cache directory).
	r.Gone()
	pins := map[string]string{ly.Git.Key(): v1}
	res, err = Load(specFile, []byte(src), Options{Git: &Git{Dir: g.Dir}, Pins: pins})
	if err != nil {
		t.Fatalf("offline read at the pinned commit: %v", err)
	}
	if got := res.Spec.Stages[1].Steps[0].Expose[0]; got != "8080" {
		t.Errorf("offline expose = %s, want 8080", got)
	}
	// Unpinned, the ref must be asked for: the layout is unreachable, an
	// error of its own kind.
	_, err = Load(specFile, []byte(src), Options{Git: &Git{Dir: g.Dir}})
	var un *UnreachableError
	if !errors.As(err, &un) || !strings.Contains(err.Error(), "dockstage.yaml:3:11: layout unreachable: git:"+r.Bare+"//python.yaml@v1") {
		t.Errorf("unpinned and offline: error %v, want an UnreachableError at the extends entry", err)
	}
}

// TestGitLayoutBranchMoves reads a branch, then a new commit on it: an
// update (lock --update) sees the new commit, a pin keeps the old.
func TestGitLayoutBranchMoves(t *testing.T) {
	r := gittest.New(t)
	c1 := r.Commit(map[string]string{"l/python.yaml": gitLayout}, "")
	specFile := filepath.Join(t.TempDir(), "dockstage.yaml")
	src := []byte("version: 1\nname: x\nextends: [\"git:file://" + r.Bare + "//l/python.yaml@main\"]\n")
	cache := t.TempDir()
	res, err := Load(specFile, src, Options{Git: &Git{Dir: cache}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Layouts[0].Git.Commit != c1 {
		t.Fatalf("commit %s, want %s", res.Layouts[0].Git.Commit, c1)
	}
	c2 := r.Commit(map[string]string{"l/python.yaml": strings.Replace(gitLayout, "8080", "9090", 1)}, "")
	key := res.Layouts[0].Git.Key()
	res, err = Load(specFile, src, Options{Git: &Git{Dir: cache}, Pins: map[string]string{key: c1}})
	if err != nil || res.Spec.Stages[1].Steps[0].Expose[0] != "8080" {
		t.Fatalf("pinned read: %v %+v", err, res)
	}
	res, err = Load(specFile, src, Options{Git: &Git{Dir: cache}, Pins: map[string]string{key: c1}, Update: true})
	if err != nil || res.Layouts[0].Git.Commit != c2 || res.Spec.Stages[1].Steps[0].Expose[0] != "9090" {
		t.Fatalf("updated read: %v, commit %s want %s", err, res.Layouts[0].Git.Commit, c2)
	}
	// A path or ref the repository lacks is the spec's mistake, positioned.
	for bad, want := range map[string]string{
		"//l/nope.yaml@main": "has no file l/nope.yaml; check the path after //",
		"//l/python.yaml@v9": "has no tag, branch or commit \"v9\"",
	} {
		src := []byte("version: 1\nname: x\nextends: [\"git:file://" + r.Bare + bad + "\"]\n")
		_, err := Load(specFile, src, Options{Git: &Git{Dir: cache}})
		var un *UnreachableError
		if err == nil || errors.As(err, &un) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "dockstage.yaml:3:11: extends[0].layout:") {
			t.Errorf("%s: error %v, want a positioned %q", bad, err, want)
		}
	}
}

// TestGitMessage: git's multi-line standard error becomes its one line
// that says why.
func TestGitMessage(t *testing.T) {
	for in, want := range map[string]string{
		"fatal: repository '/x/layouts.git' does not exist\n": "fatal: repository '/x/layouts.git' does not exist",
		"ssh: Could not resolve hostname git.example.com: Name or service not known\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n": "ssh: Could not resolve hostname git.example.com: Name or service not known",
		"hint: Using 'master' as the name\nfatal: unable to access 'https://h/x.git/': Could not resolve host: h\n":                                                                                                        "fatal: unable to access 'https://h/x.git/': Could not resolve host: h",
		"fatal: Could not read from remote repository.\n": "fatal: Could not read from remote repository.",
		"": "",
	} {
		if got := gitMessage(in); got != want {
			t.Errorf("gitMessage(%q) = %q, want %q", in, got, want)
		}
	}
}
