package examples

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// module is the import path of the dockstage module.
const module = "github.com/dockstage/dockstage"

// layerRow is a row of the README's Layout table: | N | `package` | ... |
var layerRow = regexp.MustCompile("^\\|\\s*(\\d+)\\s*\\|\\s*`([a-z0-9/._-]+)`\\s*\\|")

// documentedLayers reads the layer of every package from README.md's
// Layout section: the one place the import order is written down.
func documentedLayers(t *testing.T) map[string]int {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	layers := map[string]int{}
	in := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## Layout"
			continue
		}
		if m := layerRow.FindStringSubmatch(line); in && m != nil {
			n, _ := strconv.Atoi(m[1])
			if _, dup := layers[m[2]]; dup {
				t.Errorf("README.md Layout: %s is listed twice", m[2])
			}
			layers[m[2]] = n
		}
	}
	if len(layers) == 0 {
		t.Fatal("README.md has no Layout table (| layer | `package` | ...)")
	}
	return layers
}

// listedPackage is what `go list -json` says of a package, in part.
type listedPackage struct {
	ImportPath string
	Imports    []string
}

// modulePackages lists the module's packages and their (non-test) imports.
func modulePackages(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestImportLayers fails on an import that points up (or sideways) in the
// README's Layout table, and on a package the table does not place.
func TestImportLayers(t *testing.T) {
	layers := documentedLayers(t)
	pkgs := modulePackages(t)
	seen := map[string]bool{}
	var bad []string
	for _, p := range pkgs {
		name := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		seen[name] = true
		from, ok := layers[name]
		if !ok {
			bad = append(bad, fmt.Sprintf("%s is not in README.md's Layout table: give it a layer", name))
			continue
		}
		for _, imp := range p.Imports {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			to := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			l, ok := layers[to]
			if ok && l < from {
				continue
			}
			bad = append(bad, fmt.Sprintf("%s (layer %d) imports %s (layer %d): imports go to lower layers only", name, from, to, l))
		}
	}
	for name := range layers {
		if !seen[name] {
			bad = append(bad, fmt.Sprintf("README.md's Layout table lists %s, which is not a package of the module", name))
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
}
