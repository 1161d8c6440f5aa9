package spec

import (
	"bytes"
	"reflect"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Marshal writes s as canonical YAML, starting with the yaml-language-server
// comment that points editors at the JSON Schema: keys in the order of the Go types,
// short forms where they say the same thing (`run: make` rather than
// `run: {command: make}`), exec-form commands as flow sequences. Load of the
// output gives back an equal spec (positions aside).
func Marshal(s *Spec) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(SchemaComment + "\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	out, err := blankLines(s, buf.Bytes())
	if err != nil {
		return nil, err
	}
	return commentBlankLines(out)
}

// commentBlankLines turns each CommentBlank item of a block comment or
// trailing_comment list into a blank line (what Load reads back as one).
func commentBlankLines(out []byte) ([]byte, error) {
	if !bytes.Contains(out, []byte(`- "\0"`)) {
		return out, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	blank := map[int]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if (k.Value == "comment" || k.Value == "trailing_comment") && v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 {
					for _, item := range v.Content {
						if item.Kind == yaml.ScalarNode && item.Value == CommentBlank {
							blank[item.Line] = true
						}
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	if len(blank) == 0 {
		return out, nil
	}
	lines := bytes.SplitAfter(out, []byte("\n"))
	var b bytes.Buffer
	b.Grow(len(out))
	for i, l := range lines {
		if blank[i+1] {
			b.WriteByte('\n')
			continue
		}
		b.Write(l)
	}
	return b.Bytes(), nil
}

// BlankLines writes the blank line above each step of s with BlankBefore
// into out, YAML text whose top mapping has s's stages under `stages`
// (Marshal's output, or a part of a spec holding its stages key); steps
// written in flow style or whose count differs from s's are left alone.
func BlankLines(s *Spec, out []byte) ([]byte, error) { return blankLines(s, out) }

// blankLines writes the blank line above each step with BlankBefore: the
// output is read back to find the line of each step's item.
func blankLines(s *Spec, out []byte) ([]byte, error) {
	has := false
	for _, st := range s.Stages {
		for k := range st.Steps {
			has = has || st.Steps[k].BlankBefore
		}
	}
	if !has {
		return out, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	blank := map[int]bool{}
	if root := doc.Content; len(root) == 1 {
		stages := mappingValue(root[0], "stages")
		for i := 0; stages != nil && i+1 < len(stages.Content) && i/2 < len(s.Stages); i += 2 {
			st := s.Stages[i/2]
			steps := mappingValue(stages.Content[i+1], "steps")
			if steps == nil || steps.Style&yaml.FlowStyle != 0 || len(steps.Content) != len(st.Steps) {
				continue
			}
			for j, item := range steps.Content {
				if st.Steps[j].BlankBefore {
					blank[item.Line] = true
				}
			}
		}
	}
	lines := bytes.SplitAfter(out, []byte("\n"))
	var b bytes.Buffer
	b.Grow(len(out) + len(blank))
	for i, l := range lines {
		if blank[i+1] {
			b.WriteByte('\n')
		}
		b.Write(l)
	}
	return b.Bytes(), nil
}

// mappingValue returns the value of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// strNode is a string scalar. A multi-line string that starts with a
// blank, a tab, a newline or a carriage return is double-quoted: yaml.v3's
// literal block style would not read it back as written.
func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(s, "\n") && strings.ContainsAny(s[:1], "\n\t \r") {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// MarshalYAML writes the stages as a mapping from name to stage.
func (s Stages) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, st := range s {
		var v *yaml.Node
		if !stageHasInnerComments(st) {
			v = &yaml.Node{}
			if err := v.Encode(st); err != nil {
				return nil, err
			}
		} else {
			var err error
			if v, err = encodeWithComments(st); err != nil {
				return nil, err
			}
		}
		n.Content = append(n.Content, strNode(st.Name), v)
	}
	return n, nil
}

// encodeWithComments encodes v into a node through YAML text:
// yaml.Node.Encode drops the comments that v's MarshalYAML methods set
// (KV.Comment, ItemComments), a marshal and unmarshal keeps them.
func encodeWithComments(v any) (*yaml.Node, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return doc.Content[0], nil
}

// stageHasInnerComments reports whether a step of st (or its ONBUILD
// trigger) has comment lines inside its instruction: above an
// ARG/ENV/LABEL pair (KV.Comment) or above an item of a list
// (ItemComments).
func stageHasInnerComments(st *Stage) bool {
	for i := range st.Steps {
		if st.Steps[i].hasInnerComments() {
			return true
		}
	}
	return false
}

func (s *Step) hasInnerComments() bool {
	for step := s; step != nil; step = step.OnBuild {
		for _, l := range []KVList{step.Arg, step.Env, step.Label} {
			for _, kv := range l {
				if len(kv.Comment) > 0 {
					return true
				}
			}
		}
		if step.ExposeComment != nil || step.VolumeComment != nil || step.ShellComment != nil {
			return true
		}
		for _, c := range []*Copy{step.Copy, step.Add} {
			if c != nil && (c.SrcComment != nil || len(c.DestComment) > 0) {
				return true
			}
		}
		cmds := []*Command{step.Cmd, step.Entrypoint}
		if step.Run != nil {
			if len(step.Run.CommandComment) > 0 || step.Run.MountsComment != nil {
				return true
			}
			cmds = append(cmds, &step.Run.Command)
		}
		if step.Healthcheck != nil {
			cmds = append(cmds, step.Healthcheck.Test)
		}
		for _, c := range cmds {
			if c != nil && c.ArgsComment != nil {
				return true
			}
		}
	}
	return false
}

// MarshalYAML writes a step; the lists with ItemComments as block lists
// with the comment above each item.
func (s Step) MarshalYAML() (any, error) {
	type plain Step
	shellVolume := s.VolumeShell && s.VolumeComment == nil && len(s.Volume) > 0
	if s.ExposeComment == nil && s.VolumeComment == nil && s.ShellComment == nil && !shellVolume {
		return plain(s), nil
	}
	n, err := encodeWithComments(plain(s))
	if err != nil {
		return nil, err
	}
	if v := mappingValue(n, "volume"); shellVolume && v != nil {
		*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.Join(s.Volume, " ")}
	}
	setItemComments(mappingValue(n, "expose"), s.ExposeComment)
	setItemComments(mappingValue(n, "volume"), s.VolumeComment)
	setItemComments(mappingValue(n, "shell"), s.ShellComment)
	return n, nil
}

// setItemComments writes comments (ItemComments) above the items of
// sequence n, which becomes a block list when any item has one.
func setItemComments(n *yaml.Node, comments ItemComments) {
	if n == nil || n.Kind != yaml.SequenceNode || comments == nil {
		return
	}
	for i, c := range n.Content {
		if i < len(comments) && len(comments[i]) > 0 {
			c.HeadComment = yamlComment(comments[i])
			n.Style = 0
		}
	}
}

// MarshalYAML writes an ordered mapping. When a key repeats (global args
// declared twice) or a value is missing (`ARG NAME`), it writes the list
// form instead: `[A, B]` when no key has a value, else one item per key,
// `- NAME` or `- {NAME: value}`.
func (l KVList) MarshalYAML() (any, error) {
	list, anyValue, commented := false, false, false
	seen := map[string]bool{}
	for _, kv := range l {
		commented = commented || len(kv.Comment) > 0
		if kv.Value == nil || seen[kv.Key] {
			list = true
		}
		if kv.Value != nil {
			anyValue = true
		}
		seen[kv.Key] = true
	}
	if !list {
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, kv := range l {
			k := strNode(kv.Key)
			k.HeadComment = yamlComment(kv.Comment)
			n.Content = append(n.Content, k, strNode(*kv.Value))
		}
		if len(l) <= maxFlowPairs && !commented && fitsFlow(n) {
			n.Style = yaml.FlowStyle
		}
		return n, nil
	}
	n := &yaml.Node{Kind: yaml.SequenceNode}
	if !anyValue && !commented {
		n.Style = yaml.FlowStyle
	}
	for _, kv := range l {
		if kv.Value == nil {
			k := strNode(kv.Key)
			k.HeadComment = yamlComment(kv.Comment)
			n.Content = append(n.Content, k)
			continue
		}
		m := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{strNode(kv.Key), strNode(*kv.Value)}}
		if !strings.Contains(*kv.Value, "\n") {
			m.Style = yaml.FlowStyle
		}
		m.HeadComment = yamlComment(kv.Comment)
		n.Content = append(n.Content, m)
	}
	return n, nil
}

// yamlComment writes comment lines as a YAML comment ("# text" lines).
// CommentFits reports whether a comment line can be written as a YAML
// comment: every character is one YAML reads (its c-printable set, as
// gopkg.in/yaml.v3's reader checks: tab, and no other control character).
// A comment line that does not fit goes where a string holds it (a step's
// comment: list).
func CommentFits(line string) bool {
	if !utf8.ValidString(line) {
		return false
	}
	for _, r := range line {
		switch {
		case r == '\t', r >= 0x20 && r <= 0x7E, r == 0x85, r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

func yamlComment(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight("# "+l, " ")
	}
	return strings.Join(out, "\n")
}

// CommentLines reads a YAML comment back into comment lines (KV.Comment):
// each line without "#" and one optional space; empty lines are skipped.
func CommentLines(c string) []string {
	var out []string
	for _, l := range strings.Split(c, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		l = strings.TrimPrefix(l, "#")
		out = append(out, strings.TrimPrefix(l, " "))
	}
	return out
}

// MarshalYAML writes exec form as a flow sequence and shell form as a string.
func (c Command) MarshalYAML() (any, error) {
	if !c.Exec {
		return strNode(c.Shell), nil
	}
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, a := range c.Args {
		n.Content = append(n.Content, strNode(a))
	}
	if anyMultiline(c.Args) {
		n.Style = 0
	}
	setItemComments(n, c.ArgsComment)
	return n, nil
}

func anyMultiline(ss []string) bool {
	for _, s := range ss {
		if bytes.ContainsAny([]byte(s), "\n\r") {
			return true
		}
	}
	return false
}

// MarshalYAML writes a RUN with no flags in its short form; CommandComment
// above the command key, MountsComment above the mounts.
func (r Run) MarshalYAML() (any, error) {
	if len(r.Mounts) == 0 && r.Network == "" && r.Security == "" && len(r.Device) == 0 && len(r.Heredocs) == 0 && len(r.CommandComment) == 0 {
		return r.Command.MarshalYAML()
	}
	type plain Run
	if len(r.CommandComment) == 0 && r.MountsComment == nil {
		return plain(r), nil
	}
	n, err := encodeWithComments(plain(r))
	if err != nil {
		return nil, err
	}
	setKeyComment(n, "command", r.CommandComment)
	setItemComments(mappingValue(n, "mounts"), r.MountsComment)
	return n, nil
}

// setKeyComment writes comment lines above key in mapping n.
func setKeyComment(n *yaml.Node, key string, lines []string) {
	for i := 0; n != nil && n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content[i].HeadComment = yamlComment(lines)
		}
	}
}

// MarshalYAML writes HEALTHCHECK NONE as the string "none".
func (h Healthcheck) MarshalYAML() (any, error) {
	if h.None {
		return "none", nil
	}
	type plain Healthcheck
	return plain(h), nil
}

// MarshalYAML writes a heredoc body double-quoted when yaml.v3's literal
// block style would not read it back as written: a multi-line body that
// starts with a newline, a tab, a space or a carriage return (yaml.v3 drops
// leading newlines and cannot parse a first line that starts with a tab).
func (h Heredoc) MarshalYAML() (any, error) {
	type plain Heredoc
	b := h.Body
	if !strings.Contains(b, "\n") || !strings.ContainsAny(b[:1], "\n\t \r") {
		return plain(h), nil
	}
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		strNode("name"), strNode(h.Name), strNode("body"), strNode(b),
	}}, nil
}

// Short steps are written in flow style, as a hand-written spec says them:
// `- copy: {src: [a], dest: b}`, `- env: {LANG: C.UTF-8}`, a mount
// `- {type: cache, target: /root/.cache}`.
const (
	// maxFlow is the most characters a flow mapping may take.
	maxFlow = 64
	// maxFlowPairs is the most pairs of an ENV/LABEL/ARG mapping in flow
	// style; more go one per line.
	maxFlowPairs = 2
)

// fitsFlow reports whether n, written in flow style, stays within maxFlow
// characters on one line (an estimate that counts quotes).
func fitsFlow(n *yaml.Node) bool {
	size := 0
	var walk func(*yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		switch n.Kind {
		case yaml.ScalarNode:
			if strings.ContainsAny(n.Value, "\n\r") {
				return false
			}
			size += len(n.Value) + 2 // room for quotes
		case yaml.MappingNode, yaml.SequenceNode:
			size += 2 + 2*len(n.Content)
			for _, c := range n.Content {
				if !walk(c) {
					return false
				}
			}
		default:
			return false
		}
		return size <= maxFlow
	}
	return walk(n)
}

// flowIfShort encodes v (a struct without its MarshalYAML) and writes it in
// flow style when it fits (fitsFlow).
func flowIfShort(v any, allowed bool) (any, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	if allowed && fitsFlow(&n) {
		n.Style = yaml.FlowStyle
	}
	return &n, nil
}

// MarshalYAML writes a short COPY/ADD without heredocs or comments in
// flow style; with SrcComment a block list of sources, each comment above
// its source, and DestComment above the dest key.
func (c Copy) MarshalYAML() (any, error) {
	type plain Copy
	if c.SrcComment == nil && len(c.DestComment) == 0 {
		return flowIfShort(plain(c), len(c.Heredocs) == 0)
	}
	n, err := encodeWithComments(plain(c))
	if err != nil {
		return nil, err
	}
	setItemComments(mappingValue(n, "src"), c.SrcComment)
	setKeyComment(n, "dest", c.DestComment)
	return n, nil
}

// MarshalYAML writes a short mount in flow style.
func (m Mount) MarshalYAML() (any, error) {
	type plain Mount
	return flowIfShort(plain(m), true)
}

// MarshalYAML writes a layout without params as its string alone.
func (e Extend) MarshalYAML() (any, error) {
	if len(e.With) == 0 {
		return strNode(e.Layout), nil
	}
	type plain Extend
	return plain(e), nil
}

// MarshalYAML writes the values as a flow mapping, each with its type.
func (vs Values) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for _, v := range vs {
		val, _ := v.MarshalYAML()
		n.Content = append(n.Content, strNode(v.Name), val.(*yaml.Node))
	}
	return n, nil
}

// MarshalYAML writes the scalar with its type (a string that reads as a
// number stays quoted).
func (v Value) MarshalYAML() (any, error) {
	if v.Tag == "" || v.Tag == "!!str" {
		return strNode(v.Text), nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: v.Tag, Value: v.Text}, nil
}

// MarshalYAML writes the params as a mapping from name to declaration.
func (p Params) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, pr := range p {
		var v yaml.Node
		if err := v.Encode(pr); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, strNode(pr.Name), &v)
	}
	return n, nil
}

// keyRank is the order of the spec's top-level keys (Spec's fields).
var keyRank = func() map[string]int {
	out := map[string]int{}
	t := reflect.TypeOf(Spec{})
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}()

// KeyRank is the rank of a top-level key in the order a spec writes its
// keys (version, name, extends, ..., stages, ..., compose: Spec's fields),
// unknown keys after all known ones.
func KeyRank(key string) int {
	if r, ok := keyRank[key]; ok {
		return r
	}
	return len(keyRank)
}
