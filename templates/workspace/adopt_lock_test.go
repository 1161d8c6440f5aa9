package workspace

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

const (
	lockDigest   = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	alpineDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	ownDigest    = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// TestAdoptKeepsLockDigestsOut: adopting a Dockerfile rendered with
// dockstage.lock's pins (an arg's default and a literal FROM) writes the
// references, not the digests, into the spec; a digest the lock does not
// hold is the user's and is written.
func TestAdoptKeepsLockDigestsOut(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "dockstage.lock"), "version: 1\nimages:\n"+
		"  - ref: alpine:3.20\n    repository: index.docker.io/library/alpine\n    tag: \"3.20\"\n    digest: "+alpineDigest+"\n    resolved: 2026-01-01T00:00:00Z\n"+
		"  - ref: debian:bookworm-slim\n    repository: index.docker.io/library/debian\n    tag: bookworm-slim\n    digest: "+lockDigest+"\n    resolved: 2026-01-01T00:00:00Z\n")
	const withTools = "  tools: {from: \"alpine:3.20\"}\n"
	apply(t, render(t, dir, strings.Replace(adoptSpec, "  prod:\n", withTools+"  prod:\n", 1), Options{}))
	sp, df := filepath.Join(dir, "dockstage.yaml"), filepath.Join(dir, "Dockerfile")
	rendered := readFile(t, df)
	if !strings.Contains(rendered, "ARG DEBIAN=debian:bookworm-slim@"+lockDigest) || !strings.Contains(rendered, "FROM alpine:3.20@"+alpineDigest+" AS tools") {
		t.Fatalf("render did not pin:\n%s", rendered)
	}
	edited := strings.Replace(rendered, "USER 10001", "USER 10002", 1)
	edited = strings.Replace(edited, "FROM base AS prod", "FROM busybox:1.36@"+ownDigest+" AS extra\n\nFROM base AS prod", 1)
	writeFile(t, df, edited)
	res, err := adopt(t, sp, df)
	if err != nil {
		t.Fatal(err)
	}
	got := string(res.Spec)
	for _, want := range []string{`args: {DEBIAN: "debian:bookworm-slim"}`, withTools, `user: "10002"`, "from: busybox:1.36@" + ownDigest} {
		if !strings.Contains(got, want) {
			t.Errorf("adopted spec lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, lockDigest) || strings.Contains(got, alpineDigest) {
		t.Errorf("the lock's digests were written into the spec:\n%s", got)
	}
	apply(t, res.Plan)
	if cr, err := Check(context.Background(), []string{dir}, CheckOptions{}); err != nil || cr.Drifted != 0 || cr.Invalid != 0 {
		t.Errorf("check after adopting: %v\n%s", err, cr.Text())
	}
}

// TestAdoptKeepsYAMLBlankLines: a changed stage is rewritten, and the
// blank lines the spec had between its kept steps (which the Dockerfile
// does not show) stay, above the kept step's comment.
func TestAdoptKeepsYAMLBlankLines(t *testing.T) {
	sp, df := adoptFixture(t, func(s string) string { return strings.Replace(s, "USER 10001", "USER 10002", 1) })
	res, err := adopt(t, sp, df)
	if err != nil {
		t.Fatal(err)
	}
	want := "    steps:\n      # runs as nobody\n      - user: \"10002\"\n\n      # the command\n      - cmd: [sleep, infinity]\n\n# ours: compose\n"
	if !strings.Contains(string(res.Spec), want) {
		t.Errorf("adopted spec:\n%s\nwant it to hold:\n%s", res.Spec, want)
	}
}

// TestAdoptKeepsFirstArgComment: a comment the spec writes on its first
// arg renders right above the first ARG, where import reads it as the
// file's comment:; adoption keeps it on the arg (no churn).
func TestAdoptKeepsFirstArgComment(t *testing.T) {
	const args = "args:\n  # the base image\n  DEBIAN: \"debian:bookworm-slim\"\n"
	dir := t.TempDir()
	apply(t, render(t, dir, strings.Replace(adoptSpec, "# the base image\nargs: {DEBIAN: \"debian:bookworm-slim\"}\n", args, 1), Options{}))
	sp, df := filepath.Join(dir, "dockstage.yaml"), filepath.Join(dir, "Dockerfile")
	writeFile(t, df, strings.Replace(readFile(t, df), "USER 10001", "USER 10002", 1))
	res, err := adopt(t, sp, df)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.Spec); !strings.Contains(got, "name: svc\n"+args+"\nstages:\n") || strings.Contains(got, "comment:") {
		t.Errorf("adopted spec:\n%s", got)
	}
}

// TestAdoptKeepsUnchangedForms: a spec as init writes it, with its own
// comment: lines and a comment on its first arg, an ARG without default
// written as a mapping and COPY fields in another order than import's;
// an edit elsewhere leaves each of them as written.
func TestAdoptKeepsUnchangedForms(t *testing.T) {
	const src = `version: 1
name: svc
comment:
  - the service
# other images: --build-arg DEBIAN=...
args:
  # the base image
  DEBIAN: "debian:bookworm-slim"
stages:
  base:
    from: ${DEBIAN}
    steps:
      - arg: {PROXY: }
      - run: echo hi > /out
  prod:
    from: ${DEBIAN}
    steps:
      - copy: {from: base, src: [/out], dest: /out}
      - user: "10001"
`
	dir := t.TempDir()
	apply(t, render(t, dir, src, Options{}))
	sp, df := filepath.Join(dir, "dockstage.yaml"), filepath.Join(dir, "Dockerfile")
	before := readFile(t, sp)
	writeFile(t, df, strings.Replace(readFile(t, df), "USER 10001", "USER 10002", 1))
	res, err := adopt(t, sp, df)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(before, `user: "10001"`, `user: "10002"`, 1); string(res.Spec) != want {
		t.Errorf("adopted spec:\n%s\nwant:\n%s", res.Spec, want)
	}
}
