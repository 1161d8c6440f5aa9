package layout

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/moby/buildkit/util/suggest"
	"gopkg.in/yaml.v3"
)

// ParamTypes are the types a param may declare, and the YAML tag a value
// of each type has.
var ParamTypes = map[string]string{"string": "!!str", "int": "!!int", "bool": "!!bool"}

// refRE is a parameter reference in a layout's value: ${{ params.NAME }}.
// `${{` is not a Dockerfile variable (BuildKit rejects it), so the
// reference cannot be mistaken for a build arg or shell text.
var refRE = regexp.MustCompile(`\$\{\{\s*params\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// wholeRE is a value that is one reference alone: it takes the param's
// type (`retries: ${{ params.retries }}` is a number).
var wholeRE = regexp.MustCompile(`^\s*\$\{\{\s*params\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$`)

// value is the value a param gets: the with value or the default.
type value struct {
	text, tag string
	pos       spec.Pos
}

// params decodes and checks the params a layout declares (nil when it
// declares none): each has a type of ParamTypes, and either a default of
// that type or none (required).
func (l *loader) params(node *yaml.Node, file string) spec.Params {
	k, v := lookup(node, "params")
	if k == nil {
		return nil
	}
	wrap := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, v}}
	l.origin[wrap] = file
	sp, err := spec.LoadNode(file, wrap, l.source)
	if el, ok := err.(spec.ErrorList); ok {
		l.errs = append(l.errs, el...)
	}
	if sp == nil {
		return nil
	}
	for _, p := range sp.Params {
		path := "params." + p.Name
		tag, ok := ParamTypes[p.Type]
		switch {
		case !ok:
			at := p.Pos
			if _, d := lookup(deref(v), p.Name); d != nil {
				if _, t := lookup(deref(d), "type"); t != nil {
					at = l.pos(t)
				}
			}
			l.errs.Add(at, "%s.type: %q is not a param type; use string, int or bool", path, p.Type)
		case p.Default != nil && p.Required:
			l.errs.Add(p.Default.Pos, "%s: a required param has no default; drop default or required", path)
		case p.Default != nil && p.Default.Tag != tag:
			l.errs.Add(p.Default.Pos, "%s.default: %s", path, typeMismatch(p.Type, p.Default))
		}
		if !refNameRE.MatchString(p.Name) {
			l.errs.Add(p.Pos, "%s: a param name is letters, digits and '_', not starting with a digit", path)
		}
	}
	return sp.Params
}

var refNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// typeMismatch says what is wrong with v for a param of type typ.
func typeMismatch(typ string, v *spec.Value) string {
	got := map[string]string{"!!int": "a number", "!!float": "a number", "!!bool": "a boolean", "!!str": "a string"}[v.Tag]
	if got == "" {
		got = v.Tag
	}
	want := map[string]string{"string": "a string", "int": "an integer", "bool": "true or false"}[typ]
	msg := fmt.Sprintf("expected %s (the param is %s), got %s %q", want, typ, got, v.Text)
	if typ == "string" {
		msg += fmt.Sprintf("; quote it: \"%s\"", v.Text)
	}
	return msg
}

// with checks the spec's with values for layout ly against its params and
// returns the value of every param: unknown names, wrong types and
// missing required params are errors at the spec's positions.
func (l *loader) with(e *spec.Extend, ly *Layout, path string) map[string]value {
	out := map[string]value{}
	declared := map[string]*spec.Param{}
	for i := range ly.Params {
		p := &ly.Params[i]
		declared[p.Name] = p
		if p.Default != nil {
			out[p.Name] = value{text: p.Default.Text, tag: p.Default.Tag, pos: p.Default.Pos}
		}
	}
	given := map[string]bool{}
	for i := range e.With {
		w := &e.With[i]
		given[w.Name] = true
		p := declared[w.Name]
		if p == nil {
			l.errs.Add(w.NamePos, "%s.with.%s: %s", path, w.Name, NoParam(e.Layout, w.Name, ly.Params))
			continue
		}
		if tag := ParamTypes[p.Type]; tag != "" && w.Tag != tag {
			// The value still goes in, so that the checks after it run
			// on what the spec says (what it breaks is at this with:).
			l.errs.Add(w.Pos, "%s.with.%s: %s", path, w.Name, typeMismatch(p.Type, &spec.Value{Text: w.Text, Tag: w.Tag}))
		}
		out[w.Name] = value{text: w.Text, tag: w.Tag, pos: w.Pos}
	}
	for _, p := range ly.Params {
		if _, ok := out[p.Name]; !ok && !given[p.Name] {
			msg := fmt.Sprintf("%s: layout %s needs param %q (%s", path, e.Layout, p.Name, p.Type)
			if p.Description != "" {
				msg += ": " + p.Description
			}
			l.errs.Add(e.Pos, "%s); set it in with: {%s: ...}", msg, p.Name)
		}
	}
	return out
}

// NoParam says that layout (as extends names it) declares no param name,
// with the declared name it is closest to ("did you mean"), else the
// params it declares, else that it declares none.
func NoParam(layout, name string, params spec.Params) string {
	var names []string
	for _, p := range params {
		names = append(names, p.Name)
	}
	msg := fmt.Sprintf("layout %s has no param %q", layout, name)
	if m, ok := suggest.Search(name, names, true); ok {
		return msg + fmt.Sprintf("; did you mean %q?", m)
	}
	if len(names) > 0 {
		return msg + "; its params: " + strings.Join(names, ", ")
	}
	return msg + "; it declares none"
}

// substitute puts the param values into the values of n (not its keys):
// a value that is one reference alone becomes the param's value, with its
// type and the position where the value was written (the spec's with or
// the layout's default); a reference inside a longer string is replaced by
// the value's text. A reference to no param, and `${{` that opens no
// reference, are errors at the value.
func (l *loader) substitute(n *yaml.Node, params spec.Params, vals map[string]value) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			l.substitute(n.Content[i+1], params, vals)
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for _, c := range n.Content {
			l.substitute(c, params, vals)
		}
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${{") {
			return
		}
		known := func(name string) (value, bool) {
			v, ok := vals[name]
			if !ok && !declaredIn(params, name) {
				l.errorf(n, "${{ params.%s }}: the layout declares no param %q; declare it under params", name, name)
			}
			return v, ok
		}
		if m := wholeRE.FindStringSubmatch(n.Value); m != nil {
			if v, ok := known(m[1]); ok {
				n.Value, n.Tag, n.Style = v.text, v.tag, styleFor(v)
				n.Line, n.Column = v.pos.Line, v.pos.Col
				if _, seen := l.lines[v.pos.File]; seen {
					l.origin[n] = v.pos.File
				}
				l.fromParam[n] = true
			}
			return
		}
		out := refRE.ReplaceAllStringFunc(n.Value, func(ref string) string {
			v, _ := known(refRE.FindStringSubmatch(ref)[1])
			return v.text
		})
		if strings.Contains(refRE.ReplaceAllString(n.Value, ""), "${{") {
			l.errorf(n, "`${{` opens a param reference in a layout; write ${{ params.NAME }}")
		}
		n.Value, n.Tag = out, "!!str"
	}
}

func declaredIn(params spec.Params, name string) bool {
	for _, p := range params {
		if p.Name == name {
			return true
		}
	}
	return false
}

// styleFor is the scalar style of a substituted value: plain, or double
// quoted for a string YAML would read as another type.
func styleFor(v value) yaml.Style {
	if v.tag != "!!str" {
		return 0
	}
	var probe yaml.Node
	if err := yaml.Unmarshal([]byte(v.text), &probe); err != nil || len(probe.Content) != 1 || probe.Content[0].Tag != "!!str" || strings.ContainsAny(v.text, "\n:#") {
		return yaml.DoubleQuotedStyle
	}
	return 0
}
