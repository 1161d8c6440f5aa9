package spec

import (
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec/syntax"
)

// Stage references, resolved as BuildKit's dockerfile2llb does: a stage is
// named case-insensitively, only earlier stages can be referenced, and a
// stage rendered without `AS name` (Anonymous) has no name. FROM takes a
// name only; COPY --from and RUN --mount from= also take the index of an
// earlier stage. Anything else is an image reference.

// Escape returns the spec's escape character: '`' when directives.escape
// is "`", else '\\' (syntax.Escape).
func (s *Spec) Escape() rune {
	if s.Directives == nil {
		return syntax.DefaultEscape
	}
	return syntax.Escape(s.Directives.Escape)
}

// StageIndex returns the index of the stage named name among the stages
// before `before` (FROM name), or -1.
func (s *Spec) StageIndex(name string, before int) int {
	for i := 0; i < before && i < len(s.Stages); i++ {
		st := s.Stages[i]
		if !st.Anonymous && strings.EqualFold(st.Name, name) {
			return i
		}
	}
	return -1
}

// StageRef resolves a COPY --from or RUN --mount from= value made in stage
// `before`: the index of the stage it names, or of the earlier stage whose
// index it is, or -1 (an image reference).
func (s *Spec) StageRef(ref string, before int) int {
	if i := s.StageIndex(ref, before); i >= 0 {
		return i
	}
	if n, err := strconv.Atoi(ref); err == nil && n >= 0 && n < before && n < len(s.Stages) {
		return n
	}
	return -1
}

// Deps lists the stages stage i builds on directly, each once, in order of
// first use: its FROM stage, then the stages its steps copy from or mount.
func (s *Spec) Deps(i int) []int {
	var deps []int
	add := func(j int) {
		if j < 0 {
			return
		}
		for _, d := range deps {
			if d == j {
				return
			}
		}
		deps = append(deps, j)
	}
	st := s.Stages[i]
	add(s.StageIndex(st.From, i))
	for k := range st.Steps {
		for _, ref := range st.Steps[k].References() {
			add(s.StageRef(ref.From, i))
		}
	}
	return deps
}

// Needs lists every stage building stage i needs: i and, transitively,
// its Deps, each once, every stage after the stages it depends on (so i is
// last).
func (s *Spec) Needs(i int) []int {
	done := map[int]bool{}
	var out []int
	var visit func(int)
	visit = func(i int) {
		if done[i] {
			return
		}
		done[i] = true
		for _, d := range s.Deps(i) {
			visit(d)
		}
		out = append(out, i)
	}
	visit(i)
	return out
}
