package workspace

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/layout"
	"github.com/dockstage/dockstage/templates/lock"
)

// loadLock reads and parses a lock file; nil when there is none.
func loadLock(path string) (*lock.File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return lock.Parse(path, data)
}

// LockOptions tune Lock.
type LockOptions struct {
	lock.UpdateOptions
	// Resolver asks the registries (credentials, insecure registries,
	// timeout).
	Resolver lock.Resolver
	// Git reads git layouts; nil is a cache in layout.DefaultCacheDir.
	Git *layout.Git
	// LayoutsOnly pins the git layouts and asks no registry: the lock's
	// images are kept as they are (none in a new lock), so a spec whose
	// registry is unreachable still gets its layouts pinned
	// (`dockstage lock --layouts-only`). With Update, the layouts' refs
	// are asked again. It does not go with Images.
	LayoutsOnly bool
}

// Locked is what Lock did for one spec.
type Locked struct {
	Spec, LockFile string
	// Images is how many images the lock holds; Layouts how many git
	// layouts.
	Images, Layouts int
	// Changes are the entries that moved, appeared or went away.
	Changes []lock.Change
	// Written is whether the lock file was written (it is left alone
	// when nothing changed).
	Written bool
	// LayoutsOnly says the images were left as they were
	// (LockOptions.LayoutsOnly).
	LayoutsOnly bool
}

// Lock resolves the images of each spec (lock.Collect, lock.Update) and
// writes dockstage.lock beside it when its content changes. The spec must
// be valid (every spec is loaded first), and each opts.Images name must
// match an image of one of them; a lock file that does not parse is
// replaced only with opts.Update (--update re-resolves everything
// anyway). It stops at the first spec that fails, returning what it did
// before.
func Lock(ctx context.Context, specs []string, opts LockOptions) ([]Locked, error) {
	var done []Locked
	uses := make([][]lock.Use, len(specs))
	specsRead := make([]*loaded, len(specs))
	olds := make([]*lock.File, len(specs))
	var all []lock.Use
	// Git layouts are asked again with --update, not with --image alone.
	updateLayouts := opts.Update && len(opts.Images) == 0
	if opts.LayoutsOnly && len(opts.Images) > 0 {
		return nil, errors.New("--layouts-only pins the git layouts and asks no registry; --image asks a registry about an image: give one")
	}
	opts.Git = gitCache(opts.Git)
	for i, path := range specs {
		if path == "-" {
			return nil, errors.New("dockstage lock needs a spec file, not standard input: the lock is written beside it")
		}
		old, err := loadLock(lock.Path(path))
		if err != nil && !opts.Update {
			return nil, fmt.Errorf("%w\n(run dockstage lock --update to resolve every image again and rewrite it)", err)
		}
		l, err := loadSpecLocked(path, nil, old, opts.Git, updateLayouts)
		if err == nil {
			err = spec.Validate(l.Spec)
		}
		if err != nil {
			return nil, err
		}
		specsRead[i], olds[i] = l, old
		uses[i] = lock.Collect(l.Spec)
		all = append(all, uses[i]...)
	}
	if err := lock.CheckImages(opts.Images, all); err != nil {
		return nil, err
	}
	for i, path := range specs {
		lp, old := lock.Path(path), olds[i]
		uo := opts.UpdateOptions
		uo.Jobs = cmp.Or(uo.Jobs, 4)
		var (
			f       *lock.File
			changes []lock.Change
			err     error
		)
		if opts.LayoutsOnly {
			f = &lock.File{Version: 1}
			if old != nil {
				f.Images = old.Images
			}
		} else if f, changes, err = lock.Update(ctx, &opts.Resolver, uses[i], old, uo); err != nil {
			if len(specsRead[i].gitLayouts(old)) > 0 {
				err = fmt.Errorf("%w\n(%s: no git layout was pinned either; dockstage lock --layouts-only %s pins them without asking a registry)", err, path, path)
			}
			return done, err
		}
		f.Layouts = specsRead[i].gitLayouts(old)
		changes = append(changes, layoutChanges(old, f)...)
		data, err := lock.Marshal(f)
		if err != nil {
			return done, err
		}
		res := Locked{Spec: path, LockFile: lp, Images: len(f.Images), Layouts: len(f.Layouts), Changes: changes, LayoutsOnly: opts.LayoutsOnly}
		if prev, err := os.ReadFile(lp); err != nil || !bytes.Equal(prev, data) {
			if err := writeAtomic(lp, data, 0); err != nil {
				return done, err
			}
			res.Written = true
		}
		done = append(done, res)
	}
	return done, nil
}

// Report is what `dockstage lock` prints for the spec: the lock file, how
// many images it holds and whether it was written, then one line per
// change (REF: OLD -> NEW).
func (l Locked) Report() string {
	state := "up to date"
	if l.Written {
		state = "written"
	}
	if l.LayoutsOnly {
		state += "; images left as they were (--layouts-only asks no registry)"
	}
	var b strings.Builder
	if l.Layouts > 0 {
		fmt.Fprintf(&b, "%s: %d image(s), %d git layout(s), %s\n", l.LockFile, l.Images, l.Layouts, state)
	} else {
		fmt.Fprintf(&b, "%s: %d image(s), %s\n", l.LockFile, l.Images, state)
	}
	for _, c := range l.Changes {
		fmt.Fprintf(&b, "  %s\n", c)
	}
	return b.String()
}

// layoutChanges lists the git layouts whose commit moved, appeared or
// went away between the locks old (nil for none) and f: Ref is
// "layout URL@REF", Old and New the commits.
func layoutChanges(old, f *lock.File) []lock.Change {
	var out []lock.Change
	before := old.LayoutPins()
	now := f.LayoutPins()
	for _, l := range f.Layouts {
		if before[l.Key()] != l.Commit {
			out = append(out, lock.Change{Ref: "layout " + l.Key(), Old: before[l.Key()], New: l.Commit})
		}
	}
	if old != nil {
		for _, l := range old.Layouts {
			if _, ok := now[l.Key()]; !ok {
				out = append(out, lock.Change{Ref: "layout " + l.Key(), Old: l.Commit})
			}
		}
	}
	return out
}
