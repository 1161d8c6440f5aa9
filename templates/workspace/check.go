package workspace

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/layout"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/templates/lock"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	"github.com/pmezard/go-difflib/difflib"
)

// FileCheck is the state of one rendered file against the committed one.
type FileCheck struct {
	File string `json:"file"`
	// Status is ok, drift or missing.
	Status string `json:"status"`
	// Kind is which drift it is (StaleRender, HandEdit, Missing,
	// NotGenerated), "" when Status is ok.
	Kind DriftKind `json:"kind,omitempty"`
	// Line is the first line of the committed file whose meaning differs
	// from the render (templates.Meaning), 0 when Status is ok or missing.
	Line int `json:"line,omitempty"`
	// Diff is a unified diff, committed -> rendered, when Status is not ok.
	Diff string `json:"diff,omitempty"`
}

// SpecCheck is the result for one spec.
type SpecCheck struct {
	Spec string `json:"spec"`
	// Error is why the spec could not be rendered (all its errors).
	Error string `json:"error,omitempty"`
	// Unreachable is the git layout that could not be fetched, when that
	// is the Error (not a mistake in the spec: the network, or the
	// repository moved).
	Unreachable string `json:"layout_unreachable,omitempty"`
	// Layouts are the layouts the spec extends (spec/layout), as positions
	// name them: a change in one drifts every spec that extends it.
	Layouts []string    `json:"layouts,omitempty"`
	Files   []FileCheck `json:"files,omitempty"`
	// Lock is the state of dockstage.lock, when the spec has one or
	// CheckOptions.Locked asks for one.
	Lock  *LockCheck `json:"lock,omitempty"`
	Drift bool       `json:"drift"`
	// Problems are what is wrong, one per error, drifted file and lock
	// problem, each with its kind, position and fix.
	Problems []Problem `json:"problems,omitempty"`
}

// CheckOptions tune Check.
type CheckOptions struct {
	// Jobs is how many specs are rendered at once; 0 is GOMAXPROCS.
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
	// Git reads git layouts; nil is a cache in layout.DefaultCacheDir.
	Git *layout.Git
}

// Checked is what Check found: one SpecCheck per spec, in path order.
type Checked struct {
	Specs            []SpecCheck
	Drifted, Invalid int
}

// Check finds every dockstage.yaml under paths (FindSpecs), renders each in
// memory and compares the files with the committed ones beside it; the
// generated block of the ignore file is compared, not the user's part
// (.dockerignore, or Dockerfile.dockerignore for a spec whose build
// context is elsewhere: ignoreName). It
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
	opts.Git = gitCache(opts.Git) // one cache: a repository is fetched once per check
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	jobs = min(jobs, len(specs))
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
		invalid := false
		for _, p := range r.Problems {
			invalid = invalid || kindInfo(p.Kind).Invalid
		}
		if invalid {
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
	l, err := loadSpec(path, nil, opts.Git, false)
	var files []File
	if err == nil {
		res.Layouts = l.layoutFiles()
		files, err = renderFiles(l.Spec, filepath.Base(path), dir, dir, l.Pins)
	}
	if err != nil {
		var un *layout.UnreachableError
		if errors.As(err, &un) {
			res.Unreachable = un.Layout
		}
		res.Error = err.Error()
		res.problems(err)
		return res
	}
	for _, f := range files {
		fc := compareFile(filepath.Join(dir, f.Name), f)
		res.Files = append(res.Files, fc)
		res.Drift = res.Drift || fc.Status != "ok"
	}
	res.Lock = checkLock(ctx, path, l, opts)
	if res.Lock != nil && res.Lock.Status != "ok" {
		res.Drift = true
	}
	res.problems(nil)
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

// checkLock checks the lock of the spec l at path (l.Lock, nil: there is
// none) against its images and git layouts: missing, stale, or, with
// opts.Remote, behind the registry. It is nil when the spec has no lock
// and needs none.
func checkLock(ctx context.Context, path string, l *loaded, opts *CheckOptions) *LockCheck {
	uses, lf, gits := lock.Collect(l.Spec), l.Lock, l.gitLayouts(nil)
	lc := &LockCheck{File: lock.Path(path), Status: "ok"}
	switch {
	case lf == nil && (!opts.Locked || len(uses)+len(gits) == 0):
		return nil
	case lf == nil:
		what := lock.Refs(uses)
		for _, g := range gits {
			what = append(what, "layout "+g.Key())
		}
		lc.Status = "missing"
		lc.Problems = []string{fmt.Sprintf("%s builds from %s and has no lock; run dockstage lock %s", path, strings.Join(what, ", "), path)}
		return lc
	}
	if st := append(lock.Stale(uses, lf), lock.StaleLayouts(gits, lf)...); len(st) > 0 {
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

// Summary is check's one summary line, without a newline: "checked N
// spec(s): D drifted, I invalid". It is not part of any report (Text,
// JSON, GitHub, SARIF): dockstage check prints it on standard error.
func (c *Checked) Summary() string {
	return fmt.Sprintf("checked %d spec(s): %d drifted, %d invalid", len(c.Specs), c.Drifted, c.Invalid)
}

// Text is check's text report: each problem as `file:line: kind:
// message` with its fix, each drifted file's diff below it (Summary is
// apart).
func (c *Checked) Text() string {
	var b strings.Builder
	for _, r := range c.Specs {
		diffs := map[string]string{}
		for _, f := range r.Files {
			diffs[f.File] = f.Diff
		}
		for _, p := range r.Problems {
			pos := spec.Pos{File: p.File, Line: p.Line, Col: p.Col}
			fmt.Fprintf(&b, "%s: %s: %s", pos, p.Kind, p.Message)
			if p.Fix != "" {
				fmt.Fprintf(&b, "; %s", p.Fix)
			}
			b.WriteString("\n")
			if p.Kind != SpecInvalid && p.Kind != LockDrift {
				b.WriteString(diffs[p.File])
			}
		}
	}
	return b.String()
}

// extendsNote names the layouts of a drifted spec: "; it extends L, M".
func extendsNote(layouts []string) string {
	if len(layouts) == 0 {
		return ""
	}
	return "; it extends " + strings.Join(layouts, ", ")
}

// compareFile compares a planned file with the committed one.
func compareFile(path string, f File) FileCheck {
	fc := FileCheck{File: path, Status: "ok"}
	committed, err := os.ReadFile(path)
	if err != nil {
		fc.Status, fc.Kind = "missing", Missing
		fc.Diff = unifiedDiff(path+" (committed)", path+" (rendered)", nil, f.Content)
		return fc
	}
	rendered, mine := f.Content, committed
	if f.Kind == Dockerignore {
		// Only the generated block is compared; the diff shows the whole
		// file, the user's lines below the block as context.
		block, user := templates.SplitDockerignore(committed)
		mine = block
		rendered = append(append([]byte{}, f.Content...), user...)
	}
	// What the files mean is compared, not their bytes: blank lines and
	// trailing blanks are no drift (templates.Meaning).
	if !templates.SameMeaning(mine, f.Content) {
		fc.Status, fc.Kind = "drift", fileKind(mine)
		fc.Line = firstDifference(mine, f.Content)
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
