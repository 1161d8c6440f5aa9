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
	"github.com/dockstage/dockstage/templates/lock"
	"github.com/dockstage/dockstage/transpile"
)

// readLock reads dockstage.lock beside the spec at specPath and returns
// the pins render writes for sp, and the lock (nil, and no pins, when
// there is no lock file). A lock that does not parse is an error.
func readLock(specPath string, sp *spec.Spec) (transpile.ForwardOptions, *lock.File, error) {
	f, err := loadLock(lock.Path(specPath))
	if err != nil || f == nil {
		return transpile.ForwardOptions{}, nil, err
	}
	return lock.Pins(sp, f), f, nil
}

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
}

// Locked is what Lock did for one spec.
type Locked struct {
	Spec, LockFile string
	// Images is how many images the lock holds.
	Images int
	// Changes are the entries that moved, appeared or went away.
	Changes []lock.Change
	// Written is whether the lock file was written (it is left alone
	// when nothing changed).
	Written bool
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
	var all []lock.Use
	for i, path := range specs {
		if path == "-" {
			return nil, errors.New("dockstage lock needs a spec file, not standard input: the lock is written beside it")
		}
		sp, err := loadSpec(path, nil)
		if err == nil {
			err = spec.Validate(sp)
		}
		if err != nil {
			return nil, err
		}
		uses[i] = lock.Collect(sp)
		all = append(all, uses[i]...)
	}
	if err := lock.CheckImages(opts.Images, all); err != nil {
		return nil, err
	}
	for i, path := range specs {
		lp := lock.Path(path)
		old, err := loadLock(lp)
		if err != nil && !opts.Update {
			return done, fmt.Errorf("%w\n(run dockstage lock --update to resolve every image again and rewrite it)", err)
		}
		uo := opts.UpdateOptions
		uo.Jobs = cmp.Or(uo.Jobs, 4)
		f, changes, err := lock.Update(ctx, &opts.Resolver, uses[i], old, uo)
		if err != nil {
			return done, err
		}
		data, err := lock.Marshal(f)
		if err != nil {
			return done, err
		}
		res := Locked{Spec: path, LockFile: lp, Images: len(f.Images), Changes: changes}
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
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d image(s), %s\n", l.LockFile, l.Images, state)
	for _, c := range l.Changes {
		fmt.Fprintf(&b, "  %s\n", c)
	}
	return b.String()
}
