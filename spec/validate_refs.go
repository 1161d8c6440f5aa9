package spec

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// lowerStageRef is the message for a stage's from: that names an earlier
// stage with capitals: BuildKit matches the FROM word against the stage
// names in lower case exactly (dockerfile2llb's dispatchStates.addState,
// unlike COPY --from, which lowers the word), so it reads the word as an
// image reference, which fails.
func lowerStageRef(ref string) string {
	return fmt.Sprintf("%q names an earlier stage with capitals; BuildKit finds the stage a FROM builds on only by its lower-case name, reads %q as an image and fails (\"repository name must be lowercase\"); write %s", ref, ref, strings.ToLower(ref))
}

// refOK reports whether ref (after build-arg expansion) is an earlier
// stage, a stage index below idx, or a valid image reference; it returns a
// message otherwise.
func (v *validator) ref(ref string, idx int, allowIndex bool) string {
	if ref == "" {
		for i := min(idx, len(v.s.Stages)) - 1; i >= 0 && !v.inOnBuild; i-- {
			if st := v.s.Stages[i]; !st.Anonymous {
				return fmt.Sprintf("is empty; write an image reference such as debian:bookworm-slim, or an earlier stage such as %s", st.Name)
			}
		}
		return "is empty; write an image reference such as debian:bookworm-slim"
	}
	names := idx // stages a name may resolve to: those before this one
	if v.inOnBuild {
		names = 0 // a trigger runs in a later build
	}
	if i := v.s.StageIndex(ref, names); i >= 0 {
		if !allowIndex && ref != strings.ToLower(ref) {
			return lowerStageRef(ref)
		}
		return ""
	}
	if allowIndex {
		if n, err := strconv.Atoi(ref); err == nil {
			if v.s.StageRef(ref, idx) < 0 {
				return fmt.Sprintf("stage index %d is not an earlier stage (this is stage %d)", n, idx)
			}
			return ""
		}
	}
	later := idx // a FROM does not see its own stage (`FROM x AS x` is image x)
	if !allowIndex && idx < len(v.s.Stages) {
		later = idx + 1
	}
	for _, st := range v.s.Stages[later:] {
		if strings.EqualFold(st.Name, ref) {
			return fmt.Sprintf("names stage %q, which is defined later (line %d); move that stage above", st.Name, st.Pos.Line)
		}
	}
	if ref == "scratch" {
		return ""
	}
	// A bare name close to a stage's is a misspelt stage, not an image.
	if s, ok := v.s.MisspeltStage(ref, names); ok {
		use := "copy from" // COPY --from, RUN --mount from=
		if !allowIndex {
			use = "build on" // a stage's from:
		}
		return fmt.Sprintf("%q names no stage; did you mean the stage %s? (to %s an image, write its reference with a tag: %s:TAG)", ref, s, use, ref)
	}
	// BuildKit expands the word with the global args (each default
	// expanded with the ones before it: Spec.ExpandFrom), then looks for a
	// stage of that name.
	result, unmatched, err := v.genv.expand(ref, v.escape)
	if err != nil {
		return fmt.Sprintf("%q: %v", ref, err)
	}
	var undeclared []string
	for name := range unmatched {
		if v.declared(name) {
			return "" // known at build time only: a build arg without default or a platform arg
		}
		undeclared = append(undeclared, name)
	}
	if len(undeclared) > 0 {
		// BuildKit expands an undeclared name to "" (build check
		// UndefinedArgInFrom warns); the result decides.
		sort.Strings(undeclared)
		if !validImageRef(result) {
			return fmt.Sprintf("%q uses %s, which no build arg before the first stage declares (FROM sees only those and the predefined platform args), so it expands to %q, which is neither an earlier stage nor a valid image reference; add it to args", ref, strings.Join(undeclared, ", "), result)
		}
		return ""
	}
	if result != ref && (v.s.StageIndex(result, names) >= 0 || result == "scratch") {
		if !allowIndex && result != strings.ToLower(result) && result != "scratch" {
			return lowerStageRef(result)
		}
		return ""
	}
	if plainImageRef(result) {
		return ""
	}
	res := struct{ Result string }{result}
	if _, err := reference.ParseNormalizedNamed(res.Result); err != nil {
		exp := ""
		if res.Result != ref {
			exp = fmt.Sprintf(" (expands to %q)", res.Result)
		}
		return fmt.Sprintf("%q%s is neither an earlier stage nor a valid image reference: %v", ref, exp, err)
	}
	return ""
}

// validImageRef reports whether ref is a valid image reference
// (reference.ParseNormalizedNamed, after the plainImageRef shortcut).
func validImageRef(ref string) bool {
	if plainImageRef(ref) {
		return true
	}
	_, err := reference.ParseNormalizedNamed(ref)
	return err == nil && ref != ""
}

// refsOK checks each ${...} reference in a value with BuildKit's lexer: it
// must be closed and well formed ("" when all are).
func (v *validator) refsOK(val string) string {
	if !strings.Contains(val, "${") { // nothing below would look further
		return ""
	}
	rs := []rune(val)
	for i := 0; i+1 < len(rs); i++ {
		if rs[i] == v.escape {
			i++
			continue
		}
		if rs[i] != '$' || rs[i+1] != '{' {
			continue
		}
		end, closed := syntax.RefEnd(rs, i+1, v.escape)
		if !closed {
			return fmt.Sprintf("%q: the reference ${ is not closed; add } or write \\$ for a literal dollar", val)
		}
		ref := string(rs[i:end])
		if _, _, err := v.lexer().ProcessWord(ref, syntax.AnyEnv{}); err != nil {
			return fmt.Sprintf("%q: %s: %v", val, ref, err)
		}
		i = end - 1
	}
	return ""
}

// lexer is the validator's BuildKit lexer for the spec's escape character,
// made on first use (refsOK reads many values with it; ProcessWord keeps no
// state between calls).
func (v *validator) lexer() *shell.Lex {
	if v.lex == nil || v.lexEscape != v.escape {
		v.lex, v.lexEscape = shell.NewLex(v.escape), v.escape
	}
	return v.lex
}

// heredocLexer is the validator's heredocLexer, made on first use.
func (v *validator) heredocLexer() *shell.Lex {
	if v.hlex == nil {
		v.hlex = heredocLexer()
	}
	return v.hlex
}

// declared reports whether name is a global build arg (with or without
// default) or one BuildKit predefines.
func (v *validator) declared(name string) bool {
	if PredefinedArgs[name] {
		return true
	}
	for _, kv := range v.s.Args {
		if kv.Key == name {
			return true
		}
	}
	return false
}
