package format

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dockstage/dockstage/transpile"
)

// FuzzFormat: Format never panics; what it returns is the same build as
// its input (checked here again with transpile.CompareBuilds) and formats
// to itself; an input import refuses, Format refuses.
func FuzzFormat(f *testing.F) {
	ins, _ := filepath.Glob("testdata/*/Dockerfile")
	for _, in := range ins {
		if b, err := os.ReadFile(in); err == nil && len(b) < 4000 {
			f.Add(b) // the small ones: each exec formats twice
		}
	}
	for _, s := range []string{
		"from alpine as b\nenv A 1\ncmd [ \"a\" ]\n",
		"# c\n\n# d\n\nFROM a\n\nRUN x \\\n  # in\n  y\n",
		"# escape=`\r\nFROM a\r\nRUN b `\r\n  c\r\n",
		"# syntax=docker/dockerfile:1\nFROM a\nCOPY <<x.txt <<y.txt /\nhi\nx.txt\nho\ny.txt\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := Format("Dockerfile", src)
		if err != nil {
			return
		}
		if _, _, rerr := transpile.Reverse("Dockerfile", src, transpile.ReverseOptions{}); rerr != nil {
			t.Fatalf("import refuses the input (%v) but Format formats it", rerr)
		}
		diffs, err := transpile.CompareBuilds("in", src, "out", out, "")
		if err != nil || len(diffs) > 0 {
			t.Fatalf("not the same build: %v %v\n%q\n%q", err, diffs, src, out)
		}
		again, err := Format("Dockerfile", out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not a fixed point (%v):\n%q\n%q", err, out, again)
		}
	})
}
