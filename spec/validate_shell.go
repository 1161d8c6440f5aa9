package spec

import (
	"encoding/json"
	"strings"

	"github.com/dockstage/dockstage/spec/syntax"
)

func (v *validator) heredocs(p Pos, path fieldPath, opened []string, docs []Heredoc) {
	names := map[string]bool{}
	for _, o := range opened {
		names[o] = true
	}
	have := map[string]bool{}
	for _, h := range docs {
		hp := h.Pos
		if !hp.IsValid() {
			hp = p
		}
		if !names[h.Name] {
			v.errorf(hp, "%s.heredocs: %q is not opened with <<%s in the command or sources", path, h.Name, h.Name)
		}
		have[h.Name] = true
		for _, line := range strings.Split(h.Body, "\n") {
			l := strings.TrimRight(line, "\r")
			if l == h.Name || strings.TrimLeft(l, "\t") == h.Name {
				v.errorf(hp, "%s.heredocs.%s: the body contains the terminator line %q, which would end it early; pick another name", path, h.Name, h.Name)
				break
			}
		}
		if strings.Contains(h.Body, "\x00") {
			v.errorf(hp, "%s.heredocs.%s: NUL is not allowed in a heredoc body", path, h.Name)
		}
	}
	for _, o := range opened {
		if !have[o] {
			v.errorf(p, "%s: <<%s opens a heredoc but heredocs has no body named %q", path, o, o)
		}
	}
}

// shellText checks a shell-form command: lines continue only through the
// escape character (or are comments inside a continuation), the text does
// not end with the escape character, does not start with a flag and does
// not parse as exec form.
func (v *validator) shellText(p Pos, path fieldPath, text string, allowHeredoc bool) {
	if strings.ContainsRune(text, 0) {
		v.errorf(p, "%s: NUL is not allowed", path)
		return
	}
	if strings.TrimSpace(text) == "" {
		v.errorf(p, "%s: empty command", path)
		return
	}
	trim := strings.TrimLeft(text, " \t")
	if strings.HasPrefix(trim, "--") {
		v.errorf(p, "%s: a shell-form command cannot start with %q (the Dockerfile would read it as a flag); use the step's flag keys or exec form", path, strings.Fields(trim)[0])
	}
	if strings.HasPrefix(trim, "[") {
		var arr []string
		if json.Unmarshal([]byte(strings.TrimSpace(text)), &arr) == nil {
			v.errorf(p, "%s: this shell-form string is a JSON array and would become exec form; write it as a YAML list", path)
		}
	}
	if strings.HasSuffix(text, "\n") {
		v.errorf(p, "%s: the command ends with a newline, which would end the instruction early; in YAML write the block with |- (not |) or remove the trailing newline", path)
		return
	}
	if strings.ContainsRune(strings.ReplaceAll(text, "\r\n", ""), '\r') {
		v.errorf(p, "%s: a carriage return is allowed only before a newline", path)
	}
	rest := strings.ReplaceAll(text, "\r\n", "\n")
	for i, more := 0, true; more; i++ { // each line, without splitting the text
		var l string
		l, rest, more = strings.Cut(rest, "\n")
		last := !more
		isComment := i > 0 && strings.HasPrefix(strings.TrimLeft(l, " \t"), "#")
		switch {
		case last && syntax.Continues(l, v.escape):
			v.errorf(p, "%s: the command ends with the escape character %s, which would join the next instruction; remove it", path, string(v.escape))
		case !last && !isComment && !syntax.Continues(l, v.escape):
			v.errorf(p, "%s: line %d of the command ends without the escape character %s, so the newline would end the instruction; end each continued line with %s, or use a heredoc", path, i+1, string(v.escape), string(v.escape))
		case last && isComment:
			v.errorf(p, "%s: the command cannot end with a comment line", path)
		case last && i > 0 && strings.TrimSpace(l) == "":
			v.errorf(p, "%s: the command cannot end with a blank line after a continuation (it would join the next instruction)", path)
		}
	}
	if !allowHeredoc && len(syntax.HeredocNames(text)) > 0 {
		v.errorf(p, "%s: heredocs (<<NAME) are only allowed in run, copy and add", path)
	}
}

// text checks a single-line instruction argument (WORKDIR, USER,
// STOPSIGNAL, MAINTAINER).
func (v *validator) text(p Pos, path fieldPath, keyword, s string) {
	n := len(v.errs)
	v.nonEmptyLine(p, path, s)
	if len(v.errs) == n {
		v.probe(p, path, keyword, s, nil)
	}
}

// command checks a command; docs is nil where heredocs are not allowed,
// else the step's bodies and opened the names its shell text opens
// (syntax.HeredocNames, which run has already read).
func (v *validator) command(c *Command, path fieldPath, p Pos, docs []Heredoc, opened []string) {
	if c.Pos.IsValid() {
		p = c.Pos
	}
	if c.Exec {
		for _, a := range c.Args {
			if strings.ContainsRune(a, 0) {
				v.errorf(p, "%s: NUL is not allowed", path)
			}
		}
		if len(docs) > 0 {
			v.errorf(p, "%s: heredocs need a shell-form command", path)
		}
		return
	}
	if c.Shell == "" && len(docs) == 0 {
		// RUN, CMD and ENTRYPOINT with nothing after the keyword: BuildKit
		// runs (or sets) `/bin/sh -c ""` (dockerfile2llb's withShell).
		return
	}
	n := len(v.errs)
	v.shellText(p, path, c.Shell, docs != nil)
	// Where docs is nil, shellText has refused any opener.
	if len(v.errs) == n && !v.noProbe && len(opened) == len(docs) {
		v.probe(p, path, "RUN", c.Shell, docs)
	}
}
