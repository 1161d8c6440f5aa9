package syntax

import (
	"strings"
	"unicode"
)

// Continued values: an ENV, LABEL or ARG value (or key) may span lines
// the way the Dockerfile word did, through breaks. A break is the escape
// character at the end of a line (BuildKit's continuation rule,
// Continues), its newline, and the comment lines after it (which
// BuildKit's parser drops; blank continuation lines are dropped too). The
// value means its text with every break removed (JoinValue).

// splitBreaks returns v without its breaks, as runes, and the break text
// that stood before each rune index (an index of len(joined) is a break at
// the end). Blank lines inside a break are left out of its text. ok is
// false when a line break is not part of a break (a line that does not
// continue, or a last line that is blank or a comment).
func splitBreaks(v string, esc rune) (joined []rune, breaks map[int]string, ok bool) {
	if !strings.Contains(v, "\n") {
		return []rune(v), nil, true
	}
	lines := strings.Split(v, "\n")
	breaks = map[int]string{}
	var b strings.Builder
	var brk strings.Builder
	inBreak := false
	for i, l := range lines {
		last := i == len(lines)-1
		if inBreak && i > 0 && (strings.TrimLeftFunc(l, unicode.IsSpace) == "" || strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), "#")) {
			if last {
				return nil, nil, false
			}
			if strings.TrimSpace(l) != "" {
				brk.WriteString(l + "\n")
			}
			continue
		}
		if inBreak {
			// A line holding only the escape character continues the
			// break at the same index: its text joins the earlier one's.
			breaks[len([]rune(b.String()))] += brk.String()
			brk.Reset()
			inBreak = false
		}
		if last {
			b.WriteString(l)
			break
		}
		t, cont := TrimContinuation(l, esc)
		if !cont {
			return nil, nil, false
		}
		b.WriteString(t)
		brk.WriteString(l[len(t):] + "\n")
		inBreak = true
	}
	return []rune(b.String()), breaks, true
}

// JoinValue is what a spec value that may span lines means: its text with
// every break removed, as BuildKit's parser joins the lines; a value
// without line breaks is itself. A value whose line breaks are not breaks
// is returned as it is (validation refuses it).
func JoinValue(v string, esc rune) string {
	if !strings.Contains(v, "\n") {
		return v
	}
	j, _, ok := splitBreaks(v, esc)
	if !ok {
		return v
	}
	return string(j)
}

// ValueBreaksOK reports whether every line break of v is part of a break
// (see above): the lines before the last continue, or are comment or blank
// lines after a continued one, and the last line holds text.
func ValueBreaksOK(v string, esc rune) bool {
	_, _, ok := splitBreaks(v, esc)
	return ok
}
