package syntax

import "strings"

// HeredocNames lists the names of the heredocs text opens, in order. This
// is the spec's rule, deliberately wider than BuildKit's: every <<NAME in a
// RUN command or COPY/ADD source opens a heredoc, also inside quotes or a
// word, where BuildKit's parser (parser.heredocsFromLine, which reads each
// shell word with parser.ParseHeredoc) sees none. spec.Validate probes each
// command with BuildKit's parser, and Reverse refuses a Dockerfile where the
// two readings differ, so a spec never holds a <<NAME the two read
// differently.
//
// The rule is the regular expression
//
//	(?:^|[^<])[0-9]*<<(-?)\s*(["']?)([a-zA-Z_][a-zA-Z0-9_.-]*)(["']?)
//
// (`<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`, `3<<EOF`), its matches found
// left to right without overlapping, each giving its third group; the
// scan below finds the same matches without the regexp engine
// (FuzzHeredocNames checks it against the expression).
func HeredocNames(text string) []string {
	var out []string
	pos := 0 // where the next match may start: the end of the last one
	for from := pos; ; {
		k := strings.Index(text[from:], "<<")
		if k < 0 {
			return out
		}
		k += from
		from = k + 1 // a later "<<" may overlap this one
		if !openerStart(text, pos, k) {
			continue
		}
		name, end, ok := openerName(text, k+2)
		if !ok {
			continue
		}
		out = append(out, name)
		pos, from = end, end
	}
}

// openerStart reports whether a match of HeredocNames' expression can
// start at or after pos and reach the "<<" at k: its digits ([0-9]*) run
// up to k, and before them is either the start of the text (^) or a
// character other than '<' ([^<], which may be the first digit itself),
// at or after pos. A match cannot start before pos, so digits before pos
// do not count.
func openerStart(text string, pos, k int) bool {
	d := k
	for d > pos && '0' <= text[d-1] && text[d-1] <= '9' {
		d--
	}
	switch {
	case d < k: // a digit is a [^<]
		return true
	case d == 0:
		return pos == 0 // ^ is the start of the text only
	case d-1 < pos:
		return false
	}
	// The character before "<<": the rune ending at byte d-1, which starts
	// at or after pos (the last match ended on an ASCII byte) and is '<'
	// only when the byte is.
	return text[d-1] != '<'
}

// openerName matches, at i (after "<<"), the rest of HeredocNames'
// expression: (-?)\s*(["']?)([a-zA-Z_][a-zA-Z0-9_.-]*)(["']?), with \s
// the RE2 class [\t\n\f\r ]. It returns the name and where the match ends.
func openerName(text string, i int) (name string, end int, ok bool) {
	if i < len(text) && text[i] == '-' {
		i++ // (-?) backtracking to empty cannot help: '-' starts no name
	}
	for i < len(text) && strings.IndexByte("\t\n\f\r ", text[i]) >= 0 {
		i++
	}
	if i < len(text) && (text[i] == '"' || text[i] == '\'') {
		i++ // likewise: a quote starts no name
	}
	start := i
	if i >= len(text) || !(text[i] == '_' || 'a' <= text[i]|0x20 && text[i]|0x20 <= 'z') {
		return "", 0, false
	}
	for i < len(text) && (text[i] == '_' || text[i] == '.' || text[i] == '-' || '0' <= text[i] && text[i] <= '9' || 'a' <= text[i]|0x20 && text[i]|0x20 <= 'z') {
		i++
	}
	name = text[start:i]
	if i < len(text) && (text[i] == '"' || text[i] == '\'') {
		i++
	}
	return name, i, true
}
