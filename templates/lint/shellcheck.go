package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dockstage/dockstage/spec"
	"mvdan.cc/sh/v3/syntax"
)

// ShellCheckFinding is one finding of ShellCheck on a script: line and
// column are the script's, 1-based.
type ShellCheckFinding struct {
	Line, Column int
	Code         int
	Level        string // error, warning, info, style
	Message      string
}

// ShellChecker runs ShellCheck on a script for a shell (sh or bash).
type ShellChecker func(script, shell string) ([]ShellCheckFinding, error)

// scExcluded are the SC codes that do not apply to a RUN script: variables
// come from ARG and ENV (SC2154), sourced files from the image (SC1090,
// SC1091).
const scExcluded = "SC1090,SC1091,SC2154"

// FindShellCheck returns a ShellChecker that runs the shellcheck on PATH,
// or nil when there is none (the ShellCheck rule is then skipped).
func FindShellCheck() ShellChecker {
	bin, err := exec.LookPath("shellcheck")
	if err != nil {
		return nil
	}
	return func(script, shell string) ([]ShellCheckFinding, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "--format=json1", "--shell="+shell, "--exclude="+scExcluded, "-")
		cmd.Stdin = strings.NewReader(script)
		var out bytes.Buffer
		cmd.Stdout = &out
		_ = cmd.Run() // exit 1 means findings
		var res struct {
			Comments []ShellCheckFinding `json:"comments"`
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			return nil, fmt.Errorf("shellcheck: %v", err)
		}
		return res.Comments, nil
	}
}

var scLevel = map[string]Severity{"error": Error, "warning": Warning, "info": Info, "style": Info}

// runShellCheck hands each RUN script of d to the collector's ShellChecker
// and maps its findings back to the Dockerfile line (and column) they are
// on: a shell-form RUN keeps its physical lines, a heredoc body starts on
// the line after its RUN.
func runShellCheck(c *collector, d *dfCheck) {
	shellSyntax(c, d)
	if c.shellcheck == nil {
		return
	}
	r, _ := LookupRule(RuleShellCheck)
	for _, s := range d.scripts {
		fs, err := c.shellcheck(s.text, s.shell)
		if err != nil {
			continue
		}
		// ShellCheck puts an error at the end of the input (SC1072 for an
		// unterminated quote) on the line after the script's last, which
		// is the next instruction's: it belongs at the end of the script.
		body := strings.Split(strings.TrimSuffix(s.text, "\n"), "\n")
		for _, f := range fs {
			if f.Line > len(body) {
				f.Line, f.Column = len(body), len(body[len(body)-1])+1
			}
			p := s.pos(s.line + f.Line - 1)
			if p.Line == s.line+f.Line-1 {
				p.Col = f.Column
			}
			code := fmt.Sprintf("SC%d", f.Code)
			rr := r
			if sev, ok := scLevel[f.Level]; ok && rr.Severity > sev {
				rr.Severity = sev // ShellCheck's info and style stay info
			}
			c.addAlias(rr, code, p, s.pos(s.anchor).Line, fmt.Sprintf("%s: %s", code, f.Message))
		}
	}
}

// shellSyntax reports the RUN scripts of d (each run by a POSIX sh or
// bash) that the shell parser (mvdan.cc/sh/v3) rejects because the text
// ends inside a quote or an unclosed $( ( { or backquote: the shell cannot
// run them, so the build fails at that RUN (DS016, at the opening's line
// and column).
func shellSyntax(c *collector, d *dfCheck) {
	for _, s := range d.scripts {
		_, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(s.text), "")
		var pe syntax.ParseError
		if !errors.As(err, &pe) || !pe.Incomplete || !strings.HasPrefix(pe.Text, "reached EOF without") {
			continue
		}
		line := s.line + int(pe.Pos.Line()) - 1
		p := s.pos(line)
		if p.Line == line {
			p.Col = int(pe.Pos.Col())
		}
		d.c.addID(RuleShellSyntax, p, s.pos(s.anchor).Line, fmt.Sprintf("the %s script of this RUN cannot be parsed: %s (opened here), so the build fails at this RUN", s.shell, pe.Text))
	}
}

var runKeywordRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*[A-Za-z]+`) })

// physicalScript returns a shell-form RUN's text as it stands in src
// (lines first..last, 1-based): the keyword and the flags (on the first
// line and on continued lines after it) blanked so columns stay, and the
// lines BuildKit drops inside a continuation (comments and blank lines)
// replaced by a lone continuation, so that the shell reads the same
// commands on the same lines. esc is the Dockerfile's escape character; a
// backtick continuation becomes a backslash.
func physicalScript(lines []string, first, last int, esc rune) string {
	var b strings.Builder
	cont, flags := false, true // flags: still in the keyword and flags
	for l := first; l <= last && l-1 < len(lines); l++ {
		line := strings.TrimSuffix(lines[l-1], "\r")
		if l == first {
			if m := runKeywordRE().FindStringIndex(line); m != nil {
				line = strings.Repeat(" ", m[1]) + line[m[1]:]
			}
		} else if cont {
			if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
				b.WriteString("\\\n")
				continue
			}
		}
		t := strings.TrimRight(line, " \t")
		cont = strings.HasSuffix(t, string(esc))
		if flags {
			line, flags = blankFlags(line, esc)
		}
		if cont && esc != '\\' {
			t = strings.TrimRight(line, " \t")
			line = t[:len(t)-1] + "\\"
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	return b.String()
}

// blankFlags blanks the --flag words at the start of line; more is true
// when the line holds nothing but flags (and a continuation), so the next
// line may start with flags too.
func blankFlags(line string, esc rune) (string, bool) {
	bs := []byte(line)
	i := 0
	for {
		for i < len(bs) && (bs[i] == ' ' || bs[i] == '\t') {
			i++
		}
		if i >= len(bs) || rune(bs[i]) == esc && strings.TrimSpace(string(bs[i+1:])) == "" {
			return string(bs), true
		}
		if !strings.HasPrefix(string(bs[i:]), "--") {
			return string(bs), false
		}
		for i < len(bs) && bs[i] != ' ' && bs[i] != '\t' {
			bs[i] = ' '
			i++
		}
	}
}

// pragmas reports the inline suppression comments themselves (DS1001, off
// by default).
func (c *collector) pragmas() {
	r, _ := LookupRule(RuleInlinePragma)
	if !c.cfg.runs(r) {
		return
	}
	for line := range c.comments.ignores {
		c.add(r, spec.Pos{File: c.file, Line: line, Col: 1}, line, "an inline ignore pragma")
	}
}
