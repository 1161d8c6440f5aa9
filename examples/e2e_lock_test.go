//go:build e2e

package examples

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/templates/lock"
	"github.com/dockstage/dockstage/templates/lock/registrytest"
)

// (issue 15) a locked build: the local distroless base image is pushed to a CNCF registry on
// loopback (which the engine reaches over plain HTTP: insecure loopback registries are its
// default), `dockstage lock` pins it to the digest `docker push` reported, and the rendered
// Dockerfile builds from the registry by digest with the local tag removed.
func TestLockedBuild(t *testing.T) {
	t.Parallel()
	startUnit(t, "lock")
	reg := registrytest.New(t)
	ref := reg.Ref("e2e/static:nonroot-" + e2e.runID)
	mustRun(t, ".", dockerBin, "tag", "gcr.io/distroless/static-debian12:nonroot", ref)
	out := mustRun(t, ".", dockerBin, "push", ref)
	pushed := regexp.MustCompile(`digest: (sha256:[0-9a-f]{64})`).FindStringSubmatch(out)
	if pushed == nil {
		t.Fatalf("docker push printed no digest:\n%s", out)
	}
	mustRun(t, ".", dockerBin, "rmi", ref)

	dir := t.TempDir()
	spec := "version: 1\nname: locked\nstages:\n  prod:\n    from: " + ref + "\n    steps:\n" +
		"      - copy: {src: [hello.txt], dest: /hello.txt}\n      - user: \"65532\"\n"
	for name, text := range map[string]string{"dockstage.yaml": spec, "hello.txt": "hello\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cli := dockstageCLI(t)
	mustRun(t, dir, cli, "lock")
	data, err := os.ReadFile(filepath.Join(dir, lock.FileName))
	if err != nil {
		t.Fatal(err)
	}
	lf, err := lock.Parse(lock.FileName, data)
	if err != nil {
		t.Fatal(err)
	}
	im := lf.Find(ref)
	if im == nil || im.Digest != pushed[1] {
		t.Fatalf("lock holds %+v, docker push reported %s", im, pushed[1])
	}
	mustRun(t, dir, cli, "render")
	df, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if !strings.Contains(string(df), "FROM "+ref+"@"+im.Digest+" AS prod") {
		t.Fatalf("the Dockerfile does not pin %s:\n%s", ref, df)
	}
	mustRun(t, dir, cli, "check", "--locked", "--remote")
	tag := "dockstage-e2e-locked:" + e2e.runID
	mustRun(t, dir, dockerBin, "build", "--target", "prod", "-t", tag, ".")
	t.Cleanup(func() { _, _ = run(".", dockerBin, "rmi", "-f", tag, ref+"@"+im.Digest) })
	if out := mustRun(t, ".", dockerBin, "image", "inspect", "-f", "{{.Config.User}}", tag); strings.TrimSpace(out) != "65532" {
		t.Errorf("built image user %q, want 65532", out)
	}
}
