package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/dockstage/dockstage/spec"
)

// Exit codes: 0 fine, 1 findings (lint findings, drift, a different build),
// 2 bad input or usage.
const (
	exitOK       = 0
	exitFindings = 1
	exitBad      = 2
)

// version is set at link time (-ldflags "-X main.version=...").
var version = "dev"

// streams are the command's standard streams.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// exitError carries an exit code with an error already worth printing.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func badInput(err error) error { return &exitError{code: exitBad, err: err} }

// argOr is a command's one optional argument, or def when it has none.
// stdoutOutput merges --stdout into -o: --stdout is -o -, and -o naming a
// file or directory with --stdout is refused (one place the output goes).
func stdoutOutput(stdout bool, output string) (string, error) {
	if !stdout {
		return output, nil
	}
	if output != "" && output != "-" {
		return "", badInput(fmt.Errorf("--stdout prints to standard output; drop -o %s, or drop --stdout to write there", output))
	}
	return "-", nil
}

func argOr(args []string, def string) string {
	if len(args) == 1 {
		return args[0]
	}
	return def
}

func newRootCmd(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "dockstage",
		Short: "Render multistage Dockerfiles and compose files from a YAML spec, and import Dockerfiles back",
		Long: `dockstage keeps a service's container build in one YAML spec (dockstage.yaml):
standard stages base -> src -> test -> prod plus builder stages whose artifacts
reach prod through COPY --from. It renders the spec into a multistage Dockerfile
and compose files, each parsed back before it is written, and imports existing
Dockerfiles into the spec.`,
		Version:       versionText(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// The CLI reference pages (docs/) carry no generation date, so
		// that they change only with the command tree.
		DisableAutoGenTag: true,
	}
	root.SetVersionTemplate("dockstage {{.Version}}\n")
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return badInput(fmt.Errorf("%w (see '%s --help')", err, c.CommandPath()))
	})
	root.AddCommand(
		newRenderCmd(s),
		newInitCmd(s),
		newImportCmd(s),
		newCheckCmd(s),
		newLockCmd(s),
		newDiffCmd(s),
		newFmtCmd(s),
		newGraphCmd(s),
		newLintCmd(s),
		newMigrateCmd(s),
		newSchemaCmd(s),
		newVersionCmd(s),
	)
	return root
}

// run executes the command line and returns the exit code; it is main
// without os.Exit, so that tests can call it.
func run(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	s := streams{in: in, out: out, err: errw}
	root := newRootCmd(s)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(errw, missingFile(err, cmd.Name()))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// cobra's own errors: unknown command, wrong argument count.
	return exitBad
}

func newVersionCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print dockstage's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(s.out, "dockstage %s\n", versionText())
			return err
		},
	}
}

// versionText is what `dockstage version` and `dockstage --version` print
// after the program name: the version and the spec version it reads.
func versionText() string { return fmt.Sprintf("%s (spec version %d)", version, spec.Version) }

// missingFile is the one home of the message for a file that does not
// exist, whichever command and library call met it: "FILE: no such file;"
// and what to do, in place of Go's "open FILE: no such file or directory";
// and for a directory given where a file is read: "DIR: is a directory;"
// and the file in it to give, in place of "read DIR: is a directory".
func missingFile(err error, command string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && errors.Is(pe.Err, syscall.EISDIR) {
		return keepCode(err, fmt.Errorf("%s: is a directory; %s", pe.Path, fileIn(pe.Path)))
	}
	if !errors.As(err, &pe) || !errors.Is(pe.Err, fs.ErrNotExist) {
		return err
	}
	next := map[string]string{
		"import":  "give the path of an existing Dockerfile",
		"migrate": "give the path of an existing single-stage Dockerfile",
		"lint":    "give existing files to lint (and --config); without FILE, lint reads dockstage.yaml, else Dockerfile, in the current directory",
		"check":   "give the directory or spec to check (default dockstage.yaml in the current directory; dockstage init or dockstage import writes one)",
		"diff":    "give two existing Dockerfiles",
		"fmt":     "give existing Dockerfiles (without FILE, fmt reads Dockerfile in the current directory)",
		"graph":   "give an existing spec or Dockerfile (without one, graph reads dockstage.yaml in the current directory)",
	}[command]
	if next == "" {
		next = "check the path; it is relative to the current directory"
	}
	return keepCode(err, fmt.Errorf("%s: no such file; %s", pe.Path, next))
}

// keepCode is msg with the exit code of err (exitBad when it has none).
func keepCode(err, msg error) error {
	var ee *exitError
	code := exitBad
	if errors.As(err, &ee) {
		code = ee.code
	}
	return &exitError{code: code, err: msg}
}

// fileIn says which file of the directory dir to give: its spec, else its
// Dockerfile, when there is one.
func fileIn(dir string) string {
	for _, name := range []string{"dockstage.yaml", "Dockerfile"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && !st.IsDir() {
			return "give a file, for example " + filepath.Join(dir, name)
		}
	}
	return "give a file, not a directory"
}
