package migrate

import (
	"strings"
	"unicode"
)

// word is one shell word of a RUN command.
type word struct {
	// text is the word with quotes removed; raw is as written.
	text, raw string
	// dynamic words hold an expansion ($NAME, ${...}) whose value only the
	// build knows.
	dynamic bool
	// start and end are byte offsets of the word in the command text.
	start, end int
}

// segment is one simple command of a shell command line: the words
// between the list operators `&&` and `;`.
type segment struct {
	words []word
	// complex segments use shell syntax dockstage does not reason about:
	// pipes, `||`, background `&`, redirections, subshells, command
	// substitution, comments. They are never classified.
	complex bool
}

// args is the segment's words as text.
func (s segment) args() []string {
	out := make([]string, len(s.words))
	for i, w := range s.words {
		out[i] = w.text
	}
	return out
}

// end is the offset just after the segment's last word.
func (s segment) end() int {
	if len(s.words) == 0 {
		return -1
	}
	return s.words[len(s.words)-1].end
}

// splitShell splits shell-form RUN text into simple commands, the way
// /bin/sh would read a list of `&&`- and `;`-separated commands. The text is
// the spec's shell-form text: physical lines joined by the Dockerfile escape
// character esc, with the comment and blank lines BuildKit drops inside a
// continuation. Anything beyond words, quotes, expansions and the two list
// operators marks its segment complex.
func splitShell(text string, esc rune) []segment {
	var segs []segment
	cur := segment{}
	var w *word
	var b strings.Builder
	flushWord := func(end int) {
		if w == nil {
			return
		}
		w.text = b.String()
		w.end = end
		w.raw = text[w.start:end]
		cur.words = append(cur.words, *w)
		w = nil
		b.Reset()
	}
	flushSeg := func() {
		if len(cur.words) > 0 || cur.complex {
			segs = append(segs, cur)
		}
		cur = segment{}
	}
	startWord := func(i int) {
		if w == nil {
			w = &word{start: i}
		}
	}
	lineStart := true // at the start of a physical line after a continuation
	rs := []rune(text)
	// offsets of runes in text
	offs := make([]int, len(rs)+1)
	o := 0
	for i, r := range rs {
		offs[i] = o
		o += len(string(r))
	}
	offs[len(rs)] = o
	first := true
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		if lineStart && !first {
			// BuildKit drops comment and empty lines inside a continuation.
			j := i
			for j < len(rs) && (rs[j] == ' ' || rs[j] == '\t') {
				j++
			}
			if j == len(rs) || rs[j] == '\n' || rs[j] == '#' {
				for i < len(rs) && rs[i] != '\n' {
					i++
				}
				continue
			}
		}
		first = false
		lineStart = false
		switch {
		case c == esc && i+1 < len(rs) && isLineEnd(rs[i+1:]):
			// Line continuation: skip to the next line.
			flushWord(offs[i])
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			lineStart = true
		case c == '\n':
			flushWord(offs[i])
			lineStart = true
		case c == ' ' || c == '\t':
			flushWord(offs[i])
		case c == '\\':
			startWord(offs[i])
			if i+1 < len(rs) {
				i++
				b.WriteRune(rs[i])
			}
		case c == '\'':
			startWord(offs[i])
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				b.WriteRune(rs[j])
				j++
			}
			if j == len(rs) {
				cur.complex = true
			}
			i = j
		case c == '"':
			startWord(offs[i])
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				switch {
				case rs[j] == '\\' && j+1 < len(rs) && strings.ContainsRune("$`\"\\\n", rs[j+1]):
					j++
					b.WriteRune(rs[j])
				case rs[j] == '$':
					w.dynamic = true
					if j+1 < len(rs) && rs[j+1] == '(' {
						cur.complex = true
					}
					b.WriteRune(rs[j])
				case rs[j] == '`':
					cur.complex = true
					b.WriteRune(rs[j])
				default:
					b.WriteRune(rs[j])
				}
			}
			if j == len(rs) {
				cur.complex = true
			}
			i = j
		case c == '$':
			startWord(offs[i])
			w.dynamic = true
			b.WriteRune(c)
			switch {
			case i+1 < len(rs) && rs[i+1] == '(':
				cur.complex = true
			case i+1 < len(rs) && rs[i+1] == '{':
				j := i + 1
				for j < len(rs) && rs[j] != '}' {
					b.WriteRune(rs[j])
					j++
				}
				if j == len(rs) {
					cur.complex = true
					i = j - 1
				} else {
					b.WriteRune(rs[j])
					i = j
				}
			}
		case c == '&' && i+1 < len(rs) && rs[i+1] == '&':
			flushWord(offs[i])
			flushSeg()
			i++
		case c == ';':
			flushWord(offs[i])
			flushSeg()
		case strings.ContainsRune("|&<>()`{}", c):
			flushWord(offs[i])
			cur.complex = true
		case c == '#' && w == nil:
			// A shell comment runs to the end of the line.
			cur.complex = true
			for i+1 < len(rs) && rs[i+1] != '\n' {
				i++
			}
		case c == '*' || c == '?' || c == '[' || c == '~':
			startWord(offs[i])
			w.dynamic = true
			b.WriteRune(c)
		default:
			startWord(offs[i])
			b.WriteRune(c)
		}
	}
	flushWord(len(text))
	flushSeg()
	return segs
}

// isLineEnd reports whether rs (what follows an escape character) is only
// spaces or tabs up to a newline or the end.
func isLineEnd(rs []rune) bool {
	for _, r := range rs {
		switch r {
		case ' ', '\t':
			continue
		case '\n':
			return true
		default:
			return false
		}
	}
	return true
}

// execSegment is an exec-form command as one segment.
func execSegment(args []string) []segment {
	s := segment{}
	for _, a := range args {
		s.words = append(s.words, word{text: a, raw: a, start: -1, end: -1})
	}
	return []segment{s}
}

// plainWord reports whether w can stand for itself in both shell and exec
// form: no quoting, expansion, globbing or shell syntax.
func plainWord(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			continue
		}
		if !strings.ContainsRune("-_./:=,@%+", r) {
			return false
		}
	}
	return true
}
