// Package workspace plans the files a dockstage command writes and then
// writes them: what each file is (generated and stamped, the shared
// .dockerignore, or a user file such as a spec), whether it may replace
// what is on disk (the ownership stamp and --force), the .dockerignore
// merge that keeps the user's part, and the compose and bake paths of
// files written away from their spec. Layer 8 of the README's Layout: it
// may import spec, transpile, transpile/ecosystem, transpile/migrate,
// templates and templates/presets, never cmd; it never prints or exits.
//
// A command builds a Plan (Render, Import, Migrate, Init) that holds every
// file with its Decision, computed against the file system before anything
// is written; Plan.Err reports every refusal at once, and Apply writes
// nothing while any file is refused.
package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockstage/dockstage/templates"
)

// Kind is what a planned file is, which decides when it may replace an
// existing file.
type Kind int

const (
	// Generated is a file dockstage renders and stamps (Dockerfile, compose
	// files, docker-bake.hcl): it replaces an existing file only when that
	// one is dockstage's and unchanged since in meaning (templates.Owned:
	// blank lines and trailing blanks do not count, and the render
	// rewrites them away), or means what the render says
	// (templates.SameMeaning), or with force.
	Generated Kind = iota
	// Dockerignore is the shared .dockerignore: dockstage's generated block
	// goes in front of the user's part of the existing file, which is kept
	// byte for byte (templates.MergeDockerignore).
	Dockerignore
	// UserFile is a file that is the user's once written (a spec,
	// migrate-report.txt): it replaces an existing file only with force, or
	// when that one starts with the file's Mark (an earlier one of ours).
	UserFile
	// Reformatted is a file rewritten in place (dockstage fmt -w): it
	// replaces the file only while that still holds Original, the content
	// that was formatted, and keeps the file's mode.
	Reformatted
)

// Decision is what Apply does with a planned file.
type Decision int

const (
	// Create writes a file that does not exist yet.
	Create Decision = iota
	// Unchanged leaves a file that already holds the content.
	Unchanged
	// Overwrite replaces a file dockstage owns (generated and unchanged
	// since), an earlier user file of ours, or any file with force.
	Overwrite
	// Merge rewrites .dockerignore: the new generated block, then the
	// user's part of the existing file.
	Merge
	// Refuse leaves the file alone: it exists and is not dockstage's, or
	// was edited since dockstage generated it, and force is not set. While
	// any file is refused, Apply writes nothing.
	Refuse
)

func (d Decision) String() string {
	return [...]string{"create", "unchanged", "overwrite", "merge", "refuse"}[d]
}

// File is one file of a plan.
type File struct {
	// Name is the file's name in the output directory (Dockerfile,
	// compose.yaml, Dockerfile.dockerignore, ...): what --stdout prints.
	Name string
	// Path is where the file is written: the output directory joined with
	// Name.
	Path string
	// Content is the file as rendered; for Dockerignore only the generated
	// block.
	Content []byte
	Kind    Kind
	// Mark, for a UserFile, starts every earlier copy dockstage wrote,
	// which may be replaced without force.
	Mark []byte
	// Origin, for a UserFile, starts every copy dockstage wrote (a spec's
	// schema line): an existing file that starts with it, but not with
	// Mark, was edited since, which its refusal says.
	Origin []byte
	// Original, for a Reformatted file, is the content it was made from.
	Original []byte
	// Mode is the permission bits the file is written with; 0 is 0644.
	Mode os.FileMode
	// Warnings are BuildKit's build-check findings on a rendered
	// Dockerfile ("line N: RULE: message"); they never stop a command.
	Warnings []string
	// Decision is computed against the file system when the plan is made.
	Decision Decision
	// Refusal says why the file is refused (Decision Refuse), naming the
	// file and what to do.
	Refusal error

	// write is what Apply writes: Content, or for Dockerignore the merge.
	write []byte
}

// Plan is the files a command writes, each with its decision.
type Plan struct {
	Files []File
	// Targets are the stages to build first, for `docker build --target`
	// (init): test when the spec has one, then the production stage
	// (spec.Spec.ProdStage); "" stands for the default target (an unnamed
	// last stage).
	Targets []string
	// Warnings are the spec's merge warnings (layout.Result.Warnings),
	// each "FILE:LINE:COL: warning: message"; they refuse nothing.
	Warnings []string
	// hints word the refusals for the command that made the plan.
	hints hints
}

// hints are a command's words for a refusal: the formats take the path.
type hints struct {
	foreign string // exists and was not generated by dockstage
	edited  string // edited since dockstage generated it
	// trailer ends the list of refusals ("" for none).
	trailer string
}

// The refusal wording of each command (the cmd goldens and tests hold it).
var (
	renderHints = hints{
		foreign: "%s: exists and was not generated by dockstage; not overwriting it (use --force to replace it)",
		edited:  "%s: was edited since dockstage generated it; not overwriting it (move the edits into the spec, or use --force to discard them)",
		trailer: "nothing was written",
	}
	// A spec carries no stamp: one import wrote unchanged is the same
	// bytes (Unchanged); any other is the user's.
	importHints = hints{
		foreign: "%s: exists and is not what this import writes (a spec you wrote or edited); not overwriting it (dockstage import --into SPEC DOCKERFILE merges the Dockerfile's edits into it; --force replaces it; -o writes elsewhere)",
		edited:  renderHints.edited,
	}
	initHints = hints{
		foreign: "%s: exists and was not generated by dockstage; nothing written (turn it into a spec with dockstage migrate for a single-stage Dockerfile, which also splits off the tests, or dockstage import for one kept as it is; use --no-render, or --force to replace it)",
		edited:  "%s: was edited since dockstage generated it; nothing written (use --no-render, or --force to discard the edits)",
	}
	migrateHints = hints{
		foreign: "%s: exists and was not generated by dockstage; not overwriting it (use --force to replace it, or -o DIR to write elsewhere)",
		edited:  "%s: was edited since dockstage generated it; not overwriting it (use --force to discard the edits)",
	}
)

// addAll plans files in dir.
func (p *Plan) addAll(dir string, files []File, force bool) {
	for _, f := range files {
		p.add(dir, f, force)
	}
}

// add plans f at dir/f.Name (at f.Path when set): it reads what is there
// now and decides.
func (p *Plan) add(dir string, f File, force bool) {
	if f.Path == "" {
		f.Path = filepath.Join(dir, f.Name)
	}
	f.write = f.Content
	f.Decision, f.Refusal = p.decide(&f, force)
	p.Files = append(p.Files, f)
}

// decide is the overwrite policy: the one place that says whether a file
// may replace what is on disk.
func (p *Plan) decide(f *File, force bool) (Decision, error) {
	old, err := os.ReadFile(f.Path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Create, nil
	case err != nil:
		if st, serr := os.Stat(f.Path); serr == nil && st.IsDir() {
			return Refuse, fmt.Errorf("%s: is a directory", f.Path)
		}
		return Refuse, err
	}
	if f.Kind == Dockerignore {
		merged, err := templates.MergeDockerignore(f.Content, old, force)
		if err != nil {
			return Refuse, fmt.Errorf("%s: %w", f.Path, err)
		}
		f.write = merged
	}
	switch {
	case bytes.Equal(old, f.write):
		return Unchanged, nil
	case f.Kind == Dockerignore:
		return Merge, nil
	case f.Kind == Reformatted:
		if bytes.Equal(old, f.Original) {
			return Overwrite, nil
		}
		return Refuse, fmt.Errorf("%s: changed since it was read; not overwriting it (run dockstage fmt again)", f.Path)
	case force:
		return Overwrite, nil
	case f.Kind == UserFile:
		if len(f.Mark) > 0 && bytes.HasPrefix(old, f.Mark) {
			return Overwrite, nil
		}
		if len(f.Origin) > 0 && bytes.HasPrefix(old, f.Origin) {
			return Refuse, fmt.Errorf(p.hints.edited, f.Path)
		}
		return Refuse, fmt.Errorf(p.hints.foreign, f.Path)
	}
	switch generated, unchanged := templates.Owned(old); {
	case !generated:
		return Refuse, fmt.Errorf(p.hints.foreign, f.Path)
	case !unchanged && templates.SameMeaning(old, f.write):
		// Edited in its whitespace only (a file stamped before the
		// meaning hash) and the render says the same: nothing that
		// means something is lost.
		return Overwrite, nil
	case !unchanged:
		return Refuse, fmt.Errorf(p.hints.edited, f.Path)
	}
	return Overwrite, nil
}

// Err is nil when no file is refused; otherwise it lists every refusal,
// one a line, in plan order.
func (p *Plan) Err() error {
	var lines []string
	for _, f := range p.Files {
		if f.Decision == Refuse {
			lines = append(lines, f.Refusal.Error())
		}
	}
	if len(lines) == 0 {
		return nil
	}
	if p.hints.trailer != "" {
		lines = append(lines, p.hints.trailer)
	}
	return errors.New(strings.Join(lines, "\n"))
}

// Apply writes the plan: nothing when a file is refused (it returns
// Plan.Err), else every file that is not Unchanged, each atomically (a
// temporary file renamed over it), in plan order.
func (p *Plan) Apply() error {
	if err := p.Err(); err != nil {
		return err
	}
	for _, f := range p.Files {
		if f.Decision == Unchanged {
			continue
		}
		if err := writeAtomic(f.Path, f.write, f.Mode); err != nil {
			return err
		}
	}
	return nil
}

// writeAtomic writes content to path through a temporary file in the same
// directory renamed over it, with mode (0 is 0644); it makes the
// directory.
func writeAtomic(path string, content []byte, mode os.FileMode) error {
	if mode == 0 {
		mode = 0o644
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
