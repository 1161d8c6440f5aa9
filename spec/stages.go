package spec

import (
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/util/suggest"

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

// ProdStage returns the index of the production stage: the stage
// compose.target names (DefaultTarget, prod, when unset), else the last
// stage; -1 for a spec without stages. Lint's rules (DS001, DS012, DS013)
// and init's next step read the production target from it.
func (s *Spec) ProdStage() int {
	target := DefaultTarget
	if s.Compose != nil && s.Compose.Target != "" {
		target = s.Compose.Target
	}
	if i := s.StageIndex(target, len(s.Stages)); i >= 0 {
		return i
	}
	return len(s.Stages) - 1
}

// MisspeltStage reports whether ref, a bare name (no `/:@$.`) that names
// no stage, is close to the name of a stage before `before`, and which: a
// misspelt stage rather than an image to BuildKit's reading, which takes
// it as the image docker.io/library/REF:latest. Validation refuses such a
// reference (a spec says the image as REF:TAG). A ref that is no image
// reference either (`\e`) is not one: BuildKit fails on it as written.
func (s *Spec) MisspeltStage(ref string, before int) (string, bool) {
	if strings.ContainsAny(ref, "/:@$.") || ref == "scratch" || s.StageIndex(ref, before) >= 0 {
		return "", false
	}
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		return "", false // no image either: the build fails on it as written
	}
	var stages []string
	for _, st := range s.Stages[:min(max(before, 0), len(s.Stages))] {
		if !st.Anonymous {
			stages = append(stages, st.Name)
		}
	}
	return suggest.Search(ref, stages, false)
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
	add(s.FromStage(i))
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

// PredefinedArgs are the build args BuildKit defines in the global scope
// without a declaration (dockerfile2llb defaultArgs: the automatic
// platform args and TARGETSTAGE). Their values are known only at build
// time.
var PredefinedArgs = map[string]bool{
	"BUILDPLATFORM": true, "BUILDOS": true, "BUILDOSVERSION": true, "BUILDARCH": true, "BUILDVARIANT": true,
	"TARGETPLATFORM": true, "TARGETOS": true, "TARGETOSVERSION": true, "TARGETARCH": true, "TARGETVARIANT": true,
	"TARGETSTAGE": true,
}

// globalEnv is what FROM sees: the global build args as dockerfile2llb's
// buildMetaArgs computes them, in order, each default expanded with the
// args before it. known holds the values known without build-time input;
// unknown the declared args whose value depends on build-time input (an
// arg without default, a predefined platform arg, or an arg whose default
// uses one of those).
type globalEnv struct {
	known   syntax.Env
	unknown map[string]bool
	lex     *shell.Lex // reused across words (as dockerfile2llb does)
	esc     rune       // lex's escape character
}

func (s *Spec) globalEnv() globalEnv {
	g := globalEnv{known: syntax.Env{}, unknown: map[string]bool{}, esc: s.Escape()}
	if len(s.Args) == 0 {
		return g
	}
	for _, kv := range s.Args {
		if kv.Value == nil {
			// BuildKit keeps an earlier value (buildMetaArgs: a nil
			// value does not replace it); else it is given at build time.
			if _, ok := g.known[kv.Key]; !ok {
				g.unknown[kv.Key] = true
			}
			continue
		}
		val := syntax.JoinValue(*kv.Value, s.Escape())
		if !strings.ContainsAny(val, plainSpecial) { // the lexer would return it as is
			delete(g.unknown, kv.Key)
			g.known[kv.Key] = val
			continue
		}
		if g.lex == nil { // made on the first value that is not plain
			g.lex = shell.NewLex(g.esc)
		}
		res, err := g.lex.ProcessWordWithMatches(val, g.known)
		if err != nil || g.dependsOnUnknown(res.Unmatched) {
			delete(g.known, kv.Key)
			g.unknown[kv.Key] = true
			continue
		}
		delete(g.unknown, kv.Key)
		g.known[kv.Key] = res.Result
	}
	return g
}

// plainSpecial are the characters the shell lexer acts on, with both escape
// characters.
const plainSpecial = "$\"'\\`"

func (g globalEnv) dependsOnUnknown(names map[string]struct{}) bool {
	for n := range names {
		if g.unknown[n] || (PredefinedArgs[n] && !g.isKnown(n)) {
			return true
		}
	}
	return false
}

func (g globalEnv) isKnown(n string) bool {
	_, ok := g.known[n]
	return ok
}

// expand expands word as dockerfile2llb expands a FROM (or FROM
// --platform) word with the global args; unmatched lists the names it uses
// that have no known value (declared without one, predefined, or not
// declared at all).
func (g *globalEnv) expand(word string, esc rune) (string, map[string]struct{}, error) {
	if !strings.ContainsAny(word, plainSpecial) { // the lexer would return it as is
		return word, nil, nil
	}
	if g.lex == nil || g.esc != esc {
		g.lex, g.esc = shell.NewLex(esc), esc
	}
	lex := g.lex
	res, err := lex.ProcessWordWithMatches(word, g.known)
	if err != nil {
		return "", nil, err
	}
	return res.Result, res.Unmatched, nil
}

// ExpandFrom expands a FROM word (an image reference or stage name with
// `${ARG}` references) with the global build args the way BuildKit does:
// each global arg's default expanded with the args declared before it. ok
// is false when the result is known only at build time: it uses an arg
// without default, a predefined platform arg (TARGETARCH, BUILDPLATFORM,
// ...) or an arg whose default uses one, or an undeclared name, or does
// not expand.
func (s *Spec) ExpandFrom(word string) (string, bool) {
	if !strings.Contains(word, "$") {
		return word, true
	}
	g := s.globalEnv()
	res, unmatched, err := g.expand(word, s.Escape())
	if err != nil || len(unmatched) > 0 {
		return "", false
	}
	return res, true
}

// FromStage returns the index of the earlier stage stage i is built FROM
// (its from word expanded with ExpandFrom), or -1 for an image (or a base
// known only at build time).
func (s *Spec) FromStage(i int) int {
	if i < 0 || i >= len(s.Stages) {
		return -1
	}
	from, ok := s.ExpandFrom(s.Stages[i].From)
	if !ok {
		return -1
	}
	return s.StageIndex(from, i)
}

// Chain returns stage i's FROM chain: i, the stage it is built from, that
// stage's base, and so on, ending at the stage built from an image.
func (s *Spec) Chain(i int) []int {
	var out []int
	for j := i; j >= 0; j = s.FromStage(j) {
		out = append(out, j)
	}
	return out
}

// StageTitle names stage i for people: its name, or for an anonymous stage
// its index, base and line, e.g. `stage 1 (FROM golang:1.22, line 3)`
// (line is Pos.Line: the FROM line of an imported Dockerfile, the stage
// key's line in a spec). Internal names (generated stage-N names, chain
// places) never show.
func (s *Spec) StageTitle(i int) string {
	st := s.Stages[i]
	if !st.Anonymous {
		return st.Name
	}
	if st.Pos.Line > 0 {
		return "stage " + strconv.Itoa(i) + " (FROM " + st.From + ", line " + strconv.Itoa(st.Pos.Line) + ")"
	}
	return "stage " + strconv.Itoa(i) + " (FROM " + st.From + ")"
}
