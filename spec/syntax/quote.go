package syntax

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// FlagValue writes a flag value; BuildKit's parser removes quotes from
// flag words, so a value with white space (any Unicode space: the parser
// splits flags at it), quotes or the escape character is
// double-quoted with `"` and the escape character escaped.
func FlagValue(v string, esc rune) string {
	if v != "" && !strings.ContainsAny(v, "\"'"+string(esc)) && !strings.ContainsFunc(v, unicode.IsSpace) {
		return v
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		if r == '"' || r == esc {
			b.WriteRune(esc)
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

var plainWordRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_./:@%+,=~^${}\-]+$`) })

// bareWord reports whether v is written bare: only safe characters, and
// backslashes too when the escape character is the backtick (a backslash
// is then an ordinary character: ENV APP_HOME=C:\app).
func bareWord(v string, esc rune) bool {
	if v == "" {
		return false
	}
	if esc != '\\' {
		v = strings.ReplaceAll(v, `\`, "/")
	}
	return plainWordRE().MatchString(v)
}

// Key writes an ARG or ENV name as one Dockerfile word: bare when
// BuildKit's parser and word expansion read the raw text as itself (no
// quote, `$`, `#`, escape character, Unicode space or unprintable rune),
// else as Word writes it. Bare matters for ARG: BuildKit takes an ARG's doc comment (the `# NAME text` line above it,
// shown by `docker buildx build --call outline`) by comparing the raw,
// unexpanded name (instructions.getDocComment).
func Key(k string, esc rune) string {
	bare := k != "" && !strings.ContainsFunc(k, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r) || strings.ContainsRune("\"'$#", r) || r == esc
	})
	if bare {
		return k
	}
	return Word(k, esc)
}

// Word writes a spec value as one Dockerfile word (ENV, LABEL and ARG
// values): bare when it holds only safe characters (bareWord), else
// double-quoted with `"` and the escape character escaped. `$` references stay live (a
// `${...}` is copied as written) and a run of escape characters before a
// `$` is copied as written (in the spec and in the Dockerfile it reads as
// half as many literal escape characters, then a literal dollar when the
// run is odd), as the spec's value conventions say (UnquoteWord).
// A value whose `${...}` holds quotes cannot sit inside double quotes (the
// parser would end the quote inside it); it is written unquoted with each
// blank and quote outside the reference escaped instead. One whose
// `${...}` holds blanks only is double-quoted: unquoted, the parser would
// split the line at the blank (and `\ ` is no escape in a ${V#pattern}).
//
// A value that spans lines (JoinValue) keeps its breaks: each is written
// as it stands before the character it precedes (after a ${...}
// reference it falls in).
func Word(v string, esc rune) string {
	if bareWord(v, esc) {
		return v
	}
	rs, breaks, ok := splitBreaks(v, esc)
	if !ok { // not a spec value validation accepts: write it joined
		rs, breaks = []rune(JoinValue(v, esc)), nil
	}
	// Quotes only where a character needs them: a value that is plain
	// but for escape characters is written bare, each escaped.
	quoted := !hasComplexRef(rs, esc) && (len(breaks) > 0 || !plainWordRE().MatchString(strings.ReplaceAll(v, string(esc), "/")))
	var b strings.Builder
	if quoted {
		b.WriteByte('"')
	}
	next := 0 // breaks before rs[next] are written
	brk := func(i int) {
		for ; next <= i && len(breaks) > 0; next++ {
			b.WriteString(breaks[next])
		}
	}
	for i := 0; i < len(rs); i++ {
		brk(i)
		r := rs[i]
		switch {
		case r == '$' && i+1 < len(rs) && rs[i+1] == '{':
			// BuildKit reads the inside of ${...} as a word of its own.
			end, _ := RefEnd(rs, i+1, esc)
			b.WriteString(string(rs[i:end]))
			i = end - 1
		case r == esc && escRunBeforeDollar(rs, i, esc) > 0:
			// n escape characters before `$` read the same in the
			// Dockerfile word (quoted or not) as in the spec: n/2 literal
			// ones, then a literal dollar when n is odd.
			n := escRunBeforeDollar(rs, i, esc)
			b.WriteString(string(rs[i : i+n]))
			i += n - 1
			if n%2 == 1 {
				b.WriteRune('$')
				i++
			}
		case r == esc, r == '"':
			b.WriteRune(esc)
			b.WriteRune(r)
		case !quoted && (r == ' ' || r == '\t' || r == '\''):
			b.WriteRune(esc)
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	if quoted {
		b.WriteByte('"')
	}
	return b.String()
}

// escRunBeforeDollar returns the length of the run of escape characters
// starting at rs[i] when a `$` follows it, else 0.
func escRunBeforeDollar(rs []rune, i int, esc rune) int {
	j := i
	for j < len(rs) && rs[j] == esc {
		j++
	}
	if j < len(rs) && rs[j] == '$' {
		return j - i
	}
	return 0
}

// hasComplexRef reports whether a ${...} reference in rs holds a quote.
func hasComplexRef(rs []rune, esc rune) bool {
	for i := 0; i+1 < len(rs); i++ {
		if rs[i] == esc {
			i++
			continue
		}
		if rs[i] == '$' && rs[i+1] == '{' {
			end, _ := RefEnd(rs, i+1, esc)
			if strings.ContainsAny(string(rs[i:end]), "\"'") {
				return true
			}
			i = end - 1
		}
	}
	return false
}

// RefEnd returns the index just past the '}' that closes the '{' at open,
// counting nested braces and skipping escaped characters, and true; len(rs)
// and false when it is not closed.
func RefEnd(rs []rune, open int, esc rune) (end int, closed bool) {
	depth := 0
	for j := open; j < len(rs); j++ {
		switch rs[j] {
		case esc:
			j++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j + 1, true
			}
		}
	}
	return len(rs), false
}

// AnyEnv is a shell.EnvGetter that defines every variable (as "x"), so that
// expanding a word checks only the syntax of its references.
type AnyEnv struct{}

// Get returns "x" for every name.
func (AnyEnv) Get(string) (string, bool) { return "x", true }

// Keys returns no names.
func (AnyEnv) Keys() []string { return nil }

// Env is a shell.EnvGetter over a map of variables (build args and their
// values).
type Env map[string]string

// Get returns the value of k and whether it is set.
func (e Env) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }

// Keys returns the names, in no order.
func (e Env) Keys() []string {
	out := make([]string, 0, len(e))
	for k := range e {
		out = append(out, k)
	}
	return out
}
