package spec

import "strings"

// plainImageRef reports whether s is an image reference of the common plain
// shape that reference.ParseNormalizedNamed accepts without a doubt: name
// components of lower case letters and digits joined by '.', '_', "__" or
// runs of '-', separated by '/' (a first component holding '.' may be a
// registry host, so it holds no '_'), then an optional :TAG and an optional
// @sha256:DIGEST (64 lower-case hex digits). It answers false for anything
// else (hosts with ports or upper case, other digests, long names), which
// the full parse then decides; FuzzPlainImageRef checks that it never
// accepts what the full parse rejects.
func plainImageRef(s string) bool {
	name, digest, hasDigest := strings.Cut(s, "@")
	if hasDigest && !sha256Digest(digest) {
		return false
	}
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		if !plainTag(name[i+1:]) {
			return false
		}
		name = name[:i]
	}
	// 200 leaves room for the "library/" normalisation under the path
	// limit of 255; 64 would be an image ID, which the parse refuses.
	if name == "" || len(name) > 200 || len(name) == 64 {
		return false
	}
	first := true
	for name != "" {
		comp, rest, more := strings.Cut(name, "/")
		if !plainComponent(comp) {
			return false
		}
		if first && more && strings.IndexByte(comp, '.') >= 0 && strings.IndexByte(comp, '_') >= 0 {
			return false // a registry host holds no '_'
		}
		if more && rest == "" {
			return false // a trailing '/'
		}
		first = false
		name = rest
	}
	return true
}

// plainComponent reports whether c is a path component of an image name:
// [a-z0-9]+ joined by '.', '_', "__" or one or more '-'.
func plainComponent(c string) bool {
	if c == "" || !alnumLower(c[0]) || !alnumLower(c[len(c)-1]) {
		return false
	}
	for i := 1; i < len(c); i++ {
		b := c[i]
		if alnumLower(b) {
			continue
		}
		switch b {
		case '.':
			if !alnumLower(c[i+1]) { // the last byte is alphanumeric
				return false
			}
		case '_':
			if c[i+1] == '_' {
				i++
			}
			if !alnumLower(c[i+1]) {
				return false
			}
		case '-':
			for c[i+1] == '-' {
				i++
			}
			if !alnumLower(c[i+1]) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// plainTag reports whether t is a tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
func plainTag(t string) bool {
	if t == "" || len(t) > 128 || t[0] == '.' || t[0] == '-' {
		return false
	}
	for i := 0; i < len(t); i++ {
		b := t[i]
		if !(alnumLower(b) || 'A' <= b && b <= 'Z' || b == '_' || b == '.' || b == '-') {
			return false
		}
	}
	return true
}

// sha256Digest reports whether d is "sha256:" and 64 lower-case hex digits.
func sha256Digest(d string) bool {
	hex, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hex) != 64 {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if b := hex[i]; !('0' <= b && b <= '9' || 'a' <= b && b <= 'f') {
			return false
		}
	}
	return true
}

func alnumLower(b byte) bool { return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' }
