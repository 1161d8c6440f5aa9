package syntax

import (
	"strings"
	"unicode"
)

// ExtractFlags splits the leading `--flag` words off an instruction's
// arguments: rest is what follows them, words the unquoted flag words,
// dashdash whether a bare `--` ended them. It mirrors BuildKit's
// parser.extractBuilderFlags byte for byte (it looks at bytes, not runes),
// but writes bytes rather than rune(byte). A word without quotes or escape
// characters is a slice of line, not a copy (FuzzExtractFlags checks the
// words against a copy of each).
func ExtractFlags(line string, esc rune) (rest string, words []string, dashdash bool) {
	const (
		inSpaces = iota
		inWord
		inQuote
	)
	phase := inSpaces
	var sb []byte
	start, plain := 0, true // the word's start; plain: it is line[start:pos] so far
	word := func(pos int) string {
		if plain {
			return line[start:pos]
		}
		return string(sb)
	}
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
			start, plain = pos, true
		}
		if (phase == inWord || phase == inQuote) && pos == len(line) {
			if w := word(pos); w != "--" && (blankOK || len(w) > 0) {
				words = append(words, w)
			} else if w == "--" {
				dashdash = true
			}
			break
		}
		if phase == inWord {
			if unicode.IsSpace(rune(ch)) {
				w := word(pos)
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
			if plain && (ch == '\'' || ch == '"' || rune(ch) == esc) {
				sb, plain = append(sb[:0], line[start:pos]...), false
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
			if !plain {
				sb = append(sb, ch)
			}
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
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < 0x80
	}
	if ascii {
		return s // an ASCII byte is its own rune
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}
