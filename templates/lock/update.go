package lock

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/distribution/reference"
	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
)

// Change is one image whose lock entry moved, appeared or went away.
type Change struct {
	Ref string
	// Old and New are the digests before and after; Old is "" for an
	// image newly locked, New is "" for one the spec no longer uses.
	Old, New string
}

// String is "REF: OLD -> NEW" ("(new)", "(removed)" for a missing side).
func (c Change) String() string {
	return fmt.Sprintf("%s: %s -> %s", c.Ref, cmpOr(c.Old, "(new)"), cmpOr(c.New, "(removed)"))
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// UpdateOptions say which locked images Update asks the registry about
// again.
type UpdateOptions struct {
	// Update re-resolves the locked images (lock --update); without it
	// only the references the lock lacks are resolved.
	Update bool
	// Images narrows Update to the images named, and implies it: a
	// reference as the lock has it (python:3.12-slim) or its repository
	// (python, docker.io/library/python).
	Images []string
	// Jobs is how many references are resolved at once (at least 1).
	Jobs int
}

// Update returns the lock of uses (Collect): the entries of old that
// still apply are kept, the references old lacks are resolved and, with
// opts.Update, the locked ones are asked for again (a HEAD first; the
// manifest is fetched only when the digest moved). Changes lists every
// entry that moved, appeared or went away, in ref order. Errors name the
// spec position of each reference that could not be resolved, all at
// once. A name in opts.Images that the spec does not use selects nothing
// (CheckImages tells the user).
func Update(ctx context.Context, r *Resolver, uses []Use, old *File, opts UpdateOptions) (*File, []Change, error) {
	first := map[string]Use{}
	for _, u := range uses {
		if _, ok := first[u.Ref]; !ok {
			first[u.Ref] = u
		}
	}
	refs := Refs(uses)
	out := &File{Version: 1, Images: make([]Image, len(refs))}
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(opts.Jobs, 1))
	for i, ref := range refs {
		prev := old.Find(ref)
		again := prev == nil || ((opts.Update || len(opts.Images) > 0) && selected(opts.Images, ref))
		if !again {
			out.Images[i] = *prev
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			u := first[ref]
			if prev != nil {
				d, err := r.Digest(ctx, ref)
				if err == nil && d == prev.Digest {
					out.Images[i] = *prev
					return
				}
			}
			im, err := r.Resolve(ctx, ref, u.Platform)
			if err != nil {
				what := u.Written
				if u.Written != ref {
					what += " (" + ref + ")"
				}
				errs[i] = fmt.Errorf("%s: %s %s: %s", u.Pos, u.Flag, what, strings.TrimPrefix(err.Error(), ref+": "))
				return
			}
			out.Images[i] = im
		}()
	}
	wg.Wait()
	var msgs []string
	for _, err := range errs {
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) > 0 {
		return nil, nil, fmt.Errorf("%s", strings.Join(msgs, "\n"))
	}
	return out, Diff(old, out), nil
}

// Diff lists the entries that differ between a and b, in ref order.
func Diff(a, b *File) []Change {
	var out []Change
	if b != nil {
		for _, im := range b.Images {
			if p := a.Find(im.Ref); p == nil || p.Digest != im.Digest {
				c := Change{Ref: im.Ref, New: im.Digest}
				if p != nil {
					c.Old = p.Digest
				}
				out = append(out, c)
			}
		}
	}
	if a != nil {
		for _, im := range a.Images {
			if b.Find(im.Ref) == nil {
				out = append(out, Change{Ref: im.Ref, Old: im.Digest})
			}
		}
	}
	sortChanges(out)
	return out
}

func sortChanges(cs []Change) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].Ref < cs[j-1].Ref; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// CheckImages returns an error naming each --image value that none of
// uses (the images of every spec locked) matches.
func CheckImages(names []string, uses []Use) error {
	var bad []string
	for _, want := range names {
		found := false
		for _, u := range uses {
			found = found || matches(want, u.Ref)
		}
		if !found {
			bad = append(bad, want)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("--image %s: the spec builds from no such image (it uses %s)", strings.Join(bad, ", "), strings.Join(Refs(uses), ", "))
	}
	return nil
}

// selected reports whether ref is among the names (all when none).
func selected(names []string, ref string) bool {
	if len(names) == 0 {
		return true
	}
	for _, n := range names {
		if matches(n, ref) {
			return true
		}
	}
	return false
}

// matches reports whether the --image value want names ref: the same
// reference, or the same repository (as written or fully qualified).
func matches(want, ref string) bool {
	if want == ref {
		return true
	}
	rn, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return false
	}
	if wn, err := reference.ParseNormalizedNamed(want); err == nil {
		if wn.String() == rn.String() {
			return true
		}
		if _, tagged := wn.(reference.Tagged); !tagged && wn.Name() == rn.Name() {
			return true
		}
	}
	return false
}

// Stale compares the lock with the references the spec builds from: one
// message per reference the lock lacks (added, or changed in the spec)
// and per locked reference the spec no longer uses, each saying what to
// run. No message: the lock is current.
func Stale(uses []Use, f *File) []string {
	var out []string
	for _, ref := range Refs(uses) {
		if f.Find(ref) == nil {
			u := firstUse(uses, ref)
			out = append(out, fmt.Sprintf("%s: %s %s: %s is not locked; run dockstage lock", u.Pos, u.Flag, u.Written, ref))
		}
	}
	if f != nil {
		used := map[string]bool{}
		for _, u := range uses {
			used[u.Ref] = true
		}
		for _, im := range f.Images {
			if !used[im.Ref] {
				out = append(out, fmt.Sprintf("%s is locked but the spec no longer builds from it; run dockstage lock", im.Ref))
			}
		}
	}
	return out
}

func firstUse(uses []Use, ref string) Use {
	for _, u := range uses {
		if u.Ref == ref {
			return u
		}
	}
	return Use{Ref: ref}
}

// Behind asks the registry for the digest of every locked image (HEAD
// requests) and returns those whose tag has moved since, Old the locked
// digest and New the registry's.
func Behind(ctx context.Context, r *Resolver, f *File) ([]Change, error) {
	var out []Change
	var msgs []string
	for _, im := range f.Images {
		d, err := r.Digest(ctx, im.Ref)
		if err != nil {
			msgs = append(msgs, err.Error())
			continue
		}
		if d != im.Digest {
			out = append(out, Change{Ref: im.Ref, Old: im.Digest, New: d})
		}
	}
	if len(msgs) > 0 {
		return out, fmt.Errorf("%s", strings.Join(msgs, "\n"))
	}
	return out, nil
}

// Pins turns a lock into the pins render writes: each locked use written
// literally is pinned where it is written, one supplied whole by a build
// arg is pinned in the arg's default. A use that mixes build args into a
// reference (python:${PY}-slim) cannot be pinned without fixing the arg
// and is left as written.
func Pins(sp *spec.Spec, f *File) transpile.ForwardOptions {
	opts := transpile.ForwardOptions{Pins: map[string]string{}, ArgPins: map[string]string{}}
	if f == nil {
		return transpile.ForwardOptions{}
	}
	for _, u := range Collect(sp) {
		im := f.Find(u.Ref)
		if im == nil {
			continue
		}
		switch {
		case u.Arg != "":
			opts.ArgPins[u.Arg] = im.Pinned()
		case u.Written == u.Ref:
			opts.Pins[u.Written] = im.Pinned()
		}
	}
	return opts
}

// StaleLayouts says what differs between the git layouts a spec extends
// (used, each with the commit it was read at) and the lock f: a layout
// not locked, or a locked one the spec no longer extends. Nil when they
// agree or f is nil.
func StaleLayouts(used []Layout, f *File) []string {
	if f == nil {
		return nil
	}
	var out []string
	pins := f.LayoutPins()
	keys := map[string]bool{}
	for _, u := range used {
		keys[u.Key()] = true
		if _, ok := pins[u.Key()]; !ok {
			out = append(out, fmt.Sprintf("layout %s is not locked; run dockstage lock", u.Key()))
		}
	}
	for _, l := range f.Layouts {
		if !keys[l.Key()] {
			out = append(out, fmt.Sprintf("layout %s is locked but the spec no longer extends it; run dockstage lock", l.Key()))
		}
	}
	return out
}
