package templates

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/dockstage/dockstage/transpile"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/zclconf/go-cty/cty"
)

// ---- .dockerignore ----

// IgnoreEnd ends the generated block of .dockerignore; what follows it is
// the user's and dockstage never changes it.
const IgnoreEnd = "# dockstage:end - add your own patterns below this line; dockstage keeps them"

// RenderDockerignore renders the generated block of .dockerignore (header,
// stamp, patterns, end marker) and checks that the patterns parse as
// BuildKit reads them.
func RenderDockerignore(m *transpile.Dockerignore, opt Options) ([]byte, error) {
	var b bytes.Buffer
	if opt.Source != "" {
		b.WriteString(generatedPrefix + opt.Source + "; DO NOT EDIT this block.\n")
		b.WriteString(stampPrefix + strings.Repeat("0", 64) + "\n")
	}
	if m.AllowList {
		b.WriteString("# Allow list: only what the spec's COPY and ADD sources need.\n")
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
	if i < 0 || !stampRE.Match(existing[:i]) {
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

// ---- docker-bake.hcl ----

// RenderBake renders docker-bake.hcl with hclwrite and parses it back with
// hclsyntax.
func RenderBake(m *transpile.Bake, opt Options) ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	var fromEnv []string
	for _, a := range m.Args {
		if a.Value == nil {
			fromEnv = append(fromEnv, a.Key)
		}
	}
	for _, v := range fromEnv {
		vb := body.AppendNewBlock("variable", []string{v})
		vb.Body().SetAttributeValue("default", cty.StringVal(""))
		body.AppendNewline()
	}
	group := body.AppendNewBlock("group", []string{"default"})
	group.Body().SetAttributeValue("targets", stringList(m.Default))
	for _, t := range m.Targets {
		body.AppendNewline()
		tb := body.AppendNewBlock("target", []string{t.Name})
		b := tb.Body()
		b.SetAttributeValue("context", cty.StringVal(m.Context))
		b.SetAttributeValue("dockerfile", cty.StringVal(m.Dockerfile))
		if t.Target != "" {
			b.SetAttributeValue("target", cty.StringVal(t.Target))
		}
		b.SetAttributeValue("tags", stringList(t.Tags))
		if len(m.Args) > 0 {
			var toks hclwrite.Tokens
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenOBrace, Bytes: []byte("{")}, &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
			for _, a := range m.Args {
				toks = append(toks, hclwrite.TokensForValue(cty.StringVal(a.Key))...)
				toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenEqual, Bytes: []byte("=")})
				if a.Value == nil {
					toks = append(toks, hclwrite.TokensForTraversal(hcl.Traversal{hcl.TraverseRoot{Name: a.Key}})...)
				} else {
					toks = append(toks, hclwrite.TokensForValue(cty.StringVal(*a.Value))...)
				}
				toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
			}
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrace, Bytes: []byte("}")})
			b.SetAttributeRaw("args", toks)
		}
	}
	content := hclwrite.Format(f.Bytes())
	if opt.Source != "" {
		header := generatedPrefix + opt.Source + "; DO NOT EDIT.\n" + stampPrefix + strings.Repeat("0", 64) + "\n"
		content = stamp(append([]byte(header), content...))
	}
	if _, diags := hclsyntax.ParseConfig(content, "docker-bake.hcl", hcl.InitialPos); diags.HasErrors() {
		return nil, &InternalError{File: "docker-bake.hcl", Err: diags, Text: content}
	}
	return content, nil
}

func stringList(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}
