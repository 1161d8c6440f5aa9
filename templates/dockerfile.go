package templates

import (
	"bytes"
	"fmt"

	"github.com/dockstage/dockstage/transpile"
)

// writeDockerfile writes df as Dockerfile.tmpl lays it out, without the
// template engine (its reflection costs more than the instructions' own
// formatting): the directives, the header (with opt.Source), the file's
// comment, the global args, each stage after a blank line (FROM, its
// instructions, its trailing comment), then a blank line and the file's
// trailing comment, if any; the stamp is filled in last. The template
// stays the layout's reference: FuzzDockerfileLayout checks that the two
// write the same bytes.
func writeDockerfile(df *transpile.Dockerfile, esc rune, opt Options) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(4096)
	for _, d := range df.Directives {
		b.WriteString("# " + d.Name + "=" + d.Value + "\n")
	}
	if opt.Source != "" {
		b.WriteString(header(opt.Source, ""))
	}
	comments := func(lines []string) {
		for _, c := range lines {
			b.WriteString(comment(c))
			b.WriteByte('\n')
		}
	}
	var err error
	write := func(in transpile.Instruction) {
		if err != nil {
			return
		}
		var s string
		if s, err = instruction(in, esc); err != nil {
			err = fmt.Errorf("%s: %w", in.Keyword, err)
			return
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	comments(df.Comment)
	for _, in := range df.Args {
		write(in)
	}
	for k := range df.Stages {
		st := &df.Stages[k]
		b.WriteByte('\n')
		write(st.From)
		for _, in := range st.Instructions {
			write(in)
		}
		comments(st.TrailingComment)
	}
	if len(df.TrailingComment) > 0 {
		b.WriteByte('\n')
		comments(df.TrailingComment)
	}
	if err != nil {
		return nil, err
	}
	out := b.Bytes()
	if opt.Source != "" {
		out = stamp(out)
	}
	return out, nil
}
