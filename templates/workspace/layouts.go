package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dockstage/dockstage/spec/layout"
	"github.com/dockstage/dockstage/templates/lock"
	"github.com/dockstage/dockstage/transpile"
)

// loaded is a spec read with its layouts and its lock.
type loaded struct {
	*layout.Result
	// Lock is dockstage.lock beside the spec; nil when there is none.
	Lock *lock.File
	// Pins are the image pins of Lock for the merged spec (lock.Pins).
	Pins transpile.ForwardOptions
}

// gitCache returns g, or a layout.Git over layout.DefaultCacheDir; nil
// when there is no cache directory (a git layout then says so).
func gitCache(g *layout.Git) *layout.Git {
	if g != nil {
		return g
	}
	dir, err := layout.DefaultCacheDir()
	if err != nil {
		return nil
	}
	return &layout.Git{Dir: dir}
}

// loadSpec reads (when data is nil) the spec at path ("-" is standard
// input, "<stdin>" in positions), reads dockstage.lock beside it and
// merges the spec over its layouts (layout.Load), git layouts read at
// the lock's commits, or asked again with update. A lock that does not
// parse is an error; so is each mistake of the spec or its layouts (a
// spec.ErrorList) and an unreachable git layout (*layout.UnreachableError).
func loadSpec(path string, data []byte, g *layout.Git, update bool) (*loaded, error) {
	return loadSpecAs(path, DisplayName(path), data, g, update)
}

// loadSpecAs is loadSpec with the name positions and errors use (a spec
// on standard input named by --name).
func loadSpecAs(path, name string, data []byte, g *layout.Git, update bool) (*loaded, error) {
	var lf *lock.File
	if path != "-" {
		var err error
		if lf, err = loadLock(lock.Path(path)); err != nil {
			return nil, err
		}
	}
	return loadSpecLockedAs(path, name, data, lf, g, update)
}

// loadSpecLocked is loadSpec with the lock lf (nil for none) already read.
func loadSpecLocked(path string, data []byte, lf *lock.File, g *layout.Git, update bool) (*loaded, error) {
	return loadSpecLockedAs(path, DisplayName(path), data, lf, g, update)
}

// loadSpecLockedAs is loadSpecLocked with the name positions use.
func loadSpecLockedAs(path, name string, data []byte, lf *lock.File, g *layout.Git, update bool) (*loaded, error) {
	if data == nil {
		var err error
		data, err = os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such spec; write one with `dockstage init` (a new service) or `dockstage import Dockerfile` (an existing build)", path)
		}
		if err != nil {
			return nil, err
		}
	}
	l := &loaded{Lock: lf}
	dir := "."
	if path != "-" {
		dir = filepath.Dir(path)
	}
	res, err := layout.Load(name, data, layout.Options{Dir: dir, Git: gitCache(g), Pins: l.Lock.LayoutPins(), Update: update})
	if err != nil {
		return nil, err
	}
	l.Result = res
	l.Pins = lock.Pins(res.Spec, l.Lock)
	return l, nil
}

// gitLayouts are the git layouts the spec was read with, as lock entries
// (Resolved is now, or the old entry's time when the commit is the same).
func (l *loaded) gitLayouts(old *lock.File) []lock.Layout {
	var out []lock.Layout
	seen := map[string]bool{}
	prev := map[string]lock.Layout{}
	if old != nil {
		for _, e := range old.Layouts {
			prev[e.Key()] = e
		}
	}
	for _, ly := range l.Layouts {
		if ly.Git == nil || seen[ly.Git.Key()] {
			continue
		}
		seen[ly.Git.Key()] = true
		e := lock.Layout{URL: ly.Git.URL, Ref: ly.Git.Ref, Commit: ly.Git.Commit, Resolved: time.Now().UTC()}
		if p, ok := prev[e.Key()]; ok && p.Commit == e.Commit {
			e.Resolved = p.Resolved
		}
		out = append(out, e)
	}
	return out
}

// layoutFiles names the layouts of a spec as positions name them.
func (l *loaded) layoutFiles() []string {
	var out []string
	for _, ly := range l.Layouts {
		out = append(out, ly.File)
	}
	return out
}

// Effective is the spec at specPath merged over its layouts, each value
// with the file and line it comes from (layout.Result.Effective), for
// `dockstage render --effective`. Errors are Render's.
func Effective(specPath string, data []byte, opts Options) ([]byte, error) {
	if err := notALayout(specPath, data); err != nil {
		return nil, err
	}
	l, err := loadSpec(specPath, data, opts.Git, false)
	if err != nil {
		return nil, err
	}
	return l.Effective()
}

// notALayout refuses to render a layout file (layout.IsLayout) as a spec:
// it is rendered through a spec that extends it. data nil reads the file
// (an unreadable one is left to the spec loader to report).
func notALayout(specPath string, data []byte) error {
	if data == nil && specPath != "-" {
		data, _ = os.ReadFile(specPath)
	}
	if data == nil || !layout.IsLayout(data) {
		return nil
	}
	name := DisplayName(specPath)
	return fmt.Errorf("%s: a layout (it declares params, or has no version and name), not a spec: a layout is not rendered alone; extend it from a spec (extends: [{layout: PATH, with: {...}}]) or start a service from it (dockstage init DIR --layout %s); dockstage lint %s checks it alone", name, name, name)
}
