package workspace

import (
	"bytes"
	"io"
	"os"

	"github.com/dockstage/dockstage/templates/format"
	"github.com/dockstage/dockstage/transpile"
)

// FmtOptions say what dockstage fmt does with the files it formats.
type FmtOptions struct {
	// Write plans each changed file (standard input excepted) to be
	// rewritten in place (Formatted.Plan).
	Write bool
	// Diff fills FmtFile.Diff for each changed file.
	Diff bool
	// Stdin is read for the path "-".
	Stdin io.Reader
}

// FmtFile is one formatted file.
type FmtFile struct {
	// Name is the path as given, "<stdin>" for "-" (DisplayName).
	Name string
	// Output is the formatted file; nil when Err is set.
	Output []byte
	// Changed reports that Output differs from the file.
	Changed bool
	// Diff is the unified diff of the file and Output (Changed files, with
	// FmtOptions.Diff), in the style of dockstage check.
	Diff string
	// Moved are the comment lines moved above their instruction
	// (format.FormatNotes), located in the file.
	Moved []transpile.Warning
	// Err is why the file was not formatted: unreadable, an invalid
	// Dockerfile, or a result format.Format could not prove (a
	// spec.ErrorList of `file:line:col: message`).
	Err error
}

// Formatted is the result of Fmt.
type Formatted struct {
	// Files are the paths in the order given.
	Files []FmtFile
	// Plan rewrites the changed files in place (FmtOptions.Write): each
	// only while it still holds what was formatted, with its mode kept.
	Plan *Plan
}

// Fmt formats every path ("-" is FmtOptions.Stdin) with format.Format.
// A file that fails does not stop the others: its FmtFile.Err says why,
// and it is never planned.
func Fmt(paths []string, opts FmtOptions) *Formatted {
	res := &Formatted{Plan: &Plan{}}
	for _, p := range paths {
		f := FmtFile{Name: DisplayName(p)}
		var data []byte
		var mode os.FileMode
		var err error
		if p == "-" {
			if opts.Stdin == nil {
				opts.Stdin = bytes.NewReader(nil)
			}
			data, err = io.ReadAll(opts.Stdin)
		} else {
			var st os.FileInfo
			if st, err = os.Stat(p); err == nil {
				mode = st.Mode().Perm()
				data, err = os.ReadFile(p)
			}
		}
		if err == nil {
			f.Output, f.Moved, err = format.FormatNotes(f.Name, data)
		}
		if err != nil {
			f.Err = err
			res.Files = append(res.Files, f)
			continue
		}
		f.Changed = !bytes.Equal(data, f.Output)
		if f.Changed && opts.Diff {
			f.Diff = unifiedDiff(f.Name+" (original)", f.Name+" (formatted)", data, f.Output)
		}
		if f.Changed && opts.Write && p != "-" {
			res.Plan.add("", File{Name: p, Path: p, Content: f.Output, Kind: Reformatted, Original: data, Mode: mode}, false)
		}
		res.Files = append(res.Files, f)
	}
	return res
}
