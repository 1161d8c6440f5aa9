package spec

import (
	"encoding/json"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/moby/sys/signal"
)

var (
	octalLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+$`) })
)

// plainSignal is a STOPSIGNAL value that expansion leaves as written.
var plainSignal = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9+-]+$`) })

// checkStopSignal says why BuildKit refuses STOPSIGNAL sig, or "": the build
// reads it with moby/sys/signal's ParseSignal (a non-zero number, or a
// name with or without SIG, any case). The name table is the Linux one,
// where the engine's BuildKit runs; on other systems dockstage runs on, the
// local table differs, so names are checked on Linux only. A value that
// expansion changes ($, quotes, escapes) is not checked.
func checkStopSignal(sig string) string {
	if !plainSignal().MatchString(sig) {
		return ""
	}
	if n, err := strconv.Atoi(sig); err == nil {
		if n == 0 {
			return "signal 0 is not a signal (BuildKit refuses it); write a name such as SIGTERM or a signal number"
		}
		return ""
	}
	if runtime.GOOS != "linux" {
		return ""
	}
	if _, err := signal.ParseSignal(sig); err != nil {
		return fmt.Sprintf("%q is not a signal (BuildKit refuses it); write a signal name such as SIGTERM, SIGINT, SIGQUIT or SIGRTMIN+3, or its number", sig)
	}
	return ""
}

var numericOwner = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+(:[0-9]+)?$`) })

func (v *validator) step(s *Step, path fieldPath, idx int, inOnBuild bool) {
	p := s.Pos
	for i, c := range s.Comment {
		v.commentItem(itemPos(s.CommentPos, i, p), path, "comment", i, c)
	}
	n := s.instructions()
	if n != 1 {
		v.errorf(p, "%s: a step holds exactly one instruction, found %d", path, n)
		return
	}
	v.stepItemComments(s, path, p)
	switch s.Keyword() {
	case "ARG":
		v.kvsDup(path.dot("arg"), s.Arg, true, true)
		if len(s.Arg) == 0 {
			v.errorf(p, "%s.arg: declare at least one build arg", path)
		}
	case "ENV":
		v.kvsDup(path.dot("env"), s.Env, false, true)
		if len(s.Env) == 0 {
			v.errorf(p, "%s.env: set at least one variable", path)
		}
	case "LABEL":
		v.kvsDup(path.dot("label"), s.Label, false, true)
		if len(s.Label) == 0 {
			v.errorf(p, "%s.label: set at least one label", path)
		}
	case "WORKDIR":
		v.text(p, path.dot("workdir"), "WORKDIR", *s.Workdir)
	case "USER":
		v.text(p, path.dot("user"), "USER", *s.User)
	case "STOPSIGNAL":
		v.text(p, path.dot("stopsignal"), "STOPSIGNAL", *s.StopSignal)
		if msg := checkStopSignal(*s.StopSignal); msg != "" {
			v.errorf(p, "%s.stopsignal: %s", path, msg)
		}
	case "MAINTAINER":
		v.text(p, path.dot("maintainer"), "MAINTAINER", *s.Maintainer)
	case "EXPOSE":
		if len(s.Expose) == 0 {
			v.errorf(p, "%s.expose: list at least one port", path)
		}
		for i, e := range s.Expose {
			ep := itemPos(s.ExposePos, i, p)
			if msg := checkExpose(e); msg != "" {
				v.errorf(ep, "%s.expose[%d]: %s", path, i, msg)
			} else if strings.ContainsAny(e, " \t\\`\"'") || strings.HasPrefix(e, "-") {
				v.errorf(ep, "%s.expose[%d]: %q: a port cannot hold blanks, quotes, escape characters or start with '-'", path, i, e)
			}
		}
	case "VOLUME":
		if len(s.Volume) == 0 {
			v.errorf(p, "%s.volume: list at least one path", path)
		}
		for i, e := range s.Volume {
			ep := itemPos(s.VolumePos, i, p)
			v.lineItem(ep, path, "volume", i, e, true)
			if s.VolumeShell && len(VolumeWords(e)) > 1 {
				v.errorf(ep, "%s.volume[%d]: %q holds blanks, which split a shell-form VOLUME into several paths; write the volume as a YAML list (exec form)", path, i, e)
			}
		}
		if text := strings.Join(s.Volume, " "); s.VolumeShell && strings.HasPrefix(text, "[") && json.Valid([]byte(text)) {
			v.errorf(p, "%s.volume: this string is a JSON array, which the Dockerfile reads as exec form; write it as a YAML list", path)
		}
	case "SHELL":
		if len(s.Shell) == 0 {
			v.errorf(p, "%s.shell: give the shell and its arguments, e.g. [/bin/bash, -c]", path)
		}
		for i, e := range s.Shell {
			v.lineItem(itemPos(s.ShellPos, i, p), path, "shell", i, e, false)
		}
	case "COPY":
		v.copy(s.Copy, path.dot("copy"), idx, false, p)
	case "ADD":
		v.copy(s.Add, path.dot("add"), idx, true, p)
	case "RUN":
		v.run(s.Run, path.dot("run"), idx, p)
	case "CMD":
		v.command(s.Cmd, path.dot("cmd"), p, nil, nil)
	case "ENTRYPOINT":
		v.command(s.Entrypoint, path.dot("entrypoint"), p, nil, nil)
	case "HEALTHCHECK":
		v.healthcheck(s.Healthcheck, path.dot("healthcheck"), p)
	case "ONBUILD":
		if inOnBuild {
			v.errorf(p, "%s.onbuild: ONBUILD cannot trigger another ONBUILD", path)
			return
		}
		if s.OnBuild.Maintainer != nil {
			v.errorf(p, "%s.onbuild: ONBUILD cannot trigger MAINTAINER", path)
		}
		if len(s.OnBuild.Comment) > 0 {
			v.errorf(p, "%s.onbuild: a trigger cannot carry comments; put them on the onbuild step", path)
		}
		// A trigger runs in a later build: stage references are not checked here.
		v.inOnBuild = true
		v.step(s.OnBuild, path.dot("onbuild"), len(v.s.Stages), true)
		v.inOnBuild = false
	}
}

// stepItemComments checks the comment lines above the items of s's lists
// (ItemComments): at most one entry per item, each line one Dockerfile
// comment line.
func (v *validator) stepItemComments(s *Step, path fieldPath, p Pos) {
	v.itemComments(p, s.ExposePos, path, "expose", s.ExposeComment, len(s.Expose))
	v.itemComments(p, s.VolumePos, path, "volume", s.VolumeComment, len(s.Volume))
	v.itemComments(p, s.ShellPos, path, "shell", s.ShellComment, len(s.Shell))
	for _, c := range []struct {
		c    *Copy
		name string
	}{{s.Copy, "copy"}, {s.Add, "add"}} {
		if c.c != nil {
			v.itemComments(p, c.c.SrcPos, path.dot(c.name), "src", c.c.SrcComment, len(c.c.Src))
			v.itemComments(c.c.DestPos, nil, path.dot(c.name), "dest", ItemComments{c.c.DestComment}, 1)
		}
	}
	cmd := func(c *Command, field string) {
		if c != nil {
			v.itemComments(c.Pos, nil, path, field, c.ArgsComment, len(c.Args))
		}
	}
	cmd(s.Cmd, "cmd")
	cmd(s.Entrypoint, "entrypoint")
	if s.Run != nil {
		cmd(&s.Run.Command, "run")
		v.itemComments(s.Run.Pos, nil, path.dot("run"), "command", ItemComments{s.Run.CommandComment}, 1)
		v.itemComments(s.Run.Pos, nil, path.dot("run"), "mounts", s.Run.MountsComment, len(s.Run.Mounts))
	}
	if s.Healthcheck != nil {
		cmd(s.Healthcheck.Test, "healthcheck.test")
	}
}

// itemComments checks cs, the comment lines above the n items of the list
// field path.field whose item positions are ps (p when Load recorded none).
func (v *validator) itemComments(p Pos, ps []Pos, path fieldPath, field string, cs ItemComments, n int) {
	if cs == nil {
		return
	}
	if len(cs) > n {
		v.errorf(p, "%s.%s: %d comment entries for %d items; give at most one per item", path, field, len(cs), n)
	}
	for i, lines := range cs {
		for _, l := range lines {
			if strings.ContainsAny(l, "\n\r\x00") {
				v.line(itemPos(ps, i, p), path.item(field, i).plus(" comment"), l)
			}
		}
	}
}

func (v *validator) nonEmptyLine(p Pos, path fieldPath, s string) {
	if strings.TrimSpace(s) == "" {
		v.errorf(p, "%s: empty value", path)
		return
	}
	v.line(p, path, s)
}

// checkExpose checks one EXPOSE entry: PORT, PORT/PROTO or a range
// START-END[/PROTO]; entries with a variable are left to build time.
func checkExpose(e string) string {
	if strings.Contains(e, "$") {
		return ""
	}
	port, proto, hasProto := strings.Cut(e, "/")
	if hasProto {
		switch strings.ToLower(proto) {
		case "tcp", "udp", "sctp":
		default:
			return fmt.Sprintf("%q: unknown protocol %q; use tcp, udp or sctp", e, proto)
		}
	}
	lo, hi, isRange := strings.Cut(port, "-")
	for _, x := range []string{lo, hi} {
		if !isRange && x == hi {
			continue
		}
		n, err := strconv.Atoi(x)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("%q: port must be a number from 1 to 65535", e)
		}
	}
	if isRange {
		a, _ := strconv.Atoi(lo)
		b, _ := strconv.Atoi(hi)
		if a > b {
			return fmt.Sprintf("%q: range start is above its end", e)
		}
	}
	return ""
}

func (v *validator) run(r *Run, path fieldPath, idx int, p Pos) {
	if r.Pos.IsValid() {
		p = r.Pos
	}
	n := len(v.errs)
	var opened []string
	if !r.Command.Exec {
		opened = syntax.HeredocNames(r.Command.Shell)
		v.heredocs(p, path, opened, r.Heredocs)
	} else if len(r.Heredocs) > 0 {
		v.errorf(p, "%s.heredocs: heredocs need a shell-form command", path)
	}
	// With broken heredocs the command's own probe would only repeat them.
	v.noProbe = len(v.errs) > n
	v.command(&r.Command, path.dot("command"), p, nilIfEmpty(r.Heredocs), opened)
	v.noProbe = false
	switch r.Network {
	case "", "default", "none", "host":
	default:
		v.errorf(itemPos([]Pos{r.NetworkPos}, 0, p), "%s.network: %q is not a network mode; use default, none or host", path, r.Network)
	}
	switch r.Security {
	case "", "sandbox", "insecure":
	default:
		v.errorf(itemPos([]Pos{r.SecurityPos}, 0, p), "%s.security: %q is not a security mode; use sandbox or insecure", path, r.Security)
	}
	for i, d := range r.Device {
		v.lineItem(itemPos(r.DevicePos, i, p), path, "device", i, d, true)
	}
	for i, m := range r.Mounts {
		mp := m.Pos
		if !mp.IsValid() {
			mp = p
		}
		v.mount(m, path.item("mounts", i), idx, mp)
	}
}

func nilIfEmpty(h []Heredoc) []Heredoc {
	if h == nil {
		return []Heredoc{}
	}
	return h
}

func (v *validator) mount(m Mount, path fieldPath, idx int, p Pos) {
	for _, f := range []string{m.Type, m.Target, m.Source, m.From, m.ID, m.Sharing, m.Mode, m.UID, m.GID, m.Size, m.Env} {
		v.line(p, path, f) // ',' and '"' are fine: the renderer CSV-quotes them
	}
	typ := m.Type
	if typ == "" {
		typ = "bind"
	}
	switch typ {
	case "bind", "cache", "tmpfs", "secret", "ssh":
	default:
		v.errorf(p, "%s.type: %q is not a mount type; use bind, cache, tmpfs, secret or ssh", path, m.Type)
	}
	switch m.Sharing {
	case "", "shared", "private", "locked":
	default:
		v.errorf(p, "%s.sharing: %q; use shared, private or locked", path, m.Sharing)
	}
	// A mount without target is valid: BuildKit mounts it at the WORKDIR.
	if m.Size != "" && typ != "tmpfs" {
		v.errorf(p, "%s.size: only tmpfs mounts take a size", path)
	}
	if m.Required != nil && typ != "secret" && typ != "ssh" {
		v.errorf(p, "%s.required: only secret and ssh mounts take required", path)
	}
	// mode, uid and gid as BuildKit's parseMount reads them: an octal
	// mode, decimal ids, on secret, ssh and cache mounts only.
	for _, f := range []struct {
		name, value, form string
		base              int
	}{{"mode", m.Mode, "an octal file mode such as 0400", 8}, {"uid", m.UID, "a numeric user id", 10}, {"gid", m.GID, "a numeric group id", 10}} {
		if f.value == "" || strings.Contains(f.value, "$") {
			continue
		}
		if typ != "secret" && typ != "ssh" && typ != "cache" {
			v.errorf(p, "%s.%s: only secret, ssh and cache mounts take %s (BuildKit refuses it on a %s mount)", path, f.name, f.name, typ)
		} else if _, err := strconv.ParseUint(f.value, f.base, 32); err != nil {
			v.errorf(p, "%s.%s: %q is not %s (BuildKit refuses it)", path, f.name, f.value, f.form)
		}
	}
	if m.From != "" && !strings.Contains(m.From, "$") {
		if msg := v.ref(m.From, idx, true); msg != "" {
			v.errorf(p, "%s.from: %s", path, msg)
		}
	}
}

func (v *validator) copy(c *Copy, path fieldPath, idx int, isAdd bool, p Pos) {
	if c.Pos.IsValid() {
		p = c.Pos
	}
	if len(c.Src) == 0 {
		v.errorf(p, "%s.src: list at least one source", path)
	}
	var opened []string
	for i, s := range c.Src {
		v.lineItem(itemPos(c.SrcPos, i, p), path, "src", i, s, true)
		if strings.HasPrefix(s, "<<") {
			opened = append(opened, syntax.HeredocNames(s)...)
		}
	}
	v.heredocs(p, path, opened, c.Heredocs)
	dp := itemPos([]Pos{c.DestPos}, 0, p)
	v.nonEmptyLine(dp, path.dot("dest"), c.Dest)
	if strings.HasPrefix(c.Dest, "<<") {
		v.errorf(dp, "%s.dest: a heredoc cannot be the destination", path)
	}
	for _, f := range []struct {
		k, v string
		p    Pos
	}{{"chown", c.Chown, c.ChownPos}, {"chmod", c.Chmod, c.ChmodPos}, {"checksum", c.Checksum, c.ChecksumPos}} {
		v.line(itemPos([]Pos{f.p}, 0, p), path.dot(f.k), f.v)
	}
	for i, e := range c.Exclude {
		v.lineItem(itemPos(c.ExcludePos, i, p), path, "exclude", i, e, true)
	}
	if c.Chmod != "" && !strings.Contains(c.Chmod, "$") && octalLike().MatchString(c.Chmod) && !isFileMode(c.Chmod) {
		v.errorf(itemPos([]Pos{c.ChmodPos}, 0, p), "%s.chmod: %q is not an octal file mode; write e.g. 0755 or 644", path, c.Chmod)
	}
	if c.Link && c.Chown != "" && !strings.Contains(c.Chown, "$") && !numericOwner().MatchString(c.Chown) {
		v.errorf(itemPos([]Pos{c.ChownPos}, 0, p), "%s.chown: %q: with link: true BuildKit needs a numeric owner (UID[:GID]), since the layer is made without the image's /etc/passwd", path, c.Chown)
	}
	if !isAdd {
		if c.Checksum != "" || c.KeepGitDir != nil || c.Unpack != nil {
			v.errorf(p, "%s: checksum, keep_git_dir and unpack are ADD flags; use add", path)
		}
	} else if c.From != "" || c.Parents {
		v.errorf(p, "%s: from and parents are COPY flags; use copy", path)
	}
	if c.From != "" {
		fp := itemPos([]Pos{c.FromPos}, 0, p)
		v.line(fp, path.dot("from"), c.From)
		if strings.Contains(c.From, "$") {
			v.errorf(fp, "%s.from: %q: --from does not expand build args; define an alias stage (`FROM ${IMAGE} AS alias`) and copy from it", path, c.From)
		} else if msg := v.ref(c.From, idx, true); msg != "" {
			v.errorf(fp, "%s.from: %s", path, msg)
		}
	}
}

func (v *validator) healthcheck(h *Healthcheck, path fieldPath, p Pos) {
	if h.Pos.IsValid() {
		p = h.Pos
	}
	if h.None {
		return
	}
	if h.Test == nil {
		v.errorf(p, "%s.test: missing; give the check command or write `healthcheck: none`", path)
	} else {
		if len(h.Test.Args) == 0 && h.Test.Shell == "" {
			v.errorf(p, "%s.test: empty command", path)
		}
		if h.Test.Exec && len(h.Test.Args) > 0 && (h.Test.Args[0] == "CMD" || h.Test.Args[0] == "CMD-SHELL" || h.Test.Args[0] == "NONE") {
			v.errorf(p, "%s.test: drop the leading %q: dockstage writes HEALTHCHECK CMD itself; a list is the exec form (CMD [...]), a string the shell form", path, h.Test.Args[0])
		}
		v.command(h.Test, path.dot("test"), p, nil, nil)
	}
	for _, d := range []struct {
		k, v string
		p    Pos
	}{{"interval", h.Interval, h.IntervalPos}, {"timeout", h.Timeout, h.TimeoutPos}, {"start_period", h.StartPeriod, h.StartPeriodPos}, {"start_interval", h.StartInterval, h.StartIntervalPos}} {
		if d.v == "" {
			continue
		}
		dp := itemPos([]Pos{d.p}, 0, p)
		dur, err := time.ParseDuration(d.v)
		if err != nil {
			v.errorf(dp, "%s.%s: %q is not a duration; write e.g. 30s or 1m30s", path, d.k, d.v)
		} else if dur != 0 && dur < time.Millisecond {
			v.errorf(dp, "%s.%s: %q is below BuildKit's minimum of 1ms", path, d.k, d.v)
		} else if dur < 0 {
			v.errorf(dp, "%s.%s: %q is negative", path, d.k, d.v)
		}
	}
	if h.Retries != nil && *h.Retries < 0 {
		v.errorf(itemPos([]Pos{h.RetriesPos}, 0, p), "%s.retries: cannot be negative", path)
	}
}

// isFileMode reports whether s is a mode BuildKit's COPY --chmod takes as
// octal: octal digits, at most 07777 ("0" and "00755" included).
func isFileMode(s string) bool {
	n, err := strconv.ParseUint(s, 8, 32)
	return err == nil && n <= 0o7777
}
