package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockstage/dockstage/spec/layout"
	"github.com/dockstage/dockstage/spec/layout/gittest"
	"github.com/dockstage/dockstage/templates/lock"
)

const teamLayout = `params:
  port: {type: int, default: 8080}
args: {DEBIAN: "debian:bookworm-slim"}
stages:
  base: {from: "${DEBIAN}", steps: [{id: workdir, workdir: /srv}]}
  prod:
    from: base
    steps:
      - id: user
        user: "10001"
      - expose: ["${{ params.port }}"]
      - id: cmd
        cmd: [sleep, infinity]
`

// renderAll renders each spec and writes its files.
func renderAll(t *testing.T, opts Options, specs ...string) {
	t.Helper()
	for _, p := range specs {
		plan, err := Render(p, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := plan.Apply(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLayoutFleetDrift: a layout extended by two of three services renders
// each; one changed value in the layout drifts exactly those two, and
// check names the layout; re-rendering clears it.
func TestLayoutFleetDrift(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "layouts/service.yaml"), teamLayout)
	a := filepath.Join(root, "svc/a/dockstage.yaml")
	b := filepath.Join(root, "svc/b/dockstage.yaml")
	c := filepath.Join(root, "svc/c/dockstage.yaml")
	writeFile(t, a, "version: 1\nname: a\nextends: [../../layouts/service.yaml]\n")
	writeFile(t, b, "version: 1\nname: b\nextends:\n  - layout: ../../layouts/service.yaml\n    with: {port: 9000}\nstages:\n  prod:\n    steps_patch:\n      - before: cmd\n        steps: [{env: {MODE: b}}]\n")
	writeFile(t, c, smallSpec)
	renderAll(t, Options{}, a, b, c)
	if got := readFile(t, filepath.Join(root, "svc/b/Dockerfile")); !strings.Contains(got, "EXPOSE 9000\nENV MODE=b\nCMD [\"sleep\", \"infinity\"]") {
		t.Fatalf("b's Dockerfile lacks its with and patch:\n%s", got)
	}
	res, err := Check(context.Background(), []string{root}, CheckOptions{})
	if err != nil || res.Drifted != 0 || res.Invalid != 0 {
		t.Fatalf("fresh renders: %v %s", err, res.Text())
	}
	writeFile(t, filepath.Join(root, "layouts/service.yaml"), strings.Replace(teamLayout, `user: "10001"`, `user: "10002"`, 1))
	res, err = Check(context.Background(), []string{root}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Drifted != 2 || res.Invalid != 0 || !res.Specs[0].Drift || !res.Specs[1].Drift || res.Specs[2].Drift {
		t.Fatalf("want a and b drifted, c not:\n%s", res.Text())
	}
	text := res.Text()
	layoutName := filepath.ToSlash(filepath.Join(root, "layouts/service.yaml"))
	for _, want := range []string{
		filepath.Join(root, "svc/a/Dockerfile") + ":9: stale-render: unchanged since dockstage generated it, but " + a + " now renders something else; run dockstage render " + a + "; it extends " + layoutName,
		filepath.Join(root, "svc/b/Dockerfile") + ":9: stale-render: unchanged since dockstage generated it, but " + b + " now renders something else; run dockstage render " + b + "; it extends " + layoutName,
		"+USER 10002",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("check output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "svc/c/") {
		t.Errorf("check names c, which extends no layout:\n%s", text)
	}
	renderAll(t, Options{}, a, b)
	if res, err = Check(context.Background(), []string{root}, CheckOptions{}); err != nil || res.Drifted != 0 {
		t.Fatalf("after re-rendering: %v\n%s", err, res.Text())
	}
	// The effective spec says where each value is written.
	eff, err := Effective(b, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "- 9000 # " + b + ":5\n"; !strings.Contains(string(eff), want) {
		t.Errorf("effective spec lacks %q:\n%s", want, eff)
	}
}

// TestGitLayoutLockOffline: dockstage lock fetches a git layout at a tag
// and records its commit; with the remote gone, render and check still
// work from the cache; lock --update then reports it unreachable, and a
// new tag commit moves with --update.
func TestGitLayoutLockOffline(t *testing.T) {
	root := t.TempDir()
	r := gittest.New(t)
	bare := r.Bare
	// scratch: dockstage lock asks no registry (none is reachable here).
	gitLayout := strings.Replace(teamLayout, `from: "${DEBIAN}"`, "from: scratch", 1)
	v1 := r.Commit(map[string]string{"service.yaml": gitLayout}, "v1")

	g := &layout.Git{Dir: filepath.Join(root, "cache")}
	specPath := filepath.Join(root, "svc/dockstage.yaml")
	writeFile(t, specPath, "version: 1\nname: svc\nextends:\n  - layout: \"git:file://"+bare+"//service.yaml@v1\"\n    with: {port: 7000}\n")
	done, err := Lock(context.Background(), []string{specPath}, LockOptions{Git: g})
	if err != nil {
		t.Fatal(err)
	}
	if got := done[0].Report(); !strings.Contains(got, "0 image(s), 1 git layout(s), written") || !strings.Contains(got, "layout file://"+bare+"@v1: (new) -> "+v1) {
		t.Errorf("lock report:\n%s", got)
	}
	lf, err := loadLock(lock.Path(specPath))
	if err != nil || len(lf.Layouts) != 1 || lf.Layouts[0].Commit != v1 || lf.Layouts[0].Ref != "v1" {
		t.Fatalf("lock: %v %+v", err, lf)
	}
	renderAll(t, Options{Git: g}, specPath)

	// The remote goes away: a new process (a new Git over the same cache)
	// renders and checks offline.
	back := r.Gone()
	offline := &layout.Git{Dir: g.Dir}
	plan, err := Render(specPath, nil, Options{Git: offline})
	if err != nil {
		t.Fatalf("offline render: %v", err)
	}
	if !strings.Contains(string(plan.Files[0].Content), "EXPOSE 7000") {
		t.Errorf("offline render:\n%s", plan.Files[0].Content)
	}
	res, err := Check(context.Background(), []string{specPath}, CheckOptions{Git: offline})
	if err != nil || res.Drifted != 0 || res.Invalid != 0 {
		t.Fatalf("offline check: %v\n%s", err, res.Text())
	}
	if res.Specs[0].Layouts[0] != "git:file://"+bare+"//service.yaml@v1" {
		t.Errorf("check's layouts: %v", res.Specs[0].Layouts)
	}
	// --update must ask the remote: unreachable, its own kind of error.
	_, err = Lock(context.Background(), []string{specPath}, LockOptions{Git: offline, UpdateOptions: lock.UpdateOptions{Update: true}})
	var un *layout.UnreachableError
	if !errors.As(err, &un) {
		t.Fatalf("lock --update offline: %v, want a layout.UnreachableError", err)
	}
	// Without the lock, check reports the layout unreachable.
	if err := os.Remove(lock.Path(specPath)); err != nil {
		t.Fatal(err)
	}
	res, err = Check(context.Background(), []string{specPath}, CheckOptions{Git: &layout.Git{Dir: g.Dir}})
	if err != nil || res.Invalid != 1 || res.Specs[0].Unreachable != "git:file://"+bare+"//service.yaml@v1" || !strings.Contains(res.Specs[0].Error, "layout unreachable") {
		t.Fatalf("check without lock, remote gone: %v %+v", err, res.Specs)
	}
	if p := res.Specs[0].Problems; len(p) != 1 || p[0].Kind != LayoutUnreachable || !strings.Contains(p[0].Fix, "dockstage lock --layouts-only "+specPath) {
		t.Fatalf("check without lock, remote gone: want one layout-unreachable problem, got %+v", p)
	}
	// At the extends entry, git's one line, a fix that names the URL.
	want := Problem{Kind: LayoutUnreachable, File: specPath, Line: 4, Col: 13,
		Message: "git:file://" + bare + "//service.yaml@v1 cannot be fetched: fatal: '" + bare + "' does not appear to be a git repository",
		Fix:     "check the URL and your access: git ls-remote file://" + bare + "; to work offline, run dockstage lock --layouts-only " + specPath + " once online: it pins the commit, which the cache then serves"}
	if p := res.Specs[0].Problems[0]; p != want {
		t.Errorf("layout-unreachable problem:\n got %+v\nwant %+v", p, want)
	}

	// The remote is back with v1 moved: lock keeps the pin, --update moves it.
	back()
	if _, err := Lock(context.Background(), []string{specPath}, LockOptions{Git: &layout.Git{Dir: g.Dir}}); err != nil {
		t.Fatal(err)
	}
	v1b := r.Commit(map[string]string{"service.yaml": strings.Replace(gitLayout, "10001", "10002", 1)}, "v1")
	done, err = Lock(context.Background(), []string{specPath}, LockOptions{Git: &layout.Git{Dir: g.Dir}})
	if err != nil || done[0].Written || len(done[0].Changes) != 0 {
		t.Fatalf("lock without --update moved a pinned layout: %v %+v", err, done)
	}
	done, err = Lock(context.Background(), []string{specPath}, LockOptions{Git: &layout.Git{Dir: g.Dir}, UpdateOptions: lock.UpdateOptions{Update: true}})
	if err != nil || !strings.Contains(done[0].Report(), v1+" -> "+v1b) {
		t.Fatalf("lock --update: %v\n%v", err, done)
	}
	res, err = Check(context.Background(), []string{specPath}, CheckOptions{Git: &layout.Git{Dir: g.Dir}})
	if err != nil || res.Drifted != 1 || !strings.Contains(res.Text(), "+USER 10002") {
		t.Fatalf("check after the layout moved: %v\n%s", err, res.Text())
	}
}

func TestLayoutSourceGitDir(t *testing.T) {
	for dir, want := range map[string]string{
		"git:https://git.example.com/l.git//layouts@v3": "git:https://git.example.com/l.git//layouts/python.yaml@v3",
		"git:/srv/l.git//@main":                         "git:/srv/l.git//python.yaml@main",
		"git:git@example.com:p/l.git//team/@v1":         "git:git@example.com:p/l.git//team/python.yaml@v1",
	} {
		got, err := layoutSource(LayoutInitOptions{Layout: "python", LayoutDir: dir})
		if err != nil || got != want {
			t.Errorf("%s: %s %v, want %s", dir, got, err, want)
		}
	}
	if _, err := layoutSource(LayoutInitOptions{Layout: "python"}); err == nil || !strings.Contains(err.Error(), "needs --layout-dir") {
		t.Errorf("a name without --layout-dir: %v", err)
	}
}

// TestCheckLockedGitLayout: check --locked wants a lock for a spec that
// extends a git layout, even one that builds from no image.
func TestCheckLockedGitLayout(t *testing.T) {
	r := gittest.New(t)
	r.Commit(map[string]string{"l.yaml": "stages: {prod: {from: scratch}}\n"}, "v1")
	specPath := filepath.Join(t.TempDir(), "dockstage.yaml")
	writeFile(t, specPath, "version: 1\nname: svc\nextends: [\"git:"+r.Bare+"//l.yaml@v1\"]\n")
	g := &layout.Git{Dir: t.TempDir()}
	renderAll(t, Options{Git: g}, specPath)
	res, err := Check(context.Background(), []string{specPath}, CheckOptions{Git: g, Locked: true})
	if err != nil || res.Drifted != 1 || res.Specs[0].Lock == nil || res.Specs[0].Lock.Status != "missing" || !strings.Contains(res.Text(), "builds from layout "+r.Bare+"@v1 and has no lock") {
		t.Fatalf("check --locked: %v\n%s", err, res.Text())
	}
	if _, err := Lock(context.Background(), []string{specPath}, LockOptions{Git: g}); err != nil {
		t.Fatal(err)
	}
	if res, err = Check(context.Background(), []string{specPath}, CheckOptions{Git: g, Locked: true}); err != nil || res.Drifted != 0 {
		t.Fatalf("check --locked after lock: %v\n%s", err, res.Text())
	}
}

// TestLockLayoutsOnly: an image whose registry is unreachable stops lock,
// which says no layout was pinned and how to pin them; --layouts-only pins
// the git layout without asking any registry and keeps the images as
// they were.
func TestLockLayoutsOnly(t *testing.T) {
	root := t.TempDir()
	r := gittest.New(t)
	// Port 1 on the loopback: a registry that refuses every connection.
	v1 := r.Commit(map[string]string{"service.yaml": strings.Replace(teamLayout, `from: "${DEBIAN}"`, "from: 127.0.0.1:1/base:1", 1)}, "v1")
	g := &layout.Git{Dir: filepath.Join(root, "cache")}
	specPath := filepath.Join(root, "svc/dockstage.yaml")
	writeFile(t, specPath, "version: 1\nname: svc\nextends:\n  - layout: \"git:file://"+r.Bare+"//service.yaml@v1\"\n    with: {port: 7000}\n")
	_, err := Lock(context.Background(), []string{specPath}, LockOptions{Git: g, Resolver: lock.Resolver{Timeout: 2 * time.Second}})
	if err == nil || !strings.Contains(err.Error(), "no git layout was pinned either; dockstage lock --layouts-only "+specPath+" pins them") {
		t.Fatalf("lock with an unreachable registry: %v", err)
	}
	if _, err := os.Stat(lock.Path(specPath)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed lock wrote %s: %v", lock.Path(specPath), err)
	}
	done, err := Lock(context.Background(), []string{specPath}, LockOptions{Git: g, LayoutsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := done[0].Report(); !strings.Contains(got, "0 image(s), 1 git layout(s), written; images left as they were (--layouts-only asks no registry)") || !strings.Contains(got, "layout file://"+r.Bare+"@v1: (new) -> "+v1) {
		t.Errorf("lock --layouts-only report:\n%s", got)
	}
	lf, err := loadLock(lock.Path(specPath))
	if err != nil || len(lf.Layouts) != 1 || lf.Layouts[0].Commit != v1 || len(lf.Images) != 0 {
		t.Fatalf("lock --layouts-only: %v %+v", err, lf)
	}
	if _, err := Lock(context.Background(), []string{specPath}, LockOptions{Git: g, LayoutsOnly: true, UpdateOptions: lock.UpdateOptions{Images: []string{"x"}}}); err == nil {
		t.Error("--layouts-only with --image: no error")
	}
}
