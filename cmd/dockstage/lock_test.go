package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/templates/lock"
	"github.com/dockstage/dockstage/templates/lock/registrytest"
	"github.com/google/go-containerregistry/pkg/crane"
)

const lockSpec = `version: 1
name: svc
args:
  BASE_IMAGE: HOST/base:1
stages:
  base:
    from: ${BASE_IMAGE}
  prod:
    from: HOST/runtime:1
    steps:
      - copy: {from: HOST/tool:1, src: [/tool], dest: /usr/local/bin/tool}
      - copy: {from: base, src: [/etc/os-release], dest: /etc/}
`

// TestLockCommandRealRegistry is the "done when": lock writes the
// digests the registry reports, render pins them, a moved tag is reported
// by exactly one line of lock --update, check fails on a stale lock and
// passes after the update.
func TestLockCommandRealRegistry(t *testing.T) {
	reg := registrytest.New(t)
	if _, _, err := reg.PushIndex("base:1", "linux/amd64", "linux/arm64"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"runtime:1", "tool:1"} {
		if _, err := reg.PushImage(r); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	sp := writeSpec(t, dir, strings.ReplaceAll(lockSpec, "HOST", reg.Host))
	mustRun := func(want int, args ...string) string {
		t.Helper()
		code, out, errs := dockstage(t, "", args...)
		if code != want {
			t.Fatalf("dockstage %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errs)
		}
		return out
	}
	mustRun(0, "render", sp)
	mustRun(0, "check", dir)
	mustRun(1, "check", "--locked", dir) // no lock yet

	out := mustRun(0, "lock", sp)
	if !strings.Contains(out, "dockstage.lock: 3 image(s), written") {
		t.Errorf("lock printed:\n%s", out)
	}
	lf := readLockFile(t, dir)
	for _, im := range lf.Images {
		if d, err := crane.Digest(im.Ref); err != nil || d != im.Digest {
			t.Errorf("%s: locked %s, crane digest %s (%v)", im.Ref, im.Digest, d, err)
		}
	}
	if out := mustRun(0, "lock", sp); !strings.Contains(out, "up to date") {
		t.Errorf("a second lock changed something:\n%s", out)
	}
	mustRun(1, "check", dir) // the committed Dockerfile is not pinned yet
	mustRun(0, "render", sp)
	mustRun(0, "check", "--locked", "--remote", dir)
	df, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	for _, want := range []string{
		"ARG BASE_IMAGE=" + lf.Find(reg.Ref("base:1")).Pinned() + "\n",
		"FROM " + lf.Find(reg.Ref("runtime:1")).Pinned() + " AS prod\n",
		"COPY --from=" + lf.Find(reg.Ref("tool:1")).Pinned() + " \\\n    /tool /usr/local/bin/tool\n",
		"FROM ${BASE_IMAGE} AS base\n",
		"COPY --from=base ",
	} {
		if !strings.Contains(string(df), want) {
			t.Errorf("rendered Dockerfile lacks %q:\n%s", want, df)
		}
	}

	// The tag moves: check --remote sees it, lock --update reports it alone.
	moved, err := reg.PushImage("tool:1")
	if err != nil {
		t.Fatal(err)
	}
	mustRun(0, "check", dir)
	if out := mustRun(1, "check", "--remote", dir); !strings.Contains(out, "behind") || !strings.Contains(out, moved) {
		t.Errorf("check --remote printed:\n%s", out)
	}
	out = mustRun(0, "lock", "--update", sp)
	wantLine := "  " + reg.Ref("tool:1") + ": " + lf.Find(reg.Ref("tool:1")).Digest + " -> " + moved + "\n"
	if !strings.HasSuffix(out, "written\n"+wantLine) {
		t.Errorf("lock --update printed:\n%s\nwant exactly the line\n%s", out, wantLine)
	}
	mustRun(1, "check", dir) // the Dockerfile still pins the old digest
	mustRun(0, "render", sp)
	mustRun(0, "check", "--remote", dir)

	// The spec changes an image: the lock is stale until lock runs.
	if _, err := reg.PushImage("runtime:2"); err != nil {
		t.Fatal(err)
	}
	writeSpec(t, dir, strings.ReplaceAll(strings.ReplaceAll(lockSpec, "runtime:1", "runtime:2"), "HOST", reg.Host))
	if out := mustRun(1, "check", dir); !strings.Contains(out, "dockstage.lock: lock: stale: ") || !strings.Contains(out, reg.Ref("runtime:2")+" is not locked") {
		t.Errorf("check on a stale lock printed:\n%s", out)
	}
	out = mustRun(0, "lock", sp)
	if !strings.Contains(out, reg.Ref("runtime:1")+": sha256:") || !strings.Contains(out, "-> (removed)") || !strings.Contains(out, reg.Ref("runtime:2")+": (new) -> sha256:") {
		t.Errorf("lock after a spec change printed:\n%s", out)
	}
	mustRun(0, "render", sp)
	mustRun(0, "check", "--locked", dir)

	// Two specs, --image names an image of one of them: only that lock moves.
	dir2 := t.TempDir()
	sp2 := writeSpec(t, dir2, "version: 1\nname: other\nstages:\n  prod:\n    from: "+reg.Ref("runtime:2")+"\n")
	mustRun(0, "lock", sp2)
	before := readLockFile(t, dir).Find(reg.Ref("tool:1")).Digest
	moved, err = reg.PushImage("tool:1")
	if err != nil {
		t.Fatal(err)
	}
	out = mustRun(0, "lock", "--image", reg.Ref("tool"), sp, sp2)
	want := filepath.Join(dir, "dockstage.lock") + ": 3 image(s), written\n  " + reg.Ref("tool:1") + ": " + before + " -> " + moved + "\n" +
		filepath.Join(dir2, "dockstage.lock") + ": 1 image(s), up to date\n"
	if out != want {
		t.Errorf("lock --image over two specs printed:\n%s\nwant:\n%s", out, want)
	}

	// Errors: an image the spec does not use, a missing image.
	if code, _, errs := dockstage(t, "", "lock", "--update", "--image", "nothing", sp); code != 2 || !strings.Contains(errs, "--image nothing: the spec builds from no such image") {
		t.Errorf("--image nothing: exit %d: %s", code, errs)
	}
	writeSpec(t, dir, "version: 1\nname: svc\nstages:\n  prod:\n    from: "+reg.Ref("absent:1")+"\n")
	if code, _, errs := dockstage(t, "", "lock", sp); code != 2 || !strings.Contains(errs, "dockstage.yaml:5:11: FROM "+reg.Ref("absent:1")) || !strings.Contains(errs, "not found in registry") {
		t.Errorf("lock of a missing image: exit %d: %s", code, errs)
	}
}

func readLockFile(t *testing.T, dir string) *lock.File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, lock.FileName))
	if err != nil {
		t.Fatal(err)
	}
	f, err := lock.Parse(lock.FileName, data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
