package layout

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Effective returns the merged spec as YAML (`dockstage render
// --effective`): the keys and values the render uses, block style, each
// value followed by a comment naming the file and line it was written at
// ("# layouts/python.yaml:12"); a mapping or list value has the comment
// on its key, with the key's line. The layouts' params are left out (their values are in), and
// steps_patch entries are applied.
func (r *Result) Effective() ([]byte, error) {
	if r == nil || r.doc == nil {
		return nil, fmt.Errorf("no merged spec")
	}
	root := r.annotate(r.doc, map[*yaml.Node]*yaml.Node{})
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# the effective spec of %s: each value with the file and line it comes from\n", r.file)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// where is the origin comment of n.
func (r *Result) where(n *yaml.Node) string {
	f, ok := r.origin[n]
	if !ok {
		f = r.file
	}
	return fmt.Sprintf("%s:%d", f, n.Line)
}

// annotate returns a deep copy of n in block style with origin comments.
func (r *Result) annotate(n *yaml.Node, seen map[*yaml.Node]*yaml.Node) *yaml.Node {
	n = deref(n)
	if c, ok := seen[n]; ok {
		return c
	}
	c := *n
	seen[n] = &c
	c.Anchor = ""
	c.Content = nil
	if len(n.Content) == 0 && n.Kind != yaml.ScalarNode {
		c.Style = yaml.FlowStyle // yaml.v3 writes an empty block list after a key comment as a broken line
		return &c
	}
	switch n.Kind {
	case yaml.ScalarNode:
		c.LineComment = r.where(n)
		c.Style &^= yaml.FlowStyle
		return &c
	case yaml.MappingNode:
		c.Style = 0
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := *deref(n.Content[i])
			v := r.annotate(n.Content[i+1], seen)
			if v.Kind != yaml.ScalarNode {
				// The key's own line: a mapping or list node has the line
				// of its first child, the line below a block key.
				k.LineComment = r.where(n.Content[i])
			}
			c.Content = append(c.Content, &k, v)
		}
	case yaml.SequenceNode:
		c.Style = 0
		for _, item := range n.Content {
			c.Content = append(c.Content, r.annotate(item, seen))
		}
	}
	return &c
}
