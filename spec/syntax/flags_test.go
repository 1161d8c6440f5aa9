package syntax

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// extractFlagsCopy is ExtractFlags as it was written first: every word
// copied byte by byte.
func extractFlagsCopy(line string, esc rune) (rest string, words []string, dashdash bool) {
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

// mangleFlagCopy is MangleFlag as it was written first: every byte
// written as a rune.
func mangleFlagCopy(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

var flagSeeds = []string{"", "--a", "--mount=type=cache,target=/x make", "--a=\"b c\" d", "--a='x' --b", "-- --x", "--", "--x\\", "--x\\ y", "--x=`y` z", "--é x", "--\"\" a", "  --a  --b  c", "--a\t--b", "x --a", "--a=\\\"q"}

func TestExtractFlagsAsCopy(t *testing.T) {
	for _, s := range flagSeeds {
		checkExtractFlags(t, s, '\\')
		checkExtractFlags(t, s, '`')
	}
}

func checkExtractFlags(t *testing.T, line string, esc rune) {
	t.Helper()
	r1, w1, d1 := ExtractFlags(line, esc)
	r2, w2, d2 := extractFlagsCopy(line, esc)
	if r1 != r2 || !reflect.DeepEqual(w1, w2) || d1 != d2 {
		t.Fatalf("ExtractFlags(%q, %q) = %q %q %v, the copying version gives %q %q %v", line, esc, r1, w1, d1, r2, w2, d2)
	}
	for _, w := range w1 {
		if got, want := MangleFlag(w), mangleFlagCopy(w); got != want {
			t.Fatalf("MangleFlag(%q) = %q, want %q", w, got, want)
		}
	}
	if got, want := MangleFlag(line), mangleFlagCopy(line); got != want {
		t.Fatalf("MangleFlag(%q) = %q, want %q", line, got, want)
	}
}

// FuzzExtractFlags checks ExtractFlags, which slices plain words out of
// the line, and MangleFlag, which returns ASCII as is, against the
// versions that copy every byte.
func FuzzExtractFlags(f *testing.F) {
	for _, s := range flagSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, line string, backtick bool) {
		checkExtractFlags(t, line, fuzzEscape(backtick))
	})
}
