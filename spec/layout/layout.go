// Package layout merges the layouts a spec extends (`extends:`) into the
// spec: it reads each layout (a file beside the spec, or a file of a git
// repository at a ref, fetched with the system's git into a cache), checks
// the spec's `with:` against the layout's typed `params:`, puts the
// parameter values into the layout's ${{ params.NAME }} references, merges
// the layouts and the spec by the README's rules ("Layouts": mappings key by
// key, stages by name, steps replaced whole or patched at step ids) and
// decodes the result with spec.LoadNode, every node keeping the file it was
// written in, so that an error names the layout or the spec line where the
// offending value is. Layer 2 of the README's Layout: of dockstage it
// imports only spec. It never prints or exits; git is the only process it
// runs (git.go).
package layout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"gopkg.in/yaml.v3"
)

// Options say where layouts come from.
type Options struct {
	// Dir is the spec's directory, against which local layouts and local
	// git repositories are found; "" is the directory of the spec's file
	// name.
	Dir string
	// Git fetches git layouts; nil refuses them (with an error naming
	// the layout).
	Git *Git
	// Pins are the commits dockstage.lock holds, by GitSource.Key: a
	// pinned git layout is read at its commit, from the cache when it has
	// it (offline), and its ref is not asked for.
	Pins map[string]string
	// Update asks every git layout's ref again, ignoring Pins
	// (`dockstage lock --update`).
	Update bool
	// Context bounds the git commands; nil is context.Background().
	Context context.Context

	// files are local layouts already read, by File (LoadAlone's layout,
	// which may be standard input).
	files map[string][]byte
}

// Layout is one layout a spec extends, as it was read.
type Layout struct {
	// Source is the layout as the spec writes it in extends.
	Source string
	// File names the layout in positions: the local path (the spec's
	// directory joined with Source) or Source for a git layout.
	File string
	// Git is set for a git layout: the repository, the ref and the commit
	// it was read at.
	Git *GitSource
	// Params are the layout's declared params.
	Params spec.Params
}

// Result is a spec merged over its layouts.
type Result struct {
	// Spec is the merged spec, decoded (not validated: transpile.Forward
	// validates it). Its Extends are the spec's own.
	Spec *spec.Spec
	// Layouts are the layouts read, in extends order.
	Layouts []Layout
	// Warnings are merges that are allowed but likely mistakes, each at
	// the later layout's position: a layout whose stage gives steps
	// replaces the steps an earlier layout gives that stage.
	Warnings spec.ErrorList

	file   string
	doc    *yaml.Node
	origin map[*yaml.Node]string
	// fromParam are the values that were one ${{ params.NAME }} alone.
	fromParam map[*yaml.Node]bool
}

// ParamValue says where a value of the step at p (a step of the merged
// spec, as Step.Pos names it) was set when it is one
// ${{ params.NAME }} reference alone: at the spec's extends[].with entry,
// or at the layout's default when the spec gives none. A finding about a
// step whose value a param set then names the line that set it, as
// `render --effective` does. ok is false when no value of the step
// came from a param, or no step is at p.
func (r *Result) ParamValue(p spec.Pos) (spec.Pos, bool) {
	if r == nil || len(r.fromParam) == 0 {
		return spec.Pos{}, false
	}
	var found *yaml.Node
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		n = deref(n)
		if n == nil || found != nil || seen[n] {
			return
		}
		seen[n] = true
		for _, c := range n.Content {
			// A step is a mapping in a list (a block mapping is at its
			// first key, where the mapping around it may be too).
			if c := deref(c); n.Kind == yaml.SequenceNode && c.Kind == yaml.MappingNode && r.pos(c) == p {
				found = c
				return
			}
			walk(c)
		}
	}
	walk(r.doc)
	if found == nil {
		return spec.Pos{}, false
	}
	var at spec.Pos
	var first func(n *yaml.Node) bool
	first = func(n *yaml.Node) bool {
		n = deref(n)
		if r.fromParam[n] {
			at = r.pos(n)
			return true
		}
		for _, c := range n.Content {
			if first(c) {
				return true
			}
		}
		return false
	}
	for i := 1; i < len(found.Content); i += 2 {
		if first(found.Content[i]) {
			return at, true
		}
	}
	return spec.Pos{}, false
}

// pos is where n was written.
func (r *Result) pos(n *yaml.Node) spec.Pos {
	f, ok := r.origin[n]
	if !ok {
		f = r.file
	}
	return spec.Pos{File: f, Line: n.Line, Col: n.Column}
}

// UnreachableError says a git layout could not be fetched: the repository
// is not reachable, or the ref or commit is not in it and the cache does
// not have it. It is not a mistake in the spec: check reports it apart.
type UnreachableError struct {
	// Pos is the extends entry that names the layout.
	Pos spec.Pos
	// Layout is the layout as the spec writes it.
	Layout string
	// Remote is the repository as git is given it (a local path made
	// absolute): what `git ls-remote` checks.
	Remote string
	// Err is git's message, one line.
	Err error
}

func (e *UnreachableError) Error() string {
	msg := fmt.Sprintf("layout unreachable: %s: %v (%s)", e.Layout, e.Err, e.Fix(e.Pos.File))
	if at := e.Pos.String(); at != "" {
		return at + ": " + msg
	}
	return msg
}

// Fix says what to do about the unreachable layout of the spec file
// specPath: check the repository and your access to it with git itself;
// offline, only a commit that dockstage lock pinned while online is read
// from the cache.
func (e *UnreachableError) Fix(specPath string) string {
	lock := "dockstage lock --layouts-only"
	if specPath != "" {
		lock += " " + specPath
	}
	return fmt.Sprintf("check the URL and your access: git ls-remote %s; to work offline, run %s once online: it pins the commit, which the cache then serves", e.Remote, lock)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Load reads the spec in data (file names it in positions), reads and
// merges the layouts it extends, and decodes the result. A spec without
// extends decodes as spec.Load decodes it.
//
// Errors: a spec.ErrorList with every mistake found, each at its file
// (spec or layout), line and column: the spec's own decoding errors, a
// layout that cannot be read, a layout that declares extends, a param
// declaration without a valid type or default, a with value for a param
// the layout does not declare, of the wrong type or missing for a
// required param, a ${{ }} reference to no param, a steps_patch entry
// naming no step, and the merged spec's decoding errors. A git layout
// that cannot be fetched is an *UnreachableError (errors.As) instead.
func Load(file string, data []byte, opts Options) (*Result, error) {
	root, err := spec.Parse(file, data)
	if err != nil {
		return nil, err
	}
	l := &loader{
		opts:      opts,
		origin:    map[*yaml.Node]string{},
		fromParam: map[*yaml.Node]bool{},
		lines:     map[string][]string{file: strings.Split(string(data), "\n")},
		file:      file,
	}
	if l.opts.Dir == "" {
		l.opts.Dir = filepath.Dir(file)
	}
	if l.opts.Context == nil {
		l.opts.Context = context.Background()
	}
	l.mark(root, file)
	own, err := spec.LoadNode(file, root, l.source)
	var errs spec.ErrorList
	if err != nil && !errors.As(err, &errs) {
		return nil, err
	}
	res := &Result{file: file, origin: l.origin, fromParam: l.fromParam}
	if own == nil || len(own.Extends) == 0 {
		res.Spec, res.doc = own, root
		if len(errs) == 0 {
			return res, nil
		}
		return res, spec.Check(own, errs)
	}
	// The spec's own mistakes do not stop the merge: the layouts' and the
	// merged spec's are reported with them, in one run (the merged spec
	// decodes the spec's nodes again: the same errors, said once).
	for _, p := range own.Params {
		l.errs.Add(p.Pos, "params.%s: only a layout declares params; a spec sets a layout's params with extends[].with", p.Name)
	}
	var merged *yaml.Node
	unread := false // a layout could not be read: the merge is incomplete
	for i := range own.Extends {
		if own.Extends[i].Layout == "" && !own.Extends[i].LayoutPos.IsValid() {
			continue // no layout key: the decoder said so
		}
		ly, node, err := l.layout(&own.Extends[i], fmt.Sprintf("extends[%d]", i))
		if err != nil {
			return nil, err
		}
		if node == nil {
			unread = true // its error is in l.errs
			continue
		}
		res.Layouts = append(res.Layouts, *ly)
		l.layoutFile = ly.File
		merged = l.merge(merged, node, "")
		l.layoutFile = ""
	}
	l.warns.Sort()
	res.Warnings = l.warns
	if merged == nil {
		merged = root
	} else {
		merged = l.merge(merged, root, "")
	}
	sp, err := spec.LoadNode(file, merged, l.source)
	var more spec.ErrorList
	if err != nil && !errors.As(err, &more) {
		return nil, err
	}
	// A value the merge put in (a with value of the wrong type) that
	// fails to decode is at the with: entry, which says it already.
	at := map[spec.Pos]bool{}
	for _, e := range l.errs {
		at[e.Pos] = true
	}
	errs = append(errs, l.errs...)
	for _, e := range more {
		if !at[e.Pos] {
			errs = append(errs, e)
		}
	}
	res.Spec, res.doc = sp, merged
	if len(errs) == 0 {
		return res, nil
	}
	if unread {
		// Validating a merge that lacks a layout would report what the
		// layout gives as missing (no stages): only the reading errors.
		errs.Sort()
		return nil, errs
	}
	// Validate runs on what decoded (spec.Check): a layout's unknown key
	// does not hide the duplicate step id after it.
	return nil, spec.Check(sp, errs)
}

// loader holds what one Load reads: the file of every node, the lines of
// every file, and the errors so far.
type loader struct {
	opts   Options
	file   string
	origin map[*yaml.Node]string
	lines  map[string][]string
	errs   spec.ErrorList
	// warns are Result.Warnings; layoutFile is the layout being merged
	// over the earlier ones ("" while the spec is merged).
	warns      spec.ErrorList
	layoutFile string
	// fromParam are the values substitute set from a param.
	fromParam map[*yaml.Node]bool
}

// source is spec.LoadNode's view of where a node was written.
func (l *loader) source(n *yaml.Node) (string, []string) {
	f, ok := l.origin[n]
	if !ok {
		f = l.file
	}
	return f, l.lines[f]
}

// mark records file as the origin of n and every node under it.
func (l *loader) mark(n *yaml.Node, file string) {
	if n == nil {
		return
	}
	if _, ok := l.origin[n]; ok {
		return
	}
	l.origin[n] = file
	for _, c := range n.Content {
		l.mark(c, file)
	}
}

func (l *loader) pos(n *yaml.Node) spec.Pos {
	f, _ := l.source(n)
	return spec.Pos{File: f, Line: n.Line, Col: n.Column}
}

func (l *loader) errorf(n *yaml.Node, format string, args ...any) {
	l.errs.Add(l.pos(n), format, args...)
}

// layout reads the layout of one extends entry and returns its node with
// the params put in (nil after an error, which is in l.errs). An
// *UnreachableError is returned as the error.
func (l *loader) layout(e *spec.Extend, path string) (*Layout, *yaml.Node, error) {
	ly, node, err := l.read(e, path)
	if ly == nil || err != nil {
		return nil, nil, err
	}
	vals := l.with(e, ly, path)
	out := stripKey(node, "params")
	l.origin[out] = ly.File
	l.substitute(out, ly.Params, vals)
	return ly, out, nil
}

// read reads the layout of e and its params; nil (the error in l.errs)
// when it cannot be read or parsed, or an *UnreachableError.
//
// path is the extends entry's key path (extends[0]); "" for Read, whose
// errors say "layout:".
func (l *loader) read(e *spec.Extend, path string) (*Layout, *yaml.Node, error) {
	ly := &Layout{Source: e.Layout}
	if path += ".layout"; path == ".layout" {
		path = "layout"
	}
	var data []byte
	if strings.HasPrefix(e.Layout, GitPrefix) {
		g, err := ParseGit(e.Layout)
		if err != nil {
			l.errs.Add(e.LayoutPos, "%s: %v", path, err)
			return nil, nil, nil
		}
		if l.opts.Git == nil {
			l.errs.Add(e.LayoutPos, "%s: %s: git layouts need a cache directory (set XDG_CACHE_HOME or HOME)", path, e.Layout)
			return nil, nil, nil
		}
		g.Commit = l.opts.Pins[g.Key()]
		data, err = l.opts.Git.read(l.opts.Context, g, l.opts.Dir, l.opts.Update)
		var miss *notFoundError
		switch {
		case errors.As(err, &miss):
			l.errs.Add(e.LayoutPos, "%s: %v; check the path after // in %s", path, err, e.Layout)
			return nil, nil, nil
		case err != nil:
			return nil, nil, &UnreachableError{Pos: e.LayoutPos, Layout: e.Layout, Remote: remote(g.URL, l.opts.Dir), Err: err}
		}
		ly.File, ly.Git = e.Layout, g
	} else {
		if e.Layout == "" {
			l.errs.Add(e.LayoutPos, "%s: empty; give a path relative to the spec, or git:URL//PATH@REF", path)
			return nil, nil, nil
		}
		ly.File = filepath.ToSlash(filepath.Join(l.opts.Dir, filepath.FromSlash(e.Layout)))
		if filepath.IsAbs(e.Layout) {
			ly.File = e.Layout
		}
		var err error
		if d, ok := l.opts.files[ly.File]; ok {
			data = d
		} else if data, err = os.ReadFile(ly.File); err != nil {
			msg := err.Error()
			if errors.Is(err, os.ErrNotExist) {
				msg = fmt.Sprintf("%s: no such layout file (the path is relative to the spec's directory %s: %s)", e.Layout, filepath.ToSlash(l.opts.Dir), ly.File)
				if filepath.IsAbs(e.Layout) {
					msg = e.Layout + ": no such layout file"
				}
			}
			l.errs.Add(e.LayoutPos, "%s: %s", path, msg)
			return nil, nil, nil
		}
	}
	if _, seen := l.lines[ly.File]; seen {
		l.errs.Add(e.LayoutPos, "%s: %s is extended twice; list each layout once", path, e.Layout)
		return nil, nil, nil
	}
	l.lines[ly.File] = strings.Split(string(data), "\n")
	node, err := spec.Parse(ly.File, data)
	if err != nil {
		var el spec.ErrorList
		if errors.As(err, &el) {
			l.errs = append(l.errs, el...)
			return nil, nil, nil
		}
		return nil, nil, err
	}
	l.mark(node, ly.File)
	if node.Kind != yaml.MappingNode {
		l.errorf(node, "a layout is a mapping with the keys of a spec (and params); got %s", spec.KindName(node))
		return nil, nil, nil
	}
	if k, _ := lookup(node, "extends"); k != nil {
		l.errorf(k, "extends: a layout does not extend other layouts; list them all in the spec's extends, in order")
	}
	ly.Params = l.params(node, ly.File)
	return ly, node, nil
}

// Read reads the layout source (as extends writes it, relative to
// opts.Dir) and its params, for `dockstage init --layout`. Errors are
// Load's for that layout, positioned in it (a spec.ErrorList), or an
// *UnreachableError.
func Read(source string, opts Options) (*Layout, error) {
	l := &loader{opts: opts, origin: map[*yaml.Node]string{}, fromParam: map[*yaml.Node]bool{}, lines: map[string][]string{}, file: source}
	if l.opts.Context == nil {
		l.opts.Context = context.Background()
	}
	ly, _, err := l.read(&spec.Extend{Layout: source}, "")
	if err != nil {
		return nil, err
	}
	if len(l.errs) > 0 {
		l.errs.Sort()
		return nil, l.errs
	}
	return ly, nil
}

// lookup returns the key and value nodes of key in mapping n.
func lookup(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// stripKey returns mapping n without key (a new node when it had it).
func stripKey(n *yaml.Node, key string) *yaml.Node {
	k, _ := lookup(n, key)
	if k == nil {
		return n
	}
	c := *n
	c.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i] != k {
			c.Content = append(c.Content, n.Content[i], n.Content[i+1])
		}
	}
	return &c
}
