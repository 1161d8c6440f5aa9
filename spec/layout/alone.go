package layout

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"gopkg.in/yaml.v3"
)

// IsLayout says whether data (a YAML file) is a layout rather than a spec:
// its top-level mapping declares params (and extends nothing: a spec that
// declares params by mistake is told so at the key), or has neither
// version nor name, which every spec has. Data that does not parse as a
// mapping is not a layout (the spec loader reports it).
func IsLayout(data []byte) bool {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return false
	}
	top := doc.Content[0]
	has := func(key string) bool { k, _ := lookup(top, key); return k != nil }
	if has("params") && !has("extends") {
		return true
	}
	return !has("version") && !has("name")
}

// LoadAlone loads the layout in data (file names it) as a spec extending
// it alone would see it, for `dockstage lint LAYOUT`: every param set to
// its default, a required param to a placeholder of its type (a string is
// the param's name, an int 1, a bool false), the name, when the layout
// gives none, the file's base name. Errors are Load's, positioned in the
// layout: its params declarations, its ${{ }} references, its keys and
// values; the Result names the layout as its file.
func LoadAlone(file string, data []byte, opts Options) (*Result, error) {
	if opts.Dir == "" {
		opts.Dir = filepath.Dir(file)
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	src := filepath.Base(file)
	opts.files = map[string][]byte{filepath.ToSlash(filepath.Join(opts.Dir, src)): data}
	l := &loader{opts: opts, origin: map[*yaml.Node]string{}, lines: map[string][]string{}, file: file}
	ly, node, err := l.read(&spec.Extend{Layout: src}, "")
	if err != nil {
		return nil, err
	}
	if ly == nil { // unreadable, not YAML or not a mapping
		l.errs.Sort()
		return nil, l.errs
	}
	// Load reads the layout again and reports every mistake in it, those
	// of its params declarations too.
	var with []string
	for _, p := range ly.Params {
		switch {
		case p.Default != nil:
			continue
		case p.Type == "int":
			with = append(with, p.Name+": 1")
		case p.Type == "bool":
			with = append(with, p.Name+": false")
		default:
			with = append(with, fmt.Sprintf("%s: %q", p.Name, strings.ToLower(p.Name)))
		}
	}
	text := fmt.Sprintf("version: 1\nextends:\n  - layout: %q\n    with: {%s}\n", src, strings.Join(with, ", "))
	if k, _ := lookup(node, "name"); k == nil {
		text += fmt.Sprintf("name: %q\n", specName(src))
	}
	// The spec that extends the layout is not a file: it is named for the
	// layout, and what it writes is given the layout's name afterwards.
	virtual := file + " (a spec extending it)"
	res, err := Load(virtual, []byte(text), opts)
	if err != nil {
		return nil, err
	}
	for n, f := range res.origin {
		if f == virtual {
			res.origin[n] = ly.File
		}
	}
	res.file = ly.File
	res.Spec.Pos = spec.Pos{File: ly.File, Line: 1, Col: 1}
	return res, nil
}

// specName is a spec name ([a-z0-9._-]) from a layout's file name.
func specName(base string) string {
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml")
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "layout"
	}
	return b.String()
}
