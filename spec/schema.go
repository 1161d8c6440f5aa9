package spec

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
)

// SchemaURL is where the published JSON Schema of the spec lives; rendered
// specs point editors at it with a yaml-language-server comment.
const SchemaURL = "https://raw.githubusercontent.com/dockstage/dockstage/main/spec/dockstage.schema.json"

// SchemaComment is the first line of every spec dockstage writes.
const SchemaComment = "# yaml-language-server: $schema=" + SchemaURL

//go:embed types.go
var typesSource string

// JSONSchema returns the JSON Schema (draft 2020-12) of the spec, generated
// from the Go types of this package: the keys, their types, the short forms
// Load accepts, and each field's doc comment as its description. The
// committed spec/dockstage.schema.json is checked against it by a test.
func JSONSchema() ([]byte, error) {
	g := &schemaGen{docs: fieldDocs(), defs: map[string]any{}}
	root := g.object(reflect.TypeOf(Spec{}))
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaURL
	root["title"] = "dockstage spec"
	root["description"] = "A service's container build: stages base -> src -> test -> prod plus builder stages, rendered by dockstage into a multistage Dockerfile and compose files."
	root["required"] = []string{"version", "name", "stages"}
	props := root["properties"].(map[string]any)
	props["version"] = map[string]any{"const": Version, "description": "Version of the spec format; must be 1."}
	root["$defs"] = g.defs
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type schemaGen struct {
	docs map[string]string // "Type.Field" -> doc
	defs map[string]any
}

var (
	stagesType  = reflect.TypeOf(Stages{})
	kvListType  = reflect.TypeOf(KVList{})
	commandType = reflect.TypeOf(Command{})
	stepType    = reflect.TypeOf(Step{})
	runType     = reflect.TypeOf(Run{})
	healthType  = reflect.TypeOf(Healthcheck{})
	paramsType  = reflect.TypeOf(Params{})
	valuesType  = reflect.TypeOf(Values{})
	valueType   = reflect.TypeOf(Value{})
	extendType  = reflect.TypeOf(Extend{})
)

func scalarSchema() map[string]any {
	return map[string]any{"type": []string{"string", "number", "boolean"}}
}

func commandSchema() map[string]any {
	return map[string]any{"oneOf": []any{
		map[string]any{"type": "string", "description": "shell form"},
		map[string]any{"type": "array", "items": scalarSchema(), "description": "exec form"},
	}}
}

func (g *schemaGen) ref(t reflect.Type) map[string]any {
	name := t.Name()
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = true // placeholder against recursion
		g.defs[name] = g.typeSchema(t)
	}
	return map[string]any{"$ref": "#/$defs/" + name}
}

func (g *schemaGen) typeSchema(t reflect.Type) map[string]any {
	switch t {
	case stagesType:
		return map[string]any{
			"type":                 "object",
			"description":          "Stages in Dockerfile order; the keys are the stage names.",
			"minProperties":        1,
			"propertyNames":        map[string]any{"pattern": "^[A-Za-z][A-Za-z0-9_.-]*$"},
			"additionalProperties": g.ref(reflect.TypeOf(Stage{})),
		}
	case kvListType:
		value := map[string]any{"type": []string{"string", "number", "boolean", "null"}}
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "object", "additionalProperties": value},
			map[string]any{
				"type":        "array",
				"description": "list form: NAME (no default) or {NAME: value}, in order; names may repeat",
				"items": map[string]any{"oneOf": []any{
					map[string]any{"type": "string"},
					map[string]any{"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": value},
				}},
			},
		}}
	case commandType:
		return commandSchema()
	case paramsType:
		return map[string]any{
			"type":                 "object",
			"description":          "A layout's parameters: name -> declaration; the layout's values use them as ${{ params.NAME }}.",
			"propertyNames":        map[string]any{"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
			"additionalProperties": g.ref(reflect.TypeOf(Param{})),
		}
	case valuesType:
		return map[string]any{"type": "object", "additionalProperties": scalarSchema()}
	case valueType:
		return scalarSchema()
	case extendType:
		obj := g.object(t)
		obj["required"] = []string{"layout"}
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "string", "description": "the layout alone: a path relative to the spec, or git:URL//PATH@REF"},
			obj,
		}}
	case runType:
		obj := g.object(t)
		obj["required"] = []string{"command"}
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "string", "description": "shell form"},
			map[string]any{"type": "array", "items": scalarSchema(), "description": "exec form"},
			obj,
		}}
	case healthType:
		obj := g.object(t)
		obj["required"] = []string{"test"}
		return map[string]any{"oneOf": []any{
			map[string]any{"const": "none", "description": "HEALTHCHECK NONE"},
			obj,
		}}
	case stepType:
		obj := g.object(t)
		var one []any
		for _, k := range InstructionKeys() {
			one = append(one, map[string]any{"required": []string{k}})
		}
		obj["oneOf"] = one
		return obj
	}
	obj := g.object(t)
	switch t {
	case reflect.TypeOf(Copy{}):
		obj["required"] = []string{"src", "dest"}
	case reflect.TypeOf(Param{}):
		obj["required"] = []string{"type"}
		props := obj["properties"].(map[string]any)
		props["type"] = withDescription(map[string]any{"enum": []string{"string", "int", "bool"}}, g.docs["Param.Type"])
	case reflect.TypeOf(StepPatch{}):
		var one []any
		for _, k := range []string{"before", "after", "replace", "remove"} {
			one = append(one, map[string]any{"required": []string{k}})
		}
		obj["oneOf"] = one
	}
	return obj
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	for _, f := range yamlFields(t) {
		sf := t.Field(f.index)
		s := g.fieldSchema(sf.Type)
		if d := g.docs[t.Name()+"."+sf.Name]; d != "" {
			s = withDescription(s, d)
		}
		props[f.name] = s
	}
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

func withDescription(s map[string]any, d string) map[string]any {
	out := map[string]any{}
	for k, v := range s {
		out[k] = v
	}
	out["description"] = d
	return out
}

func (g *schemaGen) fieldSchema(t reflect.Type) map[string]any {
	switch t {
	case stagesType, kvListType, commandType, runType, healthType, stepType, paramsType, valuesType, extendType:
		return g.ref(t)
	case valueType:
		return scalarSchema()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.fieldSchema(t.Elem())
	case reflect.String:
		return scalarSchema()
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return map[string]any{"oneOf": []any{scalarSchema(), map[string]any{"type": "array", "items": scalarSchema()}}}
		}
		return map[string]any{"type": "array", "items": g.fieldSchema(t.Elem())}
	case reflect.Struct:
		return g.ref(t)
	}
	return map[string]any{}
}

// fieldDocs reads the doc comments of this package's struct fields from its
// embedded source.
func fieldDocs() map[string]string {
	out := map[string]string{}
	f, err := parser.ParseFile(token.NewFileSet(), "types.go", typesSource, parser.ParseComments)
	if err != nil {
		return out
	}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, field := range st.Fields.List {
			doc := strings.Join(strings.Fields(field.Doc.Text()), " ")
			if doc == "" {
				continue
			}
			for _, name := range field.Names {
				out[ts.Name.Name+"."+name.Name] = doc
			}
		}
		return false
	})
	return out
}
