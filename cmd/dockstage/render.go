package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/spf13/cobra"
)

type renderOptions struct {
	spec      string
	outDir    string
	stdout    bool
	only      string
	force     bool
	effective bool
	name      string
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
unchanged since; --force replaces it anyway. A spec on standard input is
called <stdin> in the generated headers and errors, or what --name says.

A spec that extends layouts is merged over them first; --effective prints
the merged spec instead of rendering it, each value with a comment naming
the file and line it comes from. A layout file itself is not rendered (extend it
from a spec, or dockstage init --layout); dockstage lint checks it alone. A later
layout replacing the steps an earlier layout gives a stage is a warning.`,
		Example: `  dockstage render
  dockstage render examples/python-flask/dockstage.yaml --stdout
  dockstage render svc/dockstage.yaml -o build/ --force
  dockstage render svc/dockstage.yaml --effective
  generate-spec | dockstage render - --name svc/dockstage.yaml -o svc/`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.spec = argOr(args, "dockstage.yaml")
			if opts.outDir == "-" {
				// -o - prints, as it does for import and migrate.
				opts.outDir, opts.stdout = "", true
			}
			return runRender(cmd.Context(), s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.outDir, "output", "o", "", `directory to write the files to, "-" for standard output (the same as --stdout; default: the spec's directory)`)
	f.BoolVar(&opts.stdout, "stdout", false, "print the files instead of writing them")
	f.StringVar(&opts.only, "only", "", "with --stdout, print only this file (Dockerfile, compose.yaml, compose.dev.yaml, docker-bake.hcl or .dockerignore)")
	f.BoolVar(&opts.force, "force", false, "overwrite files that dockstage did not generate or that were edited since")
	f.BoolVar(&opts.effective, "effective", false, "print the spec merged over its layouts, each value with the file and line it comes from, and write nothing")
	_ = cmd.RegisterFlagCompletionFunc("only", completeOnly)
	f.StringVar(&opts.name, "name", "", "for a spec on standard input (-), the name the generated headers and error positions give it (default <stdin>)")
	return cmd
}

func runRender(ctx context.Context, s streams, opts renderOptions) error {
	var data []byte
	if opts.spec == "-" {
		var err error
		if data, err = io.ReadAll(s.in); err != nil {
			return err
		}
	}
	if opts.name != "" && opts.spec != "-" {
		return badInput(errors.New("--name names a spec read from standard input (-); a spec file is named by its path"))
	}
	if opts.effective {
		if opts.stdout || opts.only != "" || opts.outDir != "" || opts.force {
			return badInput(errors.New("--effective prints the merged spec only; drop --stdout, --only, -o and --force"))
		}
		out, err := workspace.Effective(opts.spec, data, workspace.Options{StdinName: opts.name})
		if err != nil {
			return err
		}
		_, err = s.out.Write(out)
		return err
	}
	plan, err := workspace.Render(opts.spec, data, workspace.Options{OutDir: opts.outDir, Force: opts.force, StdinName: opts.name})
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		fmt.Fprintln(s.err, w)
	}
	printBuildChecks(s, plan.Files)
	if opts.only != "" && !opts.stdout {
		return badInput(errors.New("--only needs --stdout"))
	}
	if opts.stdout {
		return printFiles(s, plan.Files, opts.only)
	}
	return apply(s, plan)
}

// printBuildChecks prints the build-check warnings on rendered files.
func printBuildChecks(s streams, files []workspace.File) {
	for _, f := range files {
		for _, w := range f.Warnings {
			fmt.Fprintf(s.err, "%s: warning: %s\n", f.Name, w)
		}
	}
}

// apply writes a plan and says what it did with each file.
func apply(s streams, plan *workspace.Plan) error {
	if err := plan.Apply(); err != nil {
		return err
	}
	printWritten(s, plan.Files)
	return nil
}

// printWritten says what a plan did with each file.
func printWritten(s streams, files []workspace.File) {
	for _, f := range files {
		verb := "wrote"
		if f.Decision == workspace.Unchanged {
			verb = "unchanged"
		}
		fmt.Fprintf(s.err, "%s %s\n", verb, f.Path)
	}
}

// printFiles prints the files, each after a "# ==> NAME <==" line when
// there are several; only names the one file to print.
func printFiles(s streams, files []workspace.File, only string) error {
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
