package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec/layout/gittest"
)

// TestHandEditOverLayoutAdopted: for a spec extending a local layout and
// one extending a git layout (a real bare repository, pinned by
// dockstage.lock), a hand edit is reported as one with the import --into
// fix, import --into writes a steps_patch into the spec (extends and with
// as they were, the layout untouched), and check passes afterwards.
func TestHandEditOverLayoutAdopted(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	r := gittest.New(t)
	layoutText := strings.Replace(cmdLayout, `from: "${PYTHON_IMAGE}"`, "from: scratch", 1)
	r.Commit(map[string]string{"layouts/python.yaml": layoutText}, "v1")
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "local.yaml"), []byte(layoutText), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, source string }{
		{"local", "../local.yaml"},
		{"git", "git:file://" + r.Bare + "//layouts/python.yaml@v1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(root, tc.name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			spec := "version: 1\nname: " + tc.name + "\n# ours: the layout\nextends:\n  - layout: " + tc.source + "\n    with: {python: \"3.12\"}\n# ours: keep me\ncompose: {ports: [\"8080:8080\"]}\n"
			writeSpec(t, ".", spec)
			if tc.name == "git" {
				if code, _, errs := dockstage(t, "", "lock", "dockstage.yaml"); code != 0 {
					t.Fatalf("lock: %s", errs)
				}
			}
			if code, _, errs := dockstage(t, "", "render", "dockstage.yaml"); code != 0 {
				t.Fatal(errs)
			}
			b, _ := os.ReadFile("Dockerfile")
			edited := strings.Replace(string(b), "CMD [", "RUN pip install gunicorn\nCMD [", 1)
			if err := os.WriteFile("Dockerfile", []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, _ := dockstage(t, "", "check")
			if code != 1 || !strings.Contains(out, ": hand-edit: ") || !strings.Contains(out, "adopt it with dockstage import --into dockstage.yaml Dockerfile") {
				t.Fatalf("check: exit %d\n%s", code, out)
			}
			if code, _, errs := dockstage(t, "", "import", "--into", "dockstage.yaml"); code != 0 || !strings.Contains(errs, "adopted Dockerfile into dockstage.yaml") {
				t.Fatalf("import --into: exit %d: %s", code, errs)
			}
			got, _ := os.ReadFile("dockstage.yaml")
			want := strings.Replace(spec, "# ours: keep me\n", "stages:\n  prod:\n    steps_patch:\n      - before: cmd\n        steps:\n          - run: pip install gunicorn\n# ours: keep me\n", 1)
			if string(got) != want {
				t.Errorf("adopted spec:\n%s\nwant:\n%s", got, want)
			}
			if code, out, _ := dockstage(t, "", "check"); code != 0 {
				t.Errorf("check after adopting: exit %d\n%s", code, out)
			}
			if l, _ := os.ReadFile(filepath.Join(root, "local.yaml")); string(l) != layoutText {
				t.Errorf("the layout was edited:\n%s", l)
			}
		})
	}
}
