package spec

// stepInstructions maps each instruction field of a Step to its keyword,
// in the order the spec documents them.
var stepInstructions = [...]struct {
	keyword string
	set     func(*Step) bool
}{
	{"ARG", func(s *Step) bool { return s.Arg != nil }},
	{"ENV", func(s *Step) bool { return s.Env != nil }},
	{"LABEL", func(s *Step) bool { return s.Label != nil }},
	{"WORKDIR", func(s *Step) bool { return s.Workdir != nil }},
	{"USER", func(s *Step) bool { return s.User != nil }},
	{"EXPOSE", func(s *Step) bool { return s.Expose != nil }},
	{"VOLUME", func(s *Step) bool { return s.Volume != nil }},
	{"STOPSIGNAL", func(s *Step) bool { return s.StopSignal != nil }},
	{"SHELL", func(s *Step) bool { return s.Shell != nil }},
	{"MAINTAINER", func(s *Step) bool { return s.Maintainer != nil }},
	{"COPY", func(s *Step) bool { return s.Copy != nil }},
	{"ADD", func(s *Step) bool { return s.Add != nil }},
	{"RUN", func(s *Step) bool { return s.Run != nil }},
	{"CMD", func(s *Step) bool { return s.Cmd != nil }},
	{"ENTRYPOINT", func(s *Step) bool { return s.Entrypoint != nil }},
	{"HEALTHCHECK", func(s *Step) bool { return s.Healthcheck != nil }},
	{"ONBUILD", func(s *Step) bool { return s.OnBuild != nil }},
}

// Keyword returns the upper-case Dockerfile keyword of the step's
// instruction ("RUN", "COPY", ...), or "" when no instruction field is set.
// A valid step sets exactly one (Validate); with several, the first in the
// order of the Step fields wins.
func (s *Step) Keyword() string {
	for _, in := range stepInstructions {
		if in.set(s) {
			return in.keyword
		}
	}
	return ""
}

// instructions counts the instruction fields the step sets.
func (s *Step) instructions() int {
	n := 0
	for _, in := range stepInstructions {
		if in.set(s) {
			n++
		}
	}
	return n
}

// Reference is a step's reference to another stage (or an image).
type Reference struct {
	// Flag is where the reference is written: "COPY --from" or
	// "RUN --mount from".
	Flag string
	// From is the value as written: a stage name, a stage index or an image
	// reference.
	From string
}

// References lists the stage or image references the step makes, in
// order: COPY --from, then each RUN --mount from=. An ONBUILD trigger's
// references belong to a later build and are not listed.
func (s *Step) References() []Reference {
	var out []Reference
	if s.Copy != nil && s.Copy.From != "" {
		out = append(out, Reference{Flag: "COPY --from", From: s.Copy.From})
	}
	if s.Run != nil {
		for _, m := range s.Run.Mounts {
			if m.From != "" {
				out = append(out, Reference{Flag: "RUN --mount from", From: m.From})
			}
		}
	}
	return out
}

// WithoutComments returns a copy of s without its comment lines: the step's
// own (Comment), those above ARG/ENV/LABEL pairs (KV.Comment) and those
// above list items (ItemComments), its ONBUILD trigger's included. What
// changes is copied; s is left as it is.
func (s Step) WithoutComments() Step {
	s.Comment, s.CommentPos = nil, nil
	s.ExposeComment, s.VolumeComment, s.ShellComment = nil, nil, nil
	for _, l := range []*KVList{&s.Arg, &s.Env, &s.Label} {
		if *l == nil {
			continue
		}
		out := make(KVList, len(*l))
		for i, kv := range *l {
			kv.Comment = nil
			out[i] = kv
		}
		*l = out
	}
	for _, c := range []**Copy{&s.Copy, &s.Add} {
		if *c != nil {
			cp := **c
			cp.SrcComment, cp.DestComment = nil, nil
			*c = &cp
		}
	}
	for _, c := range []**Command{&s.Cmd, &s.Entrypoint} {
		if *c != nil {
			cp := **c
			cp.ArgsComment = nil
			*c = &cp
		}
	}
	if s.Run != nil {
		r := *s.Run
		r.Command.ArgsComment, r.CommandComment, r.MountsComment = nil, nil, nil
		s.Run = &r
	}
	if s.Healthcheck != nil && s.Healthcheck.Test != nil {
		h := *s.Healthcheck
		t := *h.Test
		t.ArgsComment = nil
		h.Test = &t
		s.Healthcheck = &h
	}
	if s.OnBuild != nil {
		t := s.OnBuild.WithoutComments()
		s.OnBuild = &t
	}
	return s
}

// KeepSources returns a copy of c with only the sources keep accepts, each
// with its position (SrcPos) and comment lines (SrcComment).
func (c Copy) KeepSources(keep func(src string) bool) Copy {
	src, pos, comments := c.Src, c.SrcPos, c.SrcComment
	c.Src, c.SrcPos, c.SrcComment = nil, nil, nil
	for i, s := range src {
		if !keep(s) {
			continue
		}
		if i < len(pos) {
			c.SrcPos = append(c.SrcPos, pos[i])
		}
		if i < len(comments) && len(comments[i]) > 0 {
			for len(c.SrcComment) < len(c.Src) {
				c.SrcComment = append(c.SrcComment, nil)
			}
			c.SrcComment = append(c.SrcComment, comments[i])
		}
		c.Src = append(c.Src, s)
	}
	return c
}
