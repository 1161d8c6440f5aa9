package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/templates/lock"
	"github.com/dockstage/dockstage/transpile"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	"github.com/pmezard/go-difflib/difflib"
)

// FileCheck is the state of one rendered file against the committed one.
type FileCheck struct {
	File string `json:"file"`
	// Status is ok, drift or missing.
	Status string `json:"status"`
	// Diff is a unified diff, committed -> rendered, when Status is not ok.
	Diff string `json:"diff,omitempty"`
}

// SpecCheck is the result for one spec.
type SpecCheck struct {
	Spec string `json:"spec"`
	// Error is why the spec could not be rendered (all its errors).
	Error string      `json:"error,omitempty"`
	Files []FileCheck `json:"files,omitempty"`
	// Lock is the state of dockstage.lock, when the spec has one or
	// CheckOptions.Locked asks for one.
	Lock  *LockCheck `json:"lock,omitempty"`
	Drift bool       `json:"drift"`
}

// CheckOptions tune Check.
type CheckOptions struct {
	// Jobs is how many specs are rendered at once (at least 1).
	Jobs int
	// Step, when set, is called after each spec is checked with the
	// number checked so far and the number of specs, one call at a time.
	Step func(done, of int)
	// Locked requires every spec that builds from an image to have a
	// dockstage.lock (check --locked); a missing lock is drift. A spec
	// with a lock always has it checked for staleness.
	Locked bool
	// Remote also asks the registries whether a locked tag has moved
	// (check --remote), through Resolver.
	Remote   bool
	Resolver lock.Resolver
}

// Checked is what Check found: one SpecCheck per spec, in path order.
type Checked struct {
	Specs            []SpecCheck
	Drifted, Invalid int
}

// Check finds every dockstage.yaml under paths (FindSpecs), renders each in
// memory and compares the files with the committed ones beside it; the
// generated block of .dockerignore is compared, not the user's part. It
// fails when a path cannot be read, no spec is found, or ctx is done
// (ctx.Err()).
func Check(ctx context.Context, paths []string, opts CheckOptions) (*Checked, error) {
	specs, err := FindSpecs(paths)
	if err != nil {
		return nil, err
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("no dockstage.yaml found under %s", strings.Join(paths, ", "))
	}
	res := &Checked{Specs: make([]SpecCheck, len(specs))}
	jobs := max(opts.Jobs, 1)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	next := make(chan int)
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res.Specs[i] = checkSpec(ctx, specs[i], &opts)
				mu.Lock()
				done++
				if opts.Step != nil {
					opts.Step(done, len(specs))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range specs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, r := range res.Specs {
		if r.Error != "" {
			res.Invalid++
		} else if r.Drift {
			res.Drifted++
		}
	}
	return res, nil
}

// checkSpec renders one spec in memory and compares it with the files
// beside it, and checks its lock (checkLock).
func checkSpec(ctx context.Context, path string, opts *CheckOptions) SpecCheck {
	res := SpecCheck{Spec: path}
	dir := filepath.Dir(path)
	sp, err := loadSpec(path, nil)
	var files []File
	var lf *lock.File
	if err == nil {
		var pins transpile.ForwardOptions
		if pins, lf, err = readLock(path, sp); err == nil {
			files, err = renderFiles(sp, filepath.Base(path), dir, dir, pins)
		}
	}
	if err != nil {
		res.Error = err.Error()
		return res
	}
	for _, f := range files {
		fc := compareFile(filepath.Join(dir, f.Name), f)
		res.Files = append(res.Files, fc)
		res.Drift = res.Drift || fc.Status != "ok"
	}
	res.Lock = checkLock(ctx, path, sp, lf, opts)
	if res.Lock != nil && res.Lock.Status != "ok" {
		res.Drift = true
	}
	return res
}

// LockCheck is the state of a spec's dockstage.lock.
type LockCheck struct {
	File string `json:"file"`
	// Status is ok, missing (check --locked and the spec builds from an
	// image), stale (the spec's images and the lock differ) or behind
	// (check --remote: a locked tag has moved in its registry).
	Status string `json:"status"`
	// Problems say what differs and what to run, one per image.
	Problems []string `json:"problems,omitempty"`
}

// checkLock checks the lock lf of the spec sp at path (nil: there is
// none): missing, stale against the spec, or, with opts.Remote, behind
// the registry. It is nil when the spec has no lock and needs none.
func checkLock(ctx context.Context, path string, sp *spec.Spec, lf *lock.File, opts *CheckOptions) *LockCheck {
	uses := lock.Collect(sp)
	lc := &LockCheck{File: lock.Path(path), Status: "ok"}
	switch {
	case lf == nil && (!opts.Locked || len(uses) == 0):
		return nil
	case lf == nil:
		lc.Status = "missing"
		lc.Problems = []string{fmt.Sprintf("%s builds from %s and has no lock; run dockstage lock %s", path, strings.Join(lock.Refs(uses), ", "), path)}
		return lc
	}
	if st := lock.Stale(uses, lf); len(st) > 0 {
		lc.Status, lc.Problems = "stale", st
		return lc
	}
	if opts.Remote {
		moved, err := lock.Behind(ctx, &opts.Resolver, lf)
		for _, c := range moved {
			lc.Problems = append(lc.Problems, fmt.Sprintf("%s: locked %s, the registry has %s; run dockstage lock --update --image %s %s", c.Ref, c.Old, c.New, c.Ref, path))
		}
		if err != nil {
			lc.Problems = append(lc.Problems, err.Error())
		}
		if len(lc.Problems) > 0 {
			lc.Status = "behind"
		}
	}
	return lc
}

// JSON is check's JSON report: every spec's result, then the counts.
func (c *Checked) JSON() []byte {
	data, _ := json.MarshalIndent(map[string]any{"specs": c.Specs, "checked": len(c.Specs), "drifted": c.Drifted, "invalid": c.Invalid}, "", "  ")
	return append(data, '\n')
}

// Text is check's text report: each invalid spec's errors, each drifted
// file's diff, each lock problem, then a summary line.
func (c *Checked) Text() string {
	var b strings.Builder
	for _, r := range c.Specs {
		if r.Error != "" {
			fmt.Fprintln(&b, r.Error)
			continue
		}
		for _, f := range r.Files {
			if f.Status != "ok" {
				fmt.Fprintf(&b, "%s: %s (run dockstage render %s)\n%s", f.File, f.Status, r.Spec, f.Diff)
			}
		}
		if l := r.Lock; l != nil && l.Status != "ok" {
			fmt.Fprintf(&b, "%s: %s\n", l.File, l.Status)
			for _, p := range l.Problems {
				fmt.Fprintf(&b, "  %s\n", p)
			}
		}
	}
	fmt.Fprintf(&b, "checked %d spec(s): %d drifted, %d invalid\n", len(c.Specs), c.Drifted, c.Invalid)
	return b.String()
}

// compareFile compares a planned file with the committed one.
func compareFile(path string, f File) FileCheck {
	fc := FileCheck{File: path, Status: "ok"}
	committed, err := os.ReadFile(path)
	if err != nil {
		fc.Status = "missing"
		fc.Diff = unifiedDiff(path+" (committed)", path+" (rendered)", nil, f.Content)
		return fc
	}
	rendered := f.Content
	same := string(committed) == string(f.Content)
	if f.Kind == Dockerignore {
		// Only the generated block is compared; the diff shows the whole
		// file, the user's lines below the block as context.
		block, user := templates.SplitDockerignore(committed)
		same = string(block) == string(f.Content)
		rendered = append(append([]byte{}, f.Content...), user...)
	}
	if !same {
		fc.Status = "drift"
		fc.Diff = unifiedDiff(path+" (committed)", path+" (rendered)", committed, rendered)
	}
	return fc
}

// unifiedDiff is diff -u of text a (named from) and b (named to), hunks
// and ranges as diff writes them (an empty side is -0,0): check's
// committed and rendered files, fmt's original and formatted ones.
func unifiedDiff(from, to string, a, b []byte) string {
	d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        diffLines(a),
		B:        diffLines(b),
		FromFile: from,
		ToFile:   to,
		Context:  3,
	})
	return d
}

// diffLines splits text into lines with their newlines. difflib's
// SplitLines adds an empty last line (one line for no text at all), which
// shows as a blank context line and a wrong range.
func diffLines(text []byte) []string {
	lines := strings.SplitAfter(string(text), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] += "\n\\ No newline at end of file\n"
	}
	return lines
}

// FindSpecs returns, sorted, the files among paths and every dockstage.yaml
// under the directories among them, found by ecosystem.Scan (so the
// directories of ecosystem.SkipDirs are left out unless named in paths).
func FindSpecs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		err = ecosystem.Scan(os.DirFS(p), ".", ecosystem.ScanOptions{}, func(rel string, d fs.DirEntry) error {
			if !d.IsDir() && d.Name() == "dockstage.yaml" {
				out = append(out, filepath.Join(p, filepath.FromSlash(rel)))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}
