package layout

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dockstage/dockstage/spec"

	"gopkg.in/yaml.v3"
)

// merge returns over merged onto base (README "Layouts", Merge rules):
//   - two mappings merge key by key: base's keys in base's order, each
//     merged with over's value when over has it, then over's new keys;
//   - stages merge by name (compared without case, as stage names are): a
//     stage of both merges as a mapping, a new stage goes just before the
//     next stage over lists that base has (at the end when none follows);
//   - a stage's steps are replaced whole, unless over's stage gives
//     steps_patch, which edits base's steps at step ids (patch);
//   - anything else (a list, a scalar, a mapping over a scalar) is
//     replaced by over's value.
//
// path is the dotted key path of base and over ("" for the top, "stages",
// "stages.NAME").
func (l *loader) merge(base, over *yaml.Node, path string) *yaml.Node {
	base, over = deref(base), deref(over)
	if base == nil {
		return over
	}
	if base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	if path == "stages" {
		return l.mergeStages(base, over)
	}
	out := l.mergeMap(base, over, path, false)
	if path == "" {
		sortTop(out)
	}
	return out
}

// sortTop orders the keys of the merged top mapping as a spec writes them
// (version, name, extends, ..., stages, ..., compose), unknown keys last.
func sortTop(n *yaml.Node) {
	type pair struct{ k, v *yaml.Node }
	var ps []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		ps = append(ps, pair{n.Content[i], n.Content[i+1]})
	}
	sort.SliceStable(ps, func(i, j int) bool { return spec.KeyRank(ps[i].k.Value) < spec.KeyRank(ps[j].k.Value) })
	n.Content = n.Content[:0]
	for _, p := range ps {
		n.Content = append(n.Content, p.k, p.v)
	}
}

// mergeMap merges two mappings key by key; isStage says they are a stage
// (steps and steps_patch).
func (l *loader) mergeMap(base, over *yaml.Node, path string, isStage bool) *yaml.Node {
	out := l.copyOf(over)
	out.Content = nil
	out.Style = base.Style & over.Style
	used := map[*yaml.Node]bool{}
	for i := 0; i+1 < len(base.Content); i += 2 {
		k, v := base.Content[i], base.Content[i+1]
		ok, ov := lookup(over, k.Value)
		if ok == nil {
			if isStage && k.Value == "steps" {
				if pk, pv := lookup(over, "steps_patch"); pk != nil {
					used[pk] = true
					out.Content = append(out.Content, k, l.patch(v, deref(pv), path))
					continue
				}
			}
			out.Content = append(out.Content, k, v)
			continue
		}
		used[ok] = true
		if isStage && k.Value == "steps" && l.layoutFile != "" {
			if from := l.origin[deref(v)]; from != "" && from != l.layoutFile {
				l.warns.Add(l.pos(ok), "%s.steps: layout %s replaces the steps of stage %s that layout %s gives (a later layout's steps replace an earlier one's whole); edit them with steps_patch, or give the stage's steps in one layout",
					path, l.layoutFile, strings.TrimPrefix(path, "stages."), from)
			}
		}
		if isStage && k.Value == "steps" {
			if pk, _ := lookup(over, "steps_patch"); pk != nil {
				used[pk] = true
				l.errorf(pk, "%s.steps_patch: the stage gives steps too; give steps (they replace the layout's whole) or steps_patch (it edits them), not both", path)
			}
		}
		out.Content = append(out.Content, ok, l.merge(v, ov, joinPath(path, k.Value)))
	}
	for i := 0; i+1 < len(over.Content); i += 2 {
		if !used[over.Content[i]] {
			if isStage && over.Content[i].Value == "steps_patch" {
				l.errorf(over.Content[i], "%s.steps_patch: the layout's stage has no steps to patch; write steps instead", path)
				continue
			}
			out.Content = append(out.Content, over.Content[i], over.Content[i+1])
		}
	}
	return out
}

// mergeStages merges two stages mappings by stage name.
func (l *loader) mergeStages(base, over *yaml.Node) *yaml.Node {
	out := l.copyOf(over)
	out.Style = 0
	out.Content = append([]*yaml.Node(nil), base.Content...)
	find := func(name string) int {
		for i := 0; i+1 < len(out.Content); i += 2 {
			if strings.EqualFold(out.Content[i].Value, name) {
				return i
			}
		}
		return -1
	}
	var pending []*yaml.Node // new stages waiting for the next known one
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		j := find(k.Value)
		if j < 0 {
			pending = append(pending, k, v)
			continue
		}
		out.Content[j] = k
		if b, o := deref(out.Content[j+1]), deref(v); b.Kind == yaml.MappingNode && o.Kind == yaml.MappingNode {
			out.Content[j+1] = l.mergeMap(b, o, "stages."+k.Value, true)
		} else {
			out.Content[j+1] = o
		}
		if len(pending) > 0 {
			rest := append(append([]*yaml.Node(nil), pending...), out.Content[j:]...)
			out.Content = append(out.Content[:j], rest...)
			pending = nil
		}
	}
	out.Content = append(out.Content, pending...)
	return out
}

// patch applies the steps_patch entries of a stage, in order, to the
// layout's steps: before/after/replace ID with steps, or remove ID. A
// later entry sees the steps earlier entries inserted (their ids too). An
// entry naming no step, or not exactly one of the four, is an error at
// its position.
func (l *loader) patch(steps, entries *yaml.Node, path string) *yaml.Node {
	steps = deref(steps)
	out := l.copyOf(steps)
	if steps.Kind != yaml.SequenceNode || entries.Kind != yaml.SequenceNode {
		return steps // the decoder reports the wrong kind
	}
	items := append([]*yaml.Node(nil), steps.Content...)
	for i, e := range entries.Content {
		e = deref(e)
		ep := fmt.Sprintf("%s.steps_patch[%d]", path, i)
		if e.Kind != yaml.MappingNode {
			continue // the decoder reports it
		}
		var op, id *yaml.Node
		var ops []string
		for _, name := range []string{"before", "after", "replace", "remove"} {
			if k, v := lookup(e, name); k != nil {
				op, id = k, deref(v)
				ops = append(ops, name)
			}
		}
		_, add := lookup(e, "steps")
		switch {
		case len(ops) == 0 && unknownPatchKey(e):
			continue // the decoder reports the unknown key (insert:)
		case len(ops) != 1:
			l.errorf(e, "%s: give exactly one of before, after, replace or remove (a step id), found %s", ep, orNone(ops))
			continue
		case op.Value == "remove" && add != nil:
			l.errorf(op, "%s: remove takes no steps; use replace to put steps in the step's place", ep)
			continue
		case op.Value != "remove" && add == nil:
			l.errorf(e, "%s: %s needs steps, the steps to insert", ep, op.Value)
			continue
		}
		at := -1
		var ids []string
		for j, it := range items {
			if _, v := lookup(deref(it), "id"); v != nil {
				ids = append(ids, v.Value)
				if v.Value == id.Value && at < 0 {
					at = j
				}
			}
		}
		if at < 0 {
			known := "the layout's steps of the stage have no ids"
			if len(ids) > 0 {
				known = "its step ids: " + strings.Join(ids, ", ")
			}
			l.errorf(id, "%s.%s: no step of stage %s has id %q; %s", ep, op.Value, strings.TrimPrefix(path, "stages."), id.Value, known)
			continue
		}
		var ins []*yaml.Node
		if add != nil && deref(add).Kind == yaml.SequenceNode {
			ins = deref(add).Content
		}
		var next []*yaml.Node
		switch op.Value {
		case "before":
			next = append(append(append(next, items[:at]...), ins...), items[at:]...)
		case "after":
			next = append(append(append(next, items[:at+1]...), ins...), items[at+1:]...)
		case "replace":
			next = append(append(append(next, items[:at]...), ins...), items[at+1:]...)
		case "remove":
			next = append(append(next, items[:at]...), items[at+1:]...)
		}
		items = next
	}
	out.Content = items
	return out
}

// unknownPatchKey reports whether the steps_patch entry e has a key that
// is none of before, after, replace, remove and steps.
func unknownPatchKey(e *yaml.Node) bool {
	for i := 0; i+1 < len(e.Content); i += 2 {
		switch e.Content[i].Value {
		case "before", "after", "replace", "remove", "steps":
		default:
			return true
		}
	}
	return false
}

func orNone(ops []string) string {
	if len(ops) == 0 {
		return "none"
	}
	return strings.Join(ops, " and ")
}

// copyOf returns a shallow copy of n with n's origin.
func (l *loader) copyOf(n *yaml.Node) *yaml.Node {
	c := *n
	l.origin[&c] = l.origin[n]
	return &c
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
