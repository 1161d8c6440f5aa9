package spec

// The decoders of the spec's own types: the mappings, lists and scalars
// that decodeStruct hands over (stages, ordered KVs, commands, steps,
// layouts and their values).

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeNode reads the stages mapping: stage name -> stage.
func (s *Stages) decodeNode(d *decoder, n *yaml.Node, path string) {
	keys, vals, ok := d.keysOf(n, path)
	if !ok {
		return
	}
	for i, k := range keys {
		st := &Stage{Name: k.Value, Pos: d.pos(k)}
		d.decode(vals[i], reflect.ValueOf(st).Elem(), join(path, k.Value))
		markBlankSteps(d, resolve(vals[i]), st)
		*s = append(*s, st)
	}
}

// markBlankSteps sets Step.BlankBefore for each item of a block `steps`
// list with a blank line above it.
func markBlankSteps(d *decoder, n *yaml.Node, st *Stage) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		seq := resolve(n.Content[i+1])
		if n.Content[i].Value != "steps" || seq.Kind != yaml.SequenceNode || seq.Style&yaml.FlowStyle != 0 || len(seq.Content) != len(st.Steps) {
			continue
		}
		for j, item := range seq.Content {
			// A merged list (spec/layout) holds items of several files:
			// only an item below its key in the same file can have a
			// blank line above it that belongs to the list.
			below := item.Line > n.Content[i].Line || d.pos(item).File != d.pos(n.Content[i]).File
			if below && d.blankAbove(item) {
				st.Steps[j].BlankBefore = true
			}
		}
	}
}

// decodeNode reads an ordered mapping. A null value is kept as nil (an ARG
// without default); other scalars are kept as written.
//
// A sequence is the list form (Marshal writes it when a key repeats or a
// value is missing): each item a name without default (`- NAME`) or a
// one-key mapping (`- {NAME: value}`), in order, names may repeat.
func (l *KVList) decodeNode(d *decoder, n *yaml.Node, path string) {
	if n.Kind == yaml.SequenceNode {
		out := KVList{}
		for i, item := range n.Content {
			item = resolve(item)
			ipath := fmt.Sprintf("%s[%d]", path, i)
			if item.Kind == yaml.ScalarNode {
				if k, ok := d.scalar(item, ipath); ok {
					if name, val, eq := strings.Cut(k, "="); eq && item.Style == 0 && validEnvKey(name) {
						// Kept as meant, so that nothing else is said of it.
						d.errorf(item, "%s: %q is NAME=value, which YAML reads as one name; write it as a mapping: - %s: %s", ipath, k, name, val)
						out = append(out, KV{Key: name, Value: &val, Pos: d.pos(item)})
						continue
					}
					out = append(out, KV{Key: k, Comment: CommentLines(item.HeadComment), Pos: d.pos(item)})
				}
				continue
			}
			if item.Kind != yaml.MappingNode || len(item.Content) != 2 {
				d.errorf(item, "%s: expected NAME or a one-key mapping {NAME: value}, got %s", ipath, KindName(item))
				continue
			}
			var one KVList
			one.decodeNode(d, item, ipath)
			if c := CommentLines(item.HeadComment); len(c) > 0 && len(one) == 1 {
				one[0].Comment = c
			}
			out = append(out, one...)
		}
		*l = out
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		name, val, _ := strings.Cut(n.Value, "=")
		d.errorf(n, "%s: expected a mapping (NAME: value, one per line) or a list, got a string; write %s: {%s: %s}", path, path[strings.LastIndex(path, ".")+1:], name, val)
		return
	}
	keys, vals, ok := d.keysOf(n, path)
	if !ok {
		return
	}
	out := KVList{}
	for i, k := range keys {
		kv := KV{Key: k.Value, Comment: CommentLines(k.HeadComment), Pos: d.pos(k)}
		val := resolve(vals[i])
		if val.Kind == yaml.ScalarNode && val.Tag == "!!null" {
			// no value: kv.Value stays nil
		} else if s, ok := d.scalar(val, join(path, k.Value)); ok {
			kv.Value = &s
		}
		out = append(out, kv)
	}
	*l = out
}

// decodeNode reads a command: a string (shell form) or a list of strings
// (exec form).
func (c *Command) decodeNode(d *decoder, n *yaml.Node, path string) {
	c.Pos = d.pos(n)
	switch n.Kind {
	case yaml.SequenceNode:
		c.Exec = true
		c.Args = []string{}
		for i, e := range n.Content {
			if s, ok := d.scalar(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				c.Args = append(c.Args, s)
			}
		}
		if len(c.Args) == len(n.Content) {
			c.ArgsComment = itemComments(n)
		}
	case yaml.ScalarNode:
		if s, ok := d.scalar(n, path); ok {
			c.Shell = s
		}
	default:
		d.errorf(n, "%s: expected a command: a string (shell form) or a list (exec form), got %s", path, KindName(n))
	}
}

// decodeNode reads RUN: a string or list is the command alone; a mapping
// carries the flags.
func (r *Run) decodeNode(d *decoder, n *yaml.Node, path string) {
	r.Pos = d.pos(n)
	if n.Kind != yaml.MappingNode {
		r.Command.decodeNode(d, n, path)
		return
	}
	type plain Run // without the decodeNode method
	p := (*plain)(r)
	d.decodeStruct(n, reflect.ValueOf(p).Elem(), path)
	if !hasKey(n, "command") {
		d.missingKey(n, path, "command", "")
	}
}

// decodeNode reads HEALTHCHECK: the string "none" or a mapping.
func (h *Healthcheck) decodeNode(d *decoder, n *yaml.Node, path string) {
	h.Pos = d.pos(n)
	if n.Kind == yaml.ScalarNode {
		if strings.EqualFold(n.Value, "none") {
			h.None = true
			return
		}
		d.errorf(n, "%s: expected \"none\" or a mapping with test, interval, timeout, start_period, start_interval, retries", path)
		return
	}
	type plain Healthcheck
	d.decodeStruct(n, reflect.ValueOf((*plain)(h)).Elem(), path)
	if !hasKey(n, "test") {
		d.missingKey(n, path, "test", " (or write `healthcheck: none`)")
	}
}

// decodeNode reads a copy/add mapping and checks its required keys.
func (c *Copy) decodeNode(d *decoder, n *yaml.Node, path string) {
	type plain Copy
	d.decodeStruct(n, reflect.ValueOf((*plain)(c)).Elem(), path)
	if n.Kind == yaml.MappingNode {
		for _, k := range []string{"src", "dest"} {
			if !hasKey(n, k) {
				d.missingKey(n, path, k, "")
			}
		}
	}
}

// decodeNode reads a step: a mapping with exactly one instruction key and
// an optional comment.
func (s *Step) decodeNode(d *decoder, n *yaml.Node, path string) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		// `- RUN pip install x`: a Dockerfile line where a step is.
		kw, rest, _ := strings.Cut(strings.TrimSpace(n.Value), " ")
		if isInstructionKey(strings.ToLower(kw)) {
			d.errorf(n, "%s: a step is a mapping of one instruction key to its value, not a Dockerfile line; write %s: %s", path, strings.ToLower(kw), strings.TrimSpace(rest))
			s.Pos = d.pos(n)
			d.markFailed(reflect.ValueOf(s).Elem())
			return
		}
	}
	type plain Step
	d.decodeStruct(n, reflect.ValueOf((*plain)(s)).Elem(), path)
	if n.Kind != yaml.MappingNode {
		return
	}
	if v := mappingValue(n, "volume"); v != nil {
		if v = resolve(v); v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
			s.Volume, s.VolumeShell = VolumeWords(v.Value), true
		}
	}
	var instr []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; isInstructionKey(k) {
			instr = append(instr, k)
		}
	}
	switch {
	case len(instr) == 0 && !hasUnknown(n):
		d.errorf(n, "%s: a step needs one instruction key (%s)", path, strings.Join(InstructionKeys(), ", "))
	case len(instr) > 1:
		d.errorf(n, "%s: a step holds one instruction, found %s; split it into %d steps", path, strings.Join(instr, " and "), len(instr))
	default:
		return
	}
	d.markFailed(reflect.ValueOf(s).Elem())
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func hasUnknown(n *yaml.Node) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; k != "comment" && k != "id" && !isInstructionKey(k) {
			return true
		}
	}
	return false
}

// InstructionKeys lists the step keys, one per Dockerfile instruction, in
// the order of the Step type.
func InstructionKeys() []string {
	var out []string
	for _, f := range yamlFields(reflect.TypeOf(Step{})) {
		if f.name != "comment" && f.name != "id" {
			out = append(out, f.name)
		}
	}
	return out
}

func isInstructionKey(k string) bool {
	for _, f := range InstructionKeys() {
		if f == k {
			return true
		}
	}
	return false
}

// decodeNode reads the layouts a spec extends: each a string (the layout)
// or a mapping with layout and with.
func (e *Extend) decodeNode(d *decoder, n *yaml.Node, path string) {
	e.Pos = d.pos(n)
	if n.Kind == yaml.ScalarNode {
		if s, ok := d.scalar(n, path); ok {
			e.Layout, e.LayoutPos = s, d.pos(n)
		}
		return
	}
	type plain Extend
	d.decodeStruct(n, reflect.ValueOf((*plain)(e)).Elem(), path)
	if n.Kind == yaml.MappingNode && !hasKey(n, "layout") {
		d.missingKey(n, path, "layout", " (a path relative to the spec, or git:URL//PATH@REF)")
	}
}

// decodeNode reads a layout's params: name -> declaration.
func (p *Params) decodeNode(d *decoder, n *yaml.Node, path string) {
	keys, vals, ok := d.keysOf(n, path)
	if !ok {
		return
	}
	for i, k := range keys {
		pr := Param{Name: k.Value, Pos: d.pos(k)}
		type plain Param
		d.decodeStruct(resolve(vals[i]), reflect.ValueOf((*plain)(&pr)).Elem(), join(path, k.Value))
		*p = append(*p, pr)
	}
}

// decodeNode reads a mapping of names to scalars, keeping their types.
func (vs *Values) decodeNode(d *decoder, n *yaml.Node, path string) {
	keys, vals, ok := d.keysOf(n, path)
	if !ok {
		return
	}
	out := Values{}
	for i, k := range keys {
		var v Value
		v.decodeNode(d, resolve(vals[i]), join(path, k.Value))
		v.Name, v.NamePos = k.Value, d.pos(k)
		out = append(out, v)
	}
	*vs = out
}

// decodeNode reads a scalar with its type.
func (v *Value) decodeNode(d *decoder, n *yaml.Node, path string) {
	v.Pos = d.pos(n)
	if s, ok := d.scalar(n, path); ok {
		v.Text, v.Tag = s, n.Tag
	}
}

// VolumeWords splits the text of a shell-form VOLUME into its paths, as
// BuildKit's parser does (parseStringsWhitespaceDelimited): at runs of
// space, tab, \v, \f and \r (and newline), leading and trailing ones
// dropped. It never returns nil.
func VolumeWords(text string) []string {
	out := []string{}
	for w := range strings.FieldsFuncSeq(text, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\v' || r == '\f' || r == '\r' || r == '\n'
	}) {
		out = append(out, w)
	}
	return out
}
