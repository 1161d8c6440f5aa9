package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/layout"
	"github.com/dockstage/dockstage/spec/layout/gittest"
)

// BenchmarkCheckLayoutFleet checks 100 rendered services side by side:
// "layout", each a three-line spec extending teamLayout; "git", the same
// extending it as a git layout at a tag, locked (read from the cache);
// and "plain", the same specs merged and written out whole (what a fleet
// without layouts commits). The ratios are the cost of reading and
// merging the layout.
func BenchmarkCheckLayoutFleet(b *testing.B) {
	const n = 100
	for _, kind := range []string{"layout", "git", "plain"} {
		b.Run(kind, func(b *testing.B) {
			root := b.TempDir()
			fleetLayout := strings.Replace(teamLayout, `from: "${DEBIAN}"`, "from: scratch", 1) // lock asks no registry
			if err := os.WriteFile(filepath.Join(root, "service.yaml"), []byte(fleetLayout), 0o644); err != nil {
				b.Fatal(err)
			}
			source := "../service.yaml"
			g := &layout.Git{Dir: b.TempDir()}
			if kind == "git" {
				r := gittest.New(b)
				r.Commit(map[string]string{"service.yaml": fleetLayout}, "v1")
				source = "git:" + r.Bare + "//service.yaml@v1"
			}
			for i := range n {
				p := filepath.Join(root, fmt.Sprintf("svc%03d", i), "dockstage.yaml")
				text := fmt.Sprintf("version: 1\nname: svc%d\nextends:\n  - layout: %q\n    with: {port: %d}\n", i, source, 8000+i)
				if kind == "plain" {
					res, err := layout.Load(p, []byte(text), layout.Options{})
					if err != nil {
						b.Fatal(err)
					}
					res.Spec.Extends = nil
					out, err := spec.Marshal(res.Spec)
					if err != nil {
						b.Fatal(err)
					}
					text = string(out)
				}
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					b.Fatal(err)
				}
				if kind == "git" {
					if _, err := Lock(context.Background(), []string{p}, LockOptions{Git: g}); err != nil {
						b.Fatal(err)
					}
				}
				plan, err := Render(p, nil, Options{Git: g})
				if err != nil {
					b.Fatal(err)
				}
				if err := plan.Apply(); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for range b.N {
				res, err := Check(context.Background(), []string{root}, CheckOptions{Jobs: 2, Git: &layout.Git{Dir: g.Dir}})
				if err != nil || res.Drifted != 0 || res.Invalid != 0 {
					b.Fatalf("%v %s", err, res.Text())
				}
			}
		})
	}
}
