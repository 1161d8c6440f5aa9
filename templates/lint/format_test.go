package lint

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func posAt(file string, line, col int) spec.Pos { return spec.Pos{File: file, Line: line, Col: col} }

func seedFindings(t *testing.T) []Finding {
	t.Helper()
	src, err := os.ReadFile("testdata/dockerfile/seed-flask/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	fs := Dockerfile("app/Dockerfile", src, Options{Context: &BuildContext{}})
	if len(fs) < 10 {
		t.Fatalf("want the seed's findings, got %d", len(fs))
	}
	return fs
}

func TestWriteText(t *testing.T) {
	fs := seedFindings(t)
	plain := textOf(t, fs, TextOptions{})
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("colour without Color")
	}
	first := strings.SplitN(plain, "\n", 3)
	if first[0] != "app/Dockerfile:4:1: info DS004 (DL3015) apt-get install without --no-install-recommends (stage base)" {
		t.Errorf("first line = %q", first[0])
	}
	if !strings.HasPrefix(first[1], "    fix: add --no-install-recommends") {
		t.Errorf("second line = %q, want the fix hint", first[1])
	}
	colored := textOf(t, fs, TextOptions{Color: true})
	if !strings.Contains(colored, "\x1b[1m\x1b[33mwarning\x1b[0m") || !strings.Contains(colored, "\x1b[34minfo\x1b[0m") {
		t.Errorf("Color does not colour the severities:\n%.300q", colored)
	}
}

func TestWriteJSON(t *testing.T) {
	fs := seedFindings(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, fs); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Findings []map[string]any `json:"findings"`
		Counts   map[string]int   `json:"counts"`
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Findings) != len(fs) || out.Counts["warning"]+out.Counts["info"]+out.Counts["error"] != len(fs) {
		t.Fatalf("%d findings, counts %v; want %d", len(out.Findings), out.Counts, len(fs))
	}
	f := out.Findings[len(out.Findings)-1]
	want := map[string]any{"file": "app/Dockerfile", "line": 28.0, "column": 1.0, "severity": "warning", "rule": "JSONArgsRecommended",
		"url": "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("last finding %s = %v, want %v", k, f[k], v)
		}
	}
	var empty bytes.Buffer
	_ = WriteJSON(&empty, nil)
	if !strings.Contains(empty.String(), `"findings": []`) {
		t.Errorf("no findings should be an empty list: %s", empty.String())
	}
}

// sarifOf writes findings as SARIF and decodes them generically.
func sarifOf(t *testing.T, fs []Finding) ([]byte, map[string]any) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSARIF(&b, fs, "test"); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	return b.Bytes(), doc
}

// TestSARIFStructure checks, without a schema, what SARIF 2.1.0 requires
// of the parts dockstage writes (sections 3.13-3.33 of the standard) and
// what code scanning reads: version, one run with a named driver, rules
// with ids and descriptions, results whose ruleIndex points at their rule,
// levels from the enumeration, and locations with a URI and a 1-based
// region.
func TestSARIFStructure(t *testing.T) {
	fs := append(seedFindings(t), Finding{Rule: "SomeFutureCheck", Severity: Warning, Pos: posAt("dir with space/Dockerfile", 3, 2), Msg: "new"})
	_, doc := sarifOf(t, fs)
	if doc["version"] != "2.1.0" || !strings.Contains(doc["$schema"].(string), "sarif-2.1.0") {
		t.Fatalf("version %v, $schema %v", doc["version"], doc["$schema"])
	}
	runs := doc["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("%d runs", len(runs))
	}
	run := runs[0].(map[string]any)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	if driver["name"] != "dockstage" {
		t.Errorf("driver name %v", driver["name"])
	}
	rules := driver["rules"].([]any)
	if len(rules) != len(Rules())+1 {
		t.Errorf("%d rules, want the table's %d plus the unknown one", len(rules), len(Rules()))
	}
	ids := map[string]bool{}
	for _, r := range rules {
		r := r.(map[string]any)
		id, _ := r["id"].(string)
		if id == "" || ids[id] {
			t.Errorf("rule id %q empty or repeated", id)
		}
		ids[id] = true
		if r["shortDescription"].(map[string]any)["text"] == "" {
			t.Errorf("rule %s has no shortDescription.text", id)
		}
		lvl := r["defaultConfiguration"].(map[string]any)["level"]
		if lvl != "error" && lvl != "warning" && lvl != "note" {
			t.Errorf("rule %s level %v", id, lvl)
		}
	}
	results := run["results"].([]any)
	if len(results) != len(fs) {
		t.Fatalf("%d results, want %d", len(results), len(fs))
	}
	for i, r := range results {
		r := r.(map[string]any)
		idx := int(r["ruleIndex"].(float64))
		if rules[idx].(map[string]any)["id"] != r["ruleId"] {
			t.Errorf("result %d: ruleIndex %d is %v, not %v", i, idx, rules[idx].(map[string]any)["id"], r["ruleId"])
		}
		if lvl := r["level"]; lvl != "error" && lvl != "warning" && lvl != "note" {
			t.Errorf("result %d level %v", i, lvl)
		}
		if r["message"].(map[string]any)["text"] == "" {
			t.Errorf("result %d has no message", i)
		}
		pl := r["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
		uri := pl["artifactLocation"].(map[string]any)["uri"].(string)
		region := pl["region"].(map[string]any)
		if region["startLine"].(float64) < 1 || region["startColumn"].(float64) < 1 {
			t.Errorf("result %d region %v", i, region)
		}
		if strings.ContainsAny(uri, " \\") {
			t.Errorf("result %d uri %q is not a URI reference", i, uri)
		}
		if i == 0 && (uri != "app/Dockerfile" || region["startLine"].(float64) != 4) {
			t.Errorf("first result at %s line %v, want app/Dockerfile line 4", uri, region["startLine"])
		}
	}
	last := results[len(results)-1].(map[string]any)["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
	if u := last["artifactLocation"].(map[string]any)["uri"]; u != "dir%20with%20space/Dockerfile" {
		t.Errorf("uri %v, want the path percent-encoded", u)
	}
}

// sarifSchemaPath finds the SARIF 2.1.0 JSON schema: $SARIF_SCHEMA, else
// testdata/sarif-schema-2.1.0.json, OASIS's schema (errata01) as the
// oasis-tcs/sarif-spec repository has it (sarif-2.1/schema/), committed;
// templates/workspace's check test reads it too.
func sarifSchemaPath() string {
	if p := os.Getenv("SARIF_SCHEMA"); p != "" {
		return p
	}
	p := filepath.Join("testdata", "sarif-schema-2.1.0.json")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// TestSARIFSchema validates the SARIF output against the official SARIF
// 2.1.0 JSON schema when one is present (see sarifSchemaPath).
func TestSARIFSchema(t *testing.T) {
	path := sarifSchemaPath()
	if path == "" {
		t.Skip("no SARIF 2.1.0 schema: set SARIF_SCHEMA to sarif-schema-2.1.0.json to run this test")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, fs := range map[string][]Finding{
		"seed":  seedFindings(t),
		"empty": nil,
		"spec":  Spec("dockstage.yaml", []byte(apiKeySpec), Options{}),
		"abs":   {{Rule: RuleInvalid, Severity: Error, Pos: posAt("/abs/path/compose.yaml", 2, 5), Msg: "x"}},
	} {
		out, _ := sarifOf(t, fs)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: SARIF output does not validate against %s: %v", name, path, err)
		}
	}
}
