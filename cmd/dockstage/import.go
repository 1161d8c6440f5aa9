package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/dockstage/dockstage/transpile"
	"github.com/spf13/cobra"
)

type importOptions struct {
	dockerfile string
	output     string
	name       string
	into       string
	force      bool
	stdout     bool
}

func newImportCmd(s streams) *cobra.Command {
	var opts importOptions
	cmd := &cobra.Command{
		Use:   "import [DOCKERFILE|-]",
		Short: "Import a Dockerfile into a spec",
		Long: `Import DOCKERFILE (default ./Dockerfile, "-" for standard input) into a spec,
keeping stages and instructions in order with every flag, heredoc and comment.
The spec is written to dockstage.yaml beside the Dockerfile (standard output when
reading standard input) unless -o says otherwise; "-o -" (or --stdout) prints it. An existing
spec is not overwritten without --force.

With --into SPEC, a hand-edited Dockerfile (default: the Dockerfile beside SPEC)
is adopted into the existing SPEC, in place: its stages, steps, args and
directives change to what the Dockerfile says, while the rest of SPEC (compose:,
dockerignore, name, blank lines, the comments of unchanged parts) stays. SPEC
is rendered in memory first and must render the Dockerfile back (blank lines and
trailing blanks aside), else nothing is written; afterwards check passes and
render re-stamps the Dockerfile. For a spec with extends:, the edit is written as
the least override of its layouts (args keys, steps_patch at the layouts' step
ids, or a stage's steps whole; the layouts are never edited); what a spec cannot
say over them (a removed stage or value a layout sets) is reported at the
layout's line, and an edit that another with: value gives is reported with it.`,
		Example: `  dockstage import Dockerfile -o -
  dockstage import legacy/Dockerfile -o legacy/dockstage.yaml --name api
  dockstage import --into services/api/dockstage.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			def := "Dockerfile"
			if opts.into != "" {
				def = filepath.Join(filepath.Dir(opts.into), "Dockerfile")
			}
			opts.dockerfile = argOr(args, def)
			var err error
			if opts.output, err = stdoutOutput(opts.stdout, opts.output); err != nil {
				return err
			}
			return runImport(cmd.Context(), s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.output, "output", "o", "", `spec file to write, "-" for standard output (default: dockstage.yaml beside the Dockerfile)`)
	f.StringVar(&opts.name, "name", "", "service name for the spec (default: the Dockerfile's directory name, else \"app\")")
	f.StringVar(&opts.into, "into", "", "adopt the Dockerfile's edits into this existing spec, in place")
	f.BoolVar(&opts.force, "force", false, "overwrite an existing spec file")
	f.BoolVar(&opts.stdout, "stdout", false, "print the spec instead of writing it (the same as -o -)")
	return cmd
}

func runImport(ctx context.Context, s streams, opts importOptions) error {
	if opts.into != "" && (opts.output != "" || opts.name != "" || opts.force) {
		return badInput(fmt.Errorf("--into adopts into an existing spec in place; it takes no -o, --name or --force"))
	}
	data, err := readInput(s, opts.dockerfile)
	if err != nil {
		return err
	}
	if opts.into != "" {
		return runAdopt(s, opts, data)
	}
	res, err := workspace.Import(opts.dockerfile, data, workspace.ImportOptions{Output: opts.output, Name: opts.name, Force: opts.force})
	if err != nil {
		return err
	}
	printWarnings(s, res.Warnings)
	if len(res.Plan.Files) == 0 {
		_, err := s.out.Write(res.Spec)
		return err
	}
	if err := res.Plan.Apply(); err != nil {
		return err
	}
	sp := res.Plan.Files[0].Path
	fmt.Fprintf(s.err, "wrote %s\n", sp)
	if df := opts.dockerfile; df != "-" && filepath.Base(df) == "Dockerfile" && filepath.Clean(filepath.Dir(df)) == filepath.Clean(filepath.Dir(sp)) {
		// render writes the Dockerfile beside the spec: the user's file
		// is replaced only with --force.
		fmt.Fprintf(s.err, "next: `dockstage render %s --only Dockerfile --stdout` prints the Dockerfile the spec renders; `dockstage render %s --force` replaces %s with it (until then render and check refuse %s: dockstage did not write it)\n", sp, sp, df, df)
	}
	return nil
}

// runAdopt is import --into: one library call, then the spec written.
func runAdopt(s streams, opts importOptions, data []byte) error {
	res, err := workspace.Adopt(opts.into, opts.dockerfile, data)
	if err != nil {
		return err
	}
	printWarnings(s, res.Warnings)
	if err := res.Plan.Apply(); err != nil {
		return err
	}
	if res.Plan.Files[0].Decision == workspace.Unchanged {
		fmt.Fprintf(s.err, "%s already says what %s says\n", opts.into, opts.dockerfile)
		return nil
	}
	fmt.Fprintf(s.err, "adopted %s into %s (dockstage render %s re-stamps it)\n", opts.dockerfile, opts.into, opts.into)
	return nil
}

// printWarnings prints positioned warnings on standard error.
func printWarnings(s streams, warns []transpile.Warning) {
	for _, w := range warns {
		fmt.Fprintf(s.err, "%s: warning: %s\n", w.Pos, w.Msg)
	}
}

// readInput reads a file, or standard input for "-".
func readInput(s streams, path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(s.in)
	}
	return os.ReadFile(path)
}
