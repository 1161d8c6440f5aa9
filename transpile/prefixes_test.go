package transpile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// nodeShape is what the comment placement reads of a prefix's node
// (prefixNode): keyword, flags, attributes, heredocs and arguments, an
// ONBUILD's trigger too.
func nodeShape(nd *parser.Node) []any {
	if nd == nil {
		return nil
	}
	out := []any{nd.Value, nd.Flags, nd.Attributes, nd.Heredocs}
	for a := nd.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
		for _, c := range a.Children {
			out = append(out, nodeShape(c))
		}
	}
	return out
}

// TestPrefetchPrefixesAsAlone checks, on every Dockerfile of the test
// data, that each node prefetchPrefixes keeps from its one batched parse
// is the node a parse of that text on its own gives.
func TestPrefetchPrefixesAsAlone(t *testing.T) {
	var files []string
	filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "Dockerfile") {
			files = append(files, p)
		}
		return nil
	})
	batched := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := &reverser{file: f, name: "app"}
		r.run(src)
		if r.prefixes != nil {
			batched++
		}
		for text, nd := range r.prefixes {
			res, err := parser.Parse(strings.NewReader(r.escapeDirective() + text + "\n"))
			if err != nil || len(res.AST.Children) != 1 {
				t.Errorf("%s: %q is kept from the batch, alone it does not parse as one instruction (%v)", f, text, err)
				continue
			}
			if got, want := nodeShape(nd), nodeShape(res.AST.Children[0]); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %q: batched %v, alone %v", f, text, got, want)
			}
		}
	}
	if batched == 0 {
		t.Errorf("no Dockerfile of %d had its prefixes batched", len(files))
	}
	t.Logf("%d of %d Dockerfiles batched", batched, len(files))
}
