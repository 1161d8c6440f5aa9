package syntax

import (
	"strings"
	"unicode"
)

// ExtractFlags splits the leading `--flag` words off an instruction's
// arguments: rest is what follows them, words the unquoted flag words,
// dashdash whether a bare `--` ended them. It mirrors BuildKit's
// parser.extractBuilderFlags byte for byte (it looks at bytes, not runes),
// but writes bytes rather than rune(byte).
func ExtractFlags(line string, esc rune) (rest string, words []string, dashdash bool) {
	const (
		inSpaces = iota
		inWord
		inQuote
	)
	phase := inSpaces
	var sb []byte
	var quote byte
	blankOK := false
	var ch byte
	for pos := 0; pos <= len(line); pos++ {
		if pos != len(line) {
			ch = line[pos]
		}
		if phase == inSpaces {
			if pos == len(line) {
				break
			}
			if unicode.IsSpace(rune(ch)) {
				continue
			}
			if ch != '-' || pos+1 == len(line) || line[pos+1] != '-' {
				return line[pos:], words, false
			}
			phase = inWord
		}
		if (phase == inWord || phase == inQuote) && pos == len(line) {
			if w := string(sb); w != "--" && (blankOK || len(w) > 0) {
				words = append(words, w)
			} else if w == "--" {
				dashdash = true
			}
			break
		}
		if phase == inWord {
			if unicode.IsSpace(rune(ch)) {
				w := string(sb)
				phase = inSpaces
				if w == "--" {
					return line[pos:], words, true
				}
				if blankOK || len(w) > 0 {
					words = append(words, w)
				}
				sb = sb[:0]
				blankOK = false
				continue
			}
			if ch == '\'' || ch == '"' {
				quote = ch
				blankOK = true
				phase = inQuote
				continue
			}
			if rune(ch) == esc {
				if pos+1 == len(line) {
					continue
				}
				pos++
				ch = line[pos]
			}
			sb = append(sb, ch)
			continue
		}
		if phase == inQuote {
			if ch == quote {
				phase = inWord
				continue
			}
			if rune(ch) == esc {
				if pos+1 == len(line) {
					phase = inWord
					continue
				}
				pos++
				ch = line[pos]
			}
			sb = append(sb, ch)
		}
	}
	return "", words, dashdash
}

// MangleFlag is what BuildKit's extractBuilderFlags makes of a flag word:
// each byte becomes the rune of the same value.
func MangleFlag(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}
