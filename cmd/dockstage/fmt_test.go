package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	messyDockerfile = "from alpine as build\nenv A 1\ncmd [ \"a\",\"b\" ]\n"
	tidyDockerfile  = "FROM alpine AS build\nENV A=1\nCMD [\"a\", \"b\"]\n"
)

func TestFmtPrintsStdin(t *testing.T) {
	code, out, errs := dockstage(t, messyDockerfile, "fmt", "-")
	if code != 0 || out != tidyDockerfile {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestFmtWriteCheckDiff(t *testing.T) {
	dir := t.TempDir()
	messy, tidy := filepath.Join(dir, "Dockerfile"), filepath.Join(dir, "tidy.Dockerfile")
	if err := os.WriteFile(messy, []byte(messyDockerfile), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tidy, []byte(tidyDockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := dockstage(t, "", "fmt", "--check", "--diff", messy, tidy)
	if code != 1 || !strings.HasPrefix(out, messy+"\n--- "+messy+" (original)\n+++ "+messy+" (formatted)\n") || strings.Contains(out, tidy) {
		t.Errorf("--check --diff: exit %d, stdout:\n%s", code, out)
	}
	if b, _ := os.ReadFile(messy); string(b) != messyDockerfile {
		t.Error("--check wrote the file")
	}
	code, out, errs := dockstage(t, "", "fmt", "-w", messy, tidy)
	if code != 0 || out != "" || errs != "formatted "+messy+"\n" {
		t.Fatalf("-w: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	b, _ := os.ReadFile(messy)
	st, _ := os.Stat(messy)
	if string(b) != tidyDockerfile || st.Mode().Perm() != 0o600 {
		t.Errorf("-w wrote %q, mode %v", b, st.Mode().Perm())
	}
	if code, out, _ := dockstage(t, "", "fmt", "--check", messy, tidy); code != 0 || out != "" {
		t.Errorf("--check after -w: exit %d, stdout %q", code, out)
	}
}

func TestFmtReportsEveryFile(t *testing.T) {
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.Dockerfile"), filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(bad, []byte("FROM alpine\nFROOM x\nRUNN y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte(messyDockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope")
	code, out, errs := dockstage(t, "", "fmt", bad, missing, good)
	if code != 2 || out != tidyDockerfile {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{bad + ":2:1: unknown instruction: FROOM", bad + ":3:1: unknown instruction: RUNN", missing + ": no such file; give existing Dockerfiles", "2 file(s) not formatted: " + bad + ", " + missing} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

// TestFmtWarnsMovedComment checks the README's promise that a comment with
// no place in the formatted instruction (between two flags) is moved above
// it with a warning naming its line.
func TestFmtWarnsMovedComment(t *testing.T) {
	src := "FROM alpine\nRUN --mount=type=cache,target=/a \\\n  # between\n  --network=none \\\n  true\n"
	code, out, errs := dockstage(t, src, "fmt", "-")
	want := "FROM alpine\n# between\nRUN --mount=type=cache,target=/a --network=none true\n"
	if code != 0 || out != want || errs != "<stdin>:3: warning: comment inside the continued RUN moved above it\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
