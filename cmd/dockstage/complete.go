package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates/presets"
	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/dockstage/dockstage/transpile"
)

// Shell completion (cobra's `dockstage completion bash|zsh|fish|powershell`):
// the values each flag offers. Completion never writes a file and never
// fails: what cannot be read offers nothing.

// completeValues offers a fixed list of values.
func completeValues(values ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
}

// completePresets offers the preset names of `init --preset`: the built-in
// presets and those of the --preset-dir given on the command line.
func completePresets(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	dir := presetDirFS(cmd)
	all, err := presets.Presets(dir)
	if err != nil && dir != nil {
		all, _ = presets.Presets(nil)
	}
	var out []cobra.Completion
	for _, p := range all {
		out = append(out, cobra.CompletionWithDesc(p.Name, p.Description))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func presetDirFS(cmd *cobra.Command) fs.FS {
	d, _ := cmd.Flags().GetString("preset-dir")
	if d == "" {
		return nil
	}
	if info, err := os.Stat(d); err != nil || !info.IsDir() {
		return nil
	}
	return os.DirFS(d)
}

// renderFileNames are the files render can write, offered by --only when
// the spec on the command line does not render.
var renderFileNames = []string{"Dockerfile", "compose.yaml", "compose.dev.yaml", "docker-bake.hcl", ".dockerignore"}

// completeOnly offers the files `render SPEC --stdout --only` can print:
// those SPEC (default dockstage.yaml) renders, planned in memory, else
// every file render can write.
func completeOnly(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	sp := argOr(args, "dockstage.yaml")
	if sp != "-" {
		if plan, err := workspace.Render(sp, nil, workspace.Options{Force: true}); err == nil {
			var names []string
			for _, f := range plan.Files {
				names = append(names, f.Name)
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		}
	}
	return renderFileNames, cobra.ShellCompDirectiveNoFileComp
}

// completeTargets offers the stage names of the Dockerfiles or specs named
// by the command's arguments (a spec: a .yaml or .yml file), each once, in
// file order.
func completeTargets(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	seen := map[string]bool{}
	for _, a := range args {
		for _, name := range stageNames(a) {
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// stageNames lists the named stages of a Dockerfile or spec file, nil when
// it cannot be read.
func stageNames(path string) []string {
	if path == "-" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var s *spec.Spec
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		s, err = spec.Load(path, data)
	default:
		s, _, err = transpile.Reverse(path, data, transpile.ReverseOptions{})
	}
	if err != nil {
		return nil
	}
	var names []string
	for _, st := range s.Stages {
		if !st.Anonymous {
			names = append(names, st.Name)
		}
	}
	return names
}
