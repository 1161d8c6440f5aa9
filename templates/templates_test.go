package templates

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func TestOwned(t *testing.T) {
	df := &transpile.Dockerfile{Stages: []transpile.Stage{{Name: "a", From: transpile.Instruction{Keyword: "FROM", Form: transpile.FormWords, Words: []string{"scratch", "AS", "a"}}}}}
	b, _, err := RenderDockerfile(df, Options{Source: "dockstage.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if g, u := Owned(b); !g || !u {
		t.Fatalf("fresh render: generated=%v unchanged=%v\n%s", g, u, b)
	}
	edited := append(append([]byte{}, b...), "LABEL x=y\n"...)
	if g, u := Owned(edited); !g || u {
		t.Errorf("edited: generated=%v unchanged=%v", g, u)
	}
	if g, _ := Owned([]byte("FROM scratch\n")); g {
		t.Error("hand-written file reported as generated")
	}
	if g, _ := Owned(bytes.Replace(b, []byte("Code generated"), []byte("Written"), 1)); g {
		t.Error("file without the generated header reported as generated")
	}
}

func TestVerifyCatchesSmuggledInstruction(t *testing.T) {
	// A model whose text holds a bare newline renders to two instructions;
	// verification must refuse it rather than hand it out.
	df := &transpile.Dockerfile{Stages: []transpile.Stage{{Name: "a",
		From:         transpile.Instruction{Keyword: "FROM", Form: transpile.FormWords, Words: []string{"scratch", "AS", "a"}},
		Instructions: []transpile.Instruction{{Keyword: "WORKDIR", Form: transpile.FormText, Text: "/x\nUSER root"}},
	}}}
	_, _, err := RenderDockerfile(df, Options{})
	var ie *InternalError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want InternalError", err)
	}
}

func TestMergeDockerignore(t *testing.T) {
	block, err := RenderDockerignore(&transpile.Dockerignore{Patterns: []string{".git", ".env"}}, Options{Source: "dockstage.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	user := []byte("node_modules\n# mine\n")
	// A hand-written file becomes the user part, byte for byte.
	merged, err := MergeDockerignore(block, user, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(merged, user) || !bytes.HasPrefix(merged, block) {
		t.Fatalf("merged:\n%s", merged)
	}
	// Rendering again keeps the user part and replaces the block.
	block2, _ := RenderDockerignore(&transpile.Dockerignore{Patterns: []string{".git"}}, Options{Source: "dockstage.yaml"})
	again, err := MergeDockerignore(block2, merged, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, append(append([]byte{}, block2...), user...)) {
		t.Fatalf("re-merged:\n%s", again)
	}
	// An edited block is refused without force.
	edited := bytes.Replace(merged, []byte(".env\n"), []byte(".env\nsecret\n"), 1)
	if _, err := MergeDockerignore(block2, edited, false); !errors.Is(err, ErrIgnoreEdited) {
		t.Errorf("edited block: err = %v", err)
	}
	if _, err := MergeDockerignore(block2, edited, true); err != nil {
		t.Errorf("edited block with force: %v", err)
	}
}

func TestRenderBakeParses(t *testing.T) {
	v := "1.0 ${NOT_A_VAR}"
	b, err := RenderBake(&transpile.Bake{Context: ".", Dockerfile: "Dockerfile",
		Args:    []transpile.KeyValue{{Key: "GOPROXY"}, {Key: "VERSION", Value: &v}},
		Targets: []transpile.BakeTarget{{Name: "test", Target: "test", Tags: []string{"a:test"}}},
		Default: []string{"test"}}, Options{Source: "dockstage.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`variable "GOPROXY"`, `target "test"`, `"GOPROXY" = GOPROXY`, `"VERSION" = "1.0 $${NOT_A_VAR}"`, `targets = ["test"]`} {
		if !strings.Contains(s, want) {
			t.Errorf("bake file lacks %q:\n%s", want, s)
		}
	}
}

func TestComposeValuesCannotBreakStructure(t *testing.T) {
	evil := "x\"\n  privileged: true\n#"
	c := &transpile.ComposeFile{Service: transpile.ComposeService{Name: "web", Image: "web:prod",
		Build:       transpile.ComposeBuild{Context: ".", Dockerfile: "Dockerfile", Target: "prod"},
		Ports:       []string{"8080:8080"},
		Environment: []transpile.KeyValue{{Key: "A", Value: &evil}},
	}}
	b, err := RenderCompose(c, "compose.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "\n  privileged: true") {
		t.Errorf("value broke out of its scalar:\n%s", b)
	}
}

// renderSpec renders a spec's Dockerfile through the whole forward path.
func renderSpec(t *testing.T, yml string) string {
	t.Helper()
	s, err := spec.Load("t.yaml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	out, err := transpile.Forward(s)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := RenderDockerfile(out.Dockerfile, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRenderEdgeCases(t *testing.T) {
	head := "version: 1\nname: a\n"
	// A comment that reads like a directive stays a comment.
	df := renderSpec(t, head+"comment: [\"syntax=evil/frontend\"]\nstages:\n  b: {from: debian}\n")
	if _, err := parser.Parse(strings.NewReader(df)); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(df, "# syntax") {
		t.Errorf("comment became a directive:\n%s", df)
	}
	// Flag values with blanks and quotes survive BuildKit's flag parsing.
	df = renderSpec(t, head+"stages:\n  b:\n    from: debian\n    steps:\n      - copy: {src: [a], dest: /b, chown: 'my \"user\"'}\n")
	res, err := parser.Parse(strings.NewReader(df))
	if err != nil {
		t.Fatal(err)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := stages[0].Commands[0].(*instructions.CopyCommand).Chown; got != `my "user"` {
		t.Errorf("chown = %q\n%s", got, df)
	}
	// An ONBUILD trigger's heredoc body is written after the ONBUILD line.
	df = renderSpec(t, head+"stages:\n  b:\n    from: debian\n    steps:\n      - onbuild: {run: {command: \"<<EOF\", heredocs: [{name: EOF, body: \"echo hi\\n\"}]}}\n")
	if !strings.Contains(df, "ONBUILD RUN <<EOF\necho hi\nEOF\n") {
		t.Errorf("ONBUILD heredoc:\n%s", df)
	}
}

func renderWarnings(t *testing.T, yml string) []string {
	t.Helper()
	s, err := spec.Load("t.yaml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	out, err := transpile.Forward(s)
	if err != nil {
		t.Fatal(err)
	}
	_, warns, err := RenderDockerfile(out.Dockerfile, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return warns
}

// TestRenderWarnings: build-check warnings follow the Dockerfile's check
// directive as BuildKit's build does (trial finding 5), and heredocs
// without a syntax directive get a warning naming the frontend they need
// (trial finding 24).
func TestRenderWarnings(t *testing.T) {
	casing := "stages:\n  Prod:\n    from: debian\n"
	heredoc := "stages:\n  a:\n    from: debian\n    steps:\n      - run: {command: \"<<EOF\", heredocs: [{name: EOF, body: \"echo hi\\n\"}]}\n"
	for _, tc := range []struct{ name, yml, want string }{
		{"casing warns", casing, "line 1: StageNameCasing: Stage name 'Prod' should be lowercase"},
		{"skip one", "directives: {check: skip=StageNameCasing}\n" + casing, ""},
		{"skip all", "directives: {check: skip=all}\n" + casing, ""},
		{"skip another", "directives: {check: skip=JSONArgsRecommended}\n" + casing, "line 3: StageNameCasing: Stage name 'Prod' should be lowercase"},
		{"error=true", "directives: {check: error=true}\n" + casing, "should be lowercase (the check directive says error=true: the build fails on it)"},
		{"heredoc without syntax", heredoc, "line 2: RUN uses a heredoc and the Dockerfile has no syntax directive: heredocs need Dockerfile frontend 1.4 or later"},
		{"heredoc with syntax", "directives: {syntax: docker/dockerfile:1}\n" + heredoc, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(renderWarnings(t, "version: 1\nname: a\n"+tc.yml), "\n")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("warnings:\n%s\nwant %q", got, tc.want)
			}
		})
	}
}

// TestRenderStageTrailingComment: a stage's trailing comment follows its
// last instruction, above the blank line before the next stage, where
// import found it (trial finding 10).
func TestRenderStageTrailingComment(t *testing.T) {
	df := renderSpec(t, "version: 1\nname: a\nstages:\n  one:\n    from: debian\n    steps: [{run: \"true\"}]\n    trailing_comment: [end of one]\n  two:\n    comment: [above two]\n    from: one\n")
	if want := "FROM debian AS one\nRUN true\n# end of one\n\n# above two\nFROM one AS two\n"; !strings.Contains(df, want) {
		t.Errorf("Dockerfile:\n%s\nwant it to hold\n%s", df, want)
	}
}

// CheckDirective reads `# check=` as BuildKit does; an invalid or missing
// directive configures nothing.
func TestCheckDirective(t *testing.T) {
	c, ok := CheckDirective([]byte("# check=skip=JSONArgsRecommended,StageNameCasing;error=true\nFROM scratch\n"))
	if !ok || !c.ReturnAsError || c.SkipAll || strings.Join(c.SkipRules, ",") != "JSONArgsRecommended,StageNameCasing" {
		t.Errorf("skip list: %+v %v", c, ok)
	}
	if c, ok := CheckDirective([]byte("# check=skip=all\nFROM scratch\n")); !ok || !c.SkipAll {
		t.Errorf("skip=all: %+v %v", c, ok)
	}
	for _, src := range []string{"FROM scratch\n", "# check=bogus=1\nFROM scratch\n", "FROM scratch\n# check=skip=all\n"} {
		if c, ok := CheckDirective([]byte(src)); ok || c == nil || c.SkipAll || len(c.SkipRules) != 0 {
			t.Errorf("%q: %+v %v, want an empty configuration", src, c, ok)
		}
	}
}
