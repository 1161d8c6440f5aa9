package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/templates/presets"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

type initOptions struct {
	dir       string
	preset    string
	presetDir string
	name      string
	port      int
	yes       bool
	force     bool
	noRender  bool
	list      bool
	// interactive: prompt for the name and port (standard input is a
	// terminal and --yes was not given).
	interactive bool
}

func newInitCmd(s streams) *cobra.Command {
	var opts initOptions
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a spec for a new service from a language preset",
		Long: `Detect the ecosystem of DIR (default .) from its files (Python pip/poetry, Node
npm/yarn/pnpm, Go, Java Maven/Gradle, Ruby, PHP, Rust, .NET, static site), print
what was found and why, and write DIR/dockstage.yaml from the matching preset:
stages base -> src -> test -> prod, the dependency manifests copied before the
install, cache mounts for the package manager, the tests in test, a non-root user
and an exec-form command in prod, compose files with a dev target. Then render it
(as "dockstage render" does) unless --no-render.

--preset overrides the detection; --preset-dir points at a team's directory of
NAME.yaml.tmpl presets, used in preference to the built-in ones; --list prints
the presets. The name and port are asked for only when standard input is a
terminal and --yes is not given. An existing dockstage.yaml is not replaced
without --force.

Exit status: 0 written, 2 nothing recognised, unknown preset, bad flags or a
file that would be overwritten.`,
		Example: `  dockstage init
  dockstage init services/api --name api --port 8080 --yes
  dockstage init --preset go --no-render
  dockstage init --list --preset-dir ~/team-presets`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir = "."
			if len(args) == 1 {
				opts.dir = args[0]
			}
			opts.interactive = !opts.yes && isTerminal(s.in)
			return runInit(s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.preset, "preset", "", "preset to use instead of the detected one (see --list)")
	f.StringVar(&opts.presetDir, "preset-dir", "", "directory of NAME.yaml.tmpl presets used before the built-in ones")
	f.StringVar(&opts.name, "name", "", "service name (default: DIR's name)")
	f.IntVar(&opts.port, "port", 0, "port the service listens on (default: found in the source, else the preset's)")
	f.BoolVarP(&opts.yes, "yes", "y", false, "never prompt; take the detected and default values")
	f.BoolVar(&opts.force, "force", false, "replace an existing dockstage.yaml, and files the render would refuse to replace")
	f.BoolVar(&opts.noRender, "no-render", false, "write only dockstage.yaml, do not render it")
	f.BoolVar(&opts.list, "list", false, "list the presets and exit")
	return cmd
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func presetFS(dir string) (fs.FS, error) {
	if dir == "" {
		return nil, nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, badInput(fmt.Errorf("--preset-dir: %w", err))
	}
	if !info.IsDir() {
		return nil, badInput(fmt.Errorf("--preset-dir %s: not a directory", dir))
	}
	return os.DirFS(dir), nil
}

func listPresets(s streams, dir fs.FS) error {
	all, err := presets.Presets(dir)
	if err != nil {
		return badInput(fmt.Errorf("--preset-dir: %w", err))
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	for _, p := range all {
		from := ""
		if p.Custom {
			from = " (from --preset-dir)"
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", p.Name, p.Description, from)
	}
	return tw.Flush()
}

var serviceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

func runInit(s streams, opts initOptions) error {
	dirFS, err := presetFS(opts.presetDir)
	if err != nil {
		return err
	}
	if opts.list {
		return listPresets(s, dirFS)
	}
	info, err := os.Stat(opts.dir)
	if err != nil {
		return badInput(err)
	}
	if !info.IsDir() {
		return badInput(fmt.Errorf("%s: not a directory", opts.dir))
	}
	specPath := filepath.Join(opts.dir, "dockstage.yaml")
	if _, err := os.Stat(specPath); err == nil && !opts.force {
		return badInput(fmt.Errorf("%s: exists; not replacing it (use --force to replace it, or edit it and run dockstage render)", specPath))
	}
	if opts.port < 0 || opts.port > 65535 {
		return badInput(fmt.Errorf("--port %d: not a port (1..65535)", opts.port))
	}
	if opts.name != "" && !serviceNameRE.MatchString(opts.name) {
		return badInput(fmt.Errorf("--name %q: a service name is lower case letters, digits, '.', '_' and '-'", opts.name))
	}

	// What the directory holds.
	project := os.DirFS(opts.dir)
	var res ecosystem.Result
	preset := opts.preset
	if preset != "" {
		if _, err := presets.FindPreset(preset, dirFS); err != nil {
			return badInput(err)
		}
		if k, ok := ecosystem.KindByName(preset); ok {
			res, err = ecosystem.Analyze(project, k)
		} else if found, derr := ecosystem.Detect(project); derr == nil {
			res = found[0] // a team preset: it gets the best detection
		} else if !errors.Is(derr, ecosystem.ErrNotFound) {
			err = derr
		}
		if err != nil {
			return badInput(err)
		}
		fmt.Fprintf(s.err, "preset %s (--preset)\n", preset)
	} else {
		found, err := ecosystem.Detect(project)
		if errors.Is(err, ecosystem.ErrNotFound) {
			var names []string
			for _, k := range ecosystem.Kinds() {
				names = append(names, k.Name)
			}
			return badInput(fmt.Errorf("%s: cannot tell the ecosystem: %v; pass --preset NAME (one of %s)", opts.dir, err, strings.Join(names, ", ")))
		}
		if err != nil {
			return badInput(err)
		}
		res = found[0]
		preset = res.Kind.Name
		fmt.Fprintf(s.err, "detected %s (%s): preset %s\n", res.Ecosystem, res.Manager, preset)
		for _, other := range found[1:] {
			fmt.Fprintf(s.err, "  also found %s files (%s); use --preset %s for it\n", other.Ecosystem, strings.Join(other.CopyFiles(), ", "), other.Kind.Name)
		}
	}
	for _, e := range res.Evidence {
		fmt.Fprintf(s.err, "  - %s\n", e)
	}

	// The name and port: flags, else prompts, else detected and defaults.
	name := opts.name
	if name == "" {
		if abs, err := filepath.Abs(opts.dir); err == nil {
			name = serviceName(filepath.Base(abs))
		}
		if name == "" {
			name = serviceName(res.Name)
		}
		if name == "" {
			name = "app"
		}
	}
	port := opts.port
	if port == 0 {
		port = res.Port
		if port == 0 {
			port = 8080
		}
	}
	if opts.interactive {
		in := bufio.NewReader(s.in)
		if opts.name == "" {
			if name, err = prompt(s, in, "service name", name, func(v string) error {
				if !serviceNameRE.MatchString(v) {
					return errors.New("lower case letters, digits, '.', '_' and '-'")
				}
				return nil
			}); err != nil {
				return err
			}
		}
		if opts.port == 0 {
			p, err := prompt(s, in, "port", strconv.Itoa(port), func(v string) error {
				if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
					return errors.New("a number from 1 to 65535")
				}
				return nil
			})
			if err != nil {
				return err
			}
			port, _ = strconv.Atoi(p)
		}
	}

	// The spec, proven before anything is written.
	text, err := presets.RenderPreset(preset, presets.PresetData{Preset: preset, Service: name, Port: port, Result: res}, dirFS)
	if err != nil {
		return badInput(fmt.Errorf("preset %s: %w", preset, err))
	}
	sp, err := spec.Load(specPath, text)
	if err == nil {
		err = spec.Validate(sp)
	}
	if err != nil {
		return badInput(fmt.Errorf("preset %s wrote an invalid spec (fix the preset):\n%w\n--- the spec it wrote:\n%s", preset, err, text))
	}
	var files []templates.File
	if !opts.noRender {
		if files, err = renderSpec(sp, "dockstage.yaml"); err != nil {
			return err
		}
		if !opts.force {
			for _, f := range files {
				if err := checkReplace(filepath.Join(opts.dir, f.Name), f); err != nil {
					return err
				}
			}
		}
	}

	if _, err := writeFile(specPath, text, opts.force); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "wrote %s (service %s, port %d)\n", specPath, name, port)
	if opts.noRender {
		fmt.Fprintf(s.err, "next: dockstage render %s\n", specPath)
		return nil
	}
	// A new .dockerignore starts with the ecosystem's local build output in
	// its user part (below the generated block).
	ign := filepath.Join(opts.dir, ".dockerignore")
	if _, err := os.Stat(ign); os.IsNotExist(err) {
		if extra := ignoreSeed(res); extra != "" {
			if _, err := writeFile(ign, []byte(extra), false); err != nil {
				return err
			}
		}
	}
	if err := runRender(s, renderOptions{spec: specPath, force: opts.force}); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "next: docker build --target test %s && docker build --target prod %s\n", opts.dir, opts.dir)
	return nil
}

// prompt asks for a value on standard error and reads it from in; an empty
// answer keeps def. An invalid answer is asked again, three times at most.
func prompt(s streams, in *bufio.Reader, what, def string, check func(string) error) (string, error) {
	for range 3 {
		fmt.Fprintf(s.err, "%s [%s]: ", what, def)
		line, err := in.ReadString('\n')
		v := strings.TrimSpace(line)
		if v == "" {
			v = def
		}
		if cerr := check(v); cerr != nil {
			fmt.Fprintf(s.err, "  %q: %v\n", v, cerr)
			if err != nil {
				break
			}
			continue
		}
		return v, nil
	}
	return "", badInput(fmt.Errorf("no valid %s given", what))
}

// checkReplace refuses, before anything is written, a rendered file that
// render would refuse to replace (writeFile's rule; for .dockerignore, an
// edited generated block).
func checkReplace(path string, f templates.File) error {
	old, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return badInput(err)
	}
	if f.Merge {
		if _, err := templates.MergeDockerignore(f.Content, old, false); err != nil {
			return badInput(fmt.Errorf("%s: %w", path, err))
		}
		return nil
	}
	if string(old) == string(f.Content) {
		return nil
	}
	switch generated, unchanged := templates.Owned(old); {
	case !generated:
		return badInput(fmt.Errorf("%s: exists and was not generated by dockstage; nothing written (turn it into a spec with dockstage import, use --no-render, or --force to replace it)", path))
	case !unchanged:
		return badInput(fmt.Errorf("%s: was edited since dockstage generated it; nothing written (use --no-render, or --force to discard the edits)", path))
	}
	return nil
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
