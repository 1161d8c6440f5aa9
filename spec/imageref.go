package spec

// plainImageRef reports, without distribution/reference's regexps, that ref
// is certainly an image reference reference.ParseNormalizedNamed accepts:
// NAME[:TAG][@sha256:HEX64] where NAME is lower-case path components
// (letters and digits joined by '.', '_', "__" or dashes), the first of
// several optionally a registry host (dot-separated letters, digits and
// dashes, no port), TAG is a word character then up to 127 of word
// characters, '.' and '-', and the name stays far below the 255-byte
// limit. False means "ask ParseNormalizedNamed"; FuzzPlainImageRef checks
// that every true agrees with it.
func plainImageRef(ref string) bool {
	name, digest := ref, ""
	for i := 0; i < len(ref); i++ {
		if ref[i] == '@' {
			name, digest = ref[:i], ref[i+1:]
			break
		}
	}
	if digest != "" && !sha256Digest(digest) || len(name) == 0 || len(ref) == len(name)+1 {
		return false
	}
	last := 0 // start of the last path component
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			last = i + 1
		}
	}
	tag := ""
	for i := last; i < len(name); i++ {
		if name[i] == ':' {
			name, tag = name[:i], name[i+1:]
			if !plainTag(tag) {
				return false
			}
			break
		}
	}
	if len(name) > 200 || name == "" {
		return false
	}
	start, first := 0, true
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '/' {
			continue
		}
		comp := name[start:i]
		multi := i < len(name) || !first
		switch {
		case first && multi && hasByte(comp, '.'):
			if !plainHost(comp) {
				return false
			}
		case !pathComponent(comp):
			return false
		}
		if first && !multi && len(comp) == 64 && allHex(comp) {
			return false // ParseNormalizedNamed refuses a 64-hex name
		}
		first, start = false, i+1
	}
	return true
}

func hasByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isHex(c byte) bool { return c >= 'a' && c <= 'f' || c >= '0' && c <= '9' }

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// pathComponent is distribution/reference's path component:
// [a-z0-9]+ joined by '.', '_', "__" or one or more '-'.
func pathComponent(s string) bool {
	if s == "" || !isLowerAlnum(s[0]) || !isLowerAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s); {
		if isLowerAlnum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && !isLowerAlnum(s[j]) {
			j++
		}
		switch sep := s[i:j]; {
		case sep == "." || sep == "_" || sep == "__":
		default:
			for k := 0; k < len(sep); k++ {
				if sep[k] != '-' {
					return false
				}
			}
		}
		i = j
	}
	return true
}

// plainHost is a registry host without port: lower-case letters, digits
// and inner dashes in dot-separated labels.
func plainHost(s string) bool {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			c := s[i]
			if !isLowerAlnum(c) && c != '-' {
				return false
			}
			continue
		}
		l := s[start:i]
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		start = i + 1
	}
	return true
}

// plainTag is a tag: [\w][\w.-]{0,127}.
func plainTag(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		word := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
		if !word && (i == 0 || c != '.' && c != '-') {
			return false
		}
	}
	return true
}

// sha256Digest is "sha256:" and 64 lower-case hex digits.
func sha256Digest(s string) bool {
	const p = "sha256:"
	return len(s) == len(p)+64 && s[:len(p)] == p && allHex(s[len(p):])
}
