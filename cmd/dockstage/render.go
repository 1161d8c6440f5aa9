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
	f.StringVar(&opts.only, "only", "", "with --stdout, print only this file (Dockerfile, compose.yaml or compose.dev.yaml)")
	f.BoolVar(&opts.force, "force", false, "overwrite files that dockstage did not generate or that were edited since")
	return cmd
}

// loadSpec reads, decodes and validates a spec file ("-" is standard
// input); all errors come back as one positioned list.
func loadSpec(s streams, path string) (*spec.Spec, error) {
	data, err := readInput(s, path)
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
	out, err := transpile.Forward(sp)
	if err != nil {
		return nil, badInput(err)
	}
	return templates.Render(out, templates.Options{Source: source})
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
	files, err := renderSpec(sp, source)
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
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		content, force := f.Content, opts.force
		if f.Merge {
			// The user's part of the file is kept byte for byte.
			existing, err := os.ReadFile(path)
			if err != nil && !os.IsNotExist(err) {
				return badInput(err)
			}
			content, err = templates.MergeDockerignore(f.Content, existing, opts.force)
			if err != nil {
				return badInput(fmt.Errorf("%s: %w", path, err))
			}
			force = true
		}
		res, err := writeFile(path, content, force)
		if err != nil {
			return err
		}
		verb := "wrote"
		if res == unchanged {
			verb = "unchanged"
		}
		fmt.Fprintf(s.err, "%s %s\n", verb, path)
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
