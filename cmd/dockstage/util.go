package main

import "strings"

// serviceName turns a directory name into a valid service name (lower
// case letters, digits, '.', '_', '-'), or "" when nothing is left.
func serviceName(dir string) string {
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
