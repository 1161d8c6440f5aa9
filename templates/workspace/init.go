package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates/presets"
	"github.com/dockstage/dockstage/transpile"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// InitOptions say which directory init starts a spec for.
type InitOptions struct {
	// Dir is the service's directory.
	Dir string
	// Preset overrides the detection ("" detects).
	Preset string
	// Presets is a team's directory of NAME.yaml.tmpl presets, used before
	// the built-in ones; nil for none.
	Presets fs.FS
	// Force replaces an existing spec, and files the render would refuse
	// to replace.
	Force bool
}

// Project is what init found in a directory, before it writes anything.
type Project struct {
	// Dir is the directory; SpecPath the spec init writes in it.
	Dir, SpecPath string
	// Preset is the preset to render; ByFlag says it came from
	// InitOptions.Preset rather than the detection.
	Preset string
	ByFlag bool
	// Result is the ecosystem the preset gets; Others are the other
	// ecosystems the detection found, best first.
	Result ecosystem.Result
	Others []ecosystem.Result
	// Name and Port are the defaults: the directory's name, else the
	// project's, else "app"; the port found in the source, else 8080.
	Name string
	Port int

	opts InitOptions
}

// Detect looks at opts.Dir: it refuses an existing spec unless Force, and
// finds the ecosystem (ecosystem.Detect, or ecosystem.Analyze for a named
// preset). Errors name the directory or preset and what to do.
func Detect(opts InitOptions) (*Project, error) {
	info, err := os.Stat(opts.Dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", opts.Dir)
	}
	p := &Project{Dir: opts.Dir, SpecPath: filepath.Join(opts.Dir, "dockstage.yaml"), Preset: opts.Preset, opts: opts}
	if _, err := os.Stat(p.SpecPath); err == nil && !opts.Force {
		return nil, fmt.Errorf("%s: exists; not replacing it (use --force to replace it, or edit it and run dockstage render)", p.SpecPath)
	}
	project := os.DirFS(opts.Dir)
	if p.Preset != "" {
		p.ByFlag = true
		if _, err := presets.FindPreset(p.Preset, opts.Presets); err != nil {
			return nil, err
		}
		if k, ok := ecosystem.KindByName(p.Preset); ok {
			p.Result, err = ecosystem.Analyze(project, k)
		} else if found, derr := ecosystem.Detect(project); derr == nil {
			p.Result = found[0] // a team preset: it gets the best detection
		} else if !errors.Is(derr, ecosystem.ErrNotFound) {
			err = derr
		}
		if err != nil {
			return nil, err
		}
	} else {
		found, err := ecosystem.Detect(project)
		if errors.Is(err, ecosystem.ErrNotFound) {
			var names []string
			for _, k := range ecosystem.Kinds() {
				names = append(names, k.Name)
			}
			return nil, fmt.Errorf("%s: cannot tell the ecosystem: %v; pass --preset NAME (one of %s)", opts.Dir, err, strings.Join(names, ", "))
		}
		if err != nil {
			return nil, err
		}
		p.Result, p.Others, p.Preset = found[0], found[1:], found[0].Kind.Name
	}
	if abs, err := filepath.Abs(opts.Dir); err == nil {
		p.Name = ServiceName(filepath.Base(abs))
	}
	if p.Name == "" {
		p.Name = ServiceName(p.Result.Name)
	}
	if p.Name == "" {
		p.Name = "app"
	}
	if p.Port = p.Result.Port; p.Port == 0 {
		p.Port = 8080
	}
	return p, nil
}

// Init renders the project's preset for service name on port into a spec,
// validates it (transpile.Forward) and plans it; unless noRender, it
// renders the spec once and plans its files too. A new .dockerignore gets
// the ecosystem's local build output in its user part. Errors: the preset
// does not render, or renders an invalid spec (the error holds the spec).
func (p *Project) Init(name string, port int, noRender bool) (*Plan, error) {
	text, err := presets.RenderPreset(p.Preset, presets.PresetData{Preset: p.Preset, Service: name, Port: port, Result: p.Result}, p.opts.Presets)
	if err != nil {
		return nil, fmt.Errorf("preset %s: %w", p.Preset, err)
	}
	sp, err := spec.Load(p.SpecPath, text)
	var out *transpile.Output
	if err == nil {
		out, err = transpile.Forward(sp)
	}
	if err != nil {
		return nil, fmt.Errorf("preset %s wrote an invalid spec (fix the preset):\n%w\n--- the spec it wrote:\n%s", p.Preset, err, text)
	}
	plan := &Plan{hints: initHints}
	if t := sp.StageIndex("test", len(sp.Stages)); t >= 0 && t != sp.ProdStage() {
		plan.Targets = append(plan.Targets, sp.Stages[t].Name)
	}
	if i := sp.ProdStage(); i >= 0 {
		name := sp.Stages[i].Name
		if sp.Stages[i].Anonymous {
			name = ""
		}
		plan.Targets = append(plan.Targets, name)
	}
	plan.add(p.Dir, File{Name: "dockstage.yaml", Content: text, Kind: UserFile}, p.opts.Force)
	if noRender {
		return plan, nil
	}
	files, err := renderModel(out, "dockstage.yaml", p.Dir, p.Dir)
	if err != nil {
		return nil, err
	}
	seed := ignoreSeed(p.Result)
	for _, f := range files {
		plan.add(p.Dir, f, p.opts.Force)
		if last := &plan.Files[len(plan.Files)-1]; last.Kind == Dockerignore && last.Decision == Create {
			last.write = append(append([]byte{}, last.Content...), seed...)
		}
	}
	return plan, nil
}

// ignoreSeed is the user part of a new .dockerignore: local dependency and
// build output directories that must not reach the build context.
func ignoreSeed(r ecosystem.Result) string {
	var pats []string
	switch r.Ecosystem {
	case ecosystem.Node, ecosystem.Static:
		if r.Manager == ecosystem.NoManager {
			break
		}
		pats = []string{"node_modules", "npm-debug.log*", ".next", ".cache"}
		if r.BuildDir != "" {
			pats = append(pats, r.BuildDir)
		}
	case ecosystem.Python:
		pats = []string{"__pycache__", "*.pyc", ".venv", "venv", ".pytest_cache", ".mypy_cache"}
	case ecosystem.Java:
		pats = []string{"target", "build", ".gradle"}
	case ecosystem.Rust:
		pats = []string{"target"}
	case ecosystem.DotNet:
		pats = []string{"**/bin", "**/obj"}
	case ecosystem.Ruby:
		pats = []string{"log/*", "tmp/*", ".bundle", "vendor/bundle"}
	case ecosystem.PHP:
		pats = []string{"vendor"}
	}
	if len(pats) == 0 {
		return ""
	}
	return "# local dependencies and build output (dockstage init)\n" + strings.Join(pats, "\n") + "\n"
}
