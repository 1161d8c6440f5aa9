package templates

import (
	"github.com/dockstage/dockstage/transpile"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

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
		content = stamp(append([]byte(header(opt.Source, "")), content...))
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
