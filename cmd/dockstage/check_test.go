package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/templates/workspace"
)

// makeFleet writes n repositories, each with a spec and its rendered files,
// and hand-edits the Dockerfile or compose.yaml of those in edited.
func makeFleet(t testing.TB, n int, edited map[int]string) string {
	t.Helper()
	root := t.TempDir()
	for i := 0; i < n; i++ {
		dir := filepath.Join(root, fmt.Sprintf("repo-%02d", i))
		os.MkdirAll(dir, 0o755)
		p := writeSpec(t.(*testing.T), dir, strings.Replace(smallSpec, "name: svc", fmt.Sprintf("name: svc%d", i), 1))
		var out, errb strings.Builder
		if code := run(t.Context(), []string{"render", p}, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("render %s: %s", p, errb.String())
		}
		if f, ok := edited[i]; ok {
			path := filepath.Join(dir, f)
			b, _ := os.ReadFile(path)
			os.WriteFile(path, append(b, []byte("# hand edit\n")...), 0o644)
		}
	}
	return root
}

func TestCheckFleetFindsExactlyTheEditedRepos(t *testing.T) {
	edited := map[int]string{3: "Dockerfile", 11: "compose.yaml", 17: "Dockerfile", 29: "docker-bake.hcl", 42: "Dockerfile", 48: ".dockerignore"}
	root := makeFleet(t, 50, edited)
	// An edit below the dockstage:end line of .dockerignore is the user's, not drift.
	ign := filepath.Join(root, "repo-05", ".dockerignore")
	b, _ := os.ReadFile(ign)
	os.WriteFile(ign, append(b, []byte("node_modules\n")...), 0o644)
	// Drift in the generated block of .dockerignore is drift.
	ign = filepath.Join(root, "repo-48", ".dockerignore")
	b, _ = os.ReadFile(ign)
	os.WriteFile(ign, []byte(strings.Replace(string(b), ".git\n", ".git\nextra\n", 1)), 0o644)

	code, out, errs := dockstage(t, "", "check", root, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, errs)
	}
	var res struct {
		Specs            []workspace.SpecCheck
		Drifted, Checked int
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Checked != 50 {
		t.Errorf("checked %d specs, want 50", res.Checked)
	}
	var got, want []string
	for _, s := range res.Specs {
		for _, f := range s.Files {
			if f.Status != "ok" {
				got = append(got, filepath.Base(filepath.Dir(f.File))+"/"+filepath.Base(f.File))
			}
		}
	}
	for i, f := range edited {
		want = append(want, fmt.Sprintf("repo-%02d/%s", i, f))
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("drifted files = %v, want %v", got, want)
	}
	// Text output carries a unified diff.
	_, text, _ := dockstage(t, "", "check", filepath.Join(root, "repo-03"))
	if !strings.Contains(text, "+++ ") || !strings.Contains(text, "-# hand edit") {
		t.Errorf("text output lacks a unified diff:\n%s", text)
	}
	// render fixes the drift.
	if code, _, errs := dockstage(t, "", "render", filepath.Join(root, "repo-03", "dockstage.yaml"), "--force"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, _ := dockstage(t, "", "check", filepath.Join(root, "repo-03")); code != 0 {
		t.Errorf("after render --force: exit %d", code)
	}
}

func TestCheckInvalidSpec(t *testing.T) {
	dir := t.TempDir()
	writeSpec(t, dir, "version: 1\nname: x\nstges: {}\n")
	code, out, _ := dockstage(t, "", "check", dir)
	if code != 2 || !strings.Contains(out, `did you mean "stages"`) {
		t.Errorf("exit %d: %s", code, out)
	}
}

// TestRepositoryHasNoDrift: dockstage's own spec and every example match
// their committed files.
func TestRepositoryHasNoDrift(t *testing.T) {
	code, out, errs := dockstage(t, "", "check", "../..")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
}
