package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchFleet writes n repositories under a b.TempDir, each smallSpec and
// its rendered files, and hand-edits the Dockerfile of every 100th.
func benchFleet(b *testing.B, n int) string {
	b.Helper()
	one := b.TempDir()
	p, err := Render(filepath.Join(one, "dockstage.yaml"), []byte(smallSpec), Options{})
	if err != nil {
		b.Fatal(err)
	}
	root := b.TempDir()
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("repo-%04d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		files := map[string][]byte{"dockstage.yaml": []byte(smallSpec)}
		for _, f := range p.Files {
			files[f.Name] = f.write
		}
		if i%100 == 7 {
			files["Dockerfile"] = []byte(strings.Replace(string(files["Dockerfile"]), "USER 10001", "USER 0", 1))
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	return root
}

// BenchmarkCheckFleet checks 1,000 repositories (10 hand-edited), one spec
// at a time and GOMAXPROCS at a time (the default), side by side: ns/op
// is the time of one check of the whole fleet. Run with -cpu 2 for two
// cores.
func BenchmarkCheckFleet(b *testing.B) {
	root := benchFleet(b, 1000)
	for _, jobs := range []int{1, 0} {
		name := "jobs=1"
		if jobs == 0 {
			name = "jobs=GOMAXPROCS"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				res, err := Check(b.Context(), []string{root}, CheckOptions{Jobs: jobs})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Specs) != 1000 || res.Drifted != 10 || res.Invalid != 0 {
					b.Fatalf("checked %d, drifted %d, invalid %d", len(res.Specs), res.Drifted, res.Invalid)
				}
			}
		})
	}
}
