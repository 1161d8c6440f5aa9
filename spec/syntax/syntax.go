// Package syntax holds the Dockerfile's lexical rules that dockstage needs in
// more than one place: the escape character a `# escape=` directive selects,
// BuildKit's line-continuation rule, heredoc openers, and the quoting and
// unquoting of shell words and flag values. Layer 0 of the README's Layout:
// it imports no dockstage package; the rules are BuildKit's
// (frontend/dockerfile/parser and shell), cited on each function.
package syntax

import (
	"regexp"
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
// character, compiled once.
var continuation = map[rune]*regexp.Regexp{
	'\\': continuationRE('\\'),
	'`':  continuationRE('`'),
}

func continuationRE(esc rune) *regexp.Regexp {
	e := regexp.QuoteMeta(string(esc))
	// The same expression as BuildKit's parser (parser.setEscapeToken).
	return regexp.MustCompile(`([^` + e + `])` + e + `[ \t]*$|^` + e + `[ \t]*$`)
}

// Continuation returns BuildKit's line-continuation expression for esc
// (parser.setEscapeToken): a line continues when it ends with the escape
// character, not itself escaped, and optional blanks; group 1 is the
// character before it.
func Continuation(esc rune) *regexp.Regexp {
	if re, ok := continuation[esc]; ok {
		return re
	}
	return continuationRE(esc)
}

// Continues reports whether line continues onto the next one.
func Continues(line string, esc rune) bool {
	return Continuation(esc).MatchString(line)
}

// TrimContinuation removes a line continuation the way BuildKit's parser
// does (parser.trimContinuationCharacter); cont reports whether there was one.
func TrimContinuation(line string, esc rune) (trimmed string, cont bool) {
	re := Continuation(esc)
	if re.MatchString(line) {
		return re.ReplaceAllString(line, "$1"), true
	}
	return line, false
}
