package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const seedDockerfile = "../../templates/lint/testdata/dockerfile/seed-flask/Dockerfile"

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLintSeedDockerfile(t *testing.T) {
	code, out, errs := dockstage(t, "", "lint", seedDockerfile)
	if code != exitFindings {
		t.Fatalf("exit %d, want 1: %s", code, errs)
	}
	for _, want := range []string{
		seedDockerfile + ":11:1: warning LegacyKeyValueFormat ",
		seedDockerfile + ":17:1: warning FromAsCasing ",
		seedDockerfile + ":27:1: warning DS001 the production stage prod runs as root",
		seedDockerfile + ":28:1: warning JSONArgsRecommended ",
		"    fix: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour on a non-terminal")
	}
	if !strings.Contains(errs, "lint: 0 error(s), 13 warning(s), 9 info in 1 file(s)") {
		t.Errorf("stderr %q", errs)
	}
}

func TestLintFailOn(t *testing.T) {
	for _, c := range []struct {
		failOn string
		code   int
	}{{"error", 0}, {"warning", 1}, {"info", 1}, {"none", 0}, {"fatal", 2}} {
		code, _, errs := dockstage(t, "", "lint", "--fail-on", c.failOn, seedDockerfile)
		if code != c.code {
			t.Errorf("--fail-on %s: exit %d, want %d (%s)", c.failOn, code, c.code, errs)
		}
	}
}

// TestLintExamplesClean: one lint of every example's spec, Dockerfile and
// compose files exits 0 and prints nothing.
func TestLintExamplesClean(t *testing.T) {
	args := []string{"lint", "--fail-on", "info"}
	for _, name := range []string{"dockstage.yaml", "Dockerfile", "compose*.yaml"} {
		files, _ := filepath.Glob("../../examples/*/" + name)
		args = append(args, files...)
	}
	if n := len(args) - 3; n < 4*3 {
		t.Fatalf("%d example files", n)
	}
	if code, out, errs := dockstage(t, "", args...); code != 0 || out != "" {
		t.Errorf("exit %d:\n%s%s", code, out, errs)
	}
}

func TestLintSpecSecretSARIF(t *testing.T) {
	dir := t.TempDir()
	p := writeSpec(t, dir, `version: 1
name: svc
stages:
  base: {from: "python:3.12-slim"}
  test: {from: base, steps: [{run: python -m pytest}]}
  prod:
    from: base
    steps:
      - user: "10001"
      - env: {API_KEY: s3cr3t}
`)
	code, out, errs := dockstage(t, "", "lint", "--format", "sarif", p)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string                `json:"ruleId"`
				Level     string                `json:"level"`
				Message   struct{ Text string } `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "dockstage" || len(log.Runs[0].Tool.Driver.Rules) < 30 {
		t.Fatalf("not a dockstage SARIF 2.1.0 log:\n%s", out)
	}
	res := log.Runs[0].Results
	if len(res) != 1 || res[0].RuleID != "DS003" || res[0].Level != "warning" || !strings.Contains(res[0].Message.Text, "--mount=type=secret") {
		t.Fatalf("results: %+v", res)
	}
	loc := res[0].Locations[0].PhysicalLocation
	if !strings.HasSuffix(loc.ArtifactLocation.URI, "/dockstage.yaml") || loc.Region.StartLine != 10 || loc.Region.StartColumn != 15 {
		t.Errorf("location %+v, want dockstage.yaml 10:15", loc)
	}
}

func TestLintJSONStdinAndKinds(t *testing.T) {
	code, out, errs := dockstage(t, "FROM alpine:3.20 AS test\nFROM alpine:3.20 AS prod\nUSER 1\nCMD run\n", "lint", "--format", "json", "-")
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Findings []struct {
			File string
			Line int
			Rule string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	rules := map[string]int{}
	for _, f := range doc.Findings {
		if f.File != "<stdin>" {
			t.Errorf("file %q", f.File)
		}
		rules[f.Rule] = f.Line
	}
	if rules["JSONArgsRecommended"] != 4 || rules["DS009"] != 0 {
		t.Errorf("findings %v: want JSONArgsRecommended at 4 and no DS009 (stdin has no build context)", rules)
	}
	// compose from stdin, detected by content
	code, out, _ = dockstage(t, "services:\n  web:\n    image: x\n    restart: [no]\n", "lint", "-")
	if code != exitBad || !strings.Contains(out, "<stdin>:4:5: error DS000") {
		t.Errorf("invalid compose on stdin: exit %d\n%s", code, out)
	}
	code, _, _ = dockstage(t, "FROM x\n", "lint", "--kind", "compose", "-")
	if code != exitBad {
		t.Errorf("--kind compose on a Dockerfile: exit %d, want 2", code)
	}
}

func TestLintConfigAndDockerignore(t *testing.T) {
	dir := t.TempDir()
	df := writeTestFile(t, dir, "Dockerfile", "FROM python:3.12 AS base\nCOPY . /app\nFROM base AS test\nFROM base AS prod\nUSER 1\n")
	code, out, _ := dockstage(t, "", "lint", df)
	if code != exitFindings || !strings.Contains(out, "DS009") {
		t.Fatalf("without .dockerignore: exit %d\n%s", code, out)
	}
	writeTestFile(t, dir, ".dockerignore", ".git\n")
	if code, out, errs := dockstage(t, "", "lint", df); code != 0 || out != "" {
		t.Fatalf("with .dockerignore: exit %d\n%s%s", code, out, errs)
	}
	writeTestFile(t, dir, ".dockstage-lint.yaml", "enable: [DS014]\nseverity: {DS014: error}\n")
	code, out, _ = dockstage(t, "", "lint", "--fail-on", "error", df)
	if code != exitFindings || !strings.Contains(out, "error DS014") {
		t.Fatalf("config beside the file not used: exit %d\n%s", code, out)
	}
	other := writeTestFile(t, t.TempDir(), "lint.yaml", "disable: [DS01]\n")
	code, _, errs := dockstage(t, "", "lint", "--config", other, df)
	if code != exitBad || !strings.Contains(errs, `unknown rule "DS01" (did you mean DS001?)`) {
		t.Errorf("bad --config: exit %d: %s", code, errs)
	}
}

func TestLintColorAndListRules(t *testing.T) {
	_, out, _ := dockstage(t, "", "lint", "--color", "always", seedDockerfile)
	if !strings.Contains(out, "\x1b[") {
		t.Errorf("--color always has no colour")
	}
	t.Setenv("NO_COLOR", "1")
	if c, _ := useColor("auto", os.Stdout); c {
		t.Errorf("NO_COLOR set, colour on")
	}
	code, out, _ := dockstage(t, "", "lint", "--list-rules")
	if code != 0 || !strings.Contains(out, "DS001") || !strings.Contains(out, "FromAsCasing") {
		t.Errorf("--list-rules: exit %d\n%s", code, out)
	}
	if code, _, _ := dockstage(t, "", "lint", "/nonexistent/Dockerfile"); code != exitBad {
		t.Errorf("missing file: exit %d, want 2", code)
	}
	if code, _, _ := dockstage(t, "", "lint", "--format", "xml", seedDockerfile); code != exitBad {
		t.Errorf("--format xml: exit %d, want 2", code)
	}
}

// TestLintIgnoreUnknownAndSummary: --ignore with an unknown ID is a usage
// error naming it; known IDs, aliases and SC codes pass; the summary counts
// invalid files, not their errors; a fix hint names the package found.
func TestLintIgnoreUnknownAndSummary(t *testing.T) {
	code, _, errs := dockstage(t, "", "lint", "--ignore", "DL9999,FromAsCasng,SC2086,dl3008", seedDockerfile)
	if code != exitBad || !strings.Contains(errs, `--ignore: unknown rule "DL9999", "FromAsCasng" (did you mean FromAsCasing?)`) {
		t.Errorf("exit %d: %s", code, errs)
	}
	if code, _, errs := dockstage(t, "", "lint", "--ignore", "SC2086,dl3008,all", seedDockerfile); code == exitBad {
		t.Errorf("known IDs: exit %d: %s", code, errs)
	}
	dir := t.TempDir()
	bad := writeTestFile(t, dir, "a.Dockerfile", "FROM alpine:3.20\nEXPOSE 80000\nEXPOSE 70000\nCOPY --chown=x\n")
	bad2 := writeTestFile(t, dir, "b.Dockerfile", "FROM alpine:3.20\nEXPOSE 80000\nRUN apt-get install -y --no-install-recommends vim\n")
	code, out, errs := dockstage(t, "", "lint", bad, bad2)
	if code != exitBad || !strings.Contains(errs, "in 2 file(s); 2 file(s) invalid") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "apt-get install -y --no-install-recommends vim=<version>") || strings.Contains(out, "curl=") {
		t.Errorf("the fix hint does not name vim:\n%s", out)
	}
}

// TestMissingFiles: every command says "FILE: no such file;" and what to
// do, not Go's open error.
func TestMissingFiles(t *testing.T) {
	for _, args := range [][]string{
		{"lint", "nope.Dockerfile"}, {"import", "nope.Dockerfile"}, {"check", "nope"},
		{"diff", "nope", seedDockerfile}, {"migrate", "nope.Dockerfile"}, {"lint", "--config", "nope.yaml", seedDockerfile},
	} {
		code, _, errs := dockstage(t, "", args...)
		if code != exitBad || !strings.Contains(errs, "nope") || !strings.Contains(errs, ": no such file; ") || strings.Contains(errs, "no such file or directory") {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
}

// lintLayout is a layout whose prod user is a param, and a run step of
// its own (apk add without --no-cache and a version).
const lintLayout = `params:
  user: {type: string, default: app}
stages:
  base:
    from: alpine:3.19
    steps:
      - run: apk add curl
  prod:
    from: base
    steps:
      - user: ${{ params.user }}
      - cmd: [sh]
`

// TestLintParamValueAtWith: a finding about a value a param set names
// the spec's with: entry that set it, as render --effective does, not
// the layout line that refers to the param.
func TestLintParamValueAtWith(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeTestFile(t, ".", "u.yaml", lintLayout)
	writeTestFile(t, ".", "s14.yaml", "version: 1\nname: web\nextends:\n  - layout: u.yaml\n    with: {user: root}\n")
	_, out, errs := dockstage(t, "", "lint", "s14.yaml")
	if !strings.Contains(out, "s14.yaml:5:18: warning DS001 (DL3002) the production stage prod runs as root") || strings.Contains(out, "u.yaml:11:") {
		t.Errorf("lint:\n%s%s", out, errs)
	}
	if _, eff, _ := dockstage(t, "", "render", "--effective", "s14.yaml"); !strings.Contains(eff, "user: root # s14.yaml:5") {
		t.Errorf("render --effective:\n%s", eff)
	}
}

// TestLintFleetOnce: linting several specs that extend one layout says
// each of the layout's findings once, naming the specs it applies
// through; a finding that a spec's param causes stays that spec's, at
// its with: entry.
func TestLintFleetOnce(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, d := range []string{"L", "svc/a", "svc/b", "svc/c"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeTestFile(t, "L", "u.yaml", lintLayout)
	var specs []string
	for _, name := range []string{"a", "b", "c"} {
		user := `"10001"`
		if name == "c" {
			user = "root"
		}
		specs = append(specs, writeTestFile(t, "svc/"+name, "dockstage.yaml", "version: 1\nname: "+name+"\nextends:\n  - layout: ../../L/u.yaml\n    with: {user: "+user+"}\n"))
	}
	_, out, errs := dockstage(t, "", append([]string{"lint"}, specs...)...)
	through := "; through svc/a/dockstage.yaml, svc/b/dockstage.yaml, svc/c/dockstage.yaml\n"
	for _, want := range []string{
		"L/u.yaml:7:9: warning DS3018 (DL3018) apk add curl without a version" + through,
		"L/u.yaml:7:9: info DS3019 (DL3019) apk add without --no-cache" + through,
		"svc/c/dockstage.yaml:5:18: warning DS001 (DL3002) the production stage prod runs as root",
		"lint: 0 error(s), 2 warning(s), 2 info in 3 file(s)",
	} {
		if !strings.Contains(out+errs, want) {
			t.Errorf("lint lacks %q:\n%s%s", want, out, errs)
		}
	}
	if n := strings.Count(out, "DS3018"); n != 1 {
		t.Errorf("DS3018 said %d times, want once:\n%s", n, out)
	}
	_, out, _ = dockstage(t, "", append([]string{"lint", "--format", "json"}, specs...)...)
	var res struct {
		Findings []struct {
			Rule string
			Via  []string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if want := f.Rule != "DS001"; (len(f.Via) == 3) != want {
			t.Errorf("json: %s via %v", f.Rule, f.Via)
		}
	}
}
