package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates/presets"
	"github.com/dockstage/dockstage/templates/workspace"
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
	layout    string
	layoutDir string
	with      []string
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
file that would be overwritten.

--layout starts the service from a team's layout instead of a preset: a layout
file's path, a git layout (git:URL//PATH@REF), or a NAME looked up as NAME.yaml
in --layout-dir (a directory, or git:URL//DIR@REF). Paths on the command line
(PATH, --layout-dir, a git layout's local repository) are relative to the current
directory; the spec gets them relative to DIR. The spec written extends it
with every param set: --with NAME=VALUE (repeatable; --port sets the param port),
else the param's default. A required param without --with is an error naming it.`,
		Example: `  dockstage init
  dockstage init services/api --name api --port 8080 --yes
  dockstage init --preset go --no-render
  dockstage init --list --preset-dir ~/team-presets
  dockstage init services/api --layout layouts/python.yaml --with python=3.12
  dockstage init --layout python --layout-dir git:https://git.example.com/platform/layouts.git//layouts@v3`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir = argOr(args, ".")
			opts.interactive = !opts.yes && isTerminal(s.in)
			return runInit(cmd.Context(), s, opts)
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
	f.StringVar(&opts.layout, "layout", "", "start from this layout instead of a preset: a path, git:URL//PATH@REF, or a NAME in --layout-dir")
	f.StringVar(&opts.layoutDir, "layout-dir", "", "where --layout NAME is found as NAME.yaml: a directory or git:URL//DIR@REF")
	f.StringArrayVar(&opts.with, "with", nil, "with --layout, set a param: NAME=VALUE (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("preset", completePresets)
	return cmd
}

// isTerminal says whether a standard stream is a terminal.
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func listPresets(s streams, dir fs.FS) error {
	all, err := presets.Presets(dir)
	if err != nil {
		return fmt.Errorf("--preset-dir: %w", err)
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

func runInit(ctx context.Context, s streams, opts initOptions) error {
	if opts.layout != "" || opts.layoutDir != "" || len(opts.with) > 0 {
		return runInitLayout(s, opts)
	}
	var presetDir fs.FS
	if opts.presetDir != "" {
		if info, err := os.Stat(opts.presetDir); err != nil {
			return fmt.Errorf("--preset-dir: %w", err)
		} else if !info.IsDir() {
			return fmt.Errorf("--preset-dir %s: not a directory", opts.presetDir)
		}
		presetDir = os.DirFS(opts.presetDir)
	}
	if opts.list {
		return listPresets(s, presetDir)
	}
	if opts.port < 0 || opts.port > 65535 {
		return badInput(fmt.Errorf("--port %d: not a port (1..65535)", opts.port))
	}
	if opts.name != "" && !spec.ValidName(opts.name) {
		return badInput(fmt.Errorf("--name %q: a service name is lower case letters, digits, '.', '_' and '-'", opts.name))
	}
	p, err := workspace.Detect(workspace.InitOptions{Dir: opts.dir, Preset: opts.preset, Presets: presetDir, Force: opts.force})
	if err != nil {
		return err
	}
	if p.ByFlag {
		fmt.Fprintf(s.err, "preset %s (--preset)\n", p.Preset)
	} else {
		fmt.Fprintf(s.err, "detected %s (%s): preset %s\n", p.Result.Ecosystem, p.Result.Manager, p.Preset)
		for _, other := range p.Others {
			fmt.Fprintf(s.err, "  also found %s files (%s); use --preset %s for it\n", other.Ecosystem, strings.Join(other.CopyFiles(), ", "), other.Kind.Name)
		}
	}
	for _, e := range p.Result.Evidence {
		fmt.Fprintf(s.err, "  - %s\n", e)
	}

	// The name and port: flags, else prompts, else detected and defaults.
	name, port := cmp.Or(opts.name, p.Name), cmp.Or(opts.port, p.Port)
	if opts.interactive {
		in := bufio.NewReader(s.in)
		if opts.name == "" {
			if name, err = prompt(s, in, "service name", name, func(v string) error {
				if !spec.ValidName(v) {
					return errors.New("lower case letters, digits, '.', '_' and '-'")
				}
				return nil
			}); err != nil {
				return err
			}
		}
		if opts.port == 0 {
			v, err := prompt(s, in, "port", strconv.Itoa(port), func(v string) error {
				if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
					return errors.New("a number from 1 to 65535")
				}
				return nil
			})
			if err != nil {
				return err
			}
			port, _ = strconv.Atoi(v)
		}
	}

	plan, err := p.Init(name, port, opts.noRender)
	if err != nil {
		return err
	}
	if err := plan.Apply(); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "wrote %s (service %s, port %d)\n", p.SpecPath, name, port)
	if opts.noRender {
		fmt.Fprintf(s.err, "next: dockstage render %s\n", p.SpecPath)
		return nil
	}
	printBuildChecks(s, plan.Files[1:])
	printWritten(s, plan.Files[1:])
	var builds []string
	for _, t := range plan.Targets {
		if t == "" {
			builds = append(builds, "docker build "+opts.dir)
		} else {
			builds = append(builds, "docker build --target "+t+" "+opts.dir)
		}
	}
	if len(builds) > 0 {
		fmt.Fprintf(s.err, "next: %s\n", strings.Join(builds, " && "))
	}
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

// runInitLayout is init --layout: a spec extending a team's layout.
func runInitLayout(s streams, opts initOptions) error {
	switch {
	case opts.layout == "":
		return badInput(errors.New("--layout-dir and --with go with --layout NAME|PATH"))
	case opts.preset != "" || opts.presetDir != "" || opts.list:
		return badInput(errors.New("--layout starts from a layout, --preset from a preset: give one"))
	case opts.name != "" && !spec.ValidName(opts.name):
		return badInput(fmt.Errorf("--name %q: a service name is lower case letters, digits, '.', '_' and '-'", opts.name))
	}
	with := map[string]string{}
	for _, w := range opts.with {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return badInput(fmt.Errorf("--with %q: write NAME=VALUE", w))
		}
		with[k] = v
	}
	if _, set := with["port"]; opts.port != 0 && !set {
		with["port"] = strconv.Itoa(opts.port)
	}
	res, err := workspace.InitLayout(workspace.LayoutInitOptions{
		Dir: opts.dir, Layout: opts.layout, LayoutDir: opts.layoutDir, Name: opts.name,
		With: with, Force: opts.force, NoRender: opts.noRender,
	})
	if err != nil {
		return badInput(err)
	}
	if err := res.Plan.Apply(); err != nil {
		return err
	}
	var params []string
	for _, v := range res.With {
		params = append(params, v.Name+"="+v.Text)
	}
	fmt.Fprintf(s.err, "wrote %s (service %s, extends %s", res.SpecPath, res.Name, res.Layout)
	if len(params) > 0 {
		fmt.Fprintf(s.err, " with %s", strings.Join(params, ", "))
	}
	fmt.Fprintln(s.err, ")")
	if opts.noRender {
		fmt.Fprintf(s.err, "next: dockstage render %s\n", res.SpecPath)
		return nil
	}
	printBuildChecks(s, res.Plan.Files[1:])
	printWritten(s, res.Plan.Files[1:])
	return nil
}
