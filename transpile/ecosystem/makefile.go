package ecosystem

import (
	"regexp"
	"strings"
	"sync"
)

// makeTargetRE matches a Makefile rule's target names (not a variable
// assignment such as `X := y` or `X ::= y`).
var makeTargetRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^([A-Za-z0-9_./-]+(?:[ \t]+[A-Za-z0-9_./-]+)*)[ \t]*::?(?:[^=:]|$)`)
})

// makefile notes a root Makefile and its targets: the preset's steps are
// its own, so a build or test that needs make is the user's to put in the
// spec.
func (p *project) makefile(r *Result) {
	name := ""
	for _, n := range []string{"Makefile", "makefile", "GNUmakefile"} {
		if p.has(n) {
			name = n
			break
		}
	}
	if name == "" {
		return
	}
	var targets []string
	seen := map[string]bool{}
	for _, m := range makeTargetRE().FindAllStringSubmatch(string(p.read(name)), -1) {
		for _, t := range strings.Fields(m[1]) {
			if strings.HasPrefix(t, ".") || strings.ContainsAny(t, "%/") || seen[t] || len(targets) == 12 {
				continue
			}
			seen[t] = true
			targets = append(targets, t)
		}
	}
	what := "no targets read"
	if len(targets) > 0 {
		what = "targets " + strings.Join(targets, ", ")
	}
	r.note(name, "%s; the spec's steps are the preset's and do not run make (put `make TARGET` in a stage's run if the build or the tests need it)", what)
}
