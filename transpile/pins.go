package transpile

import "github.com/dockstage/dockstage/spec"

// ForwardOptions tune ForwardWith. They are plain data, so that a lock
// (templates/lock) reaches the Dockerfile without transpile knowing it.
type ForwardOptions struct {
	// Pins maps an image reference as the spec writes it (a stage's from,
	// a COPY --from or RUN --mount from= value that names no stage) to
	// the reference the Dockerfile builds from instead, e.g.
	// "python:3.12-slim" -> "python:3.12-slim@sha256:...".
	Pins map[string]string
	// ArgPins maps a global build arg to the default the Dockerfile gives
	// it instead of the spec's: an image supplied by a build arg
	// (FROM ${PYTHON_IMAGE}) is pinned in the arg's default and stays
	// overridable with --build-arg.
	ArgPins map[string]string
}

// pin returns the pinned form of the image reference ref, or ref.
func (o ForwardOptions) pin(ref string) string {
	if p, ok := o.Pins[ref]; ok {
		return p
	}
	return ref
}

// pinArg returns the default of the global build arg kv, pinned when
// ArgPins names it.
func (o ForwardOptions) pinArg(kv spec.KV) *string {
	if p, ok := o.ArgPins[kv.Key]; ok && kv.Value != nil {
		return &p
	}
	return kv.Value
}

// pinStep returns st, or a copy of it whose COPY --from and RUN --mount
// from= image references (not stage references, spec.Spec.StageRef) are
// pinned; stage is st's stage index.
func (o ForwardOptions) pinStep(s *spec.Spec, stage int, st *spec.Step) *spec.Step {
	if len(o.Pins) == 0 {
		return st
	}
	pinned := func(ref string) (string, bool) {
		if ref == "" || s.StageRef(ref, stage) >= 0 {
			return ref, false
		}
		p, ok := o.Pins[ref]
		return p, ok
	}
	out := *st
	changed := false
	if st.Copy != nil {
		if p, ok := pinned(st.Copy.From); ok {
			c := *st.Copy
			c.From = p
			out.Copy, changed = &c, true
		}
	}
	if st.Run != nil {
		var mounts []spec.Mount
		for k, m := range st.Run.Mounts {
			if p, ok := pinned(m.From); ok {
				if mounts == nil {
					mounts = append([]spec.Mount(nil), st.Run.Mounts...)
				}
				mounts[k].From = p
			}
		}
		if mounts != nil {
			r := *st.Run
			r.Mounts = mounts
			out.Run, changed = &r, true
		}
	}
	if !changed {
		return st
	}
	return &out
}
