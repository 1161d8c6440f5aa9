package workspace

import (
	"regexp"
	"strings"
)

// serviceNameRE is the service name init accepts from the user (--name
// and its prompt).
//
// TODO(issue 10): spec's validator has its own rule (serviceRE, and lower
// case); one exported spec function should hold both.
var serviceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ValidServiceName reports whether name is a service name: lower case
// letters, digits, '.', '_' and '-', starting with a letter or digit.
func ValidServiceName(name string) bool { return serviceNameRE.MatchString(name) }

// ServiceName turns a directory name into a valid service name (lower case
// letters, digits, '.', '_', '-'; a space becomes '-'), or "" when nothing
// is left.
func ServiceName(dir string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(dir) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), ".-_")
	if s == "" || s == "." {
		return ""
	}
	return s
}
