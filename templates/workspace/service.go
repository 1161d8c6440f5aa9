package workspace

import "strings"

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
