package main

import (
	"fmt"
	"strings"

	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/spf13/cobra"
)

type fmtOptions struct {
	paths []string
	check bool
	ws    workspace.FmtOptions
}

func newFmtCmd(s streams) *cobra.Command {
	var opts fmtOptions
	cmd := &cobra.Command{
		Use:   "fmt [FILE|-]... [-w] [--check] [--diff]",
		Short: "Format Dockerfiles, proven the same build",
		Long: `Format each Dockerfile FILE (default ./Dockerfile, "-" for standard input):
instruction keywords and AS in upper case, ENV and LABEL as KEY=value pairs, exec
forms as ["a", "b"], flags in one order, continued pairs aligned. Shell text,
heredoc bodies, comments, blank lines between instructions, parser directives
and line endings are kept. Each result is proven the same build as the file
(the check dockstage diff makes), with every comment kept, before it is printed
or written; a file that cannot be proven is left alone with a message.

Without flags the formatted files print on standard output. -w rewrites each
changed file in place (keeping its mode; standard input is printed); --check lists the files that would
change; --diff prints a unified diff of each change. The flags combine.

Exit status: 0 fine, 1 with --check when a file would change, 2 a file is
unreadable, invalid or could not be proven (the other files are still done).`,
		Example: `  dockstage fmt Dockerfile
  dockstage fmt -w Dockerfile build/*.Dockerfile
  dockstage fmt --check --diff Dockerfile`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			if len(opts.paths) == 0 {
				opts.paths = []string{"Dockerfile"}
			}
			opts.ws.Stdin = s.in
			return runFmt(s, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.ws.Write, "write", "w", false, "rewrite each changed file in place")
	f.BoolVar(&opts.check, "check", false, "list the files that would change; exit 1 when any would")
	f.BoolVar(&opts.ws.Diff, "diff", false, "print a unified diff of each change")
	return cmd
}

func runFmt(s streams, opts fmtOptions) error {
	res := workspace.Fmt(opts.paths, opts.ws)
	plain := !opts.check && !opts.ws.Diff && !opts.ws.Write
	var failed, changed []string
	for _, f := range res.Files {
		switch {
		case f.Err != nil:
			fmt.Fprintln(s.err, missingFile(f.Err, "fmt"))
			failed = append(failed, f.Name)
			continue
		case f.Changed:
			changed = append(changed, f.Name)
		}
		printWarnings(s, f.Moved)
		if plain || (opts.ws.Write && f.Name == "<stdin>" && !opts.check && !opts.ws.Diff) {
			if _, err := s.out.Write(f.Output); err != nil {
				return err
			}
		}
		if opts.check && f.Changed {
			fmt.Fprintln(s.out, f.Name)
		}
		fmt.Fprint(s.out, f.Diff)
	}
	if err := res.Plan.Apply(); err != nil {
		return badInput(err)
	}
	for _, f := range res.Plan.Files {
		fmt.Fprintf(s.err, "formatted %s\n", f.Path)
	}
	switch {
	case len(failed) > 0:
		return badInput(fmt.Errorf("%d file(s) not formatted: %s", len(failed), strings.Join(failed, ", ")))
	case opts.check && len(changed) > 0:
		return &exitError{code: exitFindings, err: fmt.Errorf("%d file(s) would change", len(changed))}
	}
	return nil
}
