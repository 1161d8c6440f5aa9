package workspace

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// adoptSpec has comments on parts that change and parts that do not, blank
// lines, and a compose: section.
const adoptSpec = `# yaml-language-server: $schema=https://example.invalid/schema.json
version: 1
name: svc
# the base image
args: {DEBIAN: "debian:bookworm-slim"}

stages:
  # the base stage
  base: {from: "${DEBIAN}"}
  prod:
    from: base  # the runtime
    steps:
      # runs as nobody
      - user: "10001"

      # the command
      - cmd: [sleep, infinity]

# ours: compose
compose:
  ports: ["8080:8080"]  # the port
dockerignore: true
`

// adoptFixture renders adoptSpec in a fresh directory, applies edit to its
// Dockerfile and returns the spec's and the Dockerfile's paths.
func adoptFixture(t *testing.T, edit func(string) string) (sp, df string) {
	t.Helper()
	dir := t.TempDir()
	apply(t, render(t, dir, adoptSpec, Options{}))
	sp, df = filepath.Join(dir, "dockstage.yaml"), filepath.Join(dir, "Dockerfile")
	writeFile(t, df, edit(readFile(t, df)))
	return sp, df
}

func adopt(t *testing.T, sp, df string) (*Imported, error) {
	t.Helper()
	return Adopt(sp, df, []byte(readFile(t, df)))
}

func TestAdoptKeepsComposeAndComments(t *testing.T) {
	sp, df := adoptFixture(t, func(s string) string {
		s = strings.Replace(s, "USER 10001", "USER 10002\nRUN apk add --no-cache curl", 1)
		return strings.Replace(s, "ARG DEBIAN=debian:bookworm-slim", "ARG DEBIAN=debian:trixie-slim\nARG EXTRA=1", 1)
	})
	if res, _ := Check(context.Background(), []string{filepath.Dir(sp)}, CheckOptions{}); res.Specs[0].Problems[0].Kind != HandEdit {
		t.Fatalf("before: %+v", res.Specs[0].Problems)
	}
	res, err := adopt(t, sp, df)
	if err != nil {
		t.Fatal(err)
	}
	if d := res.Plan.Files[0]; d.Decision != Overwrite || d.Path != sp {
		t.Fatalf("plan %+v", d)
	}
	apply(t, res.Plan)
	got := readFile(t, sp)
	for _, want := range []string{
		"# yaml-language-server: $schema=https://example.invalid/schema.json\nversion: 1\nname: svc\n# the base image\n",
		"\nstages:\n  # the base stage\n  base: {from: \"${DEBIAN}\"}\n",
		"from: base # the runtime\n",
		"      # runs as nobody\n      - user: \"10002\"\n",
		"      # the command\n      - cmd: [sleep, infinity]\n",
		"\n\n# ours: compose\ncompose:\n  ports: [\"8080:8080\"]  # the port\ndockerignore: true\n",
		"debian:trixie-slim", "EXTRA", "apk add --no-cache curl",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("adopted spec lacks %q:\n%s", want, got)
		}
	}
	// The drift is gone, and render replaces the Dockerfile (re-stamped).
	check, err := Check(context.Background(), []string{filepath.Dir(sp)}, CheckOptions{})
	if err != nil || check.Drifted != 0 || check.Invalid != 0 {
		t.Fatalf("check after adopting: %v %s", err, check.Text())
	}
	p := render(t, filepath.Dir(sp), "", Options{})
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	// Adopting again changes nothing.
	if res, err := adopt(t, sp, df); err != nil || res.Plan.Files[0].Decision != Unchanged {
		t.Errorf("second adopt: %v %v", err, res.Plan.Files[0].Decision)
	}
}

// A key the spec lacks (directives) goes above stages and its comment;
// a key the Dockerfile no longer has (args) goes.
func TestAdoptAddsAndRemovesKeys(t *testing.T) {
	sp, df := adoptFixture(t, func(s string) string {
		s = strings.Replace(s, "ARG DEBIAN=debian:bookworm-slim\n", "", 1)
		return "# syntax=docker/dockerfile:1\n" + strings.Replace(s, "${DEBIAN}", "debian:trixie-slim", 1)
	})
	res, err := adopt(t, sp, df)
	if err != nil {
		t.Fatal(err)
	}
	got := string(res.Spec)
	if strings.Contains(got, "args:") || strings.Contains(got, "# the base image") || !strings.Contains(got, "name: svc\n\ndirectives:\n  syntax: docker/dockerfile:1\nstages:\n  # the base stage\n") {
		t.Errorf("adopted spec:\n%s", got)
	}
	// prod says the same: its lines stay as written, the blank line
	// above a comment too; base changed and is rewritten alone.
	if !strings.Contains(got, "  prod:\n    from: base  # the runtime\n    steps:\n      # runs as nobody\n      - user: \"10001\"\n\n      # the command\n") {
		t.Errorf("unchanged stage rewritten:\n%s", got)
	}
	if !strings.Contains(got, "  # the base stage\n  base: {from: \"debian:trixie-slim\"}\n  prod:") || !strings.Contains(got, "compose:\n  ports: [\"8080:8080\"]  # the port") {
		t.Errorf("adopted spec:\n%s", got)
	}
}

// A comment added inside a continued exec-form list is adopted above its
// item, the flow list it was in becoming a block list; the comment of the
// unchanged step stays.
func TestAdoptItemComments(t *testing.T) {
	sp, df := adoptFixture(t, func(s string) string {
		return strings.Replace(s, `CMD ["sleep", "infinity"]`, "CMD [\"sleep\", \\\n     # forever\n     \"infinity\"]", 1)
	})
	res, err := adopt(t, sp, df)
	if err != nil {
		t.Fatal(err)
	}
	got := string(res.Spec)
	if !strings.Contains(got, "      # the command\n      - cmd:\n          - sleep\n          # forever\n          - infinity\n") {
		t.Errorf("adopted spec:\n%s", got)
	}
	if !strings.Contains(got, "# the runtime\n") || !strings.Contains(got, "# runs as nobody\n") {
		t.Errorf("comment of an unchanged part lost:\n%s", got)
	}
}

func TestAdoptRefuses(t *testing.T) {
	// A Dockerfile the spec cannot render back as written (a lower-case
	// keyword renders upper-case): refused, naming the line.
	sp, df := adoptFixture(t, func(s string) string { return strings.Replace(s, "USER 10001", "user 10002", 1) })
	before := readFile(t, sp)
	if _, err := adopt(t, sp, df); err == nil || !strings.Contains(err.Error(), df+":8: adopting it into "+sp+" would not render it back: the spec would render \"USER 10002\" there; nothing written") {
		t.Errorf("lower-case keyword: %v", err)
	}
	// A spec that extends a layout that is not there: the layout's error.
	writeFile(t, sp, strings.Replace(before, "version: 1\n", "version: 1\nextends: [../layout.yaml]\n", 1))
	if _, err := adopt(t, sp, df); err == nil || !strings.Contains(err.Error(), sp+":3:11: extends[0].layout: ") || !strings.Contains(err.Error(), "no such layout file") {
		t.Errorf("extends: %v", err)
	}
	// No spec: the one message.
	if _, err := Adopt(filepath.Join(t.TempDir(), "dockstage.yaml"), df, []byte("FROM alpine\n")); err == nil || !strings.Contains(err.Error(), "no such spec; import --into adopts a Dockerfile into an existing spec") {
		t.Errorf("no spec: %v", err)
	}
	// An invalid Dockerfile: Reverse's positioned error.
	writeFile(t, sp, before)
	if _, err := Adopt(sp, df, []byte("FROM alpine AS prod\nFRM x\n")); err == nil || !strings.Contains(err.Error(), df+":2") {
		t.Errorf("invalid Dockerfile: %v", err)
	}
	// Edits the rest of the spec cannot take (compose builds prod, which
	// the Dockerfile no longer has): the spec's error, nothing written.
	if _, err := Adopt(sp, df, []byte("FROM alpine AS base\n")); err == nil || !strings.Contains(err.Error(), sp+": with the edits of "+df+" the spec is invalid, nothing written") || !strings.Contains(err.Error(), "compose.target") {
		t.Errorf("stage removed: %v", err)
	}
	if readFile(t, sp) != before {
		t.Error("a refused adopt changed the spec")
	}
	if _, err := os.Stat(sp); err != nil {
		t.Fatal(err)
	}
}

// FuzzAdopt: whatever the Dockerfile, Adopt fails or proves its result:
// the adopted spec renders a Dockerfile that means what the input says.
func FuzzAdopt(f *testing.F) {
	f.Add("FROM alpine AS base\nFROM base AS prod\nUSER 10002\nCMD [\"sleep\", \"1\"]\n")
	f.Add("ARG X=1\nFROM alpine:$X AS base\n# c\nFROM base AS prod\nRUN <<EOF\necho\nEOF\n")
	f.Add("FROM scratch\n")
	dir := f.TempDir()
	sp := filepath.Join(dir, "dockstage.yaml")
	if err := os.WriteFile(sp, []byte(adoptSpec), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, df string) {
		res, err := Adopt(sp, filepath.Join(dir, "Dockerfile"), []byte(df))
		if err != nil {
			return
		}
		if !strings.Contains(string(res.Spec), "ports: [\"8080:8080\"]  # the port") {
			t.Errorf("compose lost:\n%s", res.Spec)
		}
	})
}

// TestAdoptExample adopts an edit of the python-flask example's committed
// Dockerfile (a step changed and one added in the test stage): the
// prod stage and the compose: section keep their text, and check passes.
func TestAdoptExample(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"dockstage.yaml", "Dockerfile", "compose.yaml", "compose.dev.yaml", "docker-bake.hcl", ".dockerignore"} {
		writeFile(t, filepath.Join(dir, name), readFile(t, filepath.Join("..", "..", "examples", "python-flask", name)))
	}
	sp, df := filepath.Join(dir, "dockstage.yaml"), filepath.Join(dir, "Dockerfile")
	before := readFile(t, sp)
	writeFile(t, df, strings.Replace(readFile(t, df), "RUN python -m pytest\n", "RUN python -m pytest -q\nRUN python -m flake8 .\n", 1))
	res, err := adopt(t, sp, df)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, res.Plan)
	got := readFile(t, sp)
	tail := func(s string) string { return s[strings.Index(s, "\n  prod:"):] }
	if tail(got) != tail(before) {
		t.Errorf("prod and compose: changed:\n%s", got)
	}
	if !strings.Contains(got, "      - run: python -m pytest -q\n      - run: python -m flake8 .\n") {
		t.Errorf("adopted spec:\n%s", got)
	}
	if c, err := Check(context.Background(), []string{dir}, CheckOptions{}); err != nil || c.Drifted+c.Invalid != 0 {
		t.Fatalf("check after adopting: %v\n%s", err, c.Text())
	}
}
