package main

import (
	"context"
	"fmt"

	"github.com/dockstage/dockstage/templates/graph"
	"github.com/dockstage/dockstage/templates/lint"
	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/spf13/cobra"
)

type graphOptions struct {
	file   string
	format string
	target string
}

func newGraphCmd(s streams) *cobra.Command {
	var opts graphOptions
	cmd := &cobra.Command{
		Use:   "graph [SPEC|DOCKERFILE]",
		Short: "Draw the stage graph of a spec or Dockerfile (Mermaid or dot)",
		Long: `Print the stage graph of a spec or Dockerfile ("-" for standard input; default
dockstage.yaml): stages and the images they use (FROM, COPY --from, RUN --mount
from=) as nodes, edges labelled FROM, COPY with the copied paths, or mount with
its target. Named stages (targets) are bold, the last stage (the default target)
thick and filled; --target keeps only what that target needs.

--format mermaid (default) is a flowchart GitHub renders in a Markdown
` + "```mermaid" + ` block; --format dot is a Graphviz digraph (dot -Tsvg).
The kind comes from the name (dockstage.yaml, *.yaml: spec), else the content,
as lint tells it.

Exit status: 0 printed, 2 the file is unreadable or invalid, or bad usage.`,
		Example: `  dockstage graph
  dockstage graph Dockerfile --format dot | dot -Tsvg > stages.svg
  dockstage graph dockstage.yaml --target prod`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.file = argOr(args, "dockstage.yaml")
			return runGraph(cmd.Context(), s, opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", graph.Mermaid, "output format: mermaid or dot")
	cmd.Flags().StringVar(&opts.target, "target", "", "draw only the stages this target needs")
	_ = cmd.RegisterFlagCompletionFunc("format", completeValues(graph.Mermaid, "dot"))
	_ = cmd.RegisterFlagCompletionFunc("target", completeTargets)
	return cmd
}

func runGraph(_ context.Context, s streams, opts graphOptions) error {
	src, err := readInput(s, opts.file)
	if err != nil {
		return err
	}
	name := workspace.DisplayName(opts.file)
	kind := lint.DetectKind(name, src)
	if kind == lint.KindCompose {
		return badInput(fmt.Errorf("%s: is a compose file; graph draws the stages of a spec or a Dockerfile (dockstage graph dockstage.yaml, or the Dockerfile the compose file builds)", name))
	}
	out, err := graph.Render(name, src, graph.Options{Format: opts.format, Target: opts.target, Spec: kind == lint.KindSpec})
	if err != nil {
		return badInput(err)
	}
	_, err = fmt.Fprint(s.out, out)
	return err
}
