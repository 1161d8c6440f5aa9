package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/templates"
	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

type checkOptions struct {
	paths  []string
	format string
	jobs   int
}

func newCheckCmd(s streams) *cobra.Command {
	var opts checkOptions
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Check that committed Dockerfiles and compose files match their specs",
		Long: `Find every dockstage.yaml under PATH (default .), render it in memory and compare
the result with the committed Dockerfile, compose files, docker-bake.hcl and the
generated block of .dockerignore. Each drifted file prints as a unified diff
(committed -> rendered); "dockstage render" fixes the drift. Specs are checked in
parallel; on a terminal a progress line shows for long runs.

Exit status: 0 no drift, 1 drift, 2 a spec is invalid or unreadable.`,
		Example: `  dockstage check
  dockstage check services/ --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			if len(opts.paths) == 0 {
				opts.paths = []string{"."}
			}
			return runCheck(s, opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: text or json")
	cmd.Flags().IntVarP(&opts.jobs, "jobs", "j", runtime.NumCPU(), "specs to check at once")
	return cmd
}

// fileCheck is the state of one rendered file against the committed one.
type fileCheck struct {
	File   string `json:"file"`
	Status string `json:"status"` // ok, drift, missing
	Diff   string `json:"diff,omitempty"`
}

// specCheck is the result for one spec.
type specCheck struct {
	Spec  string      `json:"spec"`
	Error string      `json:"error,omitempty"`
	Files []fileCheck `json:"files,omitempty"`
	Drift bool        `json:"drift"`
}

// skipDirs are never searched for specs.
var skipDirs = map[string]bool{"testdata": true, ".git": true, "node_modules": true, "vendor": true, ".venv": true, "target": true}

func findSpecs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, badInput(err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			if !d.IsDir() && d.Name() == "dockstage.yaml" {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, badInput(err)
		}
	}
	sort.Strings(out)
	return out, nil
}

// checkSpec renders one spec in memory and compares it with the files
// beside it.
func checkSpec(path string) specCheck {
	res := specCheck{Spec: path}
	sp, err := loadSpec(streams{}, path)
	if err == nil {
		var files []templates.File
		files, err = renderSpec(sp, filepath.Base(path))
		if err == nil {
			dir := filepath.Dir(path)
			for _, f := range files {
				res.Files = append(res.Files, compareFile(filepath.Join(dir, f.Name), f))
			}
		}
	}
	if err != nil {
		res.Error = err.Error()
		return res
	}
	for _, f := range res.Files {
		if f.Status != "ok" {
			res.Drift = true
		}
	}
	return res
}

func compareFile(path string, f templates.File) fileCheck {
	fc := fileCheck{File: path, Status: "ok"}
	committed, err := os.ReadFile(path)
	if err != nil {
		fc.Status = "missing"
		fc.Diff = unifiedDiff(path, nil, f.Content)
		return fc
	}
	if f.Merge {
		committed, _ = templates.SplitDockerignore(committed)
	}
	if string(committed) != string(f.Content) {
		fc.Status = "drift"
		fc.Diff = unifiedDiff(path, committed, f.Content)
	}
	return fc
}

func unifiedDiff(path string, a, b []byte) string {
	d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        difflib.SplitLines(string(a)),
		B:        difflib.SplitLines(string(b)),
		FromFile: path + " (committed)",
		ToFile:   path + " (rendered)",
		Context:  3,
	})
	return d
}

func runCheck(s streams, opts checkOptions) error {
	if opts.format != "text" && opts.format != "json" {
		return badInput(fmt.Errorf("--format %q: use text or json", opts.format))
	}
	specs, err := findSpecs(opts.paths)
	if err != nil {
		return err
	}
	if len(specs) == 0 {
		return badInput(fmt.Errorf("no dockstage.yaml found under %s", strings.Join(opts.paths, ", ")))
	}
	results := make([]specCheck, len(specs))
	jobs := opts.jobs
	if jobs < 1 {
		jobs = 1
	}
	progress := newProgress(s.err, len(specs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = checkSpec(specs[i])
				progress.step()
			}
		}()
	}
	for i := range specs {
		next <- i
	}
	close(next)
	wg.Wait()
	progress.done()

	drifted, invalid := 0, 0
	for _, r := range results {
		if r.Error != "" {
			invalid++
		} else if r.Drift {
			drifted++
		}
	}
	if opts.format == "json" {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"specs": results, "checked": len(results), "drifted": drifted, "invalid": invalid}); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			if r.Error != "" {
				fmt.Fprintln(s.out, r.Error)
				continue
			}
			for _, f := range r.Files {
				if f.Status != "ok" {
					fmt.Fprintf(s.out, "%s: %s (run dockstage render %s)\n%s", f.File, f.Status, r.Spec, f.Diff)
				}
			}
		}
		fmt.Fprintf(s.out, "checked %d spec(s): %d drifted, %d invalid\n", len(results), drifted, invalid)
	}
	switch {
	case invalid > 0:
		return &exitError{code: exitBad, err: fmt.Errorf("%d spec(s) invalid", invalid)}
	case drifted > 0:
		return &exitError{code: exitFindings, err: fmt.Errorf("%d spec(s) drifted from their committed files", drifted)}
	}
	return nil
}

// progress shows "checked N/M" on a terminal for runs of more than a few
// specs; elsewhere it prints nothing.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	n, of int
	on    bool
}

func newProgress(w io.Writer, of int) *progress {
	f, ok := w.(*os.File)
	on := ok && term.IsTerminal(int(f.Fd())) && of > 8 && os.Getenv("CI") == ""
	return &progress{w: w, of: of, on: on}
}

func (p *progress) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.on {
		fmt.Fprintf(p.w, "\rchecked %d/%d", p.n, p.of)
	}
}

func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
