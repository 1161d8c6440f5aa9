package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/dockstage/dockstage/transpile"
	"github.com/spf13/cobra"
)

type diffOptions struct {
	a, b   string
	target string
	strict bool
	format string
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
not change a value are ignored; stages pair by name, else by their place in a
target both files have, else by content. Consecutive ENV and LABEL instructions
compare as the image config they make (ENV on one line or three is the same
build); --strict compares layers and history too, so such splits differ.

Each difference prints once, with the targets it affects and the instruction's
lines in both files (file:line), the changed words marked [-old-] in A and
{+new+} in B (in colour on a terminal, unless NO_COLOR is set). --format json
prints the differences as a JSON array: source_a and source_b hold the lines as
written, marked_a and marked_b the same lines with the marks.

Exit status: 0 the same build, 1 different, 2 a file is unreadable or invalid.`,
		Example: `  dockstage diff Dockerfile Dockerfile.new
  dockstage diff Dockerfile other/Dockerfile --target prod --strict
  git show HEAD:Dockerfile | dockstage diff - Dockerfile --format json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.a, opts.b = args[0], args[1]
			return runDiff(cmd.Context(), s, opts)
		},
	}
	cmd.Flags().StringVar(&opts.target, "target", "", "compare only this target stage")
	cmd.Flags().BoolVar(&opts.strict, "strict", false, "compare layers and history too (ENV/LABEL split over several instructions differs)")
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("target", completeTargets)
	_ = cmd.RegisterFlagCompletionFunc("format", completeValues("text", "json"))
	return cmd
}

func runDiff(ctx context.Context, s streams, opts diffOptions) error {
	if opts.a == "-" && opts.b == "-" {
		return badInput(fmt.Errorf("only one of A and B can be standard input"))
	}
	if opts.format != "text" && opts.format != "json" {
		return badInput(fmt.Errorf("unknown --format %q; use text or json", opts.format))
	}
	a, err := readInput(s, opts.a)
	if err != nil {
		return err
	}
	b, err := readInput(s, opts.b)
	if err != nil {
		return err
	}
	nameA, nameB := workspace.DisplayName(opts.a), workspace.DisplayName(opts.b)
	diffs, err := transpile.Compare(nameA, a, nameB, b, transpile.CompareOptions{Target: opts.target, Strict: opts.strict})
	if err != nil {
		return badInput(err)
	}
	if opts.format == "json" {
		if diffs == nil {
			diffs = []transpile.Difference{}
		}
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(diffs); err != nil {
			return err
		}
	} else if len(diffs) == 0 {
		fmt.Fprintf(s.out, "%s and %s are the same build\n", nameA, nameB)
	} else {
		printDiffs(s, nameA, nameB, diffs)
	}
	if len(diffs) == 0 {
		return nil
	}
	return &exitError{code: exitFindings, err: fmt.Errorf("%s and %s differ: %d difference(s)", nameA, nameB, len(diffs))}
}

func printDiffs(s streams, nameA, nameB string, diffs []transpile.Difference) {
	color, _ := useColor("auto", s.out)
	for i, d := range diffs {
		if i > 0 {
			fmt.Fprintln(s.out)
		}
		label := "target "
		if len(d.Targets) > 1 {
			label = "targets "
		}
		msg := d.Msg
		if len(d.Fields) > 0 {
			msg += ": " + strings.Join(d.Fields, ", ")
		}
		where := label + strings.Join(d.Targets, ", ")
		if d.Stage != "" && (len(d.Targets) != 1 || !strings.HasPrefix(d.Targets[0], d.Stage)) {
			where += "; in " + stageName(d.Stage)
		}
		fmt.Fprintf(s.out, "%s: %s\n", where, msg)
		wa, wb := transpile.Where(nameA, d.LineA, d.EndA), transpile.Where(nameB, d.LineB, d.EndB)
		w := max(len(wa), len(wb)) + 2
		fmt.Fprint(s.out, side(wa, w, cmp.Or(d.MarkedA, d.SourceA), d.A, "(not in "+nameA+")", color))
		fmt.Fprint(s.out, side(wb, w, cmp.Or(d.MarkedB, d.SourceB), d.B, "(not in "+nameB+")", color))
		if d.Note != "" {
			fmt.Fprintf(s.out, "  note: %s\n", d.Note)
		}
	}
}

// side prints one file's lines of a difference, each after the place
// (padded to width), continuation lines aligned under the first.
func side(where string, width int, source, norm, missing string, color bool) string {
	text := source
	if text == "" {
		text = norm
	}
	if text == "" {
		text = missing
	}
	if color {
		text = colorMarks.Replace(text)
	}
	lines := strings.Split(text, "\n")
	var b strings.Builder
	for i, l := range lines {
		prefix := where
		if i > 0 {
			prefix = ""
		}
		fmt.Fprintf(&b, "  %-*s%s\n", width, prefix, l)
	}
	return b.String()
}

// colorMarks turns the word-diff markers into ANSI colour (red removed,
// green added).
var colorMarks = strings.NewReplacer("[-", "\x1b[31m", "-]", "\x1b[0m", "{+", "\x1b[32m", "+}", "\x1b[0m")

// stageName is a Difference's Stage as prose: "stage NAME", or an unnamed
// stage's title (which begins "stage N (FROM ...").
func stageName(title string) string {
	if strings.HasPrefix(title, "stage ") && strings.Contains(title, " (FROM ") {
		return title
	}
	return "stage " + title
}
