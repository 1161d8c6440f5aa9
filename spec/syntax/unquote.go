package syntax

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// UnquoteWord turns a Dockerfile shell word as written (an ENV, LABEL or ARG
// key or value) into the spec's form, where `$NAME` and `${...}` are live
// references, E$ (E the escape character) is a literal dollar sign and, in a
// run of E directly before a `$`, each EE is one literal E (as BuildKit's
// shell lexer reads E E outside and inside double quotes):
//
//   - outside quotes, E c becomes c, except E$ which stays E$ (a trailing E
//     is dropped, as BuildKit does);
//   - inside '...' everything is literal, and $ becomes E$;
//   - inside "..." E" becomes ", EE becomes E, E$ stays E$, E before any
//     other character stays (E and the character); $ references stay live;
//   - a reference is copied as written (`${A:-"x y"}` included); a bare
//     `$NAME` followed by a literal name character becomes `${NAME}`, and a
//     `$` that starts no reference becomes E$;
//   - literal E characters directly before a `$` (literal or live) are
//     doubled: `C:\\$HOME` (a literal \ then the reference) becomes
//     `C:\\$HOME`, `'\$X'` becomes `\\\$X`.
//
// Read back left to right, a run of n E before `$` is n/2 literal E and,
// for odd n, a literal dollar; every other character is itself (`C:\app`
// stays as written). Word is the way back.
//
// A word that spans lines (see JoinValue) keeps its breaks where they stand
// between characters; where one cannot stay (inside a reference, say) the
// word is unquoted joined.
func UnquoteWord(w string, esc rune) (string, error) {
	if plainWord(w, esc) {
		return w, nil // every character is itself (the rules above)
	}
	rs, breaks, ok := splitBreaks(w, esc)
	if !ok {
		return "", errors.New("a line break in the word is not a line continuation")
	}
	if len(breaks) == 0 {
		return unquoteRunes(rs, nil, esc)
	}
	if out, err := unquoteRunes(rs, breaks, esc); err == nil && ValueBreaksOK(out, esc) {
		return out, nil
	}
	return unquoteRunes(rs, nil, esc)
}

// errMisplacedBreak is unquoteRunes' way of saying a break cannot stay.
var errMisplacedBreak = errors.New("a line continuation inside a reference or after a literal escape character")

// plainWord reports whether w holds no quote, no `$`, no escape character,
// no line break and no invalid UTF-8 (which the rune form replaces):
// UnquoteWord gives such a word back as it is.
func plainWord(w string, esc rune) bool {
	for _, c := range w {
		switch c {
		case '\'', '"', '$', '\n', esc, utf8.RuneError:
			return false
		}
	}
	return true
}

func unquoteRunes(rs []rune, breaks map[int]string, esc rune) (string, error) {
	out := make([]rune, 0, len(rs)+len(rs)/8+2)
	litEs := 0     // literal E characters at the end of out
	bareName := -1 // start in out of a live `$NAME` that ended out, or -1
	// dollar doubles the literal E run before a `$` (see the rule above).
	dollar := func() {
		for ; litEs > 0; litEs-- {
			out = append(out, esc)
		}
	}
	lit := func(c rune) {
		if bareName >= 0 && isNameRune(c, out[bareName+1:]) {
			name := append([]rune(nil), out[bareName+1:]...)
			out = append(append(out[:bareName], '$', '{'), name...)
			out = append(out, '}')
		}
		bareName = -1
		if c == '$' {
			dollar()
			out = append(out, esc, '$')
			return
		}
		out = append(out, c)
		if c == esc {
			litEs++
		} else {
			litEs = 0
		}
	}
	live := func(ref []rune) error {
		if len(ref) == 1 { // "$" alone: literal in BuildKit
			lit('$')
			return nil
		}
		dollar()
		bareName = -1
		if ref[1] != '{' {
			bareName = len(out)
		}
		out = append(out, ref...)
		return nil
	}
	// brk writes the break that stands before rs[i], if any; a break
	// skipped over (inside a reference) is errMisplacedBreak.
	emitted := 0
	brk := func(i int) error {
		if len(breaks) == 0 {
			return nil
		}
		t, ok := breaks[i]
		if !ok {
			return nil
		}
		if litEs > 0 {
			return errMisplacedBreak
		}
		if bareName >= 0 { // `$A` + break + `b` must stay ${A}b
			name := append([]rune(nil), out[bareName+1:]...)
			out = append(append(out[:bareName], '$', '{'), name...)
			out = append(out, '}')
			bareName = -1
		}
		out = append(out, []rune(t)...)
		emitted++
		return nil
	}
	// reference copies the $ reference that starts at rs[at] and returns
	// where it ends.
	reference := func(at int) (int, error) {
		end, err := ScanDollar(rs, at, esc)
		if err != nil {
			return 0, err
		}
		return end, live(rs[at:end])
	}
	for i := 0; i < len(rs); {
		if err := brk(i); err != nil {
			return "", err
		}
		c := rs[i]
		switch {
		case c == esc:
			if i+1 < len(rs) {
				lit(rs[i+1])
			}
			i += 2
		case c == '\'':
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				if err := brk(j); err != nil {
					return "", err
				}
				lit(rs[j])
				j++
			}
			if j >= len(rs) {
				return "", errors.New("unexpected end of word while looking for the matching single quote")
			}
			i = j + 1
		case c == '"':
			j := i + 1
			for {
				if j >= len(rs) {
					return "", errors.New("unexpected end of word while looking for the matching double quote")
				}
				if err := brk(j); err != nil {
					return "", err
				}
				d := rs[j]
				if d == '"' {
					j++
					break
				}
				switch {
				case d == '$':
					end, err := reference(j)
					if err != nil {
						return "", err
					}
					j = end
				case d == esc:
					if j+1 >= len(rs) {
						j++
						continue
					}
					switch n := rs[j+1]; n {
					case '"', '$', esc:
						lit(n)
						j += 2
					default:
						lit(esc)
						j++
					}
				default:
					lit(d)
					j++
				}
			}
			i = j
		case c == '$':
			end, err := reference(i)
			if err != nil {
				return "", err
			}
			i = end
		default:
			lit(c)
			i++
		}
	}
	if emitted != len(breaks) {
		return "", errMisplacedBreak
	}
	return string(out), nil
}

// isNameRune reports whether c would extend the bare reference name.
func isNameRune(c rune, name []rune) bool {
	if len(name) == 0 {
		return false
	}
	if unicode.IsDigit(name[0]) {
		return unicode.IsDigit(c)
	}
	if isSpecialParam(name[0]) {
		return false
	}
	return unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_'
}

func isSpecialParam(c rune) bool {
	switch c {
	case '@', '*', '#', '?', '-', '$', '!', '0':
		return true
	}
	return false
}

// scanName returns the end of a variable name at i, as BuildKit's
// processName reads it.
func scanName(rs []rune, i int) int {
	if i < len(rs) && unicode.IsDigit(rs[i]) {
		for i < len(rs) && unicode.IsDigit(rs[i]) {
			i++
		}
		return i
	}
	if i < len(rs) && isSpecialParam(rs[i]) {
		return i + 1
	}
	for i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]) || rs[i] == '_') {
		i++
	}
	return i
}

// ScanDollar returns the end of the reference starting with the `$` at i
// (`$NAME`, `${NAME}`, `${NAME:-word}`, ...), following BuildKit's
// shell.processDollar; the error is BuildKit's for a malformed reference.
func ScanDollar(rs []rune, i int, esc rune) (int, error) {
	j := i + 1
	if j >= len(rs) || rs[j] != '{' {
		return scanName(rs, j), nil
	}
	j++
	if j >= len(rs) {
		return 0, errors.New("syntax error: missing '}'")
	}
	switch rs[j] {
	case '{', '}', ':':
		return 0, errors.New("syntax error: bad substitution")
	}
	j = scanName(rs, j)
	if j >= len(rs) {
		return 0, errors.New("syntax error: missing '}'")
	}
	ch := rs[j]
	j++
	switch ch {
	case '}':
		return j, nil
	case ':':
		if j >= len(rs) {
			return 0, errors.New("syntax error: missing '}'")
		}
		j++
		return scanStop(rs, j, '}', esc)
	case '+', '-', '?', '#', '%':
		return scanStop(rs, j, '}', esc)
	case '/':
		if j < len(rs) && rs[j] == '/' {
			j++
		}
		j, err := scanStop(rs, j, '/', esc)
		if err != nil {
			return 0, err
		}
		return scanStop(rs, j, '}', esc)
	}
	return 0, fmt.Errorf("unsupported modifier (%c) in substitution", ch)
}

// scanStop returns the position after the next stop rune at or after i,
// skipping quotes, escapes and nested references (BuildKit's
// processStopOn).
func scanStop(rs []rune, i int, stop, esc rune) (int, error) {
	for i < len(rs) {
		c := rs[i]
		switch {
		case c == stop:
			return i + 1, nil
		case c == '$':
			end, err := ScanDollar(rs, i, esc)
			if err != nil {
				return 0, err
			}
			i = end
		case c == '\'':
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			if j >= len(rs) {
				return 0, errors.New("unexpected end of statement while looking for matching single-quote")
			}
			i = j + 1
		case c == '"':
			j := i + 1
			for {
				if j >= len(rs) {
					return 0, errors.New("unexpected end of statement while looking for matching double-quote")
				}
				if rs[j] == '"' {
					break
				}
				switch rs[j] {
				case '$':
					end, err := ScanDollar(rs, j, esc)
					if err != nil {
						return 0, err
					}
					j = end
				case esc:
					j += 2
				default:
					j++
				}
			}
			i = j + 1
		case c == esc:
			i += 2
		default:
			i++
		}
	}
	return 0, fmt.Errorf("syntax error: missing '%c'", stop)
}
