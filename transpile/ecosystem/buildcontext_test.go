package ecosystem

import (
	"reflect"
	"testing"
	"testing/fstest"
)

func TestDockerignore(t *testing.T) {
	fsys := fstest.MapFS{
		".dockerignore":       {Data: []byte("# c\nnode_modules\n**/*.log\n/build\n*\n!src\n!package.json\n[\n")},
		"src/main.js":         {},
		"package.json":        {},
		"README.md":           {},
		"node_modules/a/b":    {},
		"a/b/c.log":           {},
		"vendor/x/y.go":       {},
		"deep/a/b/c/d/e.json": {},
	}
	c := ScanContext(fsys)
	for p, want := range map[string]bool{
		"node_modules": true, "node_modules/a/b": true, "a/b/c.log": true, "build/x": true,
		"src": false, "src/main.js": false, "package.json": false, "README.md": true,
	} {
		if got := c.Ignored(p); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", p, got, want)
		}
	}
	if got, want := c.Files(), []string{"package.json", "src/main.js"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Files() = %q, want %q", got, want)
	}
}

func TestScanContextSkipsAndLimits(t *testing.T) {
	fsys := fstest.MapFS{
		"go.mod":               {},
		"vendor/x/y.go":        {},
		".mvn/wrapper/a.jar":   {},
		"a/b/c/pom.xml":        {},
		"a/b/c/d/too-deep.xml": {},
	}
	c := ScanContext(fsys)
	if !c.HasDir("vendor") || c.HasFile("vendor/x/y.go") {
		t.Errorf("vendor: want the directory noted, not entered")
	}
	if !c.HasFile(".mvn/wrapper/a.jar") || !c.HasFile("a/b/c/pom.xml") || c.HasFile("a/b/c/d/too-deep.xml") {
		t.Errorf("Files() = %q", c.Files())
	}
	if ScanContext(nil).Known() {
		t.Errorf("a nil fs.FS gives a known context")
	}
}
