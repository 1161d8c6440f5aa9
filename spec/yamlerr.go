package spec

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
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
	// Else the line where the text stops being YAML: yaml.v3 names the
	// line where the construct around the mistake started (a mapping
	// three lines up, the line before an unclosed [).
	if l := breakLine(lines); l > 0 {
		if p, key := missingColon(lines, l); p > 0 {
			return p, 1 + len(lines[p-1]) - len(strings.TrimLeft(lines[p-1], " ")),
				fmt.Sprintf("this line is not key: value, so line %d cannot go on the mapping; write the key with its colon: %s", l, key), true
		}
		c, plain := explainLine(lines, l, msg)
		return l, c, plain, true
	}
	return 0, 0, "", false
}

// breakLine returns the 1-based line on which lines stop being YAML: the
// line after the longest prefix of whole lines that parses, found by
// parsing the prefixes, longest first (a parse fails at its first error,
// so a failing prefix costs the lines up to the mistake). 0 when no
// prefix parses or the file is too long to try.
func breakLine(lines []string) int {
	if len(lines) > 5000 {
		return 0
	}
	for j := len(lines) - 1; j >= 0; j-- {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(strings.Join(lines[:j], "\n")), &n); err == nil {
			if j == len(lines)-1 && strings.TrimSpace(lines[j]) == "" {
				continue // the whole text but its empty last line
			}
			return j + 1
		}
	}
	return 0
}

// explainLine says what is wrong on line l (1-based), where the text
// stops being YAML, and the column: an unclosed [ or { (at the bracket),
// else the line's indentation, which fits no mapping or list above it.
func explainLine(lines []string, l int, msg string) (int, string) {
	text := lines[l-1]
	if c, b := openBracket(text); c > 0 {
		closer := map[byte]string{'[': "]", '{': "}"}[b]
		return c, fmt.Sprintf("the %c opened here is not closed; add %s at the end of the %s (a [ ] list or { } mapping may go on over lines only until it is closed)",
			b, closer, map[byte]string{'[': "list", '{': "mapping"}[b])
	}
	if c, key := colonInValue(text); c > 0 {
		return c, fmt.Sprintf("the value of %s holds a colon followed by a space, which YAML reads as the start of another key; quote the whole value (%s: '...', with each ' inside written ''), or write it as a block: %s: | and the text indented on the next line", key, key, key)
	}
	indent := len(text) - len(strings.TrimLeft(text, " "))
	trim := strings.TrimSpace(text)
	// The columns this line could start at: those of the mappings and
	// lists open above it, from the line above up to the top.
	var cols []string
	last := -1
	for i := l - 2; i >= 0; i-- {
		t := strings.TrimLeft(lines[i], " ")
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		in := len(lines[i]) - len(t)
		if last >= 0 && in >= last {
			continue
		}
		last = in
		if strings.HasPrefix(t, "- ") {
			k, _, _ := strings.Cut(t[2:], ":")
			if in+2 != indent && strings.Contains(t[2:], ":") {
				cols = append(cols, fmt.Sprintf("%d to go on with %s (line %d)", in+2, strings.TrimSpace(k), i+1))
			}
			if in != indent {
				cols = append(cols, fmt.Sprintf("%d for a new item of the list on line %d", in, i+1))
			}
		} else if k, _, ok := strings.Cut(t, ":"); ok && in != indent {
			cols = append(cols, fmt.Sprintf("%d to go on with %s (line %d)", in, strings.TrimSpace(k), i+1))
		}
		if in == 0 {
			break
		}
	}
	if strings.HasPrefix(trim, "- ") {
		// A list item most likely means another item of a list above.
		sort.SliceStable(cols, func(i, j int) bool {
			return strings.Contains(cols[i], "new item") && !strings.Contains(cols[j], "new item")
		})
	}
	what := "this line"
	if k, _, ok := strings.Cut(trim, ":"); ok && !strings.ContainsAny(k, " \"'") {
		what = k + ":"
	} else if !strings.ContainsAny(trim, " \"'") {
		what = trim
	}
	plain := fmt.Sprintf("%s is indented %d space(s), which fits no mapping or list above it", what, indent)
	if strings.Contains(msg, "could not find expected ':'") {
		plain = fmt.Sprintf("%s is not key: value inside the mapping above; write it as key: value, or as a list item (- ...) under a key that takes a list", what)
	} else if len(cols) > 0 {
		plain += "; indent it " + strings.Join(cols, ", or ")
	}
	return indent + 1, plain
}

// openBracket returns the 1-based column of the last [ or { that text
// opens and does not close (outside quotes and comments), and which, or 0.
func openBracket(text string) (int, byte) {
	var stack []int
	var q byte
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case q != 0:
			if ch == q {
				q = 0
			}
		case ch == '"' || ch == '\'':
			q = ch
		case ch == '#' && (i == 0 || text[i-1] == ' '):
			i = len(text)
		case ch == '[' || ch == '{':
			stack = append(stack, i)
		case (ch == ']' || ch == '}') && len(stack) > 0:
			if open := text[stack[len(stack)-1]]; (open == '[') != (ch == ']') {
				// `{src: [a, b}`: the } closes no [; the [ is the one open.
				return stack[len(stack)-1] + 1, open
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) == 0 {
		return 0, 0
	}
	i := stack[len(stack)-1]
	return i + 1, text[i]
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

// colonInValue returns the 1-based column of a ": " (or a ":" that ends
// the line) inside the plain value of a `key: value` line (a list item's
// too), where YAML reads it as the start of a nested key
// (`- run: curl -H "Accept: text/html" x`), and the key; 0 when the value
// is quoted, a flow collection, a block scalar, or holds no such colon.
func colonInValue(text string) (int, string) {
	trim := strings.TrimLeft(text, " ")
	for strings.HasPrefix(trim, "- ") {
		trim = strings.TrimLeft(trim[2:], " ")
	}
	off := len(text) - len(trim)
	k, v, ok := strings.Cut(trim, ": ")
	if !ok || k == "" || strings.ContainsAny(k, " \"'#{}[]") {
		return 0, ""
	}
	vt := strings.TrimLeft(v, " ")
	if vt == "" || strings.ContainsRune("\"'[{|>&*!#", rune(vt[0])) {
		return 0, ""
	}
	base := off + len(k) + 2 + len(v) - len(vt)
	if c := strings.Index(vt, " #"); c >= 0 {
		vt = vt[:c] // a comment
	}
	if i := strings.Index(vt, ": "); i >= 0 {
		return base + i + 1, k
	}
	if strings.HasSuffix(vt, ":") {
		return base + len(vt), k
	}
	return 0, ""
}

// missingColon finds a key written without its colon (`from alpine`)
// right above line l (1-based), which yaml.v3 reads as the plain value
// of the mapping above, so that line l, at the same indentation, breaks:
// it returns the key's line and the line with the colon, or 0.
func missingColon(lines []string, l int) (int, string) {
	text := lines[l-1]
	indent := len(text) - len(strings.TrimLeft(text, " "))
	p := l - 1
	for p >= 1 && strings.TrimSpace(lines[p-1]) == "" {
		p--
	}
	if p < 1 {
		return 0, ""
	}
	prev := lines[p-1]
	pt := strings.TrimLeft(prev, " ")
	if len(prev)-len(pt) != indent || strings.HasPrefix(pt, "-") || strings.HasPrefix(pt, "#") ||
		strings.Contains(pt, ": ") || strings.HasSuffix(pt, ":") || strings.ContainsAny(pt[:1], "\"'[{|>&*!") {
		return 0, ""
	}
	k, rest, ok := strings.Cut(strings.TrimSpace(pt), " ")
	if !ok {
		return p, k + ":"
	}
	return p, k + ": " + strings.TrimLeft(rest, " ")
}
