package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra/doc"
)

// docsDir holds the CLI reference: one markdown page per command,
// generated from the cobra tree with cobra/doc. Regenerate it with
//
//	go test ./cmd/dockstage -run TestCLIReference -update
//
// (make docs); TestCLIReference fails when a page differs from the tree.
const docsDir = "docs"

// genReference writes the reference pages of the command tree into dir.
func genReference(t *testing.T, dir string) {
	t.Helper()
	root := newRootCmd(streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &bytes.Buffer{}})
	root.InitDefaultCompletionCmd()
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		t.Fatal(err)
	}
}

func readPages(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages[filepath.Base(f)] = b
	}
	return pages
}

// TestCLIReference checks that docs/ holds exactly the pages cobra/doc
// generates from the command tree: a page per command, none stale, each
// the same text. With -update it rewrites docs/ (read the diff).
func TestCLIReference(t *testing.T) {
	tmp := t.TempDir()
	genReference(t, tmp)
	want := readPages(t, tmp)
	if *update {
		if err := os.MkdirAll(docsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name := range readPages(t, docsDir) {
			if _, ok := want[name]; !ok {
				if err := os.Remove(filepath.Join(docsDir, name)); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, b := range want {
			if err := os.WriteFile(filepath.Join(docsDir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	got := readPages(t, docsDir)
	var names []string
	for name := range want {
		names = append(names, name)
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		switch g, ok := got[name]; {
		case !ok:
			t.Errorf("%s/%s is missing: the command tree has a page for it", docsDir, name)
		case want[name] == nil:
			t.Errorf("%s/%s is stale: no command of the tree has this page", docsDir, name)
		case !bytes.Equal(g, want[name]):
			t.Errorf("%s/%s differs from the command tree", docsDir, name)
		}
	}
	if t.Failed() {
		t.Log("regenerate with: go test ./cmd/dockstage -run TestCLIReference -update (make docs), then read the diff")
	}
}
