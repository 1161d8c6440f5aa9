package spec

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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
