package workspace

import (
	"gopkg.in/yaml.v3"
)

// equalNode reports whether a and b say the same: the same kinds, scalar
// values and children (tags, styles and comments aside: Load reads
// `10001` and "10001" alike, and the proof render checks the rest), and
// in a KV list or item list (kv, or below a kvKeys or itemKeys key) the
// same comments too, as above a destination (commentKey). The keys of a
// mapping may come in any order (a step's fields, `{from: b, src: [x]}`
// and `{src: [x], from: b}`), but in a KV list, where order is meaning;
// a KV list may be written as a mapping or as a list (`{GOPROXY: }` and
// `[GOPROXY]`).
func equalNode(a, b *yaml.Node, kv bool) bool {
	return equalIn(a, b, kv, kv)
}

// equalTop is equalNode for the value of a top-level spec key: the
// stages mapping is ordered (the order of the stages is the
// Dockerfile's), its stages' fields are not.
func equalTop(key string, a, b *yaml.Node) bool {
	return equalIn(a, b, kvKeys[key], kvKeys[key] || key == "stages")
}

// equalIn is equalNode, with ordered saying whether a mapping's keys
// must come in the same order.
func equalIn(a, b *yaml.Node, kv, ordered bool) bool {
	if kv && a.Kind != b.Kind {
		return equalKVs(a, b)
	}
	if a.Kind != b.Kind || a.Value != b.Value && a.Kind == yaml.ScalarNode || len(a.Content) != len(b.Content) {
		return false
	}
	if kv && (!sameComment(a.HeadComment, b.HeadComment) || !sameComment(a.LineComment, b.LineComment)) {
		return false
	}
	if a.Kind == yaml.MappingNode && !ordered {
		for i := 0; i+1 < len(a.Content); i += 2 {
			bk, bv := topKey(b, a.Content[i].Value)
			if bk == nil || !equalIn(a.Content[i+1], bv, kv || childKV(a, i+1), kv) {
				return false
			}
			if a.Content[i].Value == commentKey && !sameComment(a.Content[i].HeadComment, bk.HeadComment) {
				return false
			}
		}
		return true
	}
	for i := range a.Content {
		ckv := kv || childKV(a, i)
		if !equalIn(a.Content[i], b.Content[i], ckv, ckv) {
			return false
		}
		if a.Kind == yaml.MappingNode && i%2 == 0 && a.Content[i].Value == commentKey && !sameComment(a.Content[i].HeadComment, b.Content[i].HeadComment) {
			return false
		}
	}
	return true
}

// kvItem is one entry of a KV list as the spec reads it (spec.KVList):
// a name, its value node (nil for a name without value) and the comment
// above it.
type kvItem struct {
	name    string
	value   *yaml.Node
	comment string
}

// kvItems reads a KV list node, a mapping (`{A: 1, B: }`) or a list
// (`[A, {B: 1}]`); ok is false for any other shape.
func kvItems(n *yaml.Node) (items []kvItem, ok bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			items = append(items, kvItem{n.Content[i].Value, nullToNil(n.Content[i+1]), n.Content[i].HeadComment})
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			switch {
			case c.Kind == yaml.ScalarNode:
				items = append(items, kvItem{c.Value, nil, c.HeadComment})
			case c.Kind == yaml.MappingNode && len(c.Content) == 2:
				items = append(items, kvItem{c.Content[0].Value, nullToNil(c.Content[1]), c.HeadComment + c.Content[0].HeadComment})
			default:
				return nil, false
			}
		}
	default:
		return nil, false
	}
	return items, true
}

func nullToNil(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	return n
}

// equalKVs compares two KV lists written in different shapes (kvItems):
// the same names in order, values and comments.
func equalKVs(a, b *yaml.Node) bool {
	ai, aok := kvItems(a)
	bi, bok := kvItems(b)
	if !aok || !bok || len(ai) != len(bi) {
		return false
	}
	for i := range ai {
		x, y := ai[i], bi[i]
		if x.name != y.name || (x.value == nil) != (y.value == nil) || !sameComment(x.comment, y.comment) {
			return false
		}
		if x.value != nil && !equalIn(x.value, y.value, true, true) {
			return false
		}
	}
	return true
}
