package workspace

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckDiffIsDiffU: check's diffs are what diff -u prints for the same
// two files (headers aside): a missing file (-0,0), a change, a file
// without a final newline, and a .dockerignore whose user lines below the
// block are context.
func TestCheckDiffIsDiffU(t *testing.T) {
	if _, err := exec.LookPath("diff"); err != nil {
		t.Skip("diff is not on PATH")
	}
	stamp := "# dockstage:sha256=" + strings.Repeat("0", 64) + "\n"
	block := "# generated\n" + stamp + ".git\n# dockstage:end - add your own patterns below this line; dockstage keeps them\n"
	newBlock := strings.Replace(block, ".git\n", ".git\n.env\n", 1)
	for _, c := range []struct {
		name, committed, rendered string
		kind                      Kind
		missing                   bool
	}{
		{name: "missing", rendered: "a\nb\nc\n", missing: true},
		{name: "change", committed: "1\n2\n3\n4\n5\n6\n7\n8\n9\n", rendered: "1\n2\n3\n4\nfive\n6\n7\n8\n9\n"},
		{name: "no final newline", committed: "a\nb", rendered: "a\nB\n"},
		{name: "dockerignore", committed: block + "node_modules\n", rendered: newBlock, kind: Dockerignore},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			if !c.missing {
				if err := os.WriteFile(path, []byte(c.committed), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			fc := compareFile(path, File{Content: []byte(c.rendered), Kind: c.kind})
			if fc.Status == "ok" {
				t.Fatal("no drift found")
			}
			// diff -u of the same files: the committed (empty when
			// missing) and the whole rendered file.
			want := c.rendered
			if c.kind == Dockerignore {
				want += "node_modules\n"
			}
			a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			os.WriteFile(a, []byte(c.committed), 0o644)
			os.WriteFile(b, []byte(want), 0o644)
			out, _ := exec.Command("diff", "-u", a, b).Output() // exit 1: they differ
			body := func(d string) string {
				lines := strings.SplitAfter(d, "\n")
				if len(lines) < 3 {
					return d
				}
				return strings.Join(lines[2:], "")
			}
			if body(fc.Diff) != body(string(out)) {
				t.Errorf("check's diff:\n%s\ndiff -u:\n%s", fc.Diff, out)
			}
		})
	}
}
