package spec

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/util/suggest"
)

// refOK reports whether ref (after build-arg expansion) is an earlier
// stage, a stage index below idx, or a valid image reference; it returns a
// message otherwise.
func (v *validator) ref(ref string, idx int, allowIndex bool) string {
	if ref == "" {
		return "is empty"
	}
	names := idx // stages a name may resolve to: those before this one
	if v.inOnBuild {
		names = 0 // a trigger runs in a later build
	}
	if v.s.StageIndex(ref, names) >= 0 {
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
	for _, st := range v.s.Stages[idx:] {
		if strings.EqualFold(st.Name, ref) {
			return fmt.Sprintf("names stage %q, which is defined later (line %d); move that stage above", st.Name, st.Pos.Line)
		}
	}
	if ref == "scratch" {
		return ""
	}
	if allowIndex && !strings.ContainsAny(ref, "/:@$.") {
		// A bare name close to a stage's is a misspelt stage, not an image.
		var stages []string
		for _, st := range v.s.Stages[:min(names, len(v.s.Stages))] {
			if !st.Anonymous {
				stages = append(stages, st.Name)
			}
		}
		if s, ok := suggest.Search(ref, stages, false); ok {
			return fmt.Sprintf("%q names no stage; did you mean the stage %s? (to copy from an image, write its reference with a tag: %s:TAG)", ref, s, ref)
		}
	}
	lex := shell.NewLex(v.escape)
	res, err := lex.ProcessWordWithMatches(ref, syntax.Env(v.args))
	if err != nil {
		return fmt.Sprintf("%q: %v", ref, err)
	}
	if len(res.Unmatched) > 0 {
		var undeclared []string
		for name := range res.Unmatched {
			if !v.declared(name) {
				undeclared = append(undeclared, name)
			}
		}
		if len(undeclared) > 0 {
			sort.Strings(undeclared)
			return fmt.Sprintf("%q uses %s, which no build arg before the first stage declares (FROM sees only those and the predefined platform args); add it to args", ref, strings.Join(undeclared, ", "))
		}
		return "" // a declared build arg without default: given at build time
	}
	if _, err := reference.ParseNormalizedNamed(res.Result); err != nil {
		exp := ""
		if res.Result != ref {
			exp = fmt.Sprintf(" (expands to %q)", res.Result)
		}
		return fmt.Sprintf("%q%s is neither an earlier stage nor a valid image reference: %v", ref, exp, err)
	}
	return ""
}

// refsOK checks each ${...} reference in a value with BuildKit's lexer: it
// must be closed and well formed ("" when all are).
func (v *validator) refsOK(val string) string {
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
		if _, _, err := shell.NewLex(v.escape).ProcessWord(ref, syntax.AnyEnv{}); err != nil {
			return fmt.Sprintf("%q: %s: %v", val, ref, err)
		}
		i = end - 1
	}
	return ""
}

// predefinedArgs are the build args BuildKit defines for FROM without a
// declaration (https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope).
var predefinedArgs = map[string]bool{
	"BUILDPLATFORM": true, "BUILDOS": true, "BUILDARCH": true, "BUILDVARIANT": true,
	"TARGETPLATFORM": true, "TARGETOS": true, "TARGETARCH": true, "TARGETVARIANT": true,
}

// declared reports whether name is a global build arg (with or without
// default) or one BuildKit predefines.
func (v *validator) declared(name string) bool {
	if predefinedArgs[name] {
		return true
	}
	for _, kv := range v.s.Args {
		if kv.Key == name {
			return true
		}
	}
	return false
}
