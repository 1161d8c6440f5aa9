package transpile_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
)

// TestExternalCorpus runs the round trip of TestCorpusRoundTrip over every
// file under $DOCKSTAGE_CORPUS (skipped when unset) whose name is
// Dockerfile, Dockerfile.* or *.Dockerfile, and that BuildKit parses:
// each must import, and then render to the same build, read back to the
// same spec and keep its comments. It logs the counts (files, imported,
// same build, refused with the first error of each).
//
//	DOCKSTAGE_CORPUS=/path/to/files go test ./transpile -run TestExternalCorpus -v
func TestExternalCorpus(t *testing.T) {
	root := os.Getenv("DOCKSTAGE_CORPUS")
	if root == "" {
		t.Skip("DOCKSTAGE_CORPUS is not set")
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := d.Name()
		if d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0 {
			if n == "Dockerfile" || strings.HasPrefix(n, "Dockerfile.") || strings.HasSuffix(n, ".Dockerfile") {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var notBuildKit, imported, same int
	refused := map[string][]string{}
	num := regexp.MustCompile(`[0-9]+`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := buildkitView(src); err != nil {
			notBuildKit++
			continue
		}
		s, _, err := transpile.Reverse("Dockerfile", src, transpile.ReverseOptions{})
		if err != nil {
			msg := strings.SplitN(err.Error(), "\n", 2)[0]
			if _, after, ok := strings.Cut(msg, ": "); ok {
				msg = after
			}
			key := num.ReplaceAllString(msg, "N")
			if len(key) > 110 {
				key = key[:110]
			}
			refused[key] = append(refused[key], f)
			continue
		}
		imported++
		rel, _ := filepath.Rel(root, f)
		ok := t.Run(rel, func(t *testing.T) {
			checkRoundTrip(t, src, s, []templates.Options{{Source: "dockstage.yaml"}})
		})
		if ok {
			same++
		}
	}
	keys := make([]string, 0, len(refused))
	n := 0
	for k := range refused {
		keys = append(keys, k)
		n += len(refused[k])
	}
	sort.Slice(keys, func(i, j int) bool { return len(refused[keys[i]]) > len(refused[keys[j]]) })
	t.Logf("%d files: %d not valid for BuildKit's parser and instructions, %d imported, %d round-tripped to the same build, %d refused", len(files), notBuildKit, imported, same, n)
	for _, k := range keys {
		t.Logf("refused %d: %s (e.g. %s)", len(refused[k]), k, refused[k][0])
	}
}
