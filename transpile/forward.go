package transpile

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/dockstage/dockstage/spec"
)

// Forward is the validating entry point of a render: it validates s
// (spec.Validate, once; callers need not validate first) and lowers it to a
// Dockerfile model and, when s has a compose section, compose models. When
// s is invalid it returns the validation errors as a spec.ErrorList (sorted
// `file:line:col: message` entries) and no output.
func Forward(s *spec.Spec) (*Output, error) {
	return ForwardWith(s, ForwardOptions{})
}

// ForwardWith is Forward with options: the image pins of a lock
// (ForwardOptions). With zero options it is Forward.
func ForwardWith(s *spec.Spec, opts ForwardOptions) (*Output, error) {
	if err := spec.Validate(s); err != nil {
		return nil, err
	}
	return lower(s, opts), nil
}

// ReverseForward is Reverse then Forward in one call, for a caller that
// holds a Dockerfile and wants the files it renders to (a formatter, a
// same-build proof): the spec Reverse returns has passed spec.Validate, so
// it is lowered without validating it again. It returns the spec, its
// models and Reverse's warnings; errors are Reverse's (a spec.ErrorList of
// the Dockerfile's errors), and then the spec and output are nil.
func ReverseForward(file string, src []byte, ropts ReverseOptions, fopts ForwardOptions) (*spec.Spec, *Output, []Warning, error) {
	s, warns, err := Reverse(file, src, ropts)
	if err != nil {
		return nil, nil, warns, err
	}
	return s, lower(s, fopts), warns, nil
}

// lower turns a valid spec into its models.
func lower(s *spec.Spec, opts ForwardOptions) *Output {
	out := &Output{Dockerfile: forwardDockerfile(s, opts), Bake: forwardBake(s)}
	if s.Dockerignore {
		out.Dockerignore = forwardDockerignore(s)
	}
	if s.Compose != nil {
		out.Compose, out.DevCompose = forwardCompose(s)
	}
	return out
}

func forwardDockerfile(s *spec.Spec, opts ForwardOptions) *Dockerfile {
	df := &Dockerfile{Escape: s.Escape(), Comment: s.Comment, TrailingComment: s.TrailingComment}
	if d := s.Directives; d != nil {
		if d.Syntax != "" {
			df.Directives = append(df.Directives, Directive{"syntax", d.Syntax})
		}
		if d.Escape != "" {
			df.Directives = append(df.Directives, Directive{"escape", d.Escape})
		}
		if d.Check != "" {
			df.Directives = append(df.Directives, Directive{"check", d.Check})
		}
	}
	for _, kv := range s.Args {
		df.Args = append(df.Args, Instruction{Comment: kv.Comment, Keyword: "ARG", Form: FormKV, KVs: []KeyValue{{Key: kv.Key, Value: opts.pinArg(kv)}}, Pos: kv.Pos})
	}
	for i, st := range s.Stages {
		fromRef := st.From
		if s.StageIndex(st.From, i) < 0 {
			fromRef = opts.pin(st.From)
		}
		from := Instruction{Comment: st.Comment, Keyword: "FROM", Form: FormWords, Words: []string{fromRef}, Pos: st.Pos}
		if st.Platform != "" {
			from.Flags = []Flag{{Name: "platform", Value: st.Platform}}
		}
		name := ""
		if !st.Anonymous {
			name = st.Name
			from.Words = append(from.Words, "AS", st.Name)
		}
		stage := Stage{Name: name, From: from, TrailingComment: st.TrailingComment}
		for k := range st.Steps {
			stage.Instructions = append(stage.Instructions, forwardStep(opts.pinStep(s, i, &st.Steps[k]), s.Escape()))
		}
		df.Stages = append(df.Stages, stage)
	}
	return df
}

func kvs(l spec.KVList) []KeyValue {
	out := make([]KeyValue, len(l))
	for i, kv := range l {
		out[i] = KeyValue{Key: kv.Key, Value: kv.Value, Comment: kv.Comment}
	}
	return out
}

func text(keyword, s string) Instruction {
	return Instruction{Keyword: keyword, Form: FormText, Text: s}
}

func command(keyword string, c *spec.Command) Instruction {
	if c.Exec {
		args := c.Args
		if args == nil {
			args = []string{}
		}
		return Instruction{Keyword: keyword, Form: FormJSON, Words: args, WordComment: c.ArgsComment}
	}
	return text(keyword, c.Shell)
}

func forwardStep(s *spec.Step, esc rune) Instruction {
	in := forwardInstruction(s, esc)
	in.Comment = s.Comment
	in.BlankBefore = s.BlankBefore
	in.Pos = s.Pos
	return in
}

// forwardInstruction lowers the step's one instruction. Where several
// keywords share a form, cmp.Or picks the field that is set: Keyword names
// the first set field in the same order, and a valid step sets one.
func forwardInstruction(s *spec.Step, esc rune) Instruction {
	switch kw := s.Keyword(); kw {
	case "ARG":
		return Instruction{Keyword: kw, Form: FormKV, KVs: kvs(s.Arg)}
	case "ENV":
		return Instruction{Keyword: kw, Form: FormKV, KVs: kvs(s.Env)}
	case "LABEL":
		return Instruction{Keyword: kw, Form: FormKV, KVs: kvs(s.Label)}
	case "WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER":
		return text(kw, *cmp.Or(s.Workdir, s.User, s.StopSignal, s.Maintainer))
	case "EXPOSE":
		return Instruction{Keyword: kw, Form: FormWords, Words: s.Expose, WordComment: s.ExposeComment}
	case "VOLUME":
		form := FormJSON
		if s.VolumeShell && !needsJSON(s.Volume, esc) {
			form = FormWords
		}
		return Instruction{Keyword: kw, Form: form, Words: s.Volume, WordComment: s.VolumeComment}
	case "SHELL":
		return Instruction{Keyword: kw, Form: FormJSON, Words: s.Shell, WordComment: s.ShellComment}
	case "COPY", "ADD":
		return forwardCopy(kw, cmp.Or(s.Copy, s.Add), esc)
	case "RUN":
		return forwardRun(s.Run)
	case "CMD", "ENTRYPOINT":
		return command(kw, cmp.Or(s.Cmd, s.Entrypoint))
	case "HEALTHCHECK":
		return forwardHealthcheck(s.Healthcheck)
	case "ONBUILD":
		sub := forwardInstruction(s.OnBuild, esc)
		return Instruction{Keyword: "ONBUILD", Form: FormNone, Sub: &sub}
	}
	panic("transpile: step without instruction (spec.Validate lets none through)")
}

func flag(name, value string) Flag { return Flag{Name: name, Value: value} }

func boolFlag(name string, b *bool) []Flag {
	if b == nil {
		return nil
	}
	if *b {
		return []Flag{{Name: name, Bare: true}}
	}
	return []Flag{flag(name, "false")}
}

func forwardCopy(keyword string, c *spec.Copy, esc rune) Instruction {
	in := Instruction{Keyword: keyword, Heredocs: c.Heredocs}
	add := func(name, v string) {
		if v != "" {
			in.Flags = append(in.Flags, flag(name, v))
		}
	}
	add("from", c.From)
	add("chown", c.Chown)
	add("chmod", c.Chmod)
	if c.Link {
		in.Flags = append(in.Flags, Flag{Name: "link", Bare: true})
	}
	if c.Parents {
		in.Flags = append(in.Flags, Flag{Name: "parents", Bare: true})
	}
	for _, e := range c.Exclude {
		add("exclude", e)
	}
	add("checksum", c.Checksum)
	in.Flags = append(in.Flags, boolFlag("keep-git-dir", c.KeepGitDir)...)
	in.Flags = append(in.Flags, boolFlag("unpack", c.Unpack)...)
	in.Words = append(append([]string{}, c.Src...), c.Dest)
	if c.SrcComment != nil || len(c.DestComment) > 0 {
		in.WordComment = make([][]string, len(in.Words))
		copy(in.WordComment, c.SrcComment)
		in.WordComment[len(c.Src)] = c.DestComment
	}
	in.Form = FormWords
	if needsJSON(in.Words, esc) && len(c.Heredocs) == 0 {
		in.Form = FormJSON
	}
	return in
}

// needsJSON reports whether a path list must be written in JSON form: an
// empty path, one with white space, one that ends with the escape
// character esc (a line continuation in shell form), or one that starts
// like a flag or a JSON array, cannot be a shell-form word; nor can one
// that starts with '#': at the start of a continuation line, where a long
// or commented list puts it, BuildKit skips it as a comment (JSON for it
// always, so the form does not depend on the layout). Quotes and
// escape characters inside a word need no JSON: BuildKit splits a
// shell-form COPY/ADD at white space and expands each word with its shell
// lexer in both forms (instructions.SourcesAndDest.Expand), so the word
// reaches the lexer the same either way.
func needsJSON(words []string, esc rune) bool {
	for _, w := range words {
		if w == "" || strings.HasSuffix(w, string(esc)) || strings.IndexFunc(w, unicode.IsSpace) >= 0 ||
			strings.HasPrefix(w, "-") || strings.HasPrefix(w, "[") || strings.HasPrefix(w, "#") {
			return true
		}
	}
	return false
}

// MountFlag formats one RUN --mount value (without "--mount="): type first,
// then the options in a fixed order. BuildKit reads the value as one CSV
// record (csvvalue): a field whose value holds ',' or '"' is CSV-quoted,
// `"source=a,b"`, with '"' doubled.
func MountFlag(m spec.Mount) string {
	var parts []string
	add := func(k, v string) {
		if v == "" {
			return
		}
		f := k + "=" + v
		if strings.ContainsAny(v, ",\"") {
			f = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
		}
		parts = append(parts, f)
	}
	typ := m.Type
	if typ == "" {
		typ = "bind"
	}
	add("type", typ)
	add("target", m.Target)
	add("source", m.Source)
	add("from", m.From)
	add("id", m.ID)
	add("sharing", m.Sharing)
	add("mode", m.Mode)
	add("uid", m.UID)
	add("gid", m.GID)
	add("size", m.Size)
	add("env", m.Env)
	if m.ReadOnly != nil {
		if *m.ReadOnly {
			parts = append(parts, "readonly")
		} else {
			parts = append(parts, "rw")
		}
	}
	if m.Required != nil {
		parts = append(parts, "required="+strconv.FormatBool(*m.Required))
	}
	return strings.Join(parts, ",")
}

func forwardRun(r *spec.Run) Instruction {
	in := command("RUN", &r.Command)
	for _, m := range r.Mounts {
		in.Flags = append(in.Flags, flag("mount", MountFlag(m)))
	}
	if r.Network != "" {
		in.Flags = append(in.Flags, flag("network", r.Network))
	}
	if r.Security != "" {
		in.Flags = append(in.Flags, flag("security", r.Security))
	}
	for _, d := range r.Device {
		in.Flags = append(in.Flags, flag("device", d))
	}
	in.Heredocs = r.Heredocs
	in.ArgsComment = r.CommandComment
	in.FlagComment = r.MountsComment // the mounts are the first flags
	return in
}

func forwardHealthcheck(h *spec.Healthcheck) Instruction {
	in := Instruction{Keyword: "HEALTHCHECK"}
	if h.None {
		in.Form = FormText
		in.Text = "NONE"
		return in
	}
	for _, d := range []struct{ name, v string }{
		{"interval", h.Interval}, {"timeout", h.Timeout}, {"start-period", h.StartPeriod}, {"start-interval", h.StartInterval},
	} {
		if d.v != "" {
			in.Flags = append(in.Flags, flag(d.name, d.v))
		}
	}
	if h.Retries != nil {
		in.Flags = append(in.Flags, flag("retries", strconv.Itoa(*h.Retries)))
	}
	sub := command("CMD", h.Test)
	in.Form = FormNone
	in.Sub = &sub
	return in
}

func forwardCompose(s *spec.Spec) (prod, dev *ComposeFile) {
	c := s.Compose
	name := c.Service
	if name == "" {
		name = s.Name
	}
	context := c.Context
	if context == "" {
		context = "."
	}
	target := stageName(s, c.Target, spec.DefaultTarget)
	image := c.Image
	if image == "" {
		image = s.Name + ":" + strings.ToLower(target)
	}
	prod = &ComposeFile{Service: ComposeService{
		Name:        name,
		Image:       image,
		Build:       ComposeBuild{Context: context, Dockerfile: cmp.Or(c.Dockerfile, "Dockerfile"), Target: target, Args: kvs(c.BuildArgs)},
		Ports:       c.Ports,
		Environment: kvs(c.Environment),
		Volumes:     c.Volumes,
		Command:     c.Command,
	}}
	prod.Volumes = namedVolumes(c.Volumes)
	if c.Dev == nil {
		return prod, nil
	}
	d := c.Dev
	devTarget := stageName(s, d.Target, spec.DefaultDevTarget)
	svc := prod.Service
	svc.Image = s.Name + ":" + strings.ToLower(devTarget)
	svc.Build.Target = devTarget
	svc.Volumes = d.Volumes
	svc.Command = d.Command
	if d.Ports != nil {
		svc.Ports = d.Ports
	}
	if d.Environment != nil {
		svc.Environment = kvs(d.Environment)
	}
	return prod, &ComposeFile{Service: svc, Volumes: namedVolumes(svc.Volumes)}
}

// namedVolumes lists the named volumes among compose short-syntax volumes
// (not host paths, not anonymous volumes), each once, in order.
func namedVolumes(vols []string) []string {
	var out []string
	for _, v := range vols {
		if typ, src, _, err := spec.ComposeVolume(v); err == nil && typ == "volume" && src != "" && !slices.Contains(out, src) {
			out = append(out, src)
		}
	}
	return out
}

// stageName returns the spec's spelling of the stage named want (or def
// when want is empty), so that compose targets match the Dockerfile.
func stageName(s *spec.Spec, want, def string) string {
	if want == "" {
		want = def
	}
	for _, st := range s.Stages {
		if strings.EqualFold(st.Name, want) {
			return st.Name
		}
	}
	return want
}
