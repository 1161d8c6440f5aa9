package templates

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
)

// TestComposeVolumes: a compose volume either renders (its compose file
// verifies with compose-go, a named volume declared at the top level) or
// is a spec error at its own line, in compose.yaml's service and in
// compose.dev.yaml's; never an internal error.
func TestComposeVolumes(t *testing.T) {
	for _, tc := range []struct {
		vol, declared string // declared: the top-level volumes block; "error": a spec error
	}{
		{"data:/data", "volumes:\n  data: {}\n"},
		{"data:/data:ro", "volumes:\n  data: {}\n"},
		{"data:/d:ro,nocopy", "volumes:\n  data: {}\n"},
		{"DATA.v_1-x:/d", "volumes:\n  DATA.v_1-x: {}\n"},
		{"./a:/b", ""},
		{"./:/app", ""},
		{".:/app", ""},
		{"../up:/up", ""},
		{"./${DIR}:/d", ""},
		{"/abs:/b:rw,z", ""},
		{"~/x:/h", ""},
		{"/anon", ""},
		{`C:\x:/y`, ""},
		{"${DATA}:/data", "error"},
		{"${PWD}/x:/data", "error"},
		{"x y:/z", "error"},
		{"-x:/d", "error"},
		{"./a::/b", "error"},
		{"/a:/b:", "error"},
		{":/x", "error"},
	} {
		for _, where := range []string{"compose", "compose.dev"} {
			t.Run(where+"/"+tc.vol, func(t *testing.T) {
				q := strconv.Quote(tc.vol)
				src := "version: 1\nname: app\nstages:\n  src: {from: alpine}\n  prod: {from: src}\ncompose:\n  volumes:\n    - " + q + "\n"
				file, line := "compose.yaml", 8
				if where == "compose.dev" {
					src = "version: 1\nname: app\nstages:\n  src: {from: alpine}\n  prod: {from: src}\ncompose:\n  dev:\n    volumes:\n      - " + q + "\n"
					file, line = "compose.dev.yaml", 9
				}
				s, err := spec.Load("dockstage.yaml", []byte(src))
				if err != nil {
					t.Fatal(err)
				}
				out, err := transpile.Forward(s)
				if tc.declared == "error" {
					var l spec.ErrorList
					if !errors.As(err, &l) || len(l) != 1 || l[0].Pos.Line != line || !strings.Contains(l[0].Error(), where+".volumes[0]") {
						t.Fatalf("want one spec error at line %d naming %s.volumes[0], got %v", line, where, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("Forward: %v", err)
				}
				files, err := Render(out, Options{Source: "dockstage.yaml"})
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				for _, f := range files {
					if f.Name != file {
						continue
					}
					_, top, _ := strings.Cut(string(f.Content), "\nvolumes:\n")
					if got := map[bool]string{true: "volumes:\n" + top}[top != ""]; got != tc.declared {
						t.Errorf("top-level volumes %q, want %q in:\n%s", got, tc.declared, f.Content)
					}
					return
				}
				t.Fatalf("no %s rendered", file)
			})
		}
	}
}
