package layout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// GitPrefix opens a git layout in extends: git:URL//PATH@REF.
const GitPrefix = "git:"

// GitSource is a git layout: the file PATH of the repository URL at REF.
type GitSource struct {
	// URL is the repository as written: anything `git clone` takes (a
	// local path, relative to the spec's directory, file://, https://,
	// ssh://, user@host:path).
	URL string
	// Path is the layout file in the repository, slash separated.
	Path string
	// Ref is a tag, a branch or a commit.
	Ref string
	// Commit is the commit Ref resolved to (or was pinned at).
	Commit string
}

// Key is the lock's key of the source: URL@REF (every path of a
// repository at a ref is read at the same commit).
func (g *GitSource) Key() string { return g.URL + "@" + g.Ref }

// ParseGit reads git:URL//PATH@REF. The // that ends URL is the first one
// after the URL's scheme (file:///srv/layouts.git//python.yaml@v1), and
// REF follows the last @ of PATH. Errors say which part is missing.
func ParseGit(s string) (*GitSource, error) {
	rest, ok := strings.CutPrefix(s, GitPrefix)
	if !ok {
		return nil, fmt.Errorf("%q is not a git layout (git:URL//PATH@REF)", s)
	}
	start := 0
	if i := strings.Index(rest, "://"); i >= 0 {
		start = i + 3
	}
	i := strings.Index(rest[start:], "//")
	if i < 0 {
		return nil, fmt.Errorf("%s: no // between the repository and the layout's path; write git:URL//PATH@REF", s)
	}
	g := &GitSource{URL: rest[:start+i]}
	p := rest[start+i+2:]
	j := strings.LastIndex(p, "@")
	if j < 0 {
		return nil, fmt.Errorf("%s: no @REF after the layout's path; add a tag, branch or commit (git:URL//PATH@v1)", s)
	}
	g.Path, g.Ref = p[:j], p[j+1:]
	switch {
	case g.URL == "":
		return nil, fmt.Errorf("%s: no repository before //", s)
	case g.Path == "" || strings.HasPrefix(g.Path, "/") || strings.Contains("/"+g.Path+"/", "/../"):
		return nil, fmt.Errorf("%s: the layout's path %q must name a file inside the repository", s, g.Path)
	case g.Ref == "" || strings.HasPrefix(g.Ref, "-") || strings.ContainsAny(g.Ref, " \t\n:"):
		return nil, fmt.Errorf("%s: %q is not a ref; give a tag, branch or commit", s, g.Ref)
	}
	return g, nil
}

// Git reads git layouts through a cache of mirror clones, one per
// repository, made and updated with the system's git. A pinned commit the
// cache has is read without the network. Safe for concurrent use in one
// process; clones are made in a temporary directory and renamed, so
// processes sharing a cache do not see half a clone.
type Git struct {
	// Dir is the cache directory (DefaultCacheDir).
	Dir string

	mu    sync.Mutex
	repos map[string]*repo
}

type repo struct {
	mu      sync.Mutex
	fetched bool
	err     error
	// commits are the commits known to be in the clone; blobs the files
	// read, by COMMIT:PATH (a fleet reads one layout many times).
	commits map[string]bool
	blobs   map[string][]byte
	refs    map[string]string // ref -> commit, resolved after this run's fetch
}

// DefaultCacheDir is $XDG_CACHE_HOME/dockstage/layouts, else
// ~/.cache/dockstage/layouts (os.UserCacheDir).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for git layouts: %w (set XDG_CACHE_HOME)", err)
	}
	return filepath.Join(d, "dockstage", "layouts"), nil
}

// notFoundError is a ref or a path the repository does not have: a
// mistake in the spec, not an unreachable layout.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

// LocalPath says whether a git layout's URL is a relative local path (not
// scheme://, user@host:path or an absolute path): git finds it relative to
// the spec's directory.
func LocalPath(url string) bool {
	if strings.Contains(url, "://") || filepath.IsAbs(url) {
		return false
	}
	if i := strings.IndexAny(url, ":/"); i > 0 && url[i] == ':' {
		return false // user@host:path
	}
	return url != ""
}

// remote is the URL git is given: a local path relative to the spec's
// directory made absolute.
func remote(url, specDir string) string {
	if !LocalPath(url) {
		return url
	}
	abs, err := filepath.Abs(filepath.Join(specDir, url))
	if err != nil {
		return url
	}
	return abs
}

// read returns the layout file of src, setting src.Commit when it is not
// pinned (or update asks again). A pinned commit in the cache is read
// offline; otherwise the repository is fetched once per process.
func (g *Git) read(ctx context.Context, src *GitSource, specDir string, update bool) ([]byte, error) {
	url := remote(src.URL, specDir)
	sum := sha256.Sum256([]byte(url))
	dir := filepath.Join(g.Dir, hex.EncodeToString(sum[:8]))
	r := g.repo(dir)
	r.mu.Lock()
	defer r.mu.Unlock()
	if update {
		src.Commit = ""
	}
	if r.commits == nil {
		r.commits, r.blobs, r.refs = map[string]bool{}, map[string][]byte{}, map[string]string{}
	}
	has := func(c string) bool {
		if !r.commits[c] && hasCommit(ctx, dir, c) {
			r.commits[c] = true
		}
		return r.commits[c]
	}
	if src.Commit == "" || !has(src.Commit) {
		if err := r.fetch(ctx, url, dir); err != nil {
			return nil, err
		}
	}
	if src.Commit == "" {
		if src.Commit = r.refs[src.Ref]; src.Commit == "" {
			out, err := git(ctx, dir, "rev-parse", "--verify", "--quiet", "--end-of-options", src.Ref+"^{commit}")
			if err != nil {
				return nil, &notFoundError{fmt.Sprintf("%s has no tag, branch or commit %q", src.URL, src.Ref)}
			}
			src.Commit = strings.TrimSpace(string(out))
			r.commits[src.Commit], r.refs[src.Ref] = true, src.Commit
		}
	} else if !has(src.Commit) {
		return nil, fmt.Errorf("the locked commit %s of %s is not in the repository any more; run dockstage lock --update", src.Commit, src.Ref)
	}
	key := src.Commit + ":" + src.Path
	if data, ok := r.blobs[key]; ok {
		return data, nil
	}
	data, err := git(ctx, dir, "cat-file", "blob", key)
	if err != nil {
		return nil, &notFoundError{fmt.Sprintf("%s at %s (%s) has no file %s", src.URL, src.Ref, short(src.Commit), src.Path)}
	}
	r.blobs[key] = data
	return data, nil
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

func (g *Git) repo(dir string) *repo {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.repos == nil {
		g.repos = map[string]*repo{}
	}
	r := g.repos[dir]
	if r == nil {
		r = &repo{}
		g.repos[dir] = r
	}
	return r
}

// fetch makes or updates the mirror of url in dir, once per process.
func (r *repo) fetch(ctx context.Context, url, dir string) error {
	if r.fetched {
		return r.err
	}
	r.fetched = true
	if _, err := os.Stat(dir); err == nil {
		_, r.err = git(ctx, dir, "fetch", "--quiet", "--prune", "origin")
		return r.err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		r.err = err
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".clone-")
	if err != nil {
		r.err = err
		return err
	}
	defer os.RemoveAll(tmp)
	if _, r.err = git(ctx, "", "clone", "--mirror", "--quiet", "--", url, tmp); r.err != nil {
		return r.err
	}
	if err := os.Rename(tmp, dir); err != nil && !dirExists(dir) {
		r.err = err
	}
	return r.err
}

func dirExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

func hasCommit(ctx context.Context, dir, commit string) bool {
	if !dirExists(dir) {
		return false
	}
	_, err := git(ctx, dir, "cat-file", "-e", "--end-of-options", commit+"^{commit}")
	return err == nil
}

// git runs git in dir (the cache's clone; "" for none), never prompting
// for credentials, and returns its standard output; an error carries
// git's message.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	if dir != "" {
		args = append([]string{"--git-dir", dir}, args...)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := gitMessage(stderr.String())
		if errors.Is(err, exec.ErrNotFound) {
			msg = "git is not on PATH; install git to read git layouts"
		} else if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(msg)
	}
	return stdout.Bytes(), nil
}

// gitBoilerplate are the lines git adds after the cause of a failed
// fetch; they say nothing about it.
var gitBoilerplate = []string{
	"fatal: Could not read from remote repository.",
	"Please make sure you have the correct access rights",
	"and the repository exists.",
}

// gitMessage is the line of git's standard error that says why it failed,
// for a one-line error: the first line that is not a hint, a warning or
// boilerplate (a fetch over ssh writes the cause, then "fatal: Could not
// read from remote repository." and two lines of advice); the last line
// when every line is one of those.
func gitMessage(stderr string) string {
	var last string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		last = line
		if strings.HasPrefix(line, "hint:") || strings.HasPrefix(line, "warning:") || slices.Contains(gitBoilerplate, line) {
			continue
		}
		return line
	}
	return last
}
