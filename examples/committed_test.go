package examples

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoBinaryCommitted fails when git tracks a binary file (a built
// command, a coverage profile, an archive): nothing built is committed. A
// file is binary when its first 8,000 bytes hold a NUL byte, git's own
// rule (xdiff's buffer_is_binary).
func TestNoBinaryCommitted(t *testing.T) {
	if _, err := os.Stat("../.git"); err != nil {
		t.Skip("not a git checkout")
	}
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	files := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	if len(files) < 100 {
		t.Fatalf("git ls-files lists %d files; expected the whole repository", len(files))
	}
	for _, name := range files {
		f, err := os.Open(filepath.Join("..", name))
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the work tree, not yet committed
			}
			t.Fatal(err)
		}
		head := make([]byte, 8000)
		n, err := io.ReadFull(f, head)
		f.Close()
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			t.Fatal(err)
		}
		if bytes.IndexByte(head[:n], 0) >= 0 {
			t.Errorf("%s is a binary file; nothing built is committed (git rm --cached it and add it to .gitignore)", name)
		}
	}
}

// maxLines is the most lines a non-test Go file may have: a file past it
// holds more than one concern (issue 10); split it at its natural seams.
const maxLines = 800

// TestGoFileSizes fails on a non-test Go file of the module over maxLines.
func TestGoFileSizes(t *testing.T) {
	err := filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if n := bytes.Count(b, []byte("\n")); n > maxLines {
			t.Errorf("%s has %d lines, more than %d: split it at its natural seams", p, n, maxLines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
