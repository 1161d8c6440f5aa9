// Package shell analyses the shell text of RUN, CMD and ENTRYPOINT
// instructions: it reads a script as the simple commands it runs, with their
// words, the operator joining each to the next and where each sits (a
// pipeline, a subshell, a loop, ...). It is built on mvdan.cc/sh/v3/syntax,
// the parser behind shfmt. It is layer 2: it may import spec and spec/syntax,
// and imports spec/syntax only (the line-continuation rule).
//
// Dockerfile text is not quite shell text: a line continuation ends in the
// Dockerfile's escape character (a backtick with `# escape=` followed by a
// backtick), and BuildKit drops comment and blank lines inside a
// continuation. Parse normalises both before it parses (see Parse); offsets
// always point into the text it was given.
package shell

import (
	"strings"
	"unicode"
)

// Op is the operator joining a command to the next one.
type Op string

// The operators of a command list.
const (
	OpEnd        Op = ""   // the last command of its list
	OpAnd        Op = "&&" // the next command runs when this one succeeds
	OpOr         Op = "||" // the next command runs when this one fails
	OpSeq        Op = ";"  // `;` or a newline: the next command runs after this one
	OpPipe       Op = "|"  // this command's output is the next one's input (also `|&`)
	OpBackground Op = "&"  // this command runs in the background
)

// Place is where a command sits in a script, as a set of bits: zero for a
// command of the script's top-level list.
type Place uint16

// The places a command can sit in.
const (
	InPipeline     Place = 1 << iota // a stage of a pipeline (a | b)
	InSubshell                       // in ( ... ) or { ...; }
	InSubstitution                   // in $( ... ), `...` or <( ... )
	InFunction                       // in a function body
	InLoop                           // in a for, while or until loop
	InBranch                         // in an if or case clause, conditions included
	InClause                         // under time, coproc or another compound command
)

// Word is one word of a simple command.
type Word struct {
	// Value is the word with its quotes removed and its escapes resolved;
	// expansions ($NAME, ${...}, $(...)) stay as written.
	Value string
	// Raw is the word as written: Text[Start:End] of the parsed text.
	Raw string
	// Dynamic words hold an expansion, a glob or a tilde: only the build
	// knows their value.
	Dynamic bool
	// Start and End are the byte offsets of the word in the text given to
	// Parse, Line its 1-based line there; -1, -1 and 0 in exec form.
	Start, End, Line int
}

// Command is one simple command of a script.
type Command struct {
	// Words are the command's words: its leading VAR=value assignments
	// first (Assigns of them), then the command name and arguments.
	Words   []Word
	Assigns int
	// After is the operator joining the previous command of the script to
	// this one, Op the one joining this command to the next.
	After, Op Op
	// Place says where the command sits; zero at the top-level list.
	Place Place
	// Redirected commands have redirections (> file, 2>&1, <<EOF); Negated
	// ones a leading `!`; Commented ones a comment after them on the line.
	Redirected, Negated, Commented bool
	// Substitutes says that a word holds a command, process or arithmetic
	// substitution, or an unquoted { or } (brace expansion in bash).
	Substitutes bool
	// Construct names a shell construct that stands in the list where a
	// simple command could ("[[", "((", "let"); such a command has no words.
	Construct string
	// Unparsed commands come from the fallback split of text the parser
	// rejects (see Parse).
	Unparsed bool
	// StmtStart and StmtEnd are the byte offsets in the script of the statement
	// the command is, redirections and a trailing `;` or `&` included;
	// both 0 when unknown (an Unparsed command, or a statement of several
	// commands such as a pipeline or a subshell).
	StmtStart, StmtEnd int
}

// Args returns the command name and its arguments: the words after the
// assignments.
func (c Command) Args() []Word { return c.Words[c.Assigns:] }

// Values returns the values of the words after the assignments.
func (c Command) Values() []string {
	args := c.Args()
	out := make([]string, len(args))
	for i, w := range args {
		out[i] = w.Value
	}
	return out
}

// End returns the offset just after the command's last word, or -1.
func (c Command) End() int {
	if len(c.Words) == 0 {
		return -1
	}
	return c.Words[len(c.Words)-1].End
}

// Plain reports whether the command is a plain member of a `&&`/`;` list at
// the top level of its script: parsed, not a construct, not in a pipeline,
// subshell, substitution, function, loop or branch, joined to its
// neighbours only by && or ;, without redirections, negation, a comment or
// substitutions in its words. Only plain commands are safe to classify
// and to rewrite word by word.
func (c Command) Plain() bool {
	plainOp := func(o Op) bool { return o == OpEnd || o == OpAnd || o == OpSeq }
	return !c.Unparsed && c.Construct == "" && c.Place == 0 && plainOp(c.Op) && plainOp(c.After) &&
		!c.Redirected && !c.Negated && !c.Commented && !c.Substitutes
}

// Script is a shell text read as simple commands.
type Script struct {
	// Commands are the script's simple commands in source order, those in
	// nested lists (subshells, loops, substitutions) included.
	Commands []Command
	// Parsed is false when the parser rejected the text and Commands are
	// the fallback split (see Parse).
	Parsed bool
}

// Exec returns an exec-form command (JSON array form) as a script of one
// command whose words are the arguments as they are.
func Exec(args []string) Script {
	c := Command{}
	for _, a := range args {
		c.Words = append(c.Words, Word{Value: a, Raw: a, Start: -1, End: -1})
	}
	return Script{Commands: []Command{c}, Parsed: true}
}

// shells are the shells whose -c argument ShellScript returns.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "ksh": true, "mksh": true}

// IsShell reports whether a command name (or path) names one of the
// shells ShellScript knows: sh, bash, dash, ash, zsh, ksh, mksh.
func IsShell(name string) bool {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return shells[name]
}

// ShellScript returns the script a command hands to a shell: the static
// argument after -c (or a flag group ending in c, like -ec) of sh, bash,
// dash, ash, zsh, ksh or mksh, called by name or path.
func (c Command) ShellScript() (string, bool) {
	args := c.Args()
	if len(args) < 3 || args[0].Dynamic {
		return "", false
	}
	if !IsShell(args[0].Value) {
		return "", false
	}
	for i := 1; i+1 < len(args); i++ {
		v := args[i].Value
		switch {
		case v == "-o" || v == "+o":
			i++ // -o pipefail
		case strings.HasPrefix(v, "--") || !strings.HasPrefix(v, "-") || args[i].Dynamic:
			return "", false
		case strings.HasSuffix(v, "c"):
			if args[i+1].Dynamic {
				return "", false
			}
			return args[i+1].Value, true
		}
	}
	return "", false
}

// PlainWord reports whether w can stand for itself in both shell and exec
// form: letters, digits and - _ . / : = , @ % + only, so no quoting,
// expansion, globbing or shell syntax.
func PlainWord(w string) bool {
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

// wrappers run the command in their arguments: Unwrapped skips them.
var wrappers = map[string]bool{"sudo": true, "env": true, "exec": true,
	// The keywords the fallback split leaves in front of a command.
	"then": true, "do": true, "else": true}

// Unwrapped returns the values of the words that name the command and its
// arguments: after the assignments, the wrappers sudo, env and exec, the
// VAR=value arguments of env, and (in unparsed text) a leading then, do or
// else. It is what lint's rules look at (sudo -u USER is not unwrapped).
func (c Command) Unwrapped() []string {
	out := c.Values()
	for len(out) > 0 && (wrappers[out[0]] || isAssignment(out[0])) {
		out = out[1:]
	}
	return out
}

// isAssignment reports whether w has the form NAME=value.
func isAssignment(w string) bool {
	i := strings.IndexByte(w, '=')
	if i <= 0 {
		return false
	}
	for j, r := range w[:i] {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || j > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
