package workspace

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"gopkg.in/yaml.v3"
)

// overLayouts is what Adopt writes into a spec that extends layouts
// (README "Drift and hand edits"): the spec's own dockerfileKeys (a
// mapping, for splice) such that the layouts merged with them (the merge
// rules of spec/layout) say what the edited Dockerfile says (fresh, the
// marshalled Reverse of it), never an edit of a layout. merged is the spec
// merged over its layouts as it is, base the layouts merged without the
// spec's dockerfileKeys (their positions name the layout files); both
// marshalled nodes. Per key:
//   - a key or stage that says the same keeps the spec's node as written;
//   - args and directives (mappings merged key by key) set each changed
//     key, and drop the spec's keys the edit removed;
//   - a stage the layouts do not define is the edited stage whole; a new
//     stage goes where the merge puts it (before the next stage the spec
//     lists that the layouts define: that stage is listed, `{}` when the
//     spec did not override it);
//   - a layout's stage that changed is overridden: each changed key set;
//     changed steps as steps_patch entries at the layout's step ids when
//     the edit is one run of steps next to or over steps with ids
//     (stepsPatch), else `steps:` whole.
//
// What a spec cannot say over its layouts is an error at the layout's
// line (spec.ErrorList): a removed stage, key or arg a layout sets, and
// a layout's stages put in another order.
func overLayouts(root, merged, base, fresh *yaml.Node, baseSpec *spec.Spec, dockerfile string) (*yaml.Node, error) {
	var errs spec.ErrorList
	out := &yaml.Node{Kind: yaml.MappingNode}
	for _, key := range dockerfileKeys {
		ok, ov := topKey(root, key)
		_, mv := topKey(merged, key)
		_, bv := topKey(base, key)
		fk, fv := topKey(fresh, key)
		if ok == nil {
			ok = fk
		}
		var v *yaml.Node
		switch {
		case mv != nil && fv != nil && equalNode(mv, fv, kvKeys[key]) || mv == nil && fv == nil:
			v = ov
		case key == "stages":
			v = stagesOver(ov, mv, bv, fv, baseSpec, dockerfile, &errs)
		case key == "args" || key == "directives":
			v = mapOver(ov, mv, bv, fv, kvKeys[key], func(name string) spec.Pos { return topPos(baseSpec, key, name) }, key, dockerfile, &errs)
		case fv == nil && bv != nil:
			errs.Add(topPos(baseSpec, key, ""), "the edit of %s removes %s, which the layout sets; a spec cannot remove a layout's value: keep it in the Dockerfile, or change the layout", dockerfile, key)
		case fv != nil:
			v = fv
			if ov != nil {
				v = mergeNode(ov, fv, kvKeys[key])
			}
		}
		if v != nil {
			out.Content = append(out.Content, ok, v)
		}
	}
	return out, errs.Err()
}

// topPos is where base (the layouts merged) sets the top-level key, or
// the arg or directive name under it: the layout's line.
func topPos(base *spec.Spec, key, name string) spec.Pos {
	switch key {
	case "args":
		for _, kv := range base.Args {
			if kv.Key == name {
				return kv.Pos
			}
		}
	case "directives":
		if base.Directives != nil {
			return base.Directives.Pos
		}
	case "comment":
		if len(base.CommentPos) > 0 {
			return base.CommentPos[0]
		}
	case "trailing_comment":
		if len(base.TrailingCommentPos) > 0 {
			return base.TrailingCommentPos[0]
		}
	}
	return base.Pos
}

// mapOver is the spec's own mapping ov (nil when it has none) changed so
// that base merged with it says fresh: each key fresh says otherwise than
// merged is set; a key fresh lacks is dropped from ov, or is an error at
// pos(key) when base sets it. path names the mapping in errors.
func mapOver(ov, mv, bv, fv *yaml.Node, kv bool, pos func(string) spec.Pos, path, dockerfile string, errs *spec.ErrorList) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode}
	if ov != nil && ov.Kind == yaml.MappingNode {
		c := *ov
		c.Content = append([]*yaml.Node(nil), ov.Content...)
		out = &c
	}
	set := func(k, v *yaml.Node) {
		for i := 0; i+1 < len(out.Content); i += 2 {
			if out.Content[i].Value == k.Value {
				out.Content[i+1] = mergeNode(out.Content[i+1], v, kv || commentsCount(k.Value, v))
				return
			}
		}
		out.Content = append(out.Content, k, v)
	}
	drop := func(name string) {
		for i := 0; i+1 < len(out.Content); i += 2 {
			if out.Content[i].Value == name {
				out.Content = append(out.Content[:i], out.Content[i+2:]...)
				return
			}
		}
	}
	if fv != nil {
		for i := 0; i+1 < len(fv.Content); i += 2 {
			k, v := fv.Content[i], fv.Content[i+1]
			if _, m := topKey(orEmpty(mv), k.Value); m == nil || !equalNode(m, v, kv || commentsCount(k.Value, v)) {
				set(k, v)
			}
		}
	}
	for i := 0; mv != nil && i+1 < len(mv.Content); i += 2 {
		name := mv.Content[i].Value
		if f, _ := topKey(orEmpty(fv), name); f != nil {
			continue
		}
		if b, _ := topKey(orEmpty(bv), name); b != nil {
			errs.Add(pos(name), "the edit of %s removes %s.%s, which the layout sets; a spec cannot remove a layout's value: keep it in the Dockerfile, or change the layout", dockerfile, path, name)
			continue
		}
		drop(name)
	}
	if len(out.Content) == 0 {
		return nil
	}
	return out
}

// orEmpty is n, or an empty mapping for nil.
func orEmpty(n *yaml.Node) *yaml.Node {
	if n == nil {
		return &yaml.Node{Kind: yaml.MappingNode}
	}
	return n
}

// stageIndex is the index of the stage name's key in stages mapping m
// (names compare without case), -1 when absent.
func stageIndex(m *yaml.Node, name string) int {
	for i := 0; m != nil && i+1 < len(m.Content); i += 2 {
		if strings.EqualFold(m.Content[i].Value, name) {
			return i
		}
	}
	return -1
}

// stageAt is the value of stage name in stages mapping m, nil when absent.
func stageAt(m *yaml.Node, name string) *yaml.Node {
	if i := stageIndex(m, name); i >= 0 {
		return m.Content[i+1]
	}
	return nil
}

// baseStage is the stage name of base, for its position.
func baseStage(base *spec.Spec, name string) *spec.Stage {
	for i := range base.Stages {
		if strings.EqualFold(base.Stages[i].Name, name) {
			return base.Stages[i]
		}
	}
	return &spec.Stage{Pos: base.Pos}
}

// stagesOver is the spec's own stages mapping (ov) changed so that the
// layouts' stages (bv) merged with it are fresh's (fv); mv is the merge
// as it is. See overLayouts.
func stagesOver(ov, mv, bv, fv *yaml.Node, base *spec.Spec, dockerfile string, errs *spec.ErrorList) *yaml.Node {
	ov, mv, bv, fv = orEmpty(ov), orEmpty(mv), orEmpty(bv), orEmpty(fv)
	for i := 0; i+1 < len(mv.Content); i += 2 {
		name := mv.Content[i].Value
		if stageIndex(fv, name) < 0 && stageIndex(bv, name) >= 0 {
			errs.Add(baseStage(base, name).Pos, "the edit of %s removes stage %s, which the layout defines; a spec cannot remove a layout's stage: keep it in the Dockerfile, or remove it from the layout", dockerfile, name)
		}
	}
	// The layouts' stages keep their order in a merge.
	last, lastName := -1, ""
	for i := 0; i+1 < len(fv.Content); i += 2 {
		name := fv.Content[i].Value
		if j := stageIndex(bv, name); j >= 0 {
			if j < last {
				errs.Add(baseStage(base, name).Pos, "the edit of %s puts stage %s after stage %s; the layout defines them in the other order and a merge keeps it: keep the order in the Dockerfile, or change the layout", dockerfile, name, lastName)
			}
			last, lastName = j, name
		}
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Style: ov.Style}
	listed := make([]bool, len(fv.Content)/2)
	vals := make([]*yaml.Node, len(fv.Content)/2)
	for i := 0; i+1 < len(fv.Content); i += 2 {
		name, fs := fv.Content[i].Value, fv.Content[i+1]
		own, ms, bs := stageAt(ov, name), stageAt(mv, name), stageAt(bv, name)
		switch {
		case ms != nil && equalNode(withoutIDs(ms), fs, false):
			vals[i/2] = own
		case bs == nil && own != nil:
			vals[i/2] = mergeNode(own, fs, false)
		case bs == nil:
			vals[i/2] = fs
		default:
			vals[i/2] = stageOver(own, ms, bs, fs, baseStage(base, name), dockerfile, errs)
		}
		listed[i/2] = vals[i/2] != nil
	}
	// A stage the layouts lack goes before the next stage the spec lists
	// that they define: list that one.
	for i := range vals {
		if !listed[i] || stageAt(bv, fv.Content[2*i].Value) != nil {
			continue
		}
		for j := i + 1; j < len(vals); j++ {
			if stageAt(bv, fv.Content[2*j].Value) != nil {
				if vals[j] == nil {
					vals[j] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
				}
				break
			}
		}
	}
	for i, v := range vals {
		if v == nil {
			continue
		}
		k := fv.Content[2*i]
		if j := stageIndex(ov, k.Value); j >= 0 {
			k = ov.Content[j]
		}
		out.Content = append(out.Content, k, v)
	}
	if len(out.Content) == 0 {
		return nil
	}
	return out
}

// stageOver is the spec's override own (nil for none) of a layout's stage
// (bs; ms merged with own) changed so that the merge says fs.
func stageOver(own, ms, bs, fs *yaml.Node, at *spec.Stage, dockerfile string, errs *spec.ErrorList) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if own != nil && own.Kind == yaml.MappingNode {
		c := *own
		c.Content = append([]*yaml.Node(nil), own.Content...)
		out = &c
		if len(out.Content) == 0 {
			out.Style = 0
		}
	}
	// A key is set in its place, or a new one in the order the edited
	// stage gives the keys (steps_patch where steps are).
	rank := func(name string) int {
		if name == "steps_patch" {
			name = "steps"
		}
		for i := 0; i+1 < len(fs.Content); i += 2 {
			if fs.Content[i].Value == name {
				return i
			}
		}
		return len(fs.Content)
	}
	set := func(k, v *yaml.Node) {
		for i := 0; i+1 < len(out.Content); i += 2 {
			if out.Content[i].Value == k.Value {
				out.Content[i+1] = mergeNode(out.Content[i+1], v, false)
				return
			}
		}
		at := len(out.Content)
		for i := 0; i+1 < len(out.Content); i += 2 {
			if rank(out.Content[i].Value) > rank(k.Value) {
				at = i
				break
			}
		}
		out.Content = slices.Insert(out.Content, at, k, v)
	}
	for i := 0; i+1 < len(fs.Content); i += 2 {
		k, fv := fs.Content[i], fs.Content[i+1]
		_, mv := topKey(ms, k.Value)
		if k.Value == "steps" {
			if mv != nil && equalNode(withoutIDs(mv), fv, false) {
				continue
			}
			_, bsteps := topKey(bs, "steps")
			if p := stepsPatch(bsteps, fv); p != nil {
				out.Content = dropKey(out, "steps")
				set(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "steps_patch"}, p)
			} else {
				out.Content = dropKey(out, "steps_patch")
				set(k, fv)
			}
			continue
		}
		if mv == nil || !equalNode(mv, fv, false) {
			set(k, fv)
		}
	}
	for i := 0; i+1 < len(ms.Content); i += 2 {
		name := ms.Content[i].Value
		if f, _ := topKey(fs, name); f != nil {
			continue
		}
		if b, _ := topKey(bs, name); b != nil {
			if name == "steps" {
				set(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "steps"}, &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle})
				out.Content = dropKey(out, "steps_patch")
				continue
			}
			errs.Add(at.Pos, "the edit of %s removes stages.%s.%s, which the layout sets; a spec cannot remove a layout's value: keep it in the Dockerfile, or change the layout", dockerfile, at.Name, name)
			continue
		}
		out.Content = dropKey(out, name)
	}
	return out
}

// dropKey is m's content without key.
func dropKey(m *yaml.Node, key string) []*yaml.Node {
	var out []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			out = append(out, m.Content[i], m.Content[i+1])
		}
	}
	return out
}

// withoutIDs is a copy of n without the id key of any step (ids are not
// rendered: an imported Dockerfile has none).
func withoutIDs(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = nil
	for i := 0; i < len(n.Content); i++ {
		if n.Kind == yaml.MappingNode && i%2 == 0 && n.Content[i].Value == "id" && i+1 < len(n.Content) && n.Content[i+1].Kind == yaml.ScalarNode {
			i++
			continue
		}
		c.Content = append(c.Content, withoutIDs(n.Content[i]))
	}
	return &c
}

// stepID is the id of step node n, "" without one.
func stepID(n *yaml.Node) string {
	if _, v := topKey(n, "id"); v != nil {
		return v.Value
	}
	return ""
}

// stepsPatch is the steps_patch list that turns the layout's steps b into
// f, nil when there is none. The steps are aligned on their longest
// common run (ids aside); each run between aligned steps is one edit: an
// insertion goes after the aligned step before it, or before the one
// after it, when that step has an id; a run of removed or changed steps
// that all have ids is replaced at the first (or removed) and the others
// removed. Any other run makes it nil: the steps are written whole.
func stepsPatch(b, f *yaml.Node) *yaml.Node {
	if b == nil || f == nil || b.Kind != yaml.SequenceNode || f.Kind != yaml.SequenceNode {
		return nil
	}
	bs, fs := b.Content, f.Content
	eq := func(i, j int) bool { return equalNode(withoutIDs(bs[i]), fs[j], false) }
	// lcs[i][j] is the longest common run of bs[i:] and fs[j:].
	lcs := make([][]int, len(bs)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(fs)+1)
	}
	for i := len(bs) - 1; i >= 0; i-- {
		for j := len(fs) - 1; j >= 0; j-- {
			if eq(i, j) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	entry := func(op, id string, steps []*yaml.Node) *yaml.Node {
		e := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{str(op), str(id)}}
		if steps != nil {
			e.Content = append(e.Content, str("steps"), &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: steps})
		}
		return e
	}
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	// hunk writes the edit of bs[i0:i] into fs[j0:j]; false when it
	// cannot be said at ids.
	hunk := func(i0, i, j0, j int) bool {
		removed, added := bs[i0:i], fs[j0:j]
		switch {
		case len(removed) == 0 && len(added) == 0:
		case len(removed) == 0 && i0 > 0 && stepID(bs[i0-1]) != "":
			out.Content = append(out.Content, entry("after", stepID(bs[i0-1]), added))
		case len(removed) == 0 && i0 < len(bs) && stepID(bs[i0]) != "":
			out.Content = append(out.Content, entry("before", stepID(bs[i0]), added))
		case len(removed) == 0:
			return false
		default:
			for k, st := range removed {
				id := stepID(st)
				switch {
				case id == "":
					return false
				case k == 0 && len(added) > 0:
					out.Content = append(out.Content, entry("replace", id, added))
				default:
					out.Content = append(out.Content, entry("remove", id, nil))
				}
			}
		}
		return true
	}
	i, j, i0, j0 := 0, 0, 0, 0
	for i < len(bs) || j < len(fs) {
		switch {
		case i < len(bs) && j < len(fs) && eq(i, j):
			if !hunk(i0, i, j0, j) {
				return nil
			}
			i, j = i+1, j+1
			i0, j0 = i, j
		case j < len(fs) && (i == len(bs) || lcs[i][j+1] >= lcs[i+1][j]):
			j++
		default:
			i++
		}
	}
	if !hunk(i0, i, j0, j) || len(out.Content) == 0 {
		return nil
	}
	return out
}

// parsed is the mapping node of YAML text b.
func parsed(b []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a YAML mapping")
	}
	return doc.Content[0], nil
}

// withoutDockerfileKeys is the spec text of root without its
// dockerfileKeys: the layouts merged with the spec's own version, name,
// extends and compose.
func withoutDockerfileKeys(root *yaml.Node) ([]byte, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if !slices.Contains(dockerfileKeys, root.Content[i].Value) {
			m.Content = append(m.Content, root.Content[i], root.Content[i+1])
		}
	}
	return yaml.Marshal(m)
}

// adoptOverLayouts is Adopt's new spec text for a spec (old, parsed as
// root) that extends layouts, from the edited Dockerfile's spec (edited,
// marshalled and parsed as fresh): overLayouts, spliced in.
func adoptOverLayouts(specPath, dockerfile string, old, data []byte, root, fresh *yaml.Node, edited *spec.Spec) ([]byte, error) {
	cur, err := loadSpec(specPath, old, nil, false)
	if err != nil {
		return nil, err
	}
	baseText, err := withoutDockerfileKeys(root)
	if err != nil {
		return nil, err
	}
	base, err := loadSpec(specPath, baseText, nil, false)
	if err != nil {
		return nil, err
	}
	var nodes [2]*yaml.Node
	for i, s := range []*spec.Spec{cur.Spec, base.Spec} {
		b, err := spec.Marshal(s)
		if err != nil {
			return nil, err
		}
		if nodes[i], err = parsed(b); err != nil {
			return nil, err
		}
	}
	if hint, at := paramHint(specPath, old, cur, nodes[0], fresh, data); hint != "" {
		line := 1
		if df, err := renderedDockerfile(specPath, cur); err == nil {
			line = firstDifference(data, df)
		}
		return nil, fmt.Errorf("%s:%d: the edit is what the layout renders with another param value: set %s at %s instead, nothing written (overriding the layout's value would hide the param)", DisplayName(dockerfile), line, hint, at)
	}
	target, err := overLayouts(root, nodes[0], nodes[1], fresh, base.Spec, DisplayName(dockerfile))
	if err != nil {
		return nil, fmt.Errorf("%s: the edit cannot be said over the spec's layouts, nothing written (keep those parts of the Dockerfile as the layout renders them, change the layout, or drop the edit with dockstage render --force %s):\n%w", specPath, specPath, err)
	}
	// The blank lines above steps: a stage written whole from the edit
	// keeps the edit's.
	aligned := &spec.Spec{}
	_, ts := topKey(target, "stages")
	_, fs := topKey(fresh, "stages")
	for i := 0; ts != nil && i+1 < len(ts.Content); i += 2 {
		st := &spec.Stage{}
		if j := stageIndex(fs, ts.Content[i].Value); j >= 0 && fs.Content[j+1] == ts.Content[i+1] {
			st = edited.Stages[j/2]
		}
		aligned.Stages = append(aligned.Stages, st)
	}
	return splice(old, root, target, aligned)
}

// maxParamTries bounds the with values paramHint renders.
const maxParamTries = 8

// paramHint looks for a param value that gives the whole edit: a value
// the edit changed (merged against fresh, ids aside) that held a param's
// value (the spec's with, else the param's default) where only that text
// changed, and whose new text is of the param's type. Each such with
// value is tried on a copy of the spec, rendered as render would; the
// first under which the spec renders data (templates.SameMeaning) is
// returned as "extends[I].with: {NAME: VALUE}" with the extends entry's
// position, "" when there is none.
func paramHint(specPath string, old []byte, cur *loaded, merged, fresh *yaml.Node, data []byte) (string, spec.Pos) {
	var pairs [][2]string
	var walk func(m, f *yaml.Node)
	walk = func(m, f *yaml.Node) {
		switch {
		case m == nil || f == nil || m.Kind != f.Kind || len(m.Content) != len(f.Content):
		case m.Kind == yaml.ScalarNode && m.Value != f.Value:
			pairs = append(pairs, [2]string{m.Value, f.Value})
		default:
			for i := range m.Content {
				walk(m.Content[i], f.Content[i])
			}
		}
	}
	for _, key := range dockerfileKeys {
		_, m := topKey(merged, key)
		_, f := topKey(fresh, key)
		walk(withoutIDs(m), f)
	}
	tries := 0
	for i, ly := range cur.Layouts {
		if i >= len(cur.Spec.Extends) {
			break
		}
		for _, p := range ly.Params {
			v := ""
			if p.Default != nil {
				v = p.Default.Text
			}
			for _, w := range cur.Spec.Extends[i].With {
				if w.Name == p.Name {
					v = w.Text
				}
			}
			for _, pr := range pairs {
				w, ok := replacedText(pr[0], pr[1], v)
				if !ok || !ofType(w, p.Type) || tries >= maxParamTries {
					continue
				}
				tries++
				if withRenders(specPath, old, i, p, w, data) {
					return fmt.Sprintf("extends[%d].with: {%s: %s}", i, p.Name, w), cur.Spec.Extends[i].Pos
				}
			}
		}
	}
	return "", spec.Pos{}
}

// replacedText is w when f is m with one occurrence of v in it replaced
// by w, and the change lies within that occurrence.
func replacedText(m, f, v string) (string, bool) {
	if v == "" {
		return "", false
	}
	pre := 0
	for pre < len(m) && pre < len(f) && m[pre] == f[pre] {
		pre++
	}
	suf := 0
	for suf < len(m)-pre && suf < len(f)-pre && m[len(m)-1-suf] == f[len(f)-1-suf] {
		suf++
	}
	for at := strings.Index(m, v); at >= 0; {
		end := at + len(v)
		if at <= pre && end >= len(m)-suf && len(f)-(len(m)-end) >= at {
			return f[at : len(f)-(len(m)-end)], true
		}
		next := strings.Index(m[at+1:], v)
		if next < 0 {
			break
		}
		at += 1 + next
	}
	return "", false
}

// ofType reports whether text is a value of a param of type typ.
func ofType(text, typ string) bool {
	switch typ {
	case "int":
		_, err := strconv.Atoi(text)
		return err == nil
	case "bool":
		_, err := strconv.ParseBool(text)
		return err == nil
	}
	return text != ""
}

// withRenders reports whether the spec (old) with extends[i].with NAME
// set to w renders data.
func withRenders(specPath string, old []byte, i int, p spec.Param, w string, data []byte) bool {
	var doc yaml.Node
	if yaml.Unmarshal(old, &doc) != nil || len(doc.Content) != 1 {
		return false
	}
	_, ext := topKey(doc.Content[0], "extends")
	if ext == nil || ext.Kind != yaml.SequenceNode || i >= len(ext.Content) {
		return false
	}
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!" + p.Type, Value: w}
	if p.Type == "string" {
		val.Tag, val.Style = "!!str", yaml.DoubleQuotedStyle
	}
	key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p.Name}
	e := ext.Content[i]
	if e.Kind == yaml.ScalarNode {
		e = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "layout"}, e}}
		ext.Content[i] = e
	}
	_, with := topKey(e, "with")
	if with == nil {
		with = &yaml.Node{Kind: yaml.MappingNode}
		e.Content = append(e.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "with"}, with)
	}
	with.Content = append(dropKey(with, p.Name), key, val)
	text, err := yaml.Marshal(&doc)
	if err != nil {
		return false
	}
	l, err := loadSpec(specPath, text, nil, false)
	if err != nil {
		return false
	}
	df, err := renderedDockerfile(specPath, l)
	return err == nil && templates.SameMeaning(df, data)
}

// renderedDockerfile is the Dockerfile the spec l (at specPath) renders.
func renderedDockerfile(specPath string, l *loaded) ([]byte, error) {
	dir := filepath.Dir(specPath)
	files, err := renderFiles(l.Spec, filepath.Base(specPath), dir, dir, l.Pins)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.Name == "Dockerfile" {
			return f.Content, nil
		}
	}
	return nil, fmt.Errorf("%s: renders no Dockerfile", specPath)
}

// keepBlankLines puts back the YAML-only blank lines of a rewritten
// stage: above each part of the stage that the rewrite kept from the
// spec (a node under old, the stage's value in the spec's text lines),
// when a blank line stood above it (and its head comment) there. out is
// the stage encoded as "stages:\n  NAME: ..." from merged, read back to
// find each kept node's line; a line that already has a blank line above
// it gets none more.
func keepBlankLines(lines []string, old, merged *yaml.Node, out []byte) ([]byte, error) {
	kept := map[*yaml.Node]bool{}
	var mark func(n *yaml.Node)
	mark = func(n *yaml.Node) {
		kept[n] = true
		for _, c := range n.Content {
			mark(c)
		}
	}
	mark(old)
	doc, err := parsed(out)
	if err != nil || len(doc.Content) != 2 || len(doc.Content[1].Content) != 2 {
		return out, err
	}
	outLines := strings.SplitAfter(string(out), "\n")
	blank := map[int]bool{} // 0-based lines of out to put a blank line above
	var walk func(m, o *yaml.Node)
	walk = func(m, o *yaml.Node) {
		if m.Kind != o.Kind || len(m.Content) != len(o.Content) {
			return
		}
		for i, c := range m.Content {
			if m.Kind == yaml.MappingNode && i%2 == 1 {
				walk(c, o.Content[i])
				continue
			}
			if kept[c] && i > 0 {
				if top := topLine(c); top >= 2 && strings.TrimSpace(lines[top-2]) == "" {
					if at := topLine(o.Content[i]) - 1; at > 0 && strings.TrimSpace(outLines[at-1]) != "" {
						blank[at] = true
					}
				}
			}
			if m.Kind == yaml.SequenceNode {
				walk(c, o.Content[i])
			}
		}
	}
	walk(merged, doc.Content[1].Content[1])
	if len(blank) == 0 {
		return out, nil
	}
	var b strings.Builder
	for i, l := range outLines {
		if blank[i] {
			b.WriteString("\n")
		}
		b.WriteString(l)
	}
	return []byte(b.String()), nil
}

// topLine is the 1-based line where node n starts in its text, its head
// comment (and, for a mapping, its first key's) included.
func topLine(n *yaml.Node) int {
	top := n.Line - len(spec.CommentLines(n.HeadComment))
	if n.Kind == yaml.MappingNode && len(n.Content) > 0 {
		top -= len(spec.CommentLines(n.Content[0].HeadComment))
	}
	return top
}
