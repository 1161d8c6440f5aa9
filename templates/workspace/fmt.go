package workspace

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"sync"

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

// Fmt formats every path ("-" is FmtOptions.Stdin) with format.Format,
// GOMAXPROCS files at a time; Files keep the order of paths.
// A file that fails does not stop the others: its FmtFile.Err says why,
// and it is never planned.
func Fmt(paths []string, opts FmtOptions) *Formatted {
	res := &Formatted{Plan: &Plan{}}
	type job struct {
		data []byte
		mode os.FileMode
		err  error
	}
	// Files are read in order (standard input once, where it is named),
	// formatted in parallel (Format is pure and CPU-bound), and reported in
	// order.
	jobs := make([]job, len(paths))
	res.Files = make([]FmtFile, len(paths))
	for i, p := range paths {
		res.Files[i].Name = DisplayName(p)
		j := &jobs[i]
		if p == "-" {
			if opts.Stdin == nil {
				opts.Stdin = bytes.NewReader(nil)
			}
			j.data, j.err = io.ReadAll(opts.Stdin)
			continue
		}
		var st os.FileInfo
		if st, j.err = os.Stat(p); j.err == nil {
			j.mode = st.Mode().Perm()
			j.data, j.err = os.ReadFile(p)
		}
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if f, j := &res.Files[i], &jobs[i]; j.err == nil {
					f.Output, f.Moved, j.err = format.FormatNotes(f.Name, j.data)
				}
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, p := range paths {
		f, j := &res.Files[i], &jobs[i]
		if j.err != nil {
			f.Err, f.Output, f.Moved = j.err, nil, nil
			continue
		}
		f.Changed = !bytes.Equal(j.data, f.Output)
		if f.Changed && opts.Diff {
			f.Diff = unifiedDiff(f.Name+" (original)", f.Name+" (formatted)", j.data, f.Output)
		}
		if f.Changed && opts.Write && p != "-" {
			res.Plan.add("", File{Name: p, Path: p, Content: f.Output, Kind: Reformatted, Original: j.data, Mode: j.mode}, false)
		}
	}
	return res
}
