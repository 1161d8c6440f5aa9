package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/buildkit/util/suggest"
	"gopkg.in/yaml.v3"
)

// Load reads a spec from YAML. file names the source in positions and
// messages. Decoding is strict: unknown keys (with a "did you mean" where
// one is close), wrong types and duplicate keys are errors. All decoding
// errors are returned together as an ErrorList; Load does not run Validate.
func Load(file string, data []byte) (*Spec, error) {
	root, err := Parse(file, data)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(data), "\n")
	return LoadNode(file, root, func(*yaml.Node) (string, []string) { return file, lines })
}

// Parse reads one YAML document and returns its top node (the content of
// the document node), for LoadNode. Errors are Load's: an empty document,
// invalid YAML and a second document, positioned in file.
func Parse(file string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrorList{{Pos: Pos{File: file, Line: 1, Col: 1}, Msg: "empty spec: expected a mapping with version, name and stages"}}
		}
		return nil, yamlError(file, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, ErrorList{{Pos: Pos{File: file, Line: extra.Line, Col: extra.Column}, Msg: "a spec is one YAML document; remove the second document (after ---)"}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	return root, nil
}

// LoadNode decodes root (Parse's node, or a document spec/layout merged
// from several files) into a spec, strictly, as Load does. source returns,
// for each node, the file it was written in and that file's lines: every
// position and error names that file, so an error in a value a layout
// wrote points into the layout. file names the spec itself (Spec.Pos).
func LoadNode(file string, root *yaml.Node, source func(*yaml.Node) (file string, lines []string)) (*Spec, error) {
	d := &decoder{source: source}
	s := &Spec{}
	d.decode(root, reflect.ValueOf(s).Elem(), "")
	if d.failed[s.Pos] {
		d.failed[Pos{File: file, Line: 1, Col: 1}] = true
	}
	s.Pos = Pos{File: file, Line: 1, Col: 1}
	s.failed = d.failed
	if len(d.errs) > 0 {
		d.errs.Sort()
		return s, d.errs
	}
	return s, nil
}

// Check returns every error of s, a spec LoadNode (or Load) decoded with
// the error decodeErr (nil for none), as one sorted ErrorList: decodeErr's
// errors, then Validate's on what decoded, less those at a mapping whose
// own keys or values failed to decode (a step with the unknown key `usr`
// holds no instruction: that is the same mistake, said once). So one run
// reports an unknown key and the duplicate step id after it. A decodeErr
// that is not an ErrorList is returned as it is; s nil is decodeErr.
func Check(s *Spec, decodeErr error) error {
	var errs ErrorList
	if decodeErr != nil && !errors.As(decodeErr, &errs) {
		return decodeErr
	}
	if s == nil {
		return decodeErr
	}
	all := append(ErrorList(nil), errs...)
	at := map[Pos]bool{}
	for _, e := range errs {
		at[e.Pos] = true
	}
	var verrs ErrorList
	if err := Validate(s); errors.As(err, &verrs) {
		for _, e := range verrs {
			if len(errs) > 0 && (s.failed[e.Pos] || at[e.Pos]) {
				continue
			}
			all = append(all, e)
		}
	}
	all.Sort()
	return all.Err()
}

// yamlError turns a yaml.v3 syntax error ("yaml: line 3: ...") into a
// positioned Error in plain words (explainYAML finds the line and column
// the mistake is on, which yaml.v3 often reports elsewhere).
func yamlError(file string, data []byte, err error) error {
	msg := err.Error()
	line := 0
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if n, tail, ok := strings.Cut(rest, ": "); ok {
			if _, e := fmt.Sscanf(n, "%d", &line); e == nil {
				msg = tail
			}
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	if l, c, plain, ok := explainYAML(data, line, msg); ok {
		return ErrorList{{Pos: Pos{File: file, Line: l, Col: c}, Msg: plain}}
	}
	return ErrorList{{Pos: Pos{File: file, Line: line, Col: 1}, Msg: "invalid YAML: " + msg}}
}

type decoder struct {
	errs ErrorList
	// failed are the positions of the structs whose decoding failed
	// (Spec.failed).
	failed map[Pos]bool
	// source names the file of a node and gives its lines (blankAbove).
	source func(*yaml.Node) (string, []string)
	// meant holds, per mapping, the keys that an unknown key's "did you
	// mean" names: a missing key reported that way is not reported again.
	meant map[*yaml.Node]map[string]bool
}

// missingKey reports that the mapping n lacks key (hint, when set, follows
// the message), unless an unknown key of n was already reported with
// "did you mean" key: one typo, one error.
func (d *decoder) missingKey(n *yaml.Node, path, key, hint string) {
	if d.meant[n][key] {
		return
	}
	d.errorf(n, "%s: missing key %q%s", path, key, hint)
}

// blankAbove reports whether the line above n's is blank (Step.BlankBefore).
func (d *decoder) blankAbove(n *yaml.Node) bool {
	_, lines := d.source(n)
	i := n.Line - 2
	return i >= 0 && i < len(lines) && strings.TrimSpace(lines[i]) == ""
}

func (d *decoder) pos(n *yaml.Node) Pos {
	file, _ := d.source(n)
	return Pos{File: file, Line: n.Line, Col: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs.Add(d.pos(n), format, args...)
}

// nodeDecoder is implemented by types whose YAML form is not the plain
// struct/sequence mapping.
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

var (
	posType          = reflect.TypeOf(Pos{})
	posSliceType     = reflect.TypeOf([]Pos(nil))
	nodeDecoderType  = reflect.TypeOf((*nodeDecoder)(nil)).Elem()
	itemCommentsType = reflect.TypeOf(ItemComments(nil))
	stringsType      = reflect.TypeOf([]string(nil))
)

// itemComments reads the comment above each item of sequence n (its
// HeadComment): nil when no item has one.
func itemComments(n *yaml.Node) ItemComments {
	var out ItemComments
	for i, c := range n.Content {
		if lines := CommentLines(resolve(c).HeadComment); len(lines) > 0 {
			if out == nil {
				out = make(ItemComments, len(n.Content))
			}
			out[i] = lines
		}
	}
	return out
}

// KindName names the kind of YAML value n holds, for "expected X, got Y"
// errors: "a mapping", "a list", "null", "a number", "a boolean", "a
// string" or "an alias".
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a string"
	}
	return "an alias"
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// decode decodes n into v (addressable). path is the dotted key path used
// in messages.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolve(n)
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		v.Addr().Interface().(nodeDecoder).decodeNode(d, n, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			d.errorf(n, "%s: expected a value, got null", path)
			return
		}
		nv := reflect.New(v.Type().Elem())
		d.decode(n, nv.Elem(), path)
		v.Set(nv)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && v.Type().Elem().Kind() == reflect.String && n.Tag != "!!null" {
			// A single string where a list of strings is expected.
			v.Set(reflect.ValueOf([]string{n.Value}))
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, "%s: expected a list, got %s", path, KindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		if s, ok := d.scalar(n, path); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		var b bool
		if d.typedScalar(resolve(n), path, "!!bool", "true or false", &b) {
			v.SetBool(b)
		}
	case reflect.Int:
		// A quoted integer (`version: "1"`, as compose files quote
		// theirs) is the integer.
		if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
			if i, err := strconv.Atoi(strings.TrimSpace(n.Value)); err == nil {
				v.SetInt(int64(i))
				return
			}
		}
		var i int
		if d.typedScalar(n, path, "!!int", "an integer", &i) {
			v.SetInt(int64(i))
		}
	default:
		panic("spec: no decoder for " + v.Type().String())
	}
}

// scalar returns a scalar's text. Numbers and booleans are accepted where a
// string is expected (`user: 10001`, `expose: [8080]`) and kept as written.
func (d *decoder) scalar(n *yaml.Node, path string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, "%s: expected a string, got %s", path, KindName(n))
		return "", false
	}
	if n.Tag == "!!binary" {
		d.errorf(n, "%s: binary values are not supported; write the text", path)
		return "", false
	}
	return n.Value, true
}

type fieldInfo struct {
	name  string
	index int
}

func yamlFields(t reflect.Type) []fieldInfo {
	var out []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || name == "" || !f.IsExported() {
			continue
		}
		out = append(out, fieldInfo{name: name, index: i})
	}
	return out
}

// keysOf checks a mapping node for duplicate keys and non-string keys and
// returns its key/value pairs.
func (d *decoder) keysOf(n *yaml.Node, path string) (keys []*yaml.Node, vals []*yaml.Node, ok bool) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: expected a mapping, got %s", orTop(path), KindName(n))
		return nil, nil, false
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
			d.errorf(k, "%s: keys must be strings", orTop(path))
			continue
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			d.errorf(k, "%s: YAML merge keys (<<) are not supported; write the keys out", orTop(path))
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, "%s: duplicate key %q (first at line %d)", orTop(path), k.Value, prev.Line)
			continue
		}
		seen[k.Value] = k
		keys = append(keys, k)
		vals = append(vals, val)
	}
	return keys, vals, true
}

// typedScalar decodes n, a scalar node of the YAML tag, into out, or
// reports at path that it expected what.
func (d *decoder) typedScalar(n *yaml.Node, path, tag, what string, out any) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != tag {
		d.errorf(n, "%s: expected %s, got %s", path, what, KindName(n))
		return false
	}
	if err := n.Decode(out); err != nil {
		d.errorf(n, "%s: %v", path, err)
		return false
	}
	return true
}

func orTop(path string) string {
	if path == "" {
		return "spec"
	}
	return path
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if f := v.FieldByName("Pos"); f.IsValid() && f.Type() == posType && f.Interface().(Pos) == (Pos{}) {
		f.Set(reflect.ValueOf(d.pos(n)))
	}
	before := len(d.errs)
	keys, vals, ok := d.keysOf(n, path)
	if !ok {
		return
	}
	// A mistake in this mapping's own keys or values (an unknown key, a
	// duplicate key, a value of the wrong type) leaves the struct part
	// decoded: Validate's errors at the struct are its consequences.
	defer func() {
		for _, e := range d.errs[before:] {
			if d.ownError(e.Pos, n, vals) {
				d.markFailed(v)
				return
			}
		}
	}()
	fields := yamlFields(v.Type())
	for i, k := range keys {
		fi := -1
		for _, f := range fields {
			if f.name == k.Value {
				fi = f.index
				break
			}
		}
		if fi < 0 {
			d.unknownKey(n, k, path, fields)
			continue
		}
		d.decode(vals[i], v.Field(fi), join(path, k.Value))
		// A field NamePos next to Name records where Name's value is; a
		// []Pos field where each item of the list is.
		if pf := v.FieldByName(v.Type().Field(fi).Name + "Pos"); pf.IsValid() {
			switch val := resolve(vals[i]); {
			case pf.Type() == posType:
				pf.Set(reflect.ValueOf(d.pos(val)))
			case pf.Type() == posSliceType && val.Kind == yaml.SequenceNode:
				ps := make([]Pos, len(val.Content))
				for j, c := range val.Content {
					ps[j] = d.pos(resolve(c))
				}
				pf.Set(reflect.ValueOf(ps))
			case pf.Type() == posSliceType:
				pf.Set(reflect.ValueOf([]Pos{d.pos(val)}))
			}
		}
		// A field NameComment next to Name holds the comment lines above
		// each item of the list (ItemComments), or ([]string) those above
		// the key.
		if cf := v.FieldByName(v.Type().Field(fi).Name + "Comment"); cf.IsValid() {
			switch val := resolve(vals[i]); {
			case cf.Type() == itemCommentsType && val.Kind == yaml.SequenceNode:
				cf.Set(reflect.ValueOf(itemComments(val)))
			case cf.Type() == stringsType:
				cf.Set(reflect.ValueOf(CommentLines(k.HeadComment)))
			}
		}
		if k.Value == "comment" || k.Value == "trailing_comment" {
			var next *yaml.Node
			if i+1 < len(keys) {
				next = keys[i+1]
			}
			d.commentBlanks(resolve(vals[i]), next, v.Field(fi), v.FieldByName(v.Type().Field(fi).Name+"Pos"))
		}
	}
}

// commentBlanks puts a CommentBlank into the comment list field (and its
// []Pos field pf, when valid) for each blank line between the items of a
// block comment list n, and after its last item when the next key of the
// mapping (nil: none) has a blank line directly above it.
func (d *decoder) commentBlanks(n, next *yaml.Node, field, pf reflect.Value) {
	if n.Kind != yaml.SequenceNode || n.Style&yaml.FlowStyle != 0 || field.Type() != reflect.TypeOf([]string(nil)) {
		return
	}
	list := field.Interface().([]string)
	if len(list) != len(n.Content) {
		return
	}
	var pos []Pos
	if pf.IsValid() && pf.Type() == posSliceType {
		pos = pf.Interface().([]Pos)
	}
	var out []string
	var outPos []Pos
	add := func(s string, j int) {
		out = append(out, s)
		if j < len(pos) {
			outPos = append(outPos, pos[j])
		}
	}
	changed := false
	for j, item := range n.Content {
		if j > 0 && list[j] != CommentBlank && list[j-1] != CommentBlank && item.Line > n.Content[j-1].Line+1 && d.blankAbove(item) {
			add(CommentBlank, j)
			changed = true
		}
		add(list[j], j)
	}
	last := n.Content[len(n.Content)-1]
	if next != nil && next.Line > last.Line+1 && d.blankAbove(next) && list[len(list)-1] != CommentBlank {
		add(CommentBlank, len(list)-1)
		changed = true
	}
	if !changed {
		return
	}
	field.Set(reflect.ValueOf(out))
	if len(outPos) == len(out) {
		pf.Set(reflect.ValueOf(outPos))
	}
}

// ownError reports whether an error at p is about mapping n itself, one
// of its keys or one of its values vals (not something deeper).
func (d *decoder) ownError(p Pos, n *yaml.Node, vals []*yaml.Node) bool {
	if p == d.pos(n) {
		return true
	}
	for i := 0; i < len(n.Content); i += 2 {
		if p == d.pos(resolve(n.Content[i])) {
			return true
		}
	}
	for _, val := range vals {
		if p == d.pos(resolve(val)) {
			return true
		}
	}
	return false
}

// markFailed records the position of struct v (its Pos field, when it
// has one) as a node whose decoding failed.
func (d *decoder) markFailed(v reflect.Value) {
	if f := v.FieldByName("Pos"); f.IsValid() && f.Type() == posType {
		if d.failed == nil {
			d.failed = map[Pos]bool{}
		}
		d.failed[f.Interface().(Pos)] = true
	}
}

func (d *decoder) unknownKey(n, k *yaml.Node, path string, fields []fieldInfo) {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	msg := fmt.Sprintf("%s: unknown key %q", orTop(path), k.Value)
	if slices.Contains(names, "steps") && isInstructionKey(strings.ToLower(k.Value)) {
		msg += fmt.Sprintf("; %s is a step: write it in the stage's steps list (steps: [{%s: ...}])", strings.ToLower(k.Value), strings.ToLower(k.Value))
	} else if m, ok := meantKey(k.Value, names); ok {
		if strings.EqualFold(m, k.Value) {
			msg += fmt.Sprintf("; keys are lower case: write %q", m)
		} else {
			msg += fmt.Sprintf("; did you mean %q?", m)
		}
		if d.meant == nil {
			d.meant = map[*yaml.Node]map[string]bool{}
		}
		if d.meant[n] == nil {
			d.meant[n] = map[string]bool{}
		}
		d.meant[n][m] = true
	} else {
		sort.Strings(names)
		msg += "; expected one of: " + strings.Join(names, ", ")
	}
	d.errs.Add(d.pos(k), "%s", msg)
}

// meantKey returns the key of names that the unknown key k most likely
// means: the same key in another case (RUN), k with two neighbouring
// letters swapped (rnu), else BuildKit's suggestion (suggest.Search: an
// edit distance under 3). ok is false when none is close.
func meantKey(k string, names []string) (string, bool) {
	for _, n := range names {
		if strings.EqualFold(n, k) {
			return n, true
		}
	}
	for _, n := range names {
		if len(n) != len(k) {
			continue
		}
		for i := 0; i+1 < len(k); i++ {
			if k[i] != n[i] {
				if k[i] == n[i+1] && k[i+1] == n[i] && k[i+2:] == n[i+2:] {
					return n, true
				}
				break
			}
		}
	}
	return suggest.Search(k, names, true)
}
