package workspace

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// kindFleet renders smallSpec in one directory per case under a fresh
// working directory and breaks each as its name says; it returns the
// check of all of them.
func kindFleet(t *testing.T) *Checked {
	t.Helper()
	t.Chdir(t.TempDir())
	for _, d := range []string{"edited", "stale", "blank", "missing", "foreign", "invalid", "compose"} {
		apply(t, render(t, d, smallSpec, Options{}))
	}
	edit := func(path, from, to string) {
		t.Helper()
		b := readFile(t, path)
		if !strings.Contains(b, from) {
			t.Fatalf("%s has no %q", path, from)
		}
		writeFile(t, path, strings.Replace(b, from, to, 1))
	}
	edit("edited/Dockerfile", "USER 10001", "USER 10002")
	edit("stale/dockstage.yaml", "infinity", "3600")
	edit("blank/Dockerfile", "FROM base", "\n\nFROM base")
	edit("blank/compose.yaml", "services:", "services:   ")
	if err := os.Remove("missing/compose.yaml"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, "foreign/compose.yaml", "services: {}\n")
	edit("invalid/dockstage.yaml", "from: base", "from: bse")
	edit("invalid/dockstage.yaml", "name: svc", "name: Svc")
	edit("compose/compose.yaml", "8080:8080", "9090:8080")
	res, err := Check(t.Context(), []string{"."}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCheckKinds(t *testing.T) {
	res := kindFleet(t)
	var got []string
	for _, r := range res.Specs {
		for _, p := range r.Problems {
			got = append(got, p.File+":"+string(p.Kind)+":"+p.Fix)
		}
	}
	want := []string{
		"blank/dockstage.yaml:",
		"compose/compose.yaml:hand-edit:move the edit into compose/dockstage.yaml, or drop it with dockstage render --force compose/dockstage.yaml",
		"edited/Dockerfile:hand-edit:adopt it with dockstage import --into edited/dockstage.yaml edited/Dockerfile, or drop it with dockstage render --force edited/dockstage.yaml",
		"foreign/compose.yaml:not-generated:move what it says into foreign/dockstage.yaml, then replace it with dockstage render --force foreign/dockstage.yaml",
		"invalid/dockstage.yaml:spec-invalid:fix the spec, then run dockstage render invalid/dockstage.yaml",
		"invalid/dockstage.yaml:spec-invalid:fix the spec, then run dockstage render invalid/dockstage.yaml",
		"missing/compose.yaml:missing:run dockstage render missing/dockstage.yaml",
		"stale/Dockerfile:stale-render:run dockstage render stale/dockstage.yaml",
	}
	// blank/ has no problem at all: whitespace is no drift.
	want = want[1:]
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Drifted != 5 || res.Invalid != 1 {
		t.Errorf("drifted %d invalid %d, want 5 and 1", res.Drifted, res.Invalid)
	}
	// Every error of the invalid spec, each at its position.
	for _, r := range res.Specs {
		if r.Spec != filepath.Join("invalid", "dockstage.yaml") {
			continue
		}
		if len(r.Problems) != 2 || r.Problems[0].Line != 2 || r.Problems[0].Col != 7 || r.Problems[1].Line != 6 {
			t.Errorf("invalid spec: %+v", r.Problems)
		}
	}
}

// An unreadable lock is the lock's problem, at its line.
func TestCheckBadLock(t *testing.T) {
	t.Chdir(t.TempDir())
	apply(t, render(t, "a", smallSpec, Options{}))
	writeFile(t, "a/dockstage.lock", "version: 1\nimages: [\n")
	res, err := Check(t.Context(), []string{"a"}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Specs[0].Problems
	if res.Invalid != 1 || len(p) != 1 || p[0].File != filepath.Join("a", "dockstage.lock") || p[0].Line != 2 || p[0].Fix != "fix a/dockstage.lock, then run dockstage render a/dockstage.yaml" {
		t.Errorf("problems %+v", p)
	}
}

// TestCheckGitHub: one workflow command per problem, at the file relative
// to the working directory and the first line that differs.
func TestCheckGitHub(t *testing.T) {
	res := kindFleet(t)
	var b bytes.Buffer
	if err := res.Write(&b, "github", "dev"); err != nil {
		t.Fatal(err)
	}
	df := readFile(t, "edited/Dockerfile")
	line := 1 + strings.Count(df[:strings.Index(df, "USER 10002")], "\n")
	for _, want := range []string{
		"::error file=edited/Dockerfile,line=" + strconv.Itoa(line) + ",col=1,title=hand-edit::edited since dockstage generated it (its stamp does not match what it says)%0Afix: adopt it with dockstage import --into edited/dockstage.yaml edited/Dockerfile, or drop it with dockstage render --force edited/dockstage.yaml\n",
		"::error file=invalid/dockstage.yaml,line=2,col=7,title=spec-invalid::",
		"::error file=compose/compose.yaml,line=",
		"::error file=missing/compose.yaml,line=1,col=1,title=missing::",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("github output lacks %q:\n%s", want, b.String())
		}
	}
	if n := strings.Count(b.String(), "::error "); n != 7 {
		t.Errorf("%d annotations, want 7:\n%s", n, b.String())
	}
}

// TestCheckSARIF validates check's SARIF log against OASIS's SARIF 2.1.0
// schema (the copy lint's tests keep), for a fleet with every kind and
// for a clean one.
func TestCheckSARIF(t *testing.T) {
	schemaPath, err := filepath.Abs(filepath.Join("..", "lint", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, res := range map[string]*Checked{"kinds": kindFleet(t), "clean": {}} {
		var b bytes.Buffer
		if err := res.Write(&b, "sarif", "dev"); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: does not validate against SARIF 2.1.0: %v\n%s", name, err, b.String())
		}
		var log struct {
			Runs []struct {
				Results []struct {
					RuleID    string
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string }
							Region           struct{ StartLine int }
						}
					}
				}
			}
		}
		if err := json.Unmarshal(b.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		if name == "kinds" {
			r := log.Runs[0].Results
			if len(r) != 7 || r[1].RuleID != "hand-edit" || r[1].Locations[0].PhysicalLocation.ArtifactLocation.URI != "edited/Dockerfile" {
				t.Errorf("results %+v", r)
			}
		}
	}
}
