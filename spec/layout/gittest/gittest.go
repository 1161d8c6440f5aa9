// Package gittest makes real git repositories for tests: a bare
// repository (the remote a git layout names) and a work clone that
// commits, tags and pushes to it, all with the system's git in temporary
// directories, with a fixed identity and no user configuration.
//
// Only tests import it. It imports nothing of dockstage.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo is a bare repository and a work clone of it.
type Repo struct {
	t testing.TB
	// Bare is the bare repository's path: the URL a layout names.
	Bare string
	// Work is the work clone's path.
	Work string
}

// New makes an empty bare repository (branch main) and its work clone in
// t's temporary directory; it skips the test when git is not on PATH.
func New(t testing.TB) *Repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	dir := t.TempDir()
	r := &Repo{t: t, Bare: filepath.Join(dir, "layouts.git"), Work: filepath.Join(dir, "work")}
	r.Git("", "init", "--quiet", "--bare", "--initial-branch=main", r.Bare)
	r.Git("", "clone", "--quiet", r.Bare, r.Work)
	return r
}

// Git runs git in dir ("" for the current directory) and returns its
// output, trimmed; a failure fails the test.
func (r *Repo) Git(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Commit writes files (slash paths -> content) in the work clone, commits
// them on main and pushes; with tag, it tags the commit (moving the tag
// when it exists) and pushes the tag. It returns the commit.
func (r *Repo) Commit(files map[string]string, tag string) string {
	r.t.Helper()
	for name, body := range files {
		p := filepath.Join(r.Work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.Git(r.Work, "add", "-A")
	r.Git(r.Work, "commit", "--quiet", "-m", "layouts")
	r.Git(r.Work, "push", "--quiet", "origin", "HEAD:main")
	if tag != "" {
		r.Git(r.Work, "tag", "-f", tag)
		r.Git(r.Work, "push", "--quiet", "--force", "origin", tag)
	}
	return r.Git(r.Work, "rev-parse", "HEAD")
}

// Gone makes the remote unreachable (renames it) until the returned
// function puts it back.
func (r *Repo) Gone() (back func()) {
	r.t.Helper()
	if err := os.Rename(r.Bare, r.Bare+".gone"); err != nil {
		r.t.Fatal(err)
	}
	return func() {
		r.t.Helper()
		if err := os.Rename(r.Bare+".gone", r.Bare); err != nil {
			r.t.Fatal(err)
		}
	}
}
