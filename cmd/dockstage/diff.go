package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/dockstage/dockstage/transpile"
	"github.com/spf13/cobra"
)

type diffOptions struct {
	a, b   string
	target string
}

func newDiffCmd(s streams) *cobra.Command {
	var opts diffOptions
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "Tell whether two Dockerfiles are the same build, per target",
		Long: `Compare Dockerfiles A and B ("-" for standard input, once) as builds: for each
target (every stage name either defines, and the default last stage; or only
--target), the stages it depends on and their instructions, typed and in order.
Layout, comments, keyword case, flag spelling, stage names and quoting that does
not change a value are ignored. Each difference prints with its line in both files.

Exit status: 0 the same build, 1 different, 2 a file is unreadable or invalid.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.a, opts.b = args[0], args[1]
			return runDiff(cmd.Context(), s, opts)
		},
	}
	cmd.Flags().StringVar(&opts.target, "target", "", "compare only this target stage")
	_ = cmd.RegisterFlagCompletionFunc("target", completeTargets)
	return cmd
}

func runDiff(ctx context.Context, s streams, opts diffOptions) error {
	if opts.a == "-" && opts.b == "-" {
		return badInput(fmt.Errorf("only one of A and B can be standard input"))
	}
	a, err := readInput(s, opts.a)
	if err != nil {
		return err
	}
	b, err := readInput(s, opts.b)
	if err != nil {
		return err
	}
	diffs, err := transpile.CompareBuilds(workspace.DisplayName(opts.a), a, workspace.DisplayName(opts.b), b, opts.target)
	if err != nil {
		return badInput(err)
	}
	if len(diffs) == 0 {
		fmt.Fprintf(s.out, "%s and %s are the same build\n", workspace.DisplayName(opts.a), workspace.DisplayName(opts.b))
		return nil
	}
	for _, d := range diffs {
		fmt.Fprintf(s.out, "target %s: %s\n", d.Target, d.Msg)
		fmt.Fprintf(s.out, "  %s:\n%s\n", where(opts.a, d.LineA), indent(d.A, "    - "))
		fmt.Fprintf(s.out, "  %s:\n%s\n", where(opts.b, d.LineB), indent(d.B, "    + "))
	}
	return &exitError{code: exitFindings, err: fmt.Errorf("%s and %s differ: %d difference(s)", workspace.DisplayName(opts.a), workspace.DisplayName(opts.b), len(diffs))}
}

func where(p string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", workspace.DisplayName(p), line)
	}
	return workspace.DisplayName(p)
}

func indent(s, prefix string) string {
	if s == "" {
		return prefix + "(nothing)"
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
