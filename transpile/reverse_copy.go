package transpile

import (
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
)

// COPY and ADD: sources, flags and heredoc bodies (RUN's too).

// heredocs converts the instruction's here-documents; opened are the names
// the spec sees opened in the command or sources, which must be BuildKit's.
func (r *reverser) heredocs(in *instr, opened []string) []spec.Heredoc {
	var names []string
	var out []spec.Heredoc
	line := in.lg.end + 1
	for _, h := range in.heredocs {
		names = append(names, h.Name)
		n := strings.Count(h.Content, "\n")
		if line-1+n > len(r.rawLines) {
			r.internalf(in, "heredoc %s runs past the end of the file", h.Name)
			return nil
		}
		body := ""
		if n > 0 {
			body = strings.Join(r.rawLines[line-1:line-1+n], "\n") + "\n"
		}
		if body != h.Content {
			r.internalf(in, "heredoc %s body differs from the source lines", h.Name)
			return nil
		}
		out = append(out, spec.Heredoc{Name: h.Name, Body: h.Content, Pos: r.pos(line)})
		line += n + 1
	}
	if strings.Join(names, " ") != strings.Join(opened, " ") {
		kw := strings.ToUpper(in.kw)
		if len(names) == 0 {
			r.errorf(in.line, "%s: <<%s is not a here-document for BuildKit (it is quoted, inside a word or on a comment line) but a spec reads every <<NAME in a command as one; dockstage cannot import it: break up the << (for example '<''<%s')", kw, opened[0], opened[0])
		} else {
			r.errorf(in.line, "%s: BuildKit reads the here-documents %s but a spec would read %s; dockstage cannot import it: open each here-document as a word of its own, <<NAME with NAME of letters, digits, _, . and -", kw, strings.Join(names, ", "), strings.Join(opened, ", "))
		}
		in.internal = true
		return nil
	}
	return out
}

func (r *reverser) copyStep(in *instr) *spec.Copy {
	c := &spec.Copy{Pos: r.pos(in.line)}
	fields := []asWritten{{"from", &c.From}, {"chown", &c.Chown}, {"chmod", &c.Chmod}, {"checksum", &c.Checksum}}
	for _, f := range in.flags {
		name, v, has := cutFlag(f)
		if setAsWritten(fields, name, v) {
			continue
		}
		isTrue := !has || strings.EqualFold(v, "true")
		switch name {
		case "link":
			c.Link = isTrue
		case "parents":
			c.Parents = isTrue
		case "exclude":
			c.Exclude = append(c.Exclude, v)
		case "keep-git-dir":
			c.KeepGitDir = &isTrue
		case "unpack":
			b := isTrue
			c.Unpack = &b
		}
	}
	words := nodeValues(in.node.Next)
	c.Src = words[:len(words)-1]
	c.Dest = words[len(words)-1]
	var opened []string
	for _, s := range c.Src {
		if strings.HasPrefix(s, "<<") {
			opened = append(opened, syntax.HeredocNames(s)...)
		}
	}
	c.Heredocs = r.heredocs(in, opened)
	if cs := r.listComments(in, len(words), 0); cs != nil {
		c.SrcComment = cs[:len(c.Src)]
		if len(cs[len(c.Src)]) > 0 {
			c.DestComment = cs[len(c.Src)]
		}
		if !spec.HasComments(c.SrcComment) {
			c.SrcComment = nil
		}
	}
	return c
}
