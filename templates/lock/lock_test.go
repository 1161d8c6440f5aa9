package lock_test

import (
	"context"
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates/lock"
	"github.com/dockstage/dockstage/templates/lock/registrytest"
	"github.com/google/go-containerregistry/pkg/crane"
)

func loadSpec(t *testing.T, text string) *spec.Spec {
	t.Helper()
	sp, err := spec.Load("dockstage.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(sp); err != nil {
		t.Fatal(err)
	}
	return sp
}

const specText = `version: 1
name: web
args:
  BASE_IMAGE: HOST/base:1
  TOOLS_TAG: "1"
  LATER:
stages:
  base:
    from: ${BASE_IMAGE}
    steps:
      - run: {command: make, mounts: [{type: bind, from: "HOST/tools:${TOOLS_TAG}", target: /t}]}
  build:
    from: HOST/single:1
    steps:
      - copy: {from: base, src: [/a], dest: /a}
      - copy: {from: "0", src: [/a], dest: /b}
  prod:
    from: base
    steps:
      - copy: {from: HOST/single:1, src: [/x], dest: /x}
      - copy: {from: "HOST/pinned:1@sha256:0000000000000000000000000000000000000000000000000000000000000000", src: [/y], dest: /y}
  late:
    from: ${LATER}
  empty:
    from: scratch
`

func TestCollect(t *testing.T) {
	sp := loadSpec(t, strings.ReplaceAll(specText, "HOST", "127.0.0.1:5000"))
	var got []string
	for _, u := range lock.Collect(sp) {
		got = append(got, u.Flag+" "+u.Written+" -> "+u.Ref+" arg="+u.Arg)
	}
	want := []string{
		"FROM ${BASE_IMAGE} -> 127.0.0.1:5000/base:1 arg=BASE_IMAGE",
		"RUN --mount from 127.0.0.1:5000/tools:${TOOLS_TAG} -> 127.0.0.1:5000/tools:1 arg=",
		"FROM 127.0.0.1:5000/single:1 -> 127.0.0.1:5000/single:1 arg=",
		"COPY --from 127.0.0.1:5000/single:1 -> 127.0.0.1:5000/single:1 arg=",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Collect:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLockRealRegistry locks a spec against a real registry, checks the
// digests against crane's, moves a tag and updates.
func TestLockRealRegistry(t *testing.T) {
	reg := registrytest.New(t)
	baseIdx, basePer, err := reg.PushIndex("base:1", "linux/amd64", "linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.PushImage("tools:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.PushImage("single:1"); err != nil {
		t.Fatal(err)
	}
	sp := loadSpec(t, strings.ReplaceAll(specText, "HOST", reg.Host))
	uses := lock.Collect(sp)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &lock.Resolver{Timeout: 10 * time.Second, Now: func() time.Time { return now }}
	ctx := context.Background()
	f, changes, err := lock.Update(ctx, r, uses, nil, lock.UpdateOptions{Jobs: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Images) != 3 || len(changes) != 3 {
		t.Fatalf("locked %d images, %d changes; want 3 and 3: %+v", len(f.Images), len(changes), f.Images)
	}
	for _, im := range f.Images {
		d, err := crane.Digest(im.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if im.Digest != d {
			t.Errorf("%s: locked %s, crane digest says %s", im.Ref, im.Digest, d)
		}
	}
	base := f.Find(reg.Ref("base:1"))
	if base.Digest != baseIdx || len(base.Platforms) != 2 ||
		base.Platforms[0].Digest != basePer["linux/amd64"] || base.Platforms[1].Digest != basePer["linux/arm64"] {
		t.Errorf("base: %+v, want index %s and platforms %v", base, baseIdx, basePer)
	}
	if single := f.Find(reg.Ref("single:1")); len(single.Platforms) != 1 || single.Platforms[0].Platform != "linux/amd64" {
		t.Errorf("single: platforms %+v, want linux/amd64", single.Platforms)
	}
	if st := lock.Stale(uses, f); len(st) != 0 {
		t.Errorf("fresh lock is stale: %v", st)
	}

	// Round trip through the file.
	data, err := lock.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	back, err := lock.Parse("dockstage.lock", data)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := lock.Marshal(back); string(again) != string(data) {
		t.Errorf("Marshal(Parse(x)) != x:\n%s\n%s", data, again)
	}
	if !strings.Contains(string(data), "resolved: 2026-01-02T03:04:05Z") {
		t.Errorf("lock file lacks the resolved time:\n%s", data)
	}

	// Pins: the arg default and the literal references.
	pins := lock.Pins(sp, back)
	if got := pins.ArgPins["BASE_IMAGE"]; got != reg.Ref("base:1")+"@"+baseIdx {
		t.Errorf("ArgPins[BASE_IMAGE] = %q", got)
	}
	if got := pins.Pins[reg.Ref("single:1")]; !strings.HasPrefix(got, reg.Ref("single:1")+"@sha256:") {
		t.Errorf("Pins[single] = %q", got)
	}
	if _, ok := pins.Pins[reg.Ref("tools:${TOOLS_TAG}")]; ok {
		t.Errorf("a reference mixing build args was pinned: %v", pins.Pins)
	}

	// Move a tag: lock without --update keeps it, --update reports exactly it.
	moved, err := reg.PushImage("single:1")
	if err != nil {
		t.Fatal(err)
	}
	behind, err := lock.Behind(ctx, r, back)
	if err != nil || len(behind) != 1 || behind[0].New != moved {
		t.Fatalf("Behind = %v, %v; want single:1 -> %s", behind, err, moved)
	}
	if _, changes, err = lock.Update(ctx, r, uses, back, lock.UpdateOptions{}); err != nil || len(changes) != 0 {
		t.Fatalf("lock without --update moved %v (%v)", changes, err)
	}
	if _, changes, err = lock.Update(ctx, r, uses, back, lock.UpdateOptions{Update: true, Images: []string{reg.Ref("base")}}); err != nil || len(changes) != 0 {
		t.Fatalf("lock --update --image base moved %v (%v)", changes, err)
	}
	f2, changes, err := lock.Update(ctx, r, uses, back, lock.UpdateOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Ref != reg.Ref("single:1") || changes[0].New != moved || changes[0].Old != back.Find(reg.Ref("single:1")).Digest {
		t.Errorf("lock --update changes = %v, want exactly single:1 -> %s", changes, moved)
	}
	if f2.Find(reg.Ref("base:1")).Resolved != now {
		t.Errorf("an image that did not move was re-resolved")
	}
}

func TestResolveErrors(t *testing.T) {
	reg := registrytest.New(t)
	r := &lock.Resolver{Timeout: 5 * time.Second}
	ctx := context.Background()
	_, err := r.Resolve(ctx, reg.Ref("nothing:1"), "")
	if err == nil || !strings.Contains(err.Error(), "not found in registry "+reg.Host) {
		t.Errorf("missing image: %v", err)
	}
	if _, err := reg.PushImage("amd:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(ctx, reg.Ref("amd:1"), "linux/s390x"); err == nil || !strings.Contains(err.Error(), "has no linux/s390x image") {
		t.Errorf("missing platform: %v", err)
	}
	_, err = r.Resolve(ctx, "127.0.0.1:1/x:1", "")
	if err == nil || !strings.Contains(err.Error(), "registry 127.0.0.1:1 is unreachable") {
		t.Errorf("unreachable registry: %v", err)
	}
	sp := loadSpec(t, "version: 1\nname: w\nstages:\n  a:\n    from: "+reg.Ref("gone:1")+"\n  b:\n    from: "+reg.Ref("gone:2")+"\n")
	_, _, err = lock.Update(ctx, r, lock.Collect(sp), nil, lock.UpdateOptions{})
	if err == nil || !strings.Contains(err.Error(), "dockstage.yaml:5:11: FROM "+reg.Ref("gone:1")) || !strings.Contains(err.Error(), "gone:2") {
		t.Errorf("every failing reference with its position: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"version: 2\nimages: []\n", "dockstage.lock:1:1: version 2"},
		{"version: 1\nimages:\n  - ref: a:1\n    digest: nope\n", "dockstage.lock:3:5: ref \"a:1\": digest \"nope\""},
		{"version: 1\nimages:\n  - ref: \"UPPER\"\n    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n", "is not an image reference"},
		{"version: 1\nimagez: []\n", "field imagez not found"},
	} {
		_, err := lock.Parse("dockstage.lock", []byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("version: 1\nimages:\n  - ref: a:1\n    repository: docker.io/library/a\n    tag: \"1\"\n    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n    platforms:\n      - platform: linux/amd64\n        digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n    resolved: 2026-01-02T03:04:05Z\n"))
	f.Add([]byte("version: 1\nimages: []\n"))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := lock.Parse("dockstage.lock", data)
		if err != nil {
			return
		}
		out, err := lock.Marshal(lf)
		if err != nil {
			t.Fatalf("Marshal of a parsed lock: %v", err)
		}
		back, err := lock.Parse("dockstage.lock", out)
		if err != nil {
			t.Fatalf("Parse(Marshal(x)): %v\n%s", err, out)
		}
		again, _ := lock.Marshal(back)
		if string(again) != string(out) {
			t.Fatalf("Marshal is not a fixed point:\n%s\n%s", out, again)
		}
	})
}

// TestResolveAuth: a registry that asks for a password refuses an
// anonymous lock with what to do, and accepts the credentials of the
// Docker config (authn.DefaultKeychain, $DOCKER_CONFIG).
func TestResolveAuth(t *testing.T) {
	reg := registrytest.NewWith(t, registrytest.Options{User: "ci", Password: "s3cret"})
	if _, err := reg.PushImage("private:1"); err != nil {
		t.Fatal(err)
	}
	cfg := t.TempDir()
	t.Setenv("DOCKER_CONFIG", cfg)
	r := &lock.Resolver{Timeout: 5 * time.Second}
	_, err := r.Resolve(context.Background(), reg.Ref("private:1"), "")
	if err == nil || !strings.Contains(err.Error(), "registry "+reg.Host+" refused access (401): log in with `docker login "+reg.Host+"`") {
		t.Fatalf("anonymous: %v", err)
	}
	auth := base64.StdEncoding.EncodeToString([]byte("ci:s3cret"))
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{"`+reg.Host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	im, err := r.Resolve(context.Background(), reg.Ref("private:1"), "")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := crane.Digest(reg.Ref("private:1")); err != nil || d != im.Digest {
		t.Errorf("locked %s, crane digest %s (%v)", im.Digest, d, err)
	}
}

// TestResolveTimeout: a registry that accepts the connection and never
// answers fails within the timeout, saying so.
func TestResolveTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r := &lock.Resolver{Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, err = r.Digest(context.Background(), l.Addr().String()+"/slow:1")
	if err == nil || !strings.Contains(err.Error(), "did not answer within 300ms") {
		t.Errorf("silent registry: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}
