package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
	"github.com/dockstage/dockstage/transpile/migrate"
	"github.com/spf13/cobra"
)

const reportFile = "migrate-report.txt"

type migrateOptions struct {
	dockerfile    string
	context       string
	output        string
	name          string
	json          bool
	force         bool
	keepShellForm bool
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
in behaviour. The migrated prod target is proven to be the original build except for
those changes (the rules of 'dockstage diff'); a migration that fails the proof is an
internal error and nothing is written.

Where the files go:
  -o DIR    all four files in DIR.
  -o -      all four printed on standard output (the default for standard input).
  (no -o)   beside the Dockerfile. The original Dockerfile is never replaced without
            --force: without it, only dockstage.yaml and migrate-report.txt are
            written, and 'dockstage render --force' (or migrate --force) replaces the
            Dockerfile once you have read the report. compose.yaml comes with the
            Dockerfile.
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
			opts.dockerfile = "Dockerfile"
			if len(args) == 1 {
				opts.dockerfile = args[0]
			}
			return runMigrate(s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.context, "context", "", "build context directory (default: the Dockerfile's directory; . for standard input)")
	f.StringVarP(&opts.output, "output", "o", "", `directory to write the files to, "-" for standard output (default: beside the Dockerfile, see above)`)
	f.StringVar(&opts.name, "name", "", "service name for the spec (default: the Dockerfile's directory name, else \"app\")")
	f.BoolVar(&opts.json, "json", false, "print the report as JSON on standard output instead of writing "+reportFile)
	f.BoolVar(&opts.force, "force", false, "replace the original Dockerfile and files dockstage did not generate")
	f.BoolVar(&opts.keepShellForm, "keep-shell-form", false, "keep shell-form CMD and ENTRYPOINT as they are")
	return cmd
}

// outFile is a file migrate writes.
type outFile struct {
	name    string
	content []byte
	// merge: the content is dockstage's block of .dockerignore, written in
	// front of the user's part of the existing file.
	merge bool
}

func runMigrate(s streams, opts migrateOptions) error {
	stdin := opts.dockerfile == "-"
	data, err := readInput(s, opts.dockerfile)
	if err != nil {
		return err
	}
	file := opts.dockerfile
	dfDir := filepath.Dir(opts.dockerfile)
	if stdin {
		file, dfDir = "<stdin>", "."
	}
	if opts.output == "" && stdin {
		opts.output = "-"
	}
	if opts.json && opts.output == "-" {
		return badInput(errors.New("--json prints the report on standard output; give -o DIR for the other files"))
	}
	ctxDir := opts.context
	if ctxDir == "" {
		ctxDir = dfDir
	}
	if st, err := os.Stat(ctxDir); err != nil || !st.IsDir() {
		return badInput(fmt.Errorf("--context %s: not a directory", ctxDir))
	}
	name := opts.name
	if name == "" && !stdin {
		if abs, err := filepath.Abs(opts.dockerfile); err == nil {
			name = serviceName(filepath.Base(filepath.Dir(abs)))
		}
	}
	res, err := migrate.Migrate(data, migrate.Options{
		File: file, Name: name, Context: os.DirFS(ctxDir), KeepShellForm: opts.keepShellForm,
	})
	if err != nil {
		var ie *migrate.InternalError
		if errors.As(err, &ie) {
			return err
		}
		return badInput(err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(s.err, "%s: warning: %s\n", w.Pos, w.Msg)
	}

	outDir := opts.output
	if outDir == "" {
		outDir = dfDir
	}
	if outDir != "-" {
		res.Spec.Compose.Context = composeContext(outDir, ctxDir)
	}
	files, err := renderMigrated(res)
	if err != nil {
		return err
	}
	report := res.Report.Text()
	specYAML, err := spec.Marshal(res.Spec)
	if err != nil {
		return err
	}
	all := []outFile{{name: "dockstage.yaml", content: specYAML}}
	for _, f := range files {
		all = append(all, outFile{name: f.Name, content: f.Content, merge: f.Merge})
	}
	if !opts.json {
		all = append(all, outFile{name: reportFile, content: report})
	}
	if opts.output == "-" {
		var tf []templates.File
		for _, f := range all {
			tf = append(tf, templates.File{Name: f.name, Content: f.content})
		}
		return printFiles(s, tf, "")
	}

	// The original Dockerfile is replaced only with --force; until it is,
	// the files that go with the migrated one wait too (compose and bake
	// build it; .dockerignore would change the original's build context).
	keepOriginal := false
	if !opts.force && !stdin && sameFile(filepath.Join(outDir, "Dockerfile"), opts.dockerfile) {
		keepOriginal = true
		var kept []outFile
		for _, f := range all {
			if f.name == "dockstage.yaml" || f.name == reportFile {
				kept = append(kept, f)
			}
		}
		all = kept
	}
	force := func(f outFile) bool {
		// An earlier report is ours to replace; a merged file keeps the user's part.
		old, err := os.ReadFile(filepath.Join(outDir, f.name))
		return opts.force || f.merge || f.name == reportFile && err == nil && bytes.HasPrefix(old, []byte("dockstage migrate "))
	}
	// Check every file before writing any, so that a refusal leaves nothing half done.
	for i, f := range all {
		p := filepath.Join(outDir, f.name)
		if f.merge {
			existing, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				return badInput(err)
			}
			if all[i].content, err = templates.MergeDockerignore(f.content, existing, opts.force); err != nil {
				return badInput(fmt.Errorf("%s: %w", p, err))
			}
		}
		if err := checkWritable(p, all[i].content, force(f)); err != nil {
			return err
		}
	}
	for _, f := range all {
		p := filepath.Join(outDir, f.name)
		r, err := writeFile(p, f.content, force(f))
		if err != nil {
			return err
		}
		verb := "wrote"
		if r == unchanged {
			verb = "unchanged"
		}
		fmt.Fprintf(s.err, "%s %s\n", verb, p)
	}
	if opts.json {
		b, err := res.Report.JSON()
		if err != nil {
			return err
		}
		if _, err := s.out.Write(b); err != nil {
			return err
		}
	}
	fmt.Fprintf(s.err, "%d change(s) in behaviour, %d note(s): see %s\n", len(res.Report.Changes), len(res.Report.Notes), reportWhere(opts, outDir))
	if keepOriginal {
		fmt.Fprintf(s.err, "kept %s: it is the original; after reading the report, replace it with `dockstage render %s --force` (or migrate again with --force)\n",
			opts.dockerfile, filepath.Join(outDir, "dockstage.yaml"))
	} else if abs(outDir) != abs(ctxDir) {
		fmt.Fprintf(s.err, "note: compose.yaml builds %s with the Dockerfile of that directory (compose resolves it in the build context): the migrated stages once %s replaces it\n",
			ctxDir, filepath.Join(outDir, "Dockerfile"))
	}
	return nil
}

func reportWhere(opts migrateOptions, outDir string) string {
	if opts.json {
		return "the JSON report"
	}
	return filepath.Join(outDir, reportFile)
}

// renderMigrated renders the migrated spec and proves the rendered
// Dockerfile itself: imported back, its prod target must pass the proof.
func renderMigrated(res *migrate.Result) ([]templates.File, error) {
	files, err := renderSpec(res.Spec, "dockstage.yaml")
	if err != nil {
		return nil, err
	}
	back, _, err := transpile.Reverse("Dockerfile", files[0].Content, transpile.ReverseOptions{Name: res.Spec.Name})
	if err != nil {
		return nil, fmt.Errorf("internal error: the rendered Dockerfile does not import: %w", err)
	}
	p, err := migrate.Prove(res.Original, back, res.Report)
	if err != nil {
		return nil, fmt.Errorf("internal error: proof of the rendered Dockerfile: %w", err)
	}
	if !p.OK() {
		return nil, fmt.Errorf("internal error: the rendered Dockerfile's prod target differs from the original in ways the report does not name (nothing written; please report this Dockerfile):\n%s", p)
	}
	return files, nil
}

// composeContext is the build context as compose.yaml in outDir sees it.
func composeContext(outDir, ctxDir string) string {
	rel, err := filepath.Rel(abs(outDir), abs(ctxDir))
	if err != nil {
		return filepath.ToSlash(abs(ctxDir))
	}
	rel = filepath.ToSlash(rel)
	if rel == "." {
		return ""
	}
	return rel
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// sameFile reports whether a and b are the same file (or the same path when
// a does not exist).
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	return abs(a) == abs(b)
}

// checkWritable says whether writeFile would replace path, without writing.
func checkWritable(path string, content []byte, force bool) error {
	old, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
		return nil
	case err != nil:
		if st, serr := os.Stat(path); serr == nil && st.IsDir() {
			return badInput(fmt.Errorf("%s: is a directory", path))
		}
		return badInput(err)
	case force || bytes.Equal(old, content):
		return nil
	}
	generated, same := templates.Owned(old)
	switch {
	case !generated:
		return badInput(fmt.Errorf("%s: exists and was not generated by dockstage; not overwriting it (use --force to replace it, or -o DIR to write elsewhere)", path))
	case !same:
		return badInput(fmt.Errorf("%s: was edited since dockstage generated it; not overwriting it (use --force to discard the edits)", path))
	}
	return nil
}
