package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/spf13/cobra"
)

type migrateOptions struct {
	dockerfile    string
	context       string
	output        string
	name          string
	json          bool
	force         bool
	keepShellForm bool
	keepProdBase  bool
	stdout        bool
}

func newMigrateCmd(s streams) *cobra.Command {
	var opts migrateOptions
	cmd := &cobra.Command{
		Use:   "migrate [DOCKERFILE|-]",
		Short: "Split a single-stage Dockerfile into base, src, test and prod, with a report",
		Long: `Migrate DOCKERFILE (default ./Dockerfile, "-" for standard input) into the standard
layout: base (system packages, runtime, dependency manifests and their install), src
(the source and the build), test (only when the Dockerfile runs tests) and prod (user,
ports, healthcheck, entrypoint/cmd). Where it is safe, the dependency install moves
before the source copy, after a copy of only the manifests it reads. A multistage
Dockerfile is migrated when its last stage starts from an image: only that stage is
split, the others are kept.

It writes dockstage.yaml, Dockerfile, compose.yaml (publishing the EXPOSEd ports) and
migrate-report.txt, which maps each original line to its stage and names every change
in behaviour. When the build's output is known (a Go or Rust binary, a .NET publish
directory, a jar), prod starts from a runtime image (build arg RUNTIME_IMAGE) with only
that output; --keep-prod-base keeps it on the original image. The migrated prod target is proven to be the original build except for
those changes (the rules of 'dockstage diff'); a migration that fails the proof is an
internal error and nothing is written.

Where the files go:
  -o DIR    all the files in DIR; compose.yaml and docker-bake.hcl build DIR's
            Dockerfile with the original build context, and the .dockerignore block
            is DIR/Dockerfile.dockerignore, which BuildKit reads for that Dockerfile.
  -o -      all four printed on standard output (the default for standard input;
            --stdout is the same).
  (no -o)   beside the Dockerfile. The original Dockerfile is never replaced without
            --force: without it, only dockstage.yaml and migrate-report.txt are
            written, and 'dockstage render --force' (or migrate --force) replaces the
            Dockerfile once you have read the report (keep a copy of the original).
            compose.yaml, docker-bake.hcl and the .dockerignore block come with the
            Dockerfile: the report lists them under "not written yet".
Other existing files are replaced only when dockstage generated them and they are
unchanged since, or with --force.

The build context (--context, default the Dockerfile's directory) is read to find
the ecosystem and the manifests; .dockerignore is honoured.

Exit status: 0 migrated, 2 invalid or refused Dockerfile, or a file not replaced.`,
		Example: `  dockstage migrate -o -
  dockstage migrate legacy/Dockerfile -o build/migrated
  dockstage migrate --force            # replace ./Dockerfile (keep it in version control)
  dockstage migrate --json -o out/ > report.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dockerfile = argOr(args, "Dockerfile")
			var err error
			if opts.output, err = stdoutOutput(opts.stdout, opts.output); err != nil {
				return err
			}
			return runMigrate(cmd.Context(), s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.context, "context", "", "build context directory (default: the Dockerfile's directory; . for standard input)")
	f.StringVarP(&opts.output, "output", "o", "", `directory to write the files to, "-" for standard output (default: beside the Dockerfile, see above)`)
	f.StringVar(&opts.name, "name", "", "service name for the spec (default: the Dockerfile's directory name, else \"app\")")
	f.BoolVar(&opts.json, "json", false, "also print the report as JSON on standard output ("+workspace.ReportFile+" is written as well)")
	f.BoolVar(&opts.force, "force", false, "replace the original Dockerfile and files dockstage did not generate")
	f.BoolVar(&opts.stdout, "stdout", false, "print the files instead of writing them (the same as -o -)")
	f.BoolVar(&opts.keepShellForm, "keep-shell-form", false, "keep shell-form CMD and ENTRYPOINT as they are")
	f.BoolVar(&opts.keepProdBase, "keep-prod-base", false, "keep prod on the original image even when the build's output is known (no runtime image)")
	return cmd
}

func runMigrate(ctx context.Context, s streams, opts migrateOptions) error {
	data, err := readInput(s, opts.dockerfile)
	if err != nil {
		return err
	}
	m, err := workspace.Migrate(data, workspace.MigrateOptions{
		Dockerfile: opts.dockerfile, Context: opts.context, OutDir: opts.output, Name: opts.name,
		JSON: opts.json, Force: opts.force, KeepShellForm: opts.keepShellForm, KeepProdBase: opts.keepProdBase,
	})
	if err != nil {
		return err
	}
	printWarnings(s, m.Result.Warnings)
	if m.OutDir == "-" {
		return printFiles(s, m.Plan.Files, "")
	}
	if err := apply(s, m.Plan); err != nil {
		return err
	}
	where := filepath.Join(m.OutDir, workspace.ReportFile)
	if opts.json {
		b, err := m.Result.Report.JSON()
		if err != nil {
			return err
		}
		if _, err := s.out.Write(b); err != nil {
			return err
		}
		where += " (and the JSON report on standard output)"
	}
	fmt.Fprintf(s.err, "%d change(s) in behaviour, %d note(s): see %s\n", len(m.Result.Report.Changes), len(m.Result.Report.Notes), where)
	if m.KeptOriginal {
		fmt.Fprintf(s.err, "kept %s: it is the original; after reading the report, replace it with `dockstage render %s --force` (or migrate again with --force)\n",
			opts.dockerfile, filepath.Join(m.OutDir, "dockstage.yaml"))
	}
	return nil
}
