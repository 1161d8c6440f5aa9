package spec

import (
	"regexp"
	"testing"
)

// nameRules pairs each byte-wise name rule with the regexp it stands for.
var nameRules = []struct {
	name string
	re   *regexp.Regexp
	fn   func(string) bool
}{
	{"stage", regexp.MustCompile(`^[a-z][a-z0-9-_.]*$`), validStageName},
	{"service", regexp.MustCompile(`^[a-zA-Z0-9._-]+$`), validService},
	{"spec name", regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`), ValidName},
	{"step id", regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`), validStepID},
	{"env key", regexp.MustCompile(`^[^=\s-][^=\s]*$|^-[^-=\s][^=\s]*$|^-$`), validEnvKey},
}

func TestNameRules(t *testing.T) {
	for _, s := range []string{"", "a", "A", "0a", "a-b_c.d", "a\n", "-", "--", "-x", "x=y", "a b", "é", "a\xff", "Build.1", "_x"} {
		for _, r := range nameRules {
			if got, want := r.fn(s), r.re.MatchString(s); got != want {
				t.Errorf("%s rule on %q: %v, regexp says %v", r.name, s, got, want)
			}
		}
	}
}

// FuzzNameRules checks the byte-wise name rules against their regexps.
func FuzzNameRules(f *testing.F) {
	for _, s := range []string{"", "a", "A", "0a", "a-b_c.d", "a\n", "-", "--", "-x", "x=y", "a b", "é", "a\xff", "\x85x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range nameRules {
			if got, want := r.fn(s), r.re.MatchString(s); got != want {
				t.Fatalf("%s rule on %q: %v, regexp says %v", r.name, s, got, want)
			}
		}
	})
}
