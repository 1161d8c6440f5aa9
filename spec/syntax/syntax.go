// Package syntax holds the Dockerfile's lexical rules that dockstage needs in
// more than one place: the escape character a `# escape=` directive selects,
// BuildKit's line-continuation rule, heredoc openers, and the quoting and
// unquoting of shell words and flag values. Layer 0 of the README's Layout:
// it imports no dockstage package; the rules are BuildKit's
// (frontend/dockerfile/parser and shell), cited on each function.
package syntax

import (
	"regexp"
	"sync"
	"unicode/utf8"
)

// DefaultEscape is the escape character without a directive
// (parser.DefaultEscapeToken).
const DefaultEscape = '\\'

// Escape returns the escape character the value of a `# escape=` directive
// selects: '`' for "`", otherwise the default '\\' (an empty value
// included). BuildKit accepts only these two (parser.setEscapeToken).
func Escape(directive string) rune {
	if directive == "`" {
		return '`'
	}
	return DefaultEscape
}

// IsEscape reports whether value is an escape character BuildKit accepts in
// a `# escape=` directive: "\\" or "`" (parser.setEscapeToken).
func IsEscape(value string) bool {
	return value == "\\" || value == "`"
}

// continuation is BuildKit's line-continuation expression for each escape
// character, compiled on first use (Continuation); Continues and
// TrimContinuation apply the same rule without it.
var continuation = sync.OnceValue(func() map[rune]*regexp.Regexp {
	return map[rune]*regexp.Regexp{'\\': continuationRE('\\'), '`': continuationRE('`')}
})

func continuationRE(esc rune) *regexp.Regexp {
	e := regexp.QuoteMeta(string(esc))
	// The same expression as BuildKit's parser (parser.setEscapeToken).
	return regexp.MustCompile(`([^` + e + `])` + e + `[ \t]*$|^` + e + `[ \t]*$`)
}

// Continuation returns BuildKit's line-continuation expression for esc
// (parser.setEscapeToken): a line continues when it ends with the escape
// character, not itself escaped, and optional blanks; group 1 is the
// character before it. Continues and TrimContinuation are the fast forms of
// the same rule.
func Continuation(esc rune) *regexp.Regexp {
	if re, ok := continuation()[esc]; ok {
		return re
	}
	return continuationRE(esc)
}

// Continues reports whether line continues onto the next one (BuildKit's
// rule, see Continuation).
func Continues(line string, esc rune) bool {
	_, cont := TrimContinuation(line, esc)
	return cont
}

// TrimContinuation removes a line continuation the way BuildKit's parser
// does (parser.trimContinuationCharacter); cont reports whether there was one.
// It matches Continuation(esc) and replaces the match with group 1: the
// trailing blanks (space, tab) and the escape character go, unless the
// character before the escape is the escape character too.
func TrimContinuation(line string, esc rune) (trimmed string, cont bool) {
	if esc >= utf8.RuneSelf || esc == ' ' || esc == '\t' {
		return regexpTrimContinuation(line, esc)
	}
	e := byte(esc)
	end := len(line)
	for end > 0 && (line[end-1] == ' ' || line[end-1] == '\t') {
		end--
	}
	if end == 0 || line[end-1] != e {
		return line, false
	}
	if end >= 2 && line[end-2] == e {
		return line, false
	}
	return line[:end-1], true
}

// regexpTrimContinuation is TrimContinuation through the expression, for
// an escape character the byte scan does not cover.
func regexpTrimContinuation(line string, esc rune) (string, bool) {
	re := Continuation(esc)
	if re.MatchString(line) {
		return re.ReplaceAllString(line, "$1"), true
	}
	return line, false
}
