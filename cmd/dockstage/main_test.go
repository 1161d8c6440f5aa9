package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dockstage runs the command line in-process and returns the exit code and
// both outputs.
func dockstage(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const flaskSpec = "../../examples/python-flask/dockstage.yaml"

func TestRenderStdoutFlask(t *testing.T) {
	code, out, errs := dockstage(t, "", "render", flaskSpec, "--stdout", "--only", "Dockerfile")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if got := strings.Join(lintClean(t, []byte(out)), ","); got != "base,src,test,prod" {
		t.Errorf("stages = %s, want base,src,test,prod", got)
	}
}

func TestRenderStdoutAllFiles(t *testing.T) {
	code, out, errs := dockstage(t, "", "render", flaskSpec, "--stdout")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, name := range []string{"# ==> Dockerfile <==", "# ==> compose.yaml <==", "# ==> compose.dev.yaml <=="} {
		if !strings.Contains(out, name) {
			t.Errorf("output lacks %q", name)
		}
	}
}

// TestStdoutFlagAndDash: --stdout and -o - print the same on render, import
// and migrate, and write nothing; import and migrate refuse --stdout with a
// path (render --stdout -o DIR prints what DIR would get: its paths differ).
func TestStdoutFlagAndDash(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("flask\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{{"render", flaskSpec}, {"import", df}, {"migrate", df}} {
		c1, out1, e1 := dockstage(t, "", append(c, "--stdout")...)
		c2, out2, e2 := dockstage(t, "", append(c, "-o", "-")...)
		if c1 != 0 || c2 != 0 {
			t.Fatalf("%v: exit %d, %d: %s %s", c, c1, c2, e1, e2)
		}
		if out1 != out2 || !strings.Contains(out1, "FROM") && !strings.Contains(out1, "from:") {
			t.Errorf("%v: --stdout and -o - differ or print nothing:\n%s\n----\n%s", c, out1, out2)
		}
		if c[0] == "render" {
			continue
		}
		if code, _, errs := dockstage(t, "", append(c, "--stdout", "-o", filepath.Join(dir, "out"))...); code != 2 || !strings.Contains(errs, "drop -o") {
			t.Errorf("%v --stdout -o DIR: exit %d, %s", c, code, errs)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("printing wrote files: %v", ents)
	}
}

func writeSpec(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "dockstage.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const smallSpec = `version: 1
name: svc
stages:
  base: {from: "debian:bookworm-slim"}
  prod:
    from: base
    steps:
      - user: "10001"
      - cmd: [sleep, infinity]
dockerignore: true
compose:
  ports: ["8080:8080"]
`

func TestRenderWritesAndProtects(t *testing.T) {
	dir := t.TempDir()
	p := writeSpec(t, dir, smallSpec)
	if code, _, errs := dockstage(t, "", "render", p); code != 0 {
		t.Fatalf("first render: exit %d: %s", code, errs)
	}
	for _, f := range []string{"Dockerfile", "compose.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "compose.dev.yaml")); !os.IsNotExist(err) {
		t.Error("compose.dev.yaml written without compose.dev")
	}
	// A second render of the same spec changes nothing.
	if code, _, errs := dockstage(t, "", "render", p); code != 0 || !strings.Contains(errs, "unchanged") {
		t.Fatalf("second render: exit %d: %s", code, errs)
	}
	// A changed spec replaces our own, unedited files.
	writeSpec(t, dir, strings.Replace(smallSpec, "infinity", "3600", 1))
	if code, _, errs := dockstage(t, "", "render", p); code != 0 {
		t.Fatalf("render after spec change: exit %d: %s", code, errs)
	}
	// A hand edit is protected...
	df := filepath.Join(dir, "Dockerfile")
	b, _ := os.ReadFile(df)
	edited := append(b, []byte("LABEL hand=edit\n")...)
	os.WriteFile(df, edited, 0o644)
	writeSpec(t, dir, smallSpec)
	code, _, errs := dockstage(t, "", "render", p)
	if code != 2 || !strings.Contains(errs, "edited since dockstage generated it") {
		t.Fatalf("render over an edited file: exit %d: %s", code, errs)
	}
	if now, _ := os.ReadFile(df); !bytes.Equal(now, edited) {
		t.Fatal("the edited Dockerfile was changed")
	}
	// ...unless --force.
	if code, _, errs := dockstage(t, "", "render", p, "--force"); code != 0 {
		t.Fatalf("render --force: exit %d: %s", code, errs)
	}
}

func TestRenderRefusesForeignFile(t *testing.T) {
	dir := t.TempDir()
	p := writeSpec(t, dir, smallSpec)
	handwritten := []byte("FROM scratch\n")
	os.WriteFile(filepath.Join(dir, "Dockerfile"), handwritten, 0o644)
	code, _, errs := dockstage(t, "", "render", p)
	if code != 2 || !strings.Contains(errs, "not generated by dockstage") || !strings.Contains(errs, "--force") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); !bytes.Equal(b, handwritten) {
		t.Fatal("hand-written Dockerfile overwritten")
	}
}

func TestRenderBadSpec(t *testing.T) {
	dir := t.TempDir()
	p := writeSpec(t, dir, strings.Replace(smallSpec, "stages:", "stges:", 1))
	code, _, errs := dockstage(t, "", "render", p)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	want := p + `:3:1: spec: unknown key "stges"; did you mean "stages"?`
	if !strings.Contains(errs, want) {
		t.Errorf("stderr = %q, want %q", errs, want)
	}
	p = writeSpec(t, dir, strings.Replace(smallSpec, `user: "10001"`, "user: [10001]", 1))
	code, _, errs = dockstage(t, "", "render", p)
	if code != 2 || !strings.Contains(errs, p+":8:15: stages.prod.steps[0].user: expected a string, got a list") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestRenderFromStdin(t *testing.T) {
	code, out, errs := dockstage(t, smallSpec, "render", "-", "--stdout", "--only", "Dockerfile")
	if code != 0 || !strings.Contains(out, "FROM base AS prod") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
}

// --name names a spec on standard input in the headers and in errors.
func TestRenderStdinName(t *testing.T) {
	code, out, errs := dockstage(t, smallSpec, "render", "-", "--name", "svc/dockstage.yaml", "--stdout", "--only", "Dockerfile")
	if code != 0 || !strings.Contains(out, "svc/dockstage.yaml") || strings.Contains(out, "<stdin>") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	code, _, errs = dockstage(t, "version: 1\nname: x\nstages: {}\nbogus: 1\n", "render", "-", "--name", "svc/dockstage.yaml", "--stdout")
	if code != 2 || !strings.Contains(errs, "svc/dockstage.yaml:4:1:") {
		t.Fatalf("exit %d, want 2 and an error at svc/dockstage.yaml:4:1:\n%s", code, errs)
	}
	if code, _, errs = dockstage(t, "", "render", flaskSpec, "--name", "x", "--stdout"); code != 2 || !strings.Contains(errs, "--name") {
		t.Fatalf("--name with a spec file: exit %d, want 2 and a usage error:\n%s", code, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"render", "a", "b"}, {"render", "--nope"}, {"frobnicate"}, {"render", "--only", "Dockerfile", flaskSpec}} {
		if code, _, _ := dockstage(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errs := dockstage(t, "", "render", "/nonexistent/dockstage.yaml"); code != 2 || !strings.Contains(errs, "/nonexistent/dockstage.yaml") {
		t.Errorf("missing file: exit %d: %s", code, errs)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := dockstage(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "dockstage ") {
		t.Fatalf("exit %d: %q", code, out)
	}
}

func TestDiffExitCodes(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	b := filepath.Join(dir, "b")
	c := filepath.Join(dir, "c")
	os.WriteFile(a, []byte("FROM debian AS base\nRUN make\nFROM base AS prod\nCMD [\"app\"]\n"), 0o644)
	os.WriteFile(b, []byte("from debian as base\n# same build\nrun make\n\nfrom base as prod\ncmd [\"app\"]\n"), 0o644)
	os.WriteFile(c, []byte("FROM debian AS base\nRUN make all\nFROM base AS prod\nCMD [\"app\"]\n"), 0o644)
	if code, out, errs := dockstage(t, "", "diff", a, b); code != 0 {
		t.Errorf("same: exit %d: %s%s", code, out, errs)
	}
	code, out, _ := dockstage(t, "", "diff", a, c, "--target", "prod")
	if code != 1 || !strings.Contains(out, a+":2") || !strings.Contains(out, c+":2") {
		t.Errorf("different: exit %d:\n%s", code, out)
	}
	os.WriteFile(c, []byte("RUN make\n"), 0o644)
	if code, _, errs := dockstage(t, "", "diff", a, c); code != 2 || !strings.Contains(errs, c+":1") {
		t.Errorf("invalid: exit %d: %s", code, errs)
	}
}

func TestRenderToOtherDirKeepsContext(t *testing.T) {
	dir := t.TempDir()
	p := writeSpec(t, dir, smallSpec)
	out := filepath.Join(dir, "build", "docker")
	if code, _, errs := dockstage(t, "", "render", p, "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	compose, err := os.ReadFile(filepath.Join(out, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(compose), `context: "../.."`) || !strings.Contains(string(compose), `dockerfile: build/docker/Dockerfile`) {
		t.Errorf("compose.yaml does not point back at the build context:\n%s", compose)
	}
	if _, err := os.Stat(filepath.Join(out, "Dockerfile.dockerignore")); err != nil {
		t.Errorf("Dockerfile.dockerignore: %v", err)
	}
}

func TestRenderRefusesAllBeforeWriting(t *testing.T) {
	dir := t.TempDir()
	p := writeSpec(t, dir, smallSpec)
	os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services: {}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "docker-bake.hcl"), []byte("# mine\n"), 0o644)
	code, _, errs := dockstage(t, "", "render", p)
	if code != 2 || !strings.Contains(errs, "compose.yaml") || !strings.Contains(errs, "docker-bake.hcl") || !strings.Contains(errs, "nothing was written") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); !os.IsNotExist(err) {
		t.Error("Dockerfile written although other files were refused")
	}
}

// TestNoRawFileErrors: every command that reads a path says "no such
// file" or "is a directory" in its own words, never Go's raw
// "open/stat/read PATH: ..." error.
func TestNoRawFileErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.MkdirAll("svc", 0o755)
	writeSpec(t, "svc", smallSpec)
	for _, args := range [][]string{
		{"check", "services/nonexist"}, {"check", "--format", "github", "nonexist/dockstage.yaml"},
		{"render", "nonexist.yaml"}, {"render", "svc"}, {"lock", "svc"}, {"lint", "nonexist"}, {"lint", "svc"},
		{"import", "nonexist"}, {"import", "svc"}, {"import", "--into", "nonexist.yaml", "nonexist"},
		{"import", "--into", "svc", "svc/dockstage.yaml"}, {"migrate", "nonexist"}, {"migrate", "svc"},
		{"diff", "nonexist", "svc/dockstage.yaml"}, {"diff", "svc", "svc/dockstage.yaml"},
		{"graph", "nonexist"}, {"graph", "svc"}, {"fmt", "nonexist"}, {"fmt", "svc"},
	} {
		code, _, errs := dockstage(t, "", args...)
		if code != 2 || strings.Contains(errs, "open ") || strings.Contains(errs, "stat ") || strings.Contains(errs, "read ") ||
			!strings.Contains(errs, ": no such ") && !strings.Contains(errs, ": is a directory; give a file") {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
}

func TestGraph(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	os.WriteFile(df, []byte("FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM scratch AS prod\nCOPY --from=build /app /app\n"), 0o644)
	code, out, errs := dockstage(t, "", "graph", df)
	if code != 0 || !strings.HasPrefix(out, "flowchart TD\n") || !strings.Contains(out, `s0 -.->|"COPY /app"| s1`) {
		t.Errorf("mermaid: exit %d: %s%s", code, out, errs)
	}
	code, out, errs = dockstage(t, "FROM alpine AS a\nFROM a AS b\n", "graph", "-", "--format", "dot", "--target", "a")
	if code != 0 || !strings.HasPrefix(out, "digraph stages {") || strings.Contains(out, `"b"`) {
		t.Errorf("dot from stdin: exit %d: %s%s", code, out, errs)
	}
	if code, _, errs := dockstage(t, "", "graph", df, "--target", "nope"); code != 2 || !strings.Contains(errs, `no stage named "nope"`) {
		t.Errorf("unknown target: exit %d: %s", code, errs)
	}
	p := writeSpec(t, dir, smallSpec)
	if code, out, errs := dockstage(t, "", "graph", p); code != 0 || !strings.Contains(out, "(default target)") {
		t.Errorf("spec: exit %d: %s%s", code, out, errs)
	}
	compose := filepath.Join(dir, "compose.yaml")
	os.WriteFile(compose, []byte("services:\n  web:\n    build: .\n"), 0o644)
	if code, _, errs := dockstage(t, "", "graph", compose); code != 2 || !strings.Contains(errs, "is a compose file") {
		t.Errorf("compose file: exit %d: %s", code, errs)
	}
}
