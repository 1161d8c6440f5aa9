package migrate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/shell"
)

// The exec form phase: a shell-form CMD or ENTRYPOINT of prod whose words
// need no shell becomes exec form.

// shellBuiltins cannot run in exec form.
var shellBuiltins = map[string]bool{
	"cd": true, "export": true, "source": true, ".": true, "set": true, "eval": true, "exec": true, "trap": true,
	"ulimit": true, "umask": true, "alias": true, "unset": true, "read": true, "wait": true, "exit": true, "shift": true,
	"if": true, "then": true, "for": true, "while": true, "until": true, "case": true, "function": true, "[": true,
	"[[": true, "!": true, "{": true, "local": true, "return": true, "command": true, "type": true, "hash": true,
}

// execArgs returns the exec-form words of a shell-form command when /bin/sh
// -c would run exactly those words: plain words only, no shell syntax,
// optionally behind `exec`.
func execArgs(c *spec.Command) ([]string, bool) {
	if c.Exec || strings.ContainsAny(c.Shell, "\n\r") {
		return nil, false
	}
	f := strings.Fields(c.Shell)
	if len(f) > 0 && f[0] == "exec" {
		f = f[1:]
	}
	if len(f) == 0 || strings.Contains(f[0], "=") || shellBuiltins[f[0]] {
		return nil, false
	}
	for _, w := range f {
		if !shell.PlainWord(w) {
			return nil, false
		}
	}
	return f, true
}

func (m *migrator) execForms() {
	if m.opts.KeepShellForm {
		return
	}
	hasShell, hasCmd, hasEntrypoint := false, false, false
	for _, it := range m.items {
		switch it.step.Keyword() {
		case "SHELL":
			hasShell = true
		case "CMD":
			hasCmd = true
		case "ENTRYPOINT":
			hasEntrypoint = true
		}
	}
	for i, it := range m.items {
		if i < m.prodStart && !it.toProd {
			continue
		}
		s := it.step
		var c *spec.Command
		kw := s.Keyword()
		switch kw {
		case "CMD":
			c = s.Cmd
		case "ENTRYPOINT":
			c = s.Entrypoint
		default:
			continue
		}
		if c.Exec {
			continue
		}
		args, ok := execArgs(c)
		switch {
		case !ok:
			m.notes = append(m.notes, Note{Line: it.line, Msg: "shell-form " + kw + " kept: it uses shell syntax (quotes, variables, operators), so an exec form would not run the same command"})
			continue
		case hasShell:
			m.notes = append(m.notes, Note{Line: it.line, Msg: "shell-form " + kw + " kept: the Dockerfile sets SHELL"})
			continue
		case kw == "CMD" && hasEntrypoint:
			m.notes = append(m.notes, Note{Line: it.line, Msg: "shell-form CMD kept: the ENTRYPOINT receives the CMD as arguments, which exec form would change"})
			continue
		case kw == "ENTRYPOINT" && hasCmd:
			m.notes = append(m.notes, Note{Line: it.line, Msg: "shell-form ENTRYPOINT kept: in exec form it would receive the CMD as arguments"})
			continue
		}
		nc := spec.Command{Exec: true, Args: args, Pos: c.Pos}
		ns := s
		if kw == "CMD" {
			ns.Cmd = &nc
		} else {
			ns.Entrypoint = &nc
		}
		it.execForm = &ns
		it.note = "exec form"
		detail := fmt.Sprintf("`%s %s` ran `/bin/sh -c %q`; prod now runs %s directly, as PID 1, so it receives docker stop's SIGTERM (the shell did not forward it). The words are plain, so the command line is the same.", kw, c.Shell, c.Shell, quoteArgs(args))
		caveat := ""
		if kw == "CMD" {
			caveat = "if the base image has an ENTRYPOINT, it now receives these words instead of /bin/sh -c and the text"
		} else {
			caveat = "arguments given to `docker run IMAGE ...` are now passed to the entrypoint (shell form ignored them)"
		}
		m.changes = append(m.changes, Change{
			Kind:    ChangeExecForm,
			Summary: "shell-form " + kw + " turned to exec form",
			Lines:   []int{it.line},
			Detail:  detail,
			Caveats: []string{caveat},
			removed: []spec.Step{s},
			added:   []spec.Step{ns},
		})
	}
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
