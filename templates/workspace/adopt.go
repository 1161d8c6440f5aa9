package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/templates/lock"
	"github.com/dockstage/dockstage/transpile"
	"gopkg.in/yaml.v3"
)

// dockerfileKeys are the top-level spec keys a Dockerfile says, in the
// spec's key order: what Adopt takes from an edited Dockerfile. Every
// other key (version, name, dockerignore, compose, extends, with, ...) is
// the spec's and stays as written.
var dockerfileKeys = []string{"directives", "comment", "args", "stages", "trailing_comment"}

// Adopt folds a hand-edited Dockerfile (data, read from dockerfile) into
// the existing spec at specPath, in place (import --into): the Dockerfile
// is imported with transpile.Reverse, and the spec's dockerfileKeys take
// what it says through yaml.Node editing, while the rest of the spec file
// is kept byte for byte: its other keys (compose:, dockerignore, name),
// its blank lines and the comments of every part that did not change
// (stages, steps and keys that say the same keep their nodes, comments
// and all). Before anything is planned the new spec is loaded and
// rendered in memory (with dockstage.lock's pins, as render would), and
// its Dockerfile must mean what data says (templates.SameMeaning: blank
// lines and trailing blanks aside, the stamp aside), so that check passes
// and render replaces the Dockerfile afterwards; otherwise Adopt fails
// naming the first line that differs. A reference the Dockerfile builds
// from pinned as dockstage.lock pins it (REF@DIGEST of a lock image) is
// written as REF: the lock holds the digest (unpin).
//
// The plan holds only the spec file, to be overwritten (--into asks for
// it); Imported.Spec is its new content. A spec with `extends:` gets the
// least override over its layouts instead (overLayouts: the layouts are
// never edited; extends and with stay), under the same proof. Errors: the
// spec's own (it and its layouts must load), transpile.Reverse's for the
// Dockerfile (positioned), what cannot be said over the layouts (at the
// layout's line), and the proof's.
func Adopt(specPath, dockerfile string, data []byte) (*Imported, error) {
	old, err := os.ReadFile(specPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such spec; import --into adopts a Dockerfile into an existing spec (write a new one with dockstage import %s)", specPath, dockerfile)
	}
	if err != nil {
		return nil, err
	}
	cur, err := spec.Load(specPath, old)
	var doc yaml.Node
	if yerr := yaml.Unmarshal(old, &doc); yerr != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		if err == nil {
			err = fmt.Errorf("%s: not a YAML mapping", specPath)
		}
		return nil, err
	}
	root := doc.Content[0]
	k, _ := topKey(root, "extends")
	name := ""
	if k != nil {
		var l *loaded
		if l, err = loadSpec(specPath, old, nil, false); err == nil {
			name = l.Spec.Name
		}
	} else if cur != nil {
		name = cur.Name
	}
	if err != nil {
		return nil, err
	}
	edited, warns, err := transpile.Reverse(DisplayName(dockerfile), data, transpile.ReverseOptions{Name: name})
	if err != nil {
		return nil, err
	}
	fresh, err := spec.Marshal(edited)
	if err != nil {
		return nil, err
	}
	var freshDoc yaml.Node
	if err := yaml.Unmarshal(fresh, &freshDoc); err != nil {
		return nil, err
	}
	// The lock holds the digests render pins: a pinned reference of the
	// lock goes back to the reference the spec writes.
	lf, err := loadLock(lock.Path(specPath))
	if err != nil {
		return nil, err
	}
	unpin(freshDoc.Content[0], lf)
	firstArgComment(root, freshDoc.Content[0])
	var out []byte
	if k != nil {
		out, err = adoptOverLayouts(specPath, dockerfile, old, data, root, freshDoc.Content[0], edited)
	} else {
		out, err = splice(old, root, freshDoc.Content[0], edited)
	}
	if err != nil {
		return nil, err
	}
	if err := proveAdopted(specPath, dockerfile, out, data); err != nil {
		return nil, err
	}
	res := &Imported{Plan: &Plan{hints: importHints}, Spec: out, Warnings: warns}
	res.Plan.add("", File{Name: filepath.Base(specPath), Path: specPath, Content: out, Kind: UserFile}, true)
	return res, nil
}

// proveAdopted renders the adopted spec out in memory and checks that its
// Dockerfile means what the edited one (data) says.
func proveAdopted(specPath, dockerfile string, out, data []byte) error {
	l, err := loadSpec(specPath, out, nil, false)
	if err == nil {
		var files []File
		dir := filepath.Dir(specPath)
		if files, err = renderFiles(l.Spec, filepath.Base(specPath), dir, dir, l.Pins); err == nil {
			for _, f := range files {
				if f.Name == "Dockerfile" && !templates.SameMeaning(f.Content, data) {
					line := firstDifference(data, f.Content)
					return fmt.Errorf("%s:%d: adopting it into %s would not render it back: the spec would render %s; nothing written (move this edit into the spec by hand, or drop it with dockstage render --force %s)",
						DisplayName(dockerfile), line, specPath, renderedLine(f.Content, data), specPath)
				}
			}
			return nil
		}
	}
	return fmt.Errorf("%s: with the edits of %s the spec is invalid, nothing written (fix the Dockerfile, or drop its edits with dockstage render --force %s):\n%w", specPath, DisplayName(dockerfile), specPath, err)
}

// renderedLine quotes the rendered line where rendered's meaning first
// differs from data's, "nothing more" past its end.
func renderedLine(rendered, data []byte) string {
	a, b := templates.Meaning(data), templates.Meaning(rendered)
	for i := range b {
		if i >= len(a) || a[i].Text != b[i].Text {
			return fmt.Sprintf("%q there", b[i].Text)
		}
	}
	return "nothing more there"
}

// topKey is the key and value nodes of key in mapping m, nil when absent.
func topKey(m *yaml.Node, key string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// edit replaces lines [start, end) (0-based) of a spec with text.
type edit struct {
	start, end int
	text       string
}

// splice rewrites the dockerfileKeys of the spec text old (parsed as
// root) to say what fresh (the edited Dockerfile's spec, marshalled and
// parsed) says: a key that says the same is left as written; a changed
// one is re-encoded from mergeNode (unchanged parts keep their nodes and
// comments) over the lines it spans, stages stage by stage when both name
// the same stages in order (stageEdits); a key fresh lacks is removed; one
// old lacks is written next to stages. Every other line stays byte for
// byte. edited puts back the blank lines above steps (spec.BlankLines).
func splice(old []byte, root, fresh *yaml.Node, edited *spec.Spec) ([]byte, error) {
	lines := strings.SplitAfter(string(old), "\n")
	// Each top-level key spans from its line to the next key's, less the
	// blank lines and column-0 comments before the next key (the next
	// key's head comment, or a closing comment, kept in place).
	spans := map[string][2]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		start, end := root.Content[i].Line-1, len(lines)
		if i+2 < len(root.Content) {
			end = root.Content[i+2].Line - 1
		}
		for end > start+1 && topTrivia(lines[end-1]) {
			end--
		}
		spans[root.Content[i].Value] = [2]int{start, end}
	}
	var edits []edit
	for _, key := range dockerfileKeys {
		ok, ov := topKey(root, key)
		fk, fv := topKey(fresh, key)
		var text string
		switch {
		case ov == nil && fv == nil, ov != nil && fv != nil && equalTop(key, ov, fv):
			continue
		case key == "stages" && sameStageNames(ov, fv):
			// The same stages in the same order: only the stages that
			// changed are rewritten, each over its own lines.
			se, err := stageEdits(lines, ov, fv, spans[key][1], edited)
			if err != nil {
				return nil, err
			}
			edits = append(edits, se...)
			continue
		case fv != nil:
			k := fk
			v := fv
			if ov != nil {
				k, v = ok, mergeNode(ov, fv, kvKeys[key])
			}
			var err error
			if text, err = encodeKey(k, v); err != nil {
				return nil, err
			}
			if key == "stages" {
				b, err := spec.BlankLines(edited, []byte(text))
				if err != nil {
					return nil, err
				}
				text = string(b)
			}
		}
		if ov != nil {
			sp := spans[key]
			if fv == nil {
				// A removed key takes its head comment with it.
				for sp[0] > 1 && strings.HasPrefix(lines[sp[0]-1], "#") {
					sp[0]--
				}
			}
			edits = append(edits, edit{sp[0], sp[1], text})
			continue
		}
		// A key the spec lacks: above the first key that comes after it
		// in a spec's order (spec.KeyRank) and stays, and above that
		// key's head comment lines; else after the last key.
		at := -1
		for i := 0; i+1 < len(root.Content); i += 2 {
			k := root.Content[i]
			if gone, _ := topKey(fresh, k.Value); gone == nil && slices.Contains(dockerfileKeys, k.Value) {
				continue // removed in this splice
			}
			if spec.KeyRank(k.Value) > spec.KeyRank(key) {
				for at = k.Line - 1; at > 1 && strings.HasPrefix(lines[at-1], "#"); at-- {
				}
				break
			}
		}
		if at < 0 {
			at = len(lines)
			if n := len(root.Content); n >= 2 {
				at = spans[root.Content[n-2].Value][1]
			}
		}
		edits = append(edits, edit{at, at, text})
	}
	// Bottom up, and at one line the replacement before the insertion
	// above it, so that each edit's lines are still where they were.
	slices.SortStableFunc(edits, func(a, b edit) int {
		if a.start != b.start {
			return b.start - a.start
		}
		return b.end - a.end
	})
	for _, e := range edits {
		lines = slices.Concat(lines[:e.start], []string{e.text}, lines[e.end:])
	}
	return []byte(strings.Join(lines, "")), nil
}

// sameStageNames reports whether the stages mappings o (block style) and
// n name the same stages in the same order.
func sameStageNames(o, n *yaml.Node) bool {
	if o == nil || n == nil || o.Kind != yaml.MappingNode || n.Kind != yaml.MappingNode || o.Style&yaml.FlowStyle != 0 || len(o.Content) != len(n.Content) {
		return false
	}
	for i := 0; i < len(o.Content); i += 2 {
		if o.Content[i].Value != n.Content[i].Value || o.Content[i].Column < 3 {
			return false
		}
	}
	return true
}

// stageEdits rewrites each stage of o (the spec's stages mapping, whose
// lines end at end) that n says otherwise: from its key's line to the next
// stage's, less the blank lines and comments at or left of the stage
// keys' column before it (the next stage's head comment, kept), with the
// merged stage encoded at the stage's column, the blank lines above its
// kept parts put back (keepBlankLines).
func stageEdits(lines []string, o, n *yaml.Node, end int, edited *spec.Spec) ([]edit, error) {
	var out []edit
	for i := 0; i < len(o.Content); i += 2 {
		k, ov, nv := o.Content[i], o.Content[i+1], n.Content[i+1]
		if equalNode(ov, nv, false) {
			continue
		}
		start, stop := k.Line-1, end
		if i+2 < len(o.Content) {
			stop = o.Content[i+2].Line - 1
		}
		for stop > start+1 && stageTrivia(lines[stop-1], k.Column-1) {
			stop--
		}
		kk := *k
		kk.HeadComment = ""
		text, err := encodeKey(&yaml.Node{Kind: yaml.ScalarNode, Value: "stages"}, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{&kk, mergeNode(ov, nv, false)}})
		if err != nil {
			return nil, err
		}
		one := &spec.Spec{Stages: spec.Stages{edited.Stages[i/2]}}
		b, err := spec.BlankLines(one, []byte(text))
		if err != nil {
			return nil, err
		}
		if b, err = keepBlankLines(lines, ov, mergeNode(ov, nv, false), b); err != nil {
			return nil, err
		}
		// Drop the "stages:" line; move the stage from column 3 to its own.
		ls := strings.SplitAfter(string(b), "\n")[1:]
		pad := strings.Repeat(" ", k.Column-1)
		for j, l := range ls {
			if strings.TrimSpace(l) != "" {
				ls[j] = pad + strings.TrimPrefix(l, "  ")
			}
		}
		out = append(out, edit{start, stop, strings.Join(ls, "")})
	}
	return out, nil
}

// stageTrivia reports whether a line is blank or a comment starting at
// or left of column col (0-based).
func stageTrivia(line string, col int) bool {
	t := strings.TrimRight(line, " \t\r\n")
	trimmed := strings.TrimLeft(t, " ")
	return trimmed == "" || strings.HasPrefix(trimmed, "#") && len(t)-len(trimmed) <= col
}

// topTrivia reports whether a line is blank or a comment at column 0.
func topTrivia(line string) bool {
	t := strings.TrimRight(line, " \t\r\n")
	return t == "" || strings.HasPrefix(t, "#")
}

// encodeKey writes the one-key mapping k: v as the spec writes YAML
// (indent 2), without k's head comment and without closing column-0
// comment lines (both stay in place in the spec's text).
func encodeKey(k, v *yaml.Node) (string, error) {
	kk := *k
	kk.HeadComment = ""
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{&kk, v}}); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	ls := strings.SplitAfter(b.String(), "\n")
	for len(ls) > 1 && topTrivia(ls[len(ls)-1]) {
		ls = ls[:len(ls)-1]
	}
	return strings.Join(ls, ""), nil
}

// kvKeys are the keys whose values are ordered key-value lists
// (spec.KVList: global args, a step's arg, env and label), where a YAML
// comment above a key is the ARG/ENV/LABEL comment the Dockerfile shows
// (KV.Comment): there comments are part of what a node says.
var kvKeys = map[string]bool{"args": true, "arg": true, "env": true, "label": true}

// itemKeys are the keys whose list values carry the comment lines inside a
// continued instruction above each item (spec.ItemComments): COPY/ADD
// sources, EXPOSE, VOLUME, SHELL, exec-form commands and RUN's mounts. As in a KV list,
// the comments of such a list are part of what it says; commentKey, the
// destination, carries them on its key.
var itemKeys = map[string]bool{"mounts": true, "src": true, "expose": true, "volume": true, "shell": true, "cmd": true, "entrypoint": true, "run": true, "command": true, "test": true}

const commentKey = "dest"

// commentsCount reports whether the comments of v, the value of key, are
// part of what it says: a KV list, or a list under an itemKeys key.
func commentsCount(key string, v *yaml.Node) bool {
	return kvKeys[key] || itemKeys[key] && v.Kind == yaml.SequenceNode
}

// childKV reports whether the i-th child of m is a value whose comments
// count (commentsCount).
func childKV(m *yaml.Node, i int) bool {
	return m.Kind == yaml.MappingNode && i%2 == 1 && commentsCount(m.Content[i-1].Value, m.Content[i])
}

// sameComment compares two YAML comments as the spec reads them
// (spec.CommentLines).
func sameComment(a, b string) bool {
	return strings.Join(spec.CommentLines(a), "\n") == strings.Join(spec.CommentLines(b), "\n")
}

// mergeNode is n (what the edited Dockerfile says) built from o's nodes
// where they say the same, so that their comments and styles stay: a
// mapping keeps o's key nodes and merges each value; a sequence keeps the
// items of the longest common run (by equalNode) and merges the others
// pairwise in the gaps; a changed scalar is n's, in o's quoting. A KV list
// (kv) that changed is n's whole: its comments are the Dockerfile's.
func mergeNode(o, n *yaml.Node, kv bool) *yaml.Node {
	if equalNode(o, n, kv) {
		return o
	}
	if kv {
		return n
	}
	if o.Kind == yaml.ScalarNode && n.Kind == yaml.ScalarNode && o.Tag == n.Tag && o.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		// A changed value is written in the spec's quoting.
		c := *n
		c.Style = o.Style
		return &c
	}
	if o.Kind != n.Kind || o.Kind != yaml.MappingNode && o.Kind != yaml.SequenceNode {
		return n
	}
	out := *o
	out.Content = nil
	if o.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if ok, ov := topKey(o, k.Value); ok != nil {
				if k.Value != commentKey || sameComment(ok.HeadComment, k.HeadComment) {
					k = ok
				}
				v = mergeNode(ov, v, commentsCount(k.Value, v))
			}
			out.Content = append(out.Content, k, v)
		}
		return blockIfCommented(&out)
	}
	a, b := o.Content, n.Content
	// lcs[i][j] is the longest common run of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if equalNode(a[i], b[j], false) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var gapA, gapB []*yaml.Node
	flush := func() {
		for k, nb := range gapB {
			if k < len(gapA) {
				nb = mergeNode(gapA[k], nb, false)
			}
			out.Content = append(out.Content, nb)
		}
		gapA, gapB = nil, nil
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && equalNode(a[i], b[j], false):
			flush()
			out.Content = append(out.Content, a[i])
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			gapB = append(gapB, b[j])
			j++
		default:
			gapA = append(gapA, a[i])
			i++
		}
	}
	flush()
	return blockIfCommented(&out)
}

// blockIfCommented writes n, a mapping or sequence kept in the spec's flow
// style, in block style when a node below it carries a comment (comment
// lines inside a continued instruction that the edit added): YAML has no
// place for them in flow style.
func blockIfCommented(n *yaml.Node) *yaml.Node {
	if n.Style&yaml.FlowStyle != 0 && commentedBelow(n) {
		n.Style &^= yaml.FlowStyle
	}
	return n
}

func commentedBelow(n *yaml.Node) bool {
	for _, c := range n.Content {
		if c.HeadComment != "" || c.LineComment != "" || c.FootComment != "" || commentedBelow(c) {
			return true
		}
	}
	return false
}

// unpin replaces each scalar under n that is the pinned form of an image
// of lf (lock.File.Unpin) with the image's reference.
func unpin(n *yaml.Node, lf *lock.File) {
	if lf == nil {
		return
	}
	if n.Kind == yaml.ScalarNode {
		if ref, ok := lf.Unpin(n.Value); ok {
			n.Value = ref
		}
	}
	for _, c := range n.Content {
		unpin(c, lf)
	}
}

// firstArgComment gives the comment right above the first ARG back to
// that arg when the spec (ref) writes it there: import reads such a
// comment as (the end of) the file's comment: (fresh's), after the
// spec's own comment: lines if it has some, and both render alike, so the
// spec's form is kept instead of churning it.
func firstArgComment(ref, fresh *yaml.Node) {
	fk, fc := topKey(fresh, "comment")
	_, fa := topKey(fresh, "args")
	_, ra := topKey(ref, "args")
	if fc == nil || fa == nil || ra == nil || fc.Kind != yaml.SequenceNode ||
		fa.Kind != yaml.MappingNode || ra.Kind != yaml.MappingNode || len(fa.Content) == 0 || len(ra.Content) == 0 ||
		fa.Content[0].HeadComment != "" || fa.Content[0].Value != ra.Content[0].Value {
		return
	}
	var own []string // the spec's comment: lines
	if _, rc := topKey(ref, "comment"); rc != nil {
		if rc.Kind != yaml.SequenceNode {
			return
		}
		for _, c := range rc.Content {
			own = append(own, c.Value)
		}
	}
	var text []string
	for _, c := range fc.Content {
		text = append(text, c.Value)
	}
	argComment := spec.CommentLines(ra.Content[0].HeadComment)
	if len(argComment) == 0 || len(text) != len(own)+len(argComment) ||
		strings.Join(text[:len(own)], "\n") != strings.Join(own, "\n") ||
		strings.Join(text[len(own):], "\n") != strings.Join(argComment, "\n") {
		return
	}
	fa.Content[0].HeadComment = ra.Content[0].HeadComment
	if len(own) == 0 {
		fresh.Content = dropKey(fresh, fk.Value)
		return
	}
	fc.Content = fc.Content[:len(own)]
}
