package templates

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/dockstage/dockstage/transpile"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// VerifyDockerfile parses text with BuildKit (parser.Parse, then
// instructions.Parse with the build-check linter) and checks that it holds
// exactly the instructions of df: the same count, keywords, flag counts,
// argument counts and heredocs, in order. It returns the build-check
// warnings as "line N: RULE: message".
func VerifyDockerfile(text []byte, df *transpile.Dockerfile) ([]string, error) {
	res, err := parser.Parse(bytes.NewReader(text))
	if err != nil {
		return nil, err
	}
	var warns []string
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil {
			line = w.Location.Start.Line
		}
		warns = append(warns, fmt.Sprintf("line %d: %s", line, w.Short))
	}
	lint := linter.New(checkConfig(text, func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		warns = append(warns, fmt.Sprintf("line %d: %s: %s", line, rule, msg))
	}))
	if _, _, err := instructions.Parse(res.AST, lint); err != nil {
		return nil, err
	}
	if w := heredocFrontend(text, res.AST); w != "" {
		warns = append(warns, w)
	}
	want := df.Escape
	if want == 0 {
		want = syntax.DefaultEscape
	}
	if res.EscapeToken != want {
		return nil, fmt.Errorf("escape character is %q, want %q", res.EscapeToken, want)
	}
	var expect []transpile.Instruction
	expect = append(expect, df.Args...)
	for _, st := range df.Stages {
		expect = append(expect, st.From)
		expect = append(expect, st.Instructions...)
	}
	nodes := res.AST.Children
	if len(nodes) != len(expect) {
		return nil, fmt.Errorf("parsed %d instructions, the model has %d", len(nodes), len(expect))
	}
	for i, n := range nodes {
		if err := matchNode(n, expect[i]); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.StartLine, err)
		}
	}
	return warns, nil
}

// heredocFrontend warns when the Dockerfile uses heredocs (<<EOF) without
// a `# syntax=` directive: the Dockerfile frontend built into the engine
// then reads it, and heredocs need frontend 1.4 or later (BuildKit v0.10,
// built into Docker Engine 23.0 and later); older engines, Docker 20.10
// without buildx among them, fail with "unknown instruction". "" when
// there is nothing to say.
func heredocFrontend(text []byte, ast *parser.Node) string {
	for _, n := range ast.Children {
		has := len(n.Heredocs) > 0
		if n.Next != nil && len(n.Next.Children) > 0 { // ONBUILD's trigger
			has = has || len(n.Next.Children[0].Heredocs) > 0
		}
		if has {
			// The directive is read only for a file with a heredoc.
			if _, _, _, ok := parseDirective("syntax", text); ok {
				return ""
			}
			return fmt.Sprintf("line %d: %s uses a heredoc and the Dockerfile has no syntax directive: heredocs need Dockerfile frontend 1.4 or later (BuildKit v0.10, built into Docker Engine 23.0+); an older engine (Docker 20.10 without buildx) fails with \"unknown instruction\"; add `syntax: docker/dockerfile:1` to the spec's directives to use the current frontend on any BuildKit engine", n.StartLine, strings.ToUpper(n.Value))
		}
	}
	return ""
}

// CheckDirective reads a Dockerfile's own `# check=` directive
// (skip=RULE,...|all, error=true, experimental=...) as BuildKit reads it
// (parser.ParseDirective, linter.ParseLintOptions): the options and true,
// or an empty configuration and false when there is no directive or it
// does not parse (BuildKit reports that at build time; spec validation
// and lint's DS000 report it too). Warn is unset. It is the one reading of
// the directive: render's build checks (checkConfig) and lint's rules
// (templates/lint) both follow it.
func CheckDirective(text []byte) (*linter.Config, bool) {
	v, _, _, ok := parseDirective("check", text)
	if !ok {
		return &linter.Config{}, false
	}
	c, err := linter.ParseLintOptions(v)
	if err != nil {
		return &linter.Config{}, false
	}
	return c, true
}

// checkConfig is the build-check configuration of the Dockerfile's
// `# check=` directive (CheckDirective), so that render reports the
// checks a build would and no skipped one; warn receives each finding.
func checkConfig(text []byte, warn linter.LintWarnFunc) *linter.Config {
	cfg, _ := CheckDirective(text)
	cfg.Warn = warn
	if cfg.ReturnAsError {
		cfg.Warn = func(rule, desc, url, msg string, loc []parser.Range) {
			warn(rule, desc, url, msg+" (the check directive says error=true: the build fails on it)", loc)
		}
	}
	return cfg
}

// parseDirective is parser.ParseDirective(key, text), without its line
// scan where text cannot hold the directive (mayHoldDirective).
func parseDirective(key string, text []byte) (string, string, []parser.Range, bool) {
	if !mayHoldDirective(key, text) {
		return "", "", nil, false
	}
	return parser.ParseDirective(key, text)
}

// mayHoldDirective reports whether text may hold the parser directive
// key (ASCII, lower case), as parser.ParseDirective reads directives: after
// a byte order mark and a "#!" first line, on the lines that start with
// "#" at the top of the file (its DirectiveParser stops at the first line
// that does not), each naming its directive case-insensitively. False
// when none of those lines holds key in any case: then ParseDirective
// finds no such directive. FuzzMayHoldDirective checks it against
// ParseDirective.
func mayHoldDirective(key string, text []byte) bool {
	text = bytes.TrimPrefix(text, []byte{0xEF, 0xBB, 0xBF})
	if bytes.HasPrefix(text, []byte("#!")) {
		_, text, _ = bytes.Cut(text, []byte("\n"))
	}
	for len(text) > 0 && text[0] == '#' {
		var line []byte
		line, text, _ = bytes.Cut(text, []byte("\n"))
		if containsFoldASCII(line, key) {
			return true
		}
	}
	return false
}

// containsFoldASCII reports whether s holds key (ASCII lower case) with
// its ASCII letters in any case.
func containsFoldASCII(s []byte, key string) bool {
	for i := 0; i+len(key) <= len(s); i++ {
		k := 0
		for k < len(key) && s[i+k]|0x20 == key[k] {
			k++
		}
		if k == len(key) {
			return true
		}
	}
	return false
}

func matchNode(n *parser.Node, in transpile.Instruction) error {
	if !strings.EqualFold(n.Value, in.Keyword) {
		return fmt.Errorf("parsed %s, the model has %s", strings.ToUpper(n.Value), in.Keyword)
	}
	if len(n.Flags) != len(in.Flags) {
		return fmt.Errorf("%s has %d flags, the model has %d", in.Keyword, len(n.Flags), len(in.Flags))
	}
	docs := heredocsOf(in)
	if len(n.Heredocs) != len(docs) {
		return fmt.Errorf("%s has %d heredocs, the model has %d", in.Keyword, len(n.Heredocs), len(docs))
	}
	for i, h := range n.Heredocs {
		if h.Name != docs[i].Name || h.Content != bodyOf(docs[i].Body) {
			return fmt.Errorf("%s heredoc %q does not read back as written", in.Keyword, in.Heredocs[i].Name)
		}
	}
	if in.Sub != nil {
		if in.Keyword == "ONBUILD" {
			if n.Next == nil || len(n.Next.Children) != 1 {
				return fmt.Errorf("ONBUILD has no trigger")
			}
			sub := *in.Sub
			sub.Heredocs = nil // written and read with the ONBUILD line
			trigger := *n.Next.Children[0]
			trigger.Heredocs = nil
			return matchNode(&trigger, sub)
		}
	}
	var vals []string
	for x := n.Next; x != nil; x = x.Next {
		vals = append(vals, x.Value)
	}
	args := len(vals)
	json := n.Attributes["json"]
	switch in.Form {
	case transpile.FormJSON:
		if !json {
			return fmt.Errorf("%s should be exec form (JSON)", in.Keyword)
		}
		if args != len(in.Words) {
			return fmt.Errorf("%s has %d arguments, the model has %d", in.Keyword, args, len(in.Words))
		}
		for i, w := range in.Words {
			if vals[i] != w {
				return fmt.Errorf("%s argument %d reads back as %q, the model has %q", in.Keyword, i, vals[i], w)
			}
		}
	case transpile.FormText:
		if json {
			return fmt.Errorf("%s should be shell form", in.Keyword)
		}
		if (args == 0) != (strings.TrimSpace(in.Text) == "") {
			return fmt.Errorf("%s reads back with %d arguments, the model's text is %q", in.Keyword, args, in.Text)
		}
	case transpile.FormWords:
		if json {
			return fmt.Errorf("%s should be shell form", in.Keyword)
		}
		if in.Keyword != "FROM" && args != len(in.Words) {
			return fmt.Errorf("%s has %d words, the model has %d", in.Keyword, args, len(in.Words))
		}
		for i, w := range in.Words {
			if in.Keyword != "FROM" && vals[i] != w {
				return fmt.Errorf("%s word %d reads back as %q, the model has %q", in.Keyword, i, vals[i], w)
			}
		}
	case transpile.FormKV:
		per := 3 // ENV and LABEL parse to key, value, separator
		if in.Keyword == "ARG" {
			per = 1
		}
		if args != per*len(in.KVs) {
			return fmt.Errorf("%s has %d parts, the model has %d pairs", in.Keyword, args, len(in.KVs))
		}
	}
	return nil
}

func bodyOf(b string) string {
	if b != "" && !strings.HasSuffix(b, "\n") {
		return b + "\n"
	}
	return b
}

// VerifyCompose loads a compose file with compose-go, offline: schema
// validation and normalisation, without interpolation, environment
// resolution or file access.
func VerifyCompose(name string, content []byte) error {
	return verifyCompose(name, content, false)
}

// verifyCompose is VerifyCompose; with interpolate, variables are
// interpolated as compose does when it runs, each set to "1", so that a
// rendered "${PORT}:80" is checked as the port mapping it becomes, not as
// the text "${PORT}".
func verifyCompose(name string, content []byte, interpolate bool) error {
	details := types.ConfigDetails{
		WorkingDir:  ".",
		ConfigFiles: []types.ConfigFile{{Filename: name, Content: content}},
		Environment: types.Mapping{},
	}
	_, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SkipInterpolation = !interpolate
		o.Interpolate.LookupValue = func(string) (string, bool) { return "1", true }
		o.SkipResolveEnvironment = true
		o.SkipInclude = true
		o.SkipExtends = true
		o.ResolvePaths = false
		o.SetProjectName("dockstage", true)
	})
	return err
}
