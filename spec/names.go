package spec

// The name rules below are checked byte by byte; FuzzNameRules compares
// each with the regular expression it stands for (names_test.go).

// validStageName is BuildKit's stage name rule (instructions/parse.go
// validStageName), `^[a-z][a-z0-9-_.]*$`, for a name already in lower case.
// It is ValidName with a letter first.
func validStageName(name string) bool {
	return name != "" && 'a' <= name[0] && name[0] <= 'z' && ValidName(name)
}

// ValidName reports whether name may be a spec's `name:`: lower case
// letters, digits, '.', '_' and '-', starting with a letter or digit (the
// compose service name rule, and the image name rule, since the image is
// NAME:TARGET): `^[a-z0-9][a-z0-9._-]*$`.
func ValidName(name string) bool {
	if name == "" || !alnumLower(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		if b := name[i]; !alnumLower(b) && b != '-' && b != '_' && b != '.' {
			return false
		}
	}
	return true
}

// validEnvKey is the rule of an ARG, ENV or LABEL key:
// `^[^=\s-][^=\s]*$|^-[^-=\s][^=\s]*$|^-$` (\s being [\t\n\f\r ]): not
// empty, no '=' or blank, not starting with "--".
func validEnvKey(key string) bool {
	if key == "" || len(key) > 1 && key[0] == '-' && key[1] == '-' {
		return false
	}
	for i := 0; i < len(key); i++ {
		switch key[i] {
		case '=', '\t', '\n', '\f', '\r', ' ':
			return false
		}
	}
	return true
}

// validStepID is the rule of a step id (Step.ID): `^[A-Za-z][A-Za-z0-9_.-]*$`.
func validStepID(id string) bool {
	if id == "" || !asciiLetter(id[0]) {
		return false
	}
	for i := 1; i < len(id); i++ {
		if b := id[i]; !asciiLetter(b) && (b < '0' || b > '9') && b != '_' && b != '.' && b != '-' {
			return false
		}
	}
	return true
}

func asciiLetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }
