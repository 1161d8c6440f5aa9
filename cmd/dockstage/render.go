package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
	"github.com/spf13/cobra"
)

type renderOptions struct {
	spec   string
	outDir string
	stdout bool
	only   string
	force  bool
}

func newRenderCmd(s streams) *cobra.Command {
	var opts renderOptions
	cmd := &cobra.Command{
		Use:   "render [SPEC]",
		Short: "Render a spec into a Dockerfile and compose files",
		Long: `Render SPEC (default dockstage.yaml, "-" for standard input) into Dockerfile,
compose.yaml and compose.dev.yaml (the compose files when the spec has a compose
section), written beside the spec unless -o names a directory. Every file is
parsed back (BuildKit, compose-go) before it is written.

An existing file is replaced only when dockstage generated it and it is
unchanged since; --force replaces it anyway.`,
		Example: `  dockstage render
  dockstage render examples/python-flask/dockstage.yaml --stdout
  dockstage render svc/dockstage.yaml -o build/ --force`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.spec = "dockstage.yaml"
			if len(args) == 1 {
				opts.spec = args[0]
			}
			return runRender(s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.outDir, "output", "o", "", "directory to write the files to (default: the spec's directory)")
	f.BoolVar(&opts.stdout, "stdout", false, "print the files instead of writing them")
	f.StringVar(&opts.only, "only", "", "with --stdout, print only this file (Dockerfile, compose.yaml, compose.dev.yaml, docker-bake.hcl or .dockerignore)")
	f.BoolVar(&opts.force, "force", false, "overwrite files that dockstage did not generate or that were edited since")
	return cmd
}

// loadSpec reads, decodes and validates a spec file ("-" is standard
// input); all errors come back as one positioned list.
func loadSpec(s streams, path string) (*spec.Spec, error) {
	data, err := readInput(s, path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, badInput(fmt.Errorf("%s: no such spec; write one with `dockstage init` (a new service) or `dockstage import Dockerfile` (an existing build)", path))
	}
	if err != nil {
		return nil, err
	}
	name := path
	if path == "-" {
		name = "<stdin>"
	}
	sp, err := spec.Load(name, data)
	if err != nil {
		return nil, badInput(err)
	}
	if err := spec.Validate(sp); err != nil {
		return nil, badInput(err)
	}
	return sp, nil
}

// renderSpec runs the forward pipeline: Forward, then the templates, which
// verify every file.
func renderSpec(sp *spec.Spec, source string) ([]templates.File, error) {
	return renderSpecTo(sp, source, "", "")
}

// renderSpecTo is renderSpec for files written to outDir while the build
// context stays the spec's directory: compose and bake point their context
// back at specDir and name the Dockerfile in outDir, and .dockerignore
// becomes Dockerfile.dockerignore, which BuildKit reads beside the
// Dockerfile.
func renderSpecTo(sp *spec.Spec, source, specDir, outDir string) ([]templates.File, error) {
	out, err := transpile.Forward(sp)
	if err != nil {
		return nil, badInput(err)
	}
	moved := false
	if outDir != "" {
		a, errA := filepath.Abs(specDir)
		b, errB := filepath.Abs(outDir)
		if errA != nil || errB != nil {
			return nil, badInput(fmt.Errorf("resolving %s and %s: %v %v", specDir, outDir, errA, errB))
		}
		if a != b {
			moved = true
			ctx, _ := filepath.Rel(b, a)                             // context, seen from the compose/bake file
			df, _ := filepath.Rel(a, filepath.Join(b, "Dockerfile")) // Dockerfile, seen from the context
			ctx, df = filepath.ToSlash(ctx), filepath.ToSlash(df)
			for _, c := range []*transpile.ComposeFile{out.Compose, out.DevCompose} {
				if c != nil && c.Service.Build.Context == "." {
					c.Service.Build.Context = ctx
					c.Service.Build.Dockerfile = df
				}
			}
			if out.Bake != nil && out.Bake.Context == "." {
				out.Bake.Context, out.Bake.Dockerfile = ctx, df
			}
		}
	}
	files, err := templates.Render(out, templates.Options{Source: source})
	if err != nil {
		return nil, err
	}
	if moved {
		for i := range files {
			if files[i].Name == ".dockerignore" {
				files[i].Name = "Dockerfile.dockerignore"
			}
		}
	}
	return files, nil
}

func runRender(s streams, opts renderOptions) error {
	sp, err := loadSpec(s, opts.spec)
	if err != nil {
		return err
	}
	source := filepath.Base(opts.spec)
	if opts.spec == "-" {
		source = "dockstage.yaml"
	}
	specDir := filepath.Dir(opts.spec)
	if opts.spec == "-" {
		specDir = "."
	}
	files, err := renderSpecTo(sp, source, specDir, opts.outDir)
	if err != nil {
		return err
	}
	for _, f := range files {
		for _, w := range f.Warnings {
			fmt.Fprintf(s.err, "%s: warning: %s\n", f.Name, w)
		}
	}
	if opts.only != "" && !opts.stdout {
		return badInput(errors.New("--only needs --stdout"))
	}
	if opts.stdout {
		return printFiles(s, files, opts.only)
	}
	dir := opts.outDir
	if dir == "" {
		dir = filepath.Dir(opts.spec)
		if opts.spec == "-" {
			dir = "."
		}
	}
	return writeAll(s, dir, files, opts.force)
}

// writeAll checks every file first and writes none when any would replace
// a file that is not dockstage's (or was edited since) without force; then
// it writes them all. .dockerignore is merged with the user's part.
func writeAll(s streams, dir string, files []templates.File, force bool) error {
	type plan struct {
		path    string
		content []byte
		force   bool
	}
	var plans []plan
	var refused []string
	for _, f := range files {
		p := plan{path: filepath.Join(dir, f.Name), content: f.Content, force: force}
		if f.Merge {
			// The user's part of the file is kept byte for byte.
			existing, err := os.ReadFile(p.path)
			if err != nil && !os.IsNotExist(err) {
				return badInput(err)
			}
			p.content, err = templates.MergeDockerignore(f.Content, existing, force)
			if err != nil {
				refused = append(refused, fmt.Sprintf("%s: %v", p.path, err))
				continue
			}
			p.force = true
		}
		if _, err := checkOverwrite(p.path, p.content, p.force); err != nil {
			refused = append(refused, err.Error())
			continue
		}
		plans = append(plans, p)
	}
	if len(refused) > 0 {
		return badInput(fmt.Errorf("%s\nnothing was written", strings.Join(refused, "\n")))
	}
	for _, p := range plans {
		res, err := writeFile(p.path, p.content, p.force)
		if err != nil {
			return err
		}
		verb := "wrote"
		if res == unchanged {
			verb = "unchanged"
		}
		fmt.Fprintf(s.err, "%s %s\n", verb, p.path)
	}
	return nil
}

func printFiles(s streams, files []templates.File, only string) error {
	if only != "" {
		var names []string
		for _, f := range files {
			if f.Name == only {
				_, err := s.out.Write(f.Content)
				return err
			}
			names = append(names, f.Name)
		}
		return badInput(fmt.Errorf("--only %s: this spec renders %s", only, strings.Join(names, ", ")))
	}
	for i, f := range files {
		if len(files) > 1 {
			if i > 0 {
				fmt.Fprintln(s.out)
			}
			fmt.Fprintf(s.out, "# ==> %s <==\n", f.Name)
		}
		if _, err := s.out.Write(f.Content); err != nil {
			return err
		}
	}
	return nil
}
