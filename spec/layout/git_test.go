package layout

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo makes a real bare repository with a work clone, for tests.
type gitRepo struct {
	t          *testing.T
	bare, work string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	dir := t.TempDir()
	r := &gitRepo{t: t, bare: filepath.Join(dir, "layouts.git"), work: filepath.Join(dir, "work")}
	r.run("", "init", "--quiet", "--bare", "--initial-branch=main", r.bare)
	r.run("", "clone", "--quiet", r.bare, r.work)
	return r
}

func (r *gitRepo) run(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files in the work clone, commits and pushes them, and
// returns the commit.
func (r *gitRepo) commit(files map[string]string, tag string) string {
	r.t.Helper()
	for name, body := range files {
		p := filepath.Join(r.work, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.run(r.work, "add", "-A")
	r.run(r.work, "commit", "--quiet", "-m", "layouts")
	r.run(r.work, "push", "--quiet", "origin", "HEAD:main")
	if tag != "" {
		r.run(r.work, "tag", tag)
		r.run(r.work, "push", "--quiet", "origin", tag)
	}
	return r.run(r.work, "rev-parse", "HEAD")
}

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
	r := newGitRepo(t)
	v1 := r.commit(map[string]string{"python.yaml": gitLayout}, "v1")
	r.commit(map[string]string{"python.yaml": strings.Replace(gitLayout, "8080", "9090", 1)}, "")
	specDir := t.TempDir()
	specFile := filepath.Join(specDir, "dockstage.yaml")
	src := "version: 1\nname: x\nextends: [\"git:" + r.bare + "//python.yaml@v1\"]\n"
	g := &Git{Dir: t.TempDir()}
	res, err := Load(specFile, []byte(src), Options{Git: g})
	if err != nil {
		t.Fatal(err)
	}
	ly := res.Layouts[0]
	if ly.Git == nil || ly.Git.Commit != v1 || ly.Git.Key() != r.bare+"@v1" {
		t.Fatalf("git layout = %+v, want commit %s of v1", ly.Git, v1)
	}
	if got := res.Spec.Stages[1].Steps[0].Expose[0]; got != "8080" {
		t.Errorf("expose = %s, want 8080 (v1's default)", got)
	}
	// The remote goes away; the pinned commit is read from the cache by a
	// new process (a new Git over the same cache directory).
	if err := os.Rename(r.bare, r.bare+".gone"); err != nil {
		t.Fatal(err)
	}
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
	if !errors.As(err, &un) || !strings.Contains(err.Error(), "dockstage.yaml:3:11: layout unreachable: git:"+r.bare+"//python.yaml@v1") {
		t.Errorf("unpinned and offline: error %v, want an UnreachableError at the extends entry", err)
	}
}

// TestGitLayoutBranchMoves reads a branch, then a new commit on it: an
// update (lock --update) sees the new commit, a pin keeps the old.
func TestGitLayoutBranchMoves(t *testing.T) {
	r := newGitRepo(t)
	c1 := r.commit(map[string]string{"l/python.yaml": gitLayout}, "")
	specFile := filepath.Join(t.TempDir(), "dockstage.yaml")
	src := []byte("version: 1\nname: x\nextends: [\"git:file://" + r.bare + "//l/python.yaml@main\"]\n")
	cache := t.TempDir()
	res, err := Load(specFile, src, Options{Git: &Git{Dir: cache}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Layouts[0].Git.Commit != c1 {
		t.Fatalf("commit %s, want %s", res.Layouts[0].Git.Commit, c1)
	}
	c2 := r.commit(map[string]string{"l/python.yaml": strings.Replace(gitLayout, "8080", "9090", 1)}, "")
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
		src := []byte("version: 1\nname: x\nextends: [\"git:file://" + r.bare + bad + "\"]\n")
		_, err := Load(specFile, src, Options{Git: &Git{Dir: cache}})
		var un *UnreachableError
		if err == nil || errors.As(err, &un) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "dockstage.yaml:3:11: extends[0].layout:") {
			t.Errorf("%s: error %v, want a positioned %q", bad, err, want)
		}
	}
}
