package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/dockstage/dockstage/templates/lint"
	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/spf13/cobra"
)

type lintOptions struct {
	files     []string
	format    string
	failOn    string
	config    string
	color     string
	kind      string
	noFix     bool
	listRules bool
	ignore    []string
}

func newLintCmd(s streams) *cobra.Command {
	var opts lintOptions
	cmd := &cobra.Command{
		Use:   "lint [FILE...]",
		Short: "Check Dockerfiles, specs and compose files",
		Long: `Lint each FILE ("-" for standard input; default dockstage.yaml, else Dockerfile):

  Dockerfile  every BuildKit build check (what docker build --check runs, here
              in-process and offline), then dockstage's rules on the imported spec
  spec        loaded and validated, rendered in memory, the build checks run on the
              rendered Dockerfile and mapped back to spec lines, then dockstage's rules
  compose     validated with compose-go, offline; errors at the line of their key

The kind comes from the name (Dockerfile*, *.Dockerfile, Containerfile; dockstage.yaml;
compose*.yaml, docker-compose*.yml), else from the content; --kind overrides it.

Findings print as "file:line:col: severity RULE message" with a fix hint; --format
json, sarif (SARIF 2.1.0, for code scanning), checkstyle, gitlab (code quality) and
github (workflow annotations) are for CI. Suppress one with "# dockstage:ignore=RULE[,RULE]" on the line above; configure
rules in .dockstage-lint.yaml (disable, enable, severity) or hadolint's .hadolint.yaml
beside the file, or with --config; --ignore skips rules. hadolint's IDs (DL3008) and
"# hadolint ignore=" pragmas work; ShellCheck runs on RUN scripts when it is on PATH. The Dockerfile "# check=skip=...;error=true" directive is honoured.
--list-rules prints every rule.

Exit status: 0 no finding at or above --fail-on, 1 findings at or above it,
2 a file is unreadable or invalid (DS000), or bad usage.`,
		Example: `  dockstage lint
  dockstage lint Dockerfile compose.yaml
  dockstage lint svc/dockstage.yaml --format sarif > dockstage.sarif
  cat Dockerfile | dockstage lint - --fail-on error`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			if !cmd.Flags().Changed("fail-on") {
				opts.failOn = ""
			}
			return runLint(cmd.Context(), s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "text", "output format: "+strings.Join(lint.Formats, ", "))
	f.StringSliceVar(&opts.ignore, "ignore", nil, "rules not to run: IDs, hadolint IDs (DL3008) or SC codes, comma-separated or repeated")
	f.StringVar(&opts.failOn, "fail-on", "warning", "lowest severity that makes the exit status 1: error, warning, info or none")
	f.StringVar(&opts.config, "config", "", "lint config file (default: "+lint.ConfigFile+" beside each linted file)")
	f.StringVar(&opts.color, "color", "auto", "colour the text output: auto (a terminal without NO_COLOR), always or never")
	f.StringVar(&opts.kind, "kind", "", "read every FILE as this kind: dockerfile, spec or compose (default: from name and content)")
	f.BoolVar(&opts.noFix, "no-fix", false, "leave the fix hints out of the text output")
	f.BoolVar(&opts.listRules, "list-rules", false, "print every rule (ID, severity, source, description) and exit")
	_ = cmd.RegisterFlagCompletionFunc("format", completeValues(lint.Formats...))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", completeValues("error", "warning", "info", "none"))
	_ = cmd.RegisterFlagCompletionFunc("color", completeValues("auto", "always", "never"))
	_ = cmd.RegisterFlagCompletionFunc("kind", completeValues("dockerfile", "spec", "compose"))
	return cmd
}

func runLint(ctx context.Context, s streams, opts lintOptions) error {
	if opts.listRules {
		return lint.WriteRuleList(s.out)
	}
	if !slices.Contains(lint.Formats, opts.format) {
		return badInput(fmt.Errorf("--format %q: use %s", opts.format, strings.Join(lint.Formats, ", ")))
	}
	kinds := map[string]lint.Kind{"": lint.KindDetect, "dockerfile": lint.KindDockerfile, "spec": lint.KindSpec, "compose": lint.KindCompose}
	kind, ok := kinds[strings.ToLower(opts.kind)]
	if !ok {
		return badInput(fmt.Errorf("--kind %q: use dockerfile, spec or compose", opts.kind))
	}
	color, err := useColor(opts.color, s.out)
	if err != nil {
		return badInput(err)
	}
	files := opts.files
	if len(files) == 0 {
		files = []string{"Dockerfile"}
		if _, err := os.Stat("dockstage.yaml"); err == nil {
			files = []string{"dockstage.yaml"}
		}
	}
	res, err := workspace.Lint(files, workspace.LintOptions{Config: opts.config, Kind: kind, Ignore: opts.ignore, FailOn: opts.failOn, Stdin: s.in})
	if err != nil {
		return badInput(err)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(s.err, "note: "+n)
	}
	if err = lint.Write(s.out, opts.format, res.Findings, version, lint.TextOptions{Color: color, NoFix: opts.noFix}); err != nil {
		return err
	}
	switch summary, invalid, failing := res.Summary(); {
	case invalid > 0:
		return badInput(fmt.Errorf("lint: %s; %d file(s) invalid", summary, invalid))
	case failing > 0:
		return &exitError{code: exitFindings, err: fmt.Errorf("lint: %s", summary)}
	}
	return nil
}

// useColor decides on colour: always, never, or auto: the output is a
// terminal, NO_COLOR is unset or empty and TERM is not dumb.
func useColor(mode string, out io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
	default:
		return false, fmt.Errorf("--color %q: use auto, always or never", mode)
	}
	return os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb" && isTerminal(out), nil
}
