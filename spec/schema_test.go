package spec

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaURL)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// yamlToJSONValue decodes YAML into the generic values the validator takes.
func yamlToJSONValue(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchemaAcceptsGoodSpecs: every spec Load accepts, the schema accepts,
// in its written form and in its canonical form.
func TestSchemaAcceptsGoodSpecs(t *testing.T) {
	sch := compileSchema(t)
	files, _ := filepath.Glob("testdata/good/*.yaml")
	examples, _ := filepath.Glob("../examples/*/dockstage.yaml")
	for _, f := range append(files, examples...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(yamlToJSONValue(t, data)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		s, err := Load(f, data)
		if err != nil {
			t.Fatal(err)
		}
		canon, _ := Marshal(s)
		if err := sch.Validate(yamlToJSONValue(t, canon)); err != nil {
			t.Errorf("%s (canonical): %v", f, err)
		}
	}
}

func TestSchemaRejectsStructuralErrors(t *testing.T) {
	sch := compileSchema(t)
	for _, f := range []string{"misspelled-key", "wrong-type", "two-instructions", "unknown-version"} {
		data, err := os.ReadFile("testdata/bad/" + f + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(yamlToJSONValue(t, data)); err == nil {
			t.Errorf("%s: the schema accepts it", f)
		}
	}
}

// TestSchemaLayoutKeys: the schema knows extends (both forms), with values
// of each type, step ids, steps_patch entries and a layout's params, and
// rejects a patch with two operations and a param of an unknown type.
func TestSchemaLayoutKeys(t *testing.T) {
	sch := compileSchema(t)
	good := `version: 1
name: web
extends:
  - ../layouts/base.yaml
  - layout: "git:https://git.example.com/l.git//python.yaml@v3"
    with: {python: "3.12", port: 9000, debug: false}
params:
  port: {type: int, default: 8080, description: the port}
stages:
  prod:
    from: base
    steps:
      - id: cmd
        cmd: [app]
    steps_patch:
      - before: cmd
        steps: [{user: "10001"}]
      - remove: user
`
	if err := sch.Validate(yamlToJSONValue(t, []byte(good))); err != nil {
		t.Errorf("schema rejects layout keys: %v", err)
	}
	for _, bad := range []string{
		strings.Replace(good, "      - remove: user\n", "      - {remove: user, after: cmd}\n", 1),
		strings.Replace(good, "{type: int,", "{type: float,", 1),
		strings.Replace(good, "  - ../layouts/base.yaml\n", "  - {with: {a: 1}}\n", 1),
	} {
		if err := sch.Validate(yamlToJSONValue(t, []byte(bad))); err == nil {
			t.Errorf("schema accepts:\n%s", bad)
		}
	}
}
