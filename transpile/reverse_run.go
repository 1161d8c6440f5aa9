package transpile

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/tonistiigi/go-csvvalue"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
)

// RUN, CMD, ENTRYPOINT and HEALTHCHECK: commands, mounts and flags.

// command converts CMD/ENTRYPOINT arguments (or HEALTHCHECK CMD's): exec
// form from the JSON attribute, otherwise the raw shell text from off.
func (r *reverser) command(in *instr, off int, args *parser.Node) *spec.Command {
	c := &spec.Command{Pos: r.pos(in.line)}
	if in.node.Attributes["json"] {
		c.Exec = true
		c.Args = nodeValues(args)
		if c.Args == nil {
			c.Args = []string{}
		}
		skip := 0
		if in.kw == "healthcheck" {
			skip = 1 // the CMD word
		}
		c.ArgsComment = r.listComments(in, len(c.Args), skip)
		return c
	}
	if args == nil {
		// CMD or ENTRYPOINT alone: BuildKit sets `/bin/sh -c ""`, the
		// spec's empty shell-form command.
		r.moveComments(in, in.lg.end+1)
		return c
	}
	c.Shell = r.rawText(in, off, args.Value, nil)
	return c
}

func (r *reverser) runStep(in *instr) *spec.Run {
	run := &spec.Run{Pos: r.pos(in.line)}
	fields := []asWritten{{"network", &run.Network}, {"security", &run.Security}}
	mountAt := map[int]int{} // flag index -> mount index
	for fi, f := range in.flags {
		name, v, _ := cutFlag(f)
		if setAsWritten(fields, name, v) {
			continue
		}
		switch name {
		case "mount":
			if m, ok := r.mount(in, v); ok {
				mountAt[fi] = len(run.Mounts)
				run.Mounts = append(run.Mounts, m)
			}
		case "device":
			run.Device = append(run.Device, v)
		}
	}
	if in.node.Attributes["json"] {
		run.Command = spec.Command{Exec: true, Args: nodeValues(in.node.Next), Pos: r.pos(in.line)}
		if run.Command.Args == nil {
			run.Command.Args = []string{}
		}
		run.Command.ArgsComment = r.listComments(in, len(run.Command.Args), 0)
		return run
	}
	if in.node.Next == nil {
		// RUN alone: BuildKit runs `/bin/sh -c ""`, a step that changes
		// nothing; the spec's empty shell-form command.
		r.moveComments(in, in.lg.end+1)
		run.Command = spec.Command{Pos: r.pos(in.line)}
		return run
	}
	// A comment after all flags stands above the command; one above a
	// --mount flag (the spec writes the mounts first, in order) above the
	// mount.
	place := func(n int) *[]string {
		if len(in.flags) == 0 && len(in.node.Flags) == 0 {
			if prefix, ok := prefixText(in.lg, n); ok && flaglessRunPrefix(prefix) {
				return &run.CommandComment // what the parse of the prefix says
			}
		}
		nd, ok := r.prefixNode(in, n)
		j, whole := flagsBefore(in, nd)
		switch m, isMount := mountAt[j]; {
		case !ok || !whole || len(in.flags) != len(in.node.Flags):
			return nil
		case j == len(in.flags):
			return &run.CommandComment
		case isMount && m == j:
			if run.MountsComment == nil {
				run.MountsComment = make(spec.ItemComments, len(run.Mounts))
			}
			return &run.MountsComment[m]
		}
		return nil
	}
	run.Command = spec.Command{Shell: r.rawText(in, in.argsOff, in.node.Next.Value, place), Pos: r.pos(in.line)}
	if !spec.HasComments(run.MountsComment) {
		run.MountsComment = nil
	}
	run.Heredocs = r.heredocs(in, syntax.HeredocNames(run.Command.Shell))
	return run
}

// mount converts one RUN --mount value like BuildKit's parseMount; values
// are kept as written, keys are BuildKit's canonical ones.
func (r *reverser) mount(in *instr, val string) (spec.Mount, bool) {
	m := spec.Mount{Pos: r.pos(in.line)}
	fields, err := csvvalue.Fields(val, nil)
	if err != nil {
		r.errorf(in.line, "RUN --mount=%s: %v", val, err)
		in.internal = true
		return m, false
	}
	asIs := []asWritten{
		{"target", &m.Target}, {"dst", &m.Target}, {"destination", &m.Target},
		{"source", &m.Source}, {"src", &m.Source}, {"from", &m.From}, {"id", &m.ID},
		{"mode", &m.Mode}, {"uid", &m.UID}, {"gid", &m.GID}, {"size", &m.Size}, {"env", &m.Env},
	}
	seen := map[string]bool{}
	boolVal := func(key, v string, bare bool) *bool {
		b := true
		if !bare {
			var err error
			if b, err = strconv.ParseBool(v); err != nil {
				r.errorf(in.line, "RUN --mount: %s=%s is not true or false; the spec holds it as a boolean", key, v)
				in.internal = true
			}
		}
		return &b
	}
	for _, field := range fields {
		key, value, hasValue := strings.Cut(field, "=")
		key = strings.ToLower(key)
		canon := map[string]string{"dst": "target", "destination": "target", "src": "source", "ro": "readonly", "rw": "readonly", "readwrite": "readonly"}[key]
		if canon == "" {
			canon = key
		}
		if seen[canon] {
			r.warnf(in.line, "RUN --mount sets %s twice; the last value is kept, as BuildKit does", canon)
		}
		seen[canon] = true
		if !hasValue {
			switch key {
			case "readonly", "ro", "readwrite", "rw", "required":
			default:
				r.errorf(in.line, "RUN --mount: invalid field %q: must be a key=value pair", field)
				in.internal = true
				continue
			}
		}
		if setAsWritten(asIs, key, value) {
			continue
		}
		switch key {
		case "type":
			m.Type = strings.ToLower(value)
			if m.Type != value {
				r.warnf(in.line, "RUN --mount type %q written in lower case", value)
			}
		case "sharing":
			m.Sharing = strings.ToLower(value)
			if m.Sharing != value {
				r.warnf(in.line, "RUN --mount sharing %q written in lower case", value)
			}
		case "readonly", "ro":
			m.ReadOnly = boolVal(key, value, !hasValue)
		case "readwrite", "rw":
			rw := boolVal(key, value, !hasValue)
			ro := !*rw
			m.ReadOnly = &ro
		case "required":
			m.Required = boolVal(key, value, !hasValue)
		default:
			r.errorf(in.line, "RUN --mount: unexpected key %q in %q", key, field)
			in.internal = true
		}
	}
	if m.Type == "" {
		// BuildKit's default, and what the renderer writes for it.
		m.Type = "bind"
	}
	if seen["env"] && m.Env == "" && m.Type == "secret" {
		// BuildKit reads env only for a secret (dockerfile2llb
		// convert_secrets.go), where an empty one still counts: no file
		// under /run/secrets, an environment variable with no name.
		r.errorf(in.line, "RUN --mount=type=secret: env= names no environment variable; write env=NAME, or leave env out to mount the secret as a file")
		in.internal = true
	}
	return m, !in.internal
}

func (r *reverser) healthcheck(in *instr) *spec.Healthcheck {
	n := in.node
	h := &spec.Healthcheck{Pos: r.pos(in.line)}
	if strings.EqualFold(n.Next.Value, "none") {
		r.moveComments(in, in.lg.end+1)
		r.ignoredFlags(in)
		h.None = true
		return h
	}
	fields := []asWritten{{"interval", &h.Interval}, {"timeout", &h.Timeout}, {"start-period", &h.StartPeriod}, {"start-interval", &h.StartInterval}}
	for _, f := range in.flags {
		name, v, _ := cutFlag(f)
		if !setAsWritten(fields, name, v) && name == "retries" && v != "" {
			i, err := strconv.Atoi(v)
			if err != nil {
				r.errorf(in.line, "HEALTHCHECK --retries=%s is not a number", v)
				return nil
			}
			h.Retries = &i
		}
	}
	// The command follows the type word, as in parser.parseHealthConfig
	// (which looks at bytes).
	rest := in.lg.text[in.argsOff:]
	sep := 0
	for sep < len(rest) && !unicode.IsSpace(rune(rest[sep])) {
		sep++
	}
	next := sep
	for next < len(rest) && unicode.IsSpace(rune(rest[next])) {
		next++
	}
	h.Test = r.command(in, in.argsOff+next, n.Next.Next)
	if h.Test == nil {
		return nil
	}
	return h
}
