package spec

import (
	"regexp"
	"testing"
)

// nameRules pairs each byte-by-byte name rule with the regular expression
// it stands for.
var nameRules = []struct {
	name string
	fn   func(string) bool
	re   *regexp.Regexp
}{
	{"validStageName", validStageName, regexp.MustCompile(`^[a-z][a-z0-9-_.]*$`)},
	{"ValidName", ValidName, regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)},
	{"validEnvKey", validEnvKey, regexp.MustCompile(`^[^=\s-][^=\s]*$|^-[^-=\s][^=\s]*$|^-$`)},
	{"validStepID", validStepID, regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)},
}

// TestNameRules checks the rules on a few names each way.
func TestNameRules(t *testing.T) {
	for _, s := range []string{"", "a", "build", "Build", "0app", "my-app_1.2", "-", "-a", "--a", "a=b", "a b", "a\tb", "a\vb", "é", "a\n", "_x", ".x"} {
		for _, r := range nameRules {
			if got, want := r.fn(s), r.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the rule %s says %v", r.name, s, got, r.re, want)
			}
		}
	}
}

// FuzzNameRules checks that each byte-by-byte name rule answers as its
// regular expression does.
func FuzzNameRules(f *testing.F) {
	for _, s := range []string{"build", "my-app_1.2", "-", "--a", "a=b", "a\vb", "é", "A.b-c", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range nameRules {
			if got, want := r.fn(s), r.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the rule %s says %v", r.name, s, got, r.re, want)
			}
		}
	})
}
