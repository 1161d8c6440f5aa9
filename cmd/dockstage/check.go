package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/spf13/cobra"
)

type checkOptions struct {
	paths  []string
	format string
	ws     workspace.CheckOptions
}

func newCheckCmd(s streams) *cobra.Command {
	var opts checkOptions
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Check that committed Dockerfiles and compose files match their specs",
		Long: `Find every dockstage.yaml under PATH (default .), render it in memory and compare
the result with the committed Dockerfile, compose files, docker-bake.hcl, the
generated block of .dockerignore and the spec's dockstage.lock (see lock). What
the files mean is compared: blank lines and trailing blanks are no drift. Each
problem names its kind and its fix: stale-render (run dockstage render),
hand-edit (adopt it with dockstage import --into, or drop it with render
--force), missing, not-generated, spec-invalid (at each error's position) and
lock; a drifted file prints as a unified diff (committed -> rendered). A spec
that extends layouts is merged over them first, and a drifted one names its
layouts: a layout change drifts every spec extending it. --format
github prints GitHub Actions annotations at the first differing line, --format
sarif a SARIF 2.1.0 log for code scanning. Specs are checked in parallel; on a
terminal a progress line shows for long runs.

Exit status: 0 no drift, 1 drift or a stale lock, 2 a spec is invalid or unreadable.`,
		Example: `  dockstage check
  dockstage check services/ --format json
  dockstage check --format github`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			if len(opts.paths) == 0 {
				opts.paths = []string{"."}
			}
			return runCheck(cmd.Context(), s, opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: "+strings.Join(workspace.CheckFormats, ", "))
	_ = cmd.RegisterFlagCompletionFunc("format", completeValues(workspace.CheckFormats...))
	cmd.Flags().IntVarP(&opts.ws.Jobs, "jobs", "j", 0, "specs to check at once (default: the number of CPUs)")
	cmd.Flags().BoolVar(&opts.ws.Locked, "locked", false, "a spec that builds from an image must have a dockstage.lock")
	cmd.Flags().BoolVar(&opts.ws.Remote, "remote", false, "also ask the registries whether a locked tag has moved")
	registryFlags(cmd, &opts.ws.Resolver)
	return cmd
}

func runCheck(ctx context.Context, s streams, opts checkOptions) error {
	if opts.ws.Jobs <= 0 {
		opts.ws.Jobs = runtime.NumCPU()
	}
	if !slices.Contains(workspace.CheckFormats, opts.format) {
		return badInput(fmt.Errorf("--format %q: use %s", opts.format, strings.Join(workspace.CheckFormats, ", ")))
	}
	// On a terminal, runs of more than a few specs show "checked N/M".
	progress := func(n, of int) {}
	if isTerminal(s.err) && os.Getenv("CI") == "" {
		shown := false
		progress = func(n, of int) {
			if shown = of > 8; shown {
				fmt.Fprintf(s.err, "\rchecked %d/%d", n, of)
			}
		}
		defer func() {
			if shown {
				fmt.Fprint(s.err, "\r\033[K")
			}
		}()
	}
	opts.ws.Step = progress
	res, err := workspace.Check(ctx, opts.paths, opts.ws)
	if err != nil {
		return err
	}
	if err := res.Write(s.out, opts.format, version); err != nil {
		return err
	}
	// One summary, on standard error whatever the format: standard
	// output is only the report.
	summary := errors.New(res.Summary())
	switch {
	case res.Invalid > 0:
		return &exitError{code: exitBad, err: summary}
	case res.Drifted > 0:
		return &exitError{code: exitFindings, err: summary}
	}
	_, err = fmt.Fprintln(s.err, summary)
	return err
}
