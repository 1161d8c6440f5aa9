package templates

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dockstage/dockstage/transpile"
	"github.com/moby/patternmatcher/ignorefile"
)

// IgnoreEnd ends the generated block of .dockerignore; what follows it is
// the user's and dockstage never changes it.
const IgnoreEnd = "# dockstage:end - add your own patterns below this line; dockstage keeps them"

// RenderDockerignore renders the generated block of .dockerignore (header,
// stamp, patterns, end marker) and checks that the patterns parse as
// BuildKit reads them.
func RenderDockerignore(m *transpile.Dockerignore, opt Options) ([]byte, error) {
	var b bytes.Buffer
	if opt.Source != "" {
		b.WriteString(header(opt.Source, " this block"))
	}
	if m.AllowList {
		b.WriteString("# Allow list: only what the spec's COPY and ADD sources and RUN bind mounts read.\n")
	}
	for _, p := range m.Patterns {
		b.WriteString(p + "\n")
	}
	b.WriteString(IgnoreEnd + "\n")
	out := b.Bytes()
	if opt.Source != "" {
		out = stamp(out)
	}
	got, err := ignorefile.ReadAll(bytes.NewReader(out))
	if err != nil {
		return nil, &InternalError{File: ".dockerignore", Err: err, Text: out}
	}
	if len(got) != len(m.Patterns) {
		return nil, &InternalError{File: ".dockerignore", Err: fmt.Errorf("read back %d patterns, wrote %d", len(got), len(m.Patterns)), Text: out}
	}
	return out, nil
}

// ErrIgnoreEdited is returned by MergeDockerignore when the generated block
// of the existing file was edited by hand.
var ErrIgnoreEdited = errors.New("the generated block of .dockerignore was edited by hand; move those patterns below the dockstage:end line (or use --force to discard the edits)")

// SplitDockerignore splits an existing .dockerignore into its generated
// block (empty when it has none) and the user's part.
func SplitDockerignore(existing []byte) (block, user []byte) {
	i := bytes.Index(existing, []byte(IgnoreEnd))
	if i < 0 || !stampRE().Match(existing[:i]) {
		return nil, existing
	}
	end := i + len(IgnoreEnd)
	if end < len(existing) && existing[end] == '\n' {
		end++
	}
	return existing[:end], existing[end:]
}

// MergeDockerignore puts the freshly generated block in front of the
// user's part of existing (all of existing when it has no generated block),
// byte for byte. When the existing block was edited since dockstage wrote
// it, it fails with ErrIgnoreEdited unless force is set.
func MergeDockerignore(block, existing []byte, force bool) ([]byte, error) {
	old, user := SplitDockerignore(existing)
	if old != nil && !force {
		if _, unchanged := Owned(old); !unchanged {
			return nil, ErrIgnoreEdited
		}
	}
	out := append([]byte{}, block...)
	return append(out, user...), nil
}
