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

// TestCheckOneSummary: check prints one summary, on standard error, in
// every format; standard output is only the report (a JSON document, the
// annotations, the SARIF log or the problems).
func TestCheckOneSummary(t *testing.T) {
	dir := t.TempDir()
	writeSpec(t, dir, "version: 1\nname: x\nstges: {}\n")
	for _, format := range []string{"text", "json", "github", "sarif"} {
		code, out, errs := dockstage(t, "", "check", dir, "--format", format)
		if code != 2 || strings.Contains(out, "spec(s)") || strings.Count(errs, "spec(s)") != 1 || !strings.Contains(errs, "checked 1 spec(s): 0 drifted, 1 invalid") {
			t.Errorf("--format %s: exit %d\nstdout:\n%s\nstderr:\n%s", format, code, out, errs)
		}
		if format == "json" && !json.Valid([]byte(out)) {
			t.Errorf("--format json: stdout is not JSON:\n%s", out)
		}
	}
	if code, _, errs := dockstage(t, "", "check", "../../examples/python-flask"); code != 0 || errs != "checked 1 spec(s): 0 drifted, 0 invalid\n" {
		t.Errorf("clean check: exit %d, stderr %q", code, errs)
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

// TestHandEditAdopted is issue 12's done-when, through the command line:
// a hand edit is reported as one with the adopt command (text and github
// annotations at the edited line), import --into folds it into the spec
// keeping compose and comments, and the drift is gone.
func TestHandEditAdopted(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeSpec(t, ".", strings.Replace(smallSpec, "compose:\n", "# ours: keep me\ncompose:\n", 1))
	if code, _, errs := dockstage(t, "", "render", "dockstage.yaml"); code != 0 {
		t.Fatal(errs)
	}
	b, _ := os.ReadFile("Dockerfile")
	os.WriteFile("Dockerfile", []byte(strings.Replace(string(b), "USER 10001", "USER 10002", 1)), 0o644)
	line := 1 + strings.Count(string(b[:strings.Index(string(b), "USER 10001")]), "\n")

	code, out, _ := dockstage(t, "", "check")
	if code != 1 || !strings.Contains(out, fmt.Sprintf("Dockerfile:%d: hand-edit: ", line)) || !strings.Contains(out, "adopt it with dockstage import --into dockstage.yaml Dockerfile, or drop it with dockstage render --force dockstage.yaml") {
		t.Errorf("check: exit %d\n%s", code, out)
	}
	_, out, _ = dockstage(t, "", "check", "--format", "github")
	if want := fmt.Sprintf("::error file=Dockerfile,line=%d,col=1,title=hand-edit::", line); !strings.HasPrefix(out, want) {
		t.Errorf("github: %s\nwant prefix %s", out, want)
	}
	// render refuses the edit; import --into adopts it.
	if code, _, _ := dockstage(t, "", "render", "dockstage.yaml"); code == 0 {
		t.Error("render overwrote a hand edit")
	}
	if code, _, errs := dockstage(t, "", "import", "--into", "dockstage.yaml"); code != 0 || !strings.Contains(errs, "adopted Dockerfile into dockstage.yaml") {
		t.Fatalf("import --into: exit %d: %s", code, errs)
	}
	sp, _ := os.ReadFile("dockstage.yaml")
	if !strings.Contains(string(sp), "user: \"10002\"") || !strings.Contains(string(sp), "# ours: keep me\ncompose:\n  ports: [\"8080:8080\"]\n") {
		t.Errorf("adopted spec:\n%s", sp)
	}
	if code, out, _ := dockstage(t, "", "check"); code != 0 {
		t.Errorf("check after adopting: exit %d\n%s", code, out)
	}
	if code, _, errs := dockstage(t, "", "render", "dockstage.yaml"); code != 0 {
		t.Errorf("render after adopting: %s", errs)
	}
	if code, _, errs := dockstage(t, "", "import", "--into", "dockstage.yaml", "-o", "x.yaml"); code != 2 || !strings.Contains(errs, "--into adopts into an existing spec in place") {
		t.Errorf("--into with -o: exit %d: %s", code, errs)
	}
	code, out, _ = dockstage(t, "", "check", "--format", "yaml")
	if code != 2 {
		t.Errorf("--format yaml: exit %d %s", code, out)
	}
}

// TestImportNextStep: import beside the Dockerfile says how to get from
// the user's Dockerfile to the rendered one (render refuses it without
// --force, which the hint names, and the forced render is then clean).
func TestImportNextStep(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("Dockerfile", []byte("FROM alpine:3.20\nRUN true\n"), 0o644)
	code, _, errs := dockstage(t, "", "import")
	if code != 0 || !strings.Contains(errs, "`dockstage render dockstage.yaml --force` replaces Dockerfile with it") {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	if code, _, _ := dockstage(t, "", "render", "dockstage.yaml"); code == 0 {
		t.Error("render replaced the user's Dockerfile without --force")
	}
	if code, _, errs := dockstage(t, "", "render", "dockstage.yaml", "--force"); code != 0 {
		t.Fatalf("render --force: exit %d: %s", code, errs)
	}
	if code, out, _ := dockstage(t, "", "check"); code != 0 {
		t.Errorf("check after render --force: exit %d\n%s", code, out)
	}
}

// TestImportKeepsEditedSpec checks the overwrite policy for a spec: import
// again over the spec it wrote unchanged is fine, over an edited one it is
// refused (the spec is kept byte for byte) with the way to merge.
func TestImportKeepsEditedSpec(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("Dockerfile", []byte("FROM alpine:3.20\nRUN true\n"), 0o644)
	if code, _, errs := dockstage(t, "", "import"); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	if code, _, errs := dockstage(t, "", "import"); code != 0 {
		t.Fatalf("import over its own unchanged spec: exit %d: %s", code, errs)
	}
	b, _ := os.ReadFile("dockstage.yaml")
	edited := append(b, "# mine\n"...)
	os.WriteFile("dockstage.yaml", edited, 0o644)
	code, _, errs := dockstage(t, "", "import")
	if code == 0 || !strings.Contains(errs, "dockstage.yaml: exists and is not what this import writes") || !strings.Contains(errs, "import --into") {
		t.Errorf("import over an edited spec: exit %d: %s", code, errs)
	}
	if now, _ := os.ReadFile("dockstage.yaml"); string(now) != string(edited) {
		t.Error("import changed the edited spec")
	}
}
