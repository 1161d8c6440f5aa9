package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/dockstage/dockstage/transpile"
	"github.com/spf13/cobra"
)

type importOptions struct {
	dockerfile string
	output     string
	name       string
	force      bool
}

func newImportCmd(s streams) *cobra.Command {
	var opts importOptions
	cmd := &cobra.Command{
		Use:   "import [DOCKERFILE|-]",
		Short: "Import a Dockerfile into a spec",
		Long: `Import DOCKERFILE (default ./Dockerfile, "-" for standard input) into a spec,
keeping stages and instructions in order with every flag, heredoc and comment.
The spec is written to dockstage.yaml beside the Dockerfile (standard output when
reading standard input) unless -o says otherwise; "-o -" prints it. An existing
spec is not overwritten without --force.`,
		Example: `  dockstage import Dockerfile -o -
  dockstage import legacy/Dockerfile -o legacy/dockstage.yaml --name api`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dockerfile = argOr(args, "Dockerfile")
			return runImport(cmd.Context(), s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.output, "output", "o", "", `spec file to write, "-" for standard output (default: dockstage.yaml beside the Dockerfile)`)
	f.StringVar(&opts.name, "name", "", "service name for the spec (default: the Dockerfile's directory name, else \"app\")")
	f.BoolVar(&opts.force, "force", false, "overwrite an existing spec file")
	return cmd
}

func runImport(ctx context.Context, s streams, opts importOptions) error {
	data, err := readInput(s, opts.dockerfile)
	if err != nil {
		return err
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
	fmt.Fprintf(s.err, "wrote %s\n", res.Plan.Files[0].Path)
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
