package workspace

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/layout"
	"github.com/dockstage/dockstage/transpile"
	"github.com/moby/buildkit/util/suggest"
)

// LayoutInitOptions say which layout `dockstage init --layout` starts a
// service from.
type LayoutInitOptions struct {
	// Dir is the service's directory; the spec is Dir/dockstage.yaml.
	Dir string
	// Layout is a layout file's path, a git layout (git:URL//PATH@REF),
	// or a NAME looked up in LayoutDir as NAME.yaml.
	Layout string
	// LayoutDir is where a NAME is looked up: a directory, or a git
	// directory git:URL//DIR@REF (NAME is then git:URL//DIR/NAME.yaml@REF).
	LayoutDir string
	// Name is the service name; "" is Dir's name.
	Name string
	// With sets params by name, as text (--with port=9000), read as the
	// param's type. Params not set get their defaults, written out.
	With map[string]string
	// Force replaces an existing spec and files the render would refuse
	// to replace; NoRender writes only the spec.
	Force, NoRender bool
	// Git reads git layouts; nil is a cache in layout.DefaultCacheDir.
	Git *layout.Git
}

// LayoutInit is what InitLayout wrote: the plan (the spec first, then the
// rendered files), the layout as the spec's extends names it, and the
// service name.
type LayoutInit struct {
	Plan         *Plan
	SpecPath     string
	Layout, Name string
	// With are the params the spec sets, in the layout's order.
	With spec.Values
}

// InitLayout writes a spec for the service in opts.Dir that extends the
// layout opts.Layout with every param set (opts.With, else the param's
// default), and unless NoRender renders it. Errors: an existing spec
// (without Force), a layout that cannot be read, a NAME with no LayoutDir
// or not in it, a --with for no param or not of its type, a required
// param not set (each named with its type and description), a merged spec
// that does not validate.
func InitLayout(opts LayoutInitOptions) (*LayoutInit, error) {
	info, err := os.Stat(opts.Dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", opts.Dir)
	}
	specPath := filepath.Join(opts.Dir, "dockstage.yaml")
	if _, err := os.Stat(specPath); err == nil && !opts.Force {
		return nil, fmt.Errorf("%s: exists; not replacing it (use --force to replace it, or add the layout to its extends)", specPath)
	}
	source, err := layoutSource(opts)
	if err != nil {
		return nil, err
	}
	g := gitCache(opts.Git)
	ly, err := layout.Read(source, layout.Options{Dir: opts.Dir, Git: g})
	if err != nil {
		return nil, err
	}
	res := &LayoutInit{SpecPath: specPath, Layout: source, Name: opts.Name}
	if res.Name == "" {
		if abs, err := filepath.Abs(opts.Dir); err == nil {
			res.Name = ServiceName(filepath.Base(abs))
		}
		if res.Name == "" {
			res.Name = "app"
		}
	}
	if res.With, err = withValues(ly, opts.With); err != nil {
		return nil, err
	}
	sp := &spec.Spec{Version: spec.Version, Name: res.Name, Extends: []spec.Extend{{Layout: source, With: res.With}}}
	text, err := spec.Marshal(sp)
	if err != nil {
		return nil, err
	}
	text = []byte(strings.Replace(string(text), "stages: {}\n", "", 1))
	merged, err := layout.Load(specPath, text, layout.Options{Dir: opts.Dir, Git: g})
	var out *transpile.Output
	if err == nil {
		out, err = transpile.Forward(merged.Spec)
	}
	if err != nil {
		return nil, fmt.Errorf("the spec extending %s does not render (fix the layout):\n%w\n--- the spec:\n%s", source, err, text)
	}
	res.Plan = &Plan{hints: initHints}
	res.Plan.add(opts.Dir, File{Name: "dockstage.yaml", Content: text, Kind: UserFile}, opts.Force)
	if opts.NoRender {
		return res, nil
	}
	files, err := renderModel(out, "dockstage.yaml", opts.Dir, opts.Dir)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		res.Plan.add(opts.Dir, f, opts.Force)
	}
	return res, nil
}

// layoutSource is the layout as the new spec's extends names it. Paths on
// the command line are relative to the current directory, as every
// command's are: a layout file's path (or NAME found in LayoutDir, a
// directory) and a git layout's local repository path (in Layout or in a
// git LayoutDir) are rewritten relative to the service's directory, which
// extends resolves them against, so that the spec commits with the layout
// wherever the repository is checked out. A git layout's PATH is cleaned
// (./python.yaml is python.yaml).
func layoutSource(opts LayoutInitOptions) (string, error) {
	src := opts.Layout
	isName := !strings.ContainsAny(src, `/\`) && !strings.HasSuffix(src, ".yaml") && !strings.HasSuffix(src, ".yml") && !strings.HasPrefix(src, layout.GitPrefix)
	if isName {
		switch {
		case opts.LayoutDir == "":
			return "", fmt.Errorf("--layout %s: a layout name needs --layout-dir (a directory or git:URL//DIR@REF of NAME.yaml layouts); or give the layout's path", src)
		case strings.HasPrefix(opts.LayoutDir, layout.GitPrefix):
			// git:URL//DIR@REF -> git:URL//DIR/NAME.yaml@REF
			at := strings.LastIndex(opts.LayoutDir, "@")
			if at < 0 {
				at = len(opts.LayoutDir)
			}
			g, err := layout.ParseGit(strings.TrimSuffix(opts.LayoutDir[:at], "/") + "/" + src + ".yaml" + opts.LayoutDir[at:])
			if err != nil {
				return "", fmt.Errorf("--layout-dir: %w", err)
			}
			return gitSource(g, opts.Dir)
		}
		file, err := findLayout(opts.LayoutDir, src)
		if err != nil {
			return "", err
		}
		src = file
	}
	if strings.HasPrefix(src, layout.GitPrefix) {
		g, err := layout.ParseGit(src)
		if err != nil {
			return "", fmt.Errorf("--layout: %w", err)
		}
		return gitSource(g, opts.Dir)
	}
	if _, err := os.Stat(src); err != nil {
		return "", fmt.Errorf("--layout %s: no such layout file (the path is relative to the current directory)", src)
	}
	return relTo(opts.Dir, src)
}

// findLayout is NAME.yaml (or NAME.yml) in the directory dir; errors say
// that dir is missing, or list the layouts it has (the closest first).
func findLayout(dir, name string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return "", fmt.Errorf("--layout-dir %s: no such directory (the path is relative to the current directory)", dir)
		}
		return "", fmt.Errorf("--layout-dir %s: %w", dir, err)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		base := strings.TrimSuffix(strings.TrimSuffix(n, ".yaml"), ".yml")
		if e.IsDir() || base == n {
			continue
		}
		if base == name {
			return filepath.Join(dir, n), nil
		}
		names = append(names, base)
	}
	msg := fmt.Sprintf("--layout %s: no %s.yaml in --layout-dir %s", name, name, dir)
	switch m, ok := suggest.Search(name, names, true); {
	case ok:
		msg += fmt.Sprintf("; did you mean %s? its layouts: %s", m, strings.Join(names, ", "))
	case len(names) > 0:
		msg += "; its layouts: " + strings.Join(names, ", ")
	default:
		msg += "; it has no .yaml layouts"
	}
	return "", fmt.Errorf("%s", msg)
}

// gitSource writes g for the spec in dir: a relative local repository path
// (relative to the current directory on the command line) made relative to
// dir, and the layout's path cleaned.
func gitSource(g *layout.GitSource, dir string) (string, error) {
	url := g.URL
	if layout.LocalPath(url) {
		rel, err := relTo(dir, url)
		if err != nil {
			return "", err
		}
		url = rel
	}
	return layout.GitPrefix + url + "//" + path.Clean(g.Path) + "@" + g.Ref, nil
}

// relTo is the file p (relative to the current directory) relative to dir,
// slash separated; absolute when there is no relative path.
func relTo(dir, p string) (string, error) {
	absDir, err1 := filepath.Abs(dir)
	absP, err2 := filepath.Abs(p)
	if err := errors.Join(err1, err2); err != nil {
		return "", fmt.Errorf("--layout %s: %w", p, err)
	}
	rel, err := filepath.Rel(absDir, absP)
	if err != nil {
		return filepath.ToSlash(absP), nil
	}
	return filepath.ToSlash(rel), nil
}

// withValues are the with values of a new spec: every param of ly, from
// set (text read as the param's type) or the default.
func withValues(ly *layout.Layout, set map[string]string) (spec.Values, error) {
	var out spec.Values
	var errs, missing []string
	declared := map[string]bool{}
	for _, p := range ly.Params {
		declared[p.Name] = true
		text, ok := set[p.Name]
		if !ok {
			if p.Default == nil {
				m := fmt.Sprintf("%s (%s", p.Name, p.Type)
				if p.Description != "" {
					m += ": " + p.Description
				}
				missing = append(missing, m+")")
				continue
			}
			out = append(out, spec.Value{Name: p.Name, Text: p.Default.Text, Tag: p.Default.Tag})
			continue
		}
		tag := layout.ParamTypes[p.Type]
		switch p.Type {
		case "int":
			if _, err := strconv.Atoi(text); err != nil {
				errs = append(errs, fmt.Sprintf("--with %s=%s: the param is an int", p.Name, text))
			}
		case "bool":
			if text != "true" && text != "false" {
				errs = append(errs, fmt.Sprintf("--with %s=%s: the param is a bool (true or false)", p.Name, text))
			}
		}
		out = append(out, spec.Value{Name: p.Name, Text: text, Tag: tag})
	}
	var unknown []string
	for name := range set {
		if !declared[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		errs = append(errs, fmt.Sprintf("--with %s: %s", name, layout.NoParam(ly.Source, name, ly.Params)))
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Sprintf("layout %s needs %s; set each with --with NAME=VALUE", ly.Source, strings.Join(missing, ", ")))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}
