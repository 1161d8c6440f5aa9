package spec

import (
	"strings"
)

// explainYAML finds where a YAML syntax error really is and says it in
// plain words with what to do: a tab in the indentation, a list item where
// a mapping key was expected, a quoted string that is not closed. line and
// msg are yaml.v3's; ok is false when none of these explains the error.
func explainYAML(data []byte, line int, msg string) (l, col int, plain string, ok bool) {
	lines := strings.Split(string(data), "\n")
	// A tab where indentation is: YAML indents with spaces only.
	if strings.Contains(msg, "tab") || strings.Contains(msg, "cannot start any token") {
		for i, text := range lines {
			indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
			if j := strings.IndexByte(indent, '\t'); j >= 0 {
				return i + 1, j + 1, "a tab indents this line; YAML indents with spaces only: replace the tab with spaces", true
			}
		}
	}
	// An unclosed quote: the first line, from the top, whose quotes do not
	// close on it (and the value does not go on on the next lines).
	if strings.Contains(msg, "end of stream") || strings.Contains(msg, "quoted scalar") {
		for i, text := range lines {
			if c, q := openQuote(text); c > 0 {
				return i + 1, c, "the string quoted with " + string(q) + " here is not closed; add the closing " + string(q) + " at the end of the value", true
			}
		}
	}
	// A list item (- ...) where a key was expected: a dash at or right of
	// the key column of the mapping above it, after that key's value.
	if strings.Contains(msg, "did not find expected key") || strings.Contains(msg, "block mapping") {
		for i := max(line-1, 1); i < len(lines); i++ {
			text := lines[i]
			trim := strings.TrimLeft(text, " ")
			if !strings.HasPrefix(trim, "- ") && trim != "-" {
				continue
			}
			dash := len(text) - len(trim)
			prev := i - 1
			for prev >= 0 && strings.TrimSpace(lines[prev]) == "" {
				prev--
			}
			if prev < 0 {
				continue
			}
			p := lines[prev]
			pt := strings.TrimLeft(p, " ")
			keyCol := len(p) - len(pt)
			if strings.HasPrefix(pt, "- ") {
				keyCol += 2
				pt = pt[2:]
			}
			k, v, isKey := strings.Cut(pt, ":")
			if isKey && !strings.ContainsAny(k, " \"'") && strings.TrimSpace(v) != "" && dash >= keyCol {
				return i + 1, dash + 1, "a list item (- ...) stands where a key of the mapping above was expected; indent it under a key that takes a list (steps:), or write it as a key (key: value) at the column of " + strings.TrimSpace(k), true
			}
		}
	}
	return 0, 0, "", false
}

// openQuote returns the 1-based column of a quote that a line opens and
// does not close, and which quote, or 0. It skips comments and quotes
// inside a plain value (it's).
func openQuote(text string) (int, byte) {
	var q byte
	start := 0
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case q == 0 && ch == '#' && (i == 0 || text[i-1] == ' '):
			return 0, 0
		case q == 0 && (ch == '"' || ch == '\'') && (i == 0 || strings.ContainsRune(" :-[{,", rune(text[i-1]))):
			q, start = ch, i
		case q == '"' && ch == '\\':
			i++
		case q != 0 && ch == q:
			if q == '\'' && i+1 < len(text) && text[i+1] == '\'' {
				i++ // '' inside single quotes
				continue
			}
			q = 0
		}
	}
	if q != 0 {
		return start + 1, q
	}
	return 0, 0
}
