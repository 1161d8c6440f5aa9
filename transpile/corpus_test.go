package transpile_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
)

// minCorpus is the least number of Dockerfiles testdata/import must hold
// (issue 4: one per construct plus realistic multistage files).
const minCorpus = 60

// corpusFile is one Dockerfile of the round-trip corpus. Must is set for
// the import goldens, which must import; the others (migrate and lint
// test data) join the corpus when they import.
type corpusFile struct {
	path string
	must bool
}

func corpus(t testing.TB) []corpusFile {
	t.Helper()
	var out []corpusFile
	for _, g := range []struct {
		pattern string
		must    bool
	}{
		{"testdata/import/*/Dockerfile", true},
		{"migrate/testdata/*/Dockerfile", false},
		{"migrate/testdata/*/Dockerfile.out", false},
		{"../templates/lint/testdata/dockerfile/*/Dockerfile", false},
	} {
		files, err := filepath.Glob(g.pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			out = append(out, corpusFile{path: f, must: g.must})
		}
	}
	return out
}

// renderOptions are the two ways a spec is rendered: without and with the
// generated-file header (which import drops).
var renderOptions = []templates.Options{{}, {Source: "dockstage.yaml"}}

// TestCorpusRoundTrip proves, for every Dockerfile D of the corpus:
//
//	(a) render(import(D)) is the same build as D for every target
//	    (transpile.CompareBuilds, the `dockstage diff` rules), and, as a
//	    check that does not go through Reverse, BuildKit's instructions
//	    of both are equal (checkBuildKitView);
//	(b) import(render(import(D))) is import(D) (same spec.Marshal text);
//	(c) every comment line of D is in render(import(D)), in order;
//
// and (d) that testdata/import holds at least minCorpus Dockerfiles.
func TestCorpusRoundTrip(t *testing.T) {
	files := corpus(t)
	goldens, imported := 0, 0
	for _, cf := range files {
		if cf.must {
			goldens++
		}
		t.Run(strings.TrimSuffix(filepath.ToSlash(cf.path), "/Dockerfile"), func(t *testing.T) {
			src, err := os.ReadFile(cf.path)
			if err != nil {
				t.Fatal(err)
			}
			s, _, err := transpile.Reverse("Dockerfile", src, transpile.ReverseOptions{})
			if err != nil {
				if cf.must {
					t.Fatalf("import: %v", err)
				}
				t.Skipf("does not import (not an import golden): %v", err)
			}
			imported++
			want, err := spec.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			out, err := transpile.Forward(s)
			if err != nil {
				t.Fatalf("Forward: %v", err)
			}
			for _, opt := range renderOptions {
				rendered, _, err := templates.RenderDockerfile(out.Dockerfile, opt)
				if err != nil {
					t.Fatalf("render (Source %q): %v", opt.Source, err)
				}
				checkSameBuild(t, src, rendered)
				checkBuildKitView(t, src, rendered)
				checkReimport(t, want, rendered)
				checkComments(t, src, rendered)
				if t.Failed() {
					t.Logf("render (Source %q):\n%s", opt.Source, rendered)
					return
				}
			}
		})
	}
	t.Logf("%d import goldens, %d corpus files imported and round-tripped", goldens, imported)
	if goldens < minCorpus {
		t.Errorf("testdata/import holds %d Dockerfiles, want at least %d", goldens, minCorpus)
	}
}

// checkSameBuild is property (a).
func checkSameBuild(t *testing.T, src, rendered []byte) {
	t.Helper()
	diffs, err := transpile.CompareBuilds("Dockerfile", src, "rendered", rendered, "")
	if err != nil {
		t.Errorf("CompareBuilds: %v", err)
		return
	}
	for _, d := range diffs {
		t.Errorf("render(import(D)) is not the same build: %v\n  D: %s\n  R: %s", d, d.A, d.B)
	}
}

// checkReimport is property (b).
func checkReimport(t *testing.T, want, rendered []byte) {
	t.Helper()
	s, _, err := transpile.Reverse("Dockerfile", rendered, transpile.ReverseOptions{})
	if err != nil {
		t.Errorf("import of the render: %v", err)
		return
	}
	got, err := spec.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("import(render(import(D))) != import(D):\n--- import(D)\n%s\n--- import(render(import(D)))\n%s", want, got)
	}
}

// checkComments is property (c): the comment lines of src, in order, are
// a subsequence of the comment lines of rendered.
func checkComments(t *testing.T, src, rendered []byte) {
	t.Helper()
	want := commentLines(t, src)
	got := commentLines(t, rendered)
	j := 0
	for _, c := range want {
		for j < len(got) && got[j].text != c.text {
			j++
		}
		if j == len(got) {
			t.Errorf("comment at line %d (%q) is missing from the render, or out of order", c.line, c.text)
			return
		}
		j++
	}
}

type commentLine struct {
	line int
	text string
}

// commentLines lists the comment lines of a Dockerfile: lines whose first
// non-blank character is '#', except parser directives and heredoc body
// lines, each as the text after '#' and one optional space (the
// spec keeps comments that way; see transpile.Reverse). dockstage's own
// generated-file header lines ("Code generated by dockstage ...",
// "dockstage:sha256=..."), which import drops by design, are left out.
func commentLines(t *testing.T, src []byte) []commentLine {
	t.Helper()
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("parser.Parse: %v", err)
	}
	// Heredoc bodies and terminators are the last lines of their
	// instruction's range (an ONBUILD trigger's heredocs are on the
	// ONBUILD node).
	inHeredoc := map[int]bool{}
	for _, n := range res.AST.Children {
		body := 0
		for _, h := range n.Heredocs {
			body += strings.Count(h.Content, "\n") + 1
		}
		for l := n.EndLine - body + 1; l <= n.EndLine; l++ {
			inHeredoc[l] = true
		}
	}
	var dp parser.DirectiveParser
	directives := true
	var out []commentLine
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if directives {
			// parser.Parse looks for directives after leading blanks.
			if d, _ := dp.ParseLine([]byte(strings.TrimLeft(line, " \t"))); d != nil {
				continue
			}
			directives = false
		}
		trimmed := strings.TrimLeft(line, " \t")
		if !strings.HasPrefix(trimmed, "#") || inHeredoc[n] {
			continue
		}
		text := strings.TrimRight(strings.TrimPrefix(trimmed[1:], " "), " \t")
		if strings.HasPrefix(text, "Code generated by dockstage") || strings.HasPrefix(text, "dockstage:sha256=") {
			continue
		}
		out = append(out, commentLine{line: n, text: text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkBuildKitView is the half of property (a) that does not trust
// Reverse: BuildKit's parser and instruction parser must read D and its
// render as the same stages and instructions.
func checkBuildKitView(t *testing.T, src, rendered []byte) {
	t.Helper()
	want, err := buildkitView(src)
	if err != nil {
		t.Errorf("BuildKit on D: %v", err)
		return
	}
	got, err := buildkitView(rendered)
	if err != nil {
		t.Errorf("BuildKit on the render: %v", err)
		return
	}
	for i := 0; i < len(want) || i < len(got); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			t.Errorf("BuildKit reads D and its render differently at instruction %d:\n  D: %s\n  R: %s", i, w, g)
			return
		}
	}
}

// anyEnv resolves every build arg and variable NAME to "<NAME>", so that
// expanding a word shows how its quotes, escapes and references read.
type anyEnv struct{}

func (anyEnv) Get(k string) (string, bool) { return "<" + k + ">", true }
func (anyEnv) Keys() []string              { return nil }

// buildkitView lists what BuildKit reads from a Dockerfile, one line per
// instruction: the escape character, the build args before the first
// FROM, then each stage (name, base, platform) and its instructions as
// their exported fields in JSON, words expanded with anyEnv. Layout,
// comments, keyword case and the original text are not in it.
func buildkitView(src []byte) ([]string, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, err
	}
	lex := shell.NewLex(res.EscapeToken)
	expand := func(w string) (string, error) {
		v, _, err := lex.ProcessWord(w, anyEnv{})
		return v, err
	}
	line := func(kind string, v any) (string, error) {
		b, err := json.Marshal(v)
		return kind + " " + string(b), err
	}
	// A word that does not expand (an unclosed quote in a VOLUME, say)
	// fails the build at that instruction; the view says so and keeps the
	// words as written.
	expandFailed := func(e instructions.SupportsSingleWordExpansion) string {
		if err := e.Expand(expand); err != nil {
			return " (expansion fails)"
		}
		return ""
	}
	out := []string{fmt.Sprintf("escape %q", res.EscapeToken)}
	// Build args before the first FROM, one per line: the renderer
	// writes `ARG A B` there as `ARG A` and `ARG B`.
	for i := range metaArgs {
		a := &metaArgs[i]
		failed := expandFailed(a)
		for _, kv := range a.Args {
			l, err := line("ARG", kv)
			if err != nil {
				return nil, err
			}
			out = append(out, l+failed)
		}
	}
	// An image named without a tag is the image with tag latest, as
	// dockerfile2llb resolves it: `set` and `set:latest` are one image.
	stageNames := map[string]bool{}
	for _, st := range stages {
		stageNames[strings.ToLower(st.Name)] = true
	}
	image := func(ref string) string {
		if ref == "" || ref == "scratch" || stageNames[strings.ToLower(ref)] || strings.Contains(ref, "$") {
			return ref
		}
		if _, err := strconv.Atoi(ref); err == nil {
			return ref
		}
		named, err := reference.ParseNormalizedNamed(ref)
		if err != nil {
			return ref
		}
		return reference.TagNameOnly(named).String()
	}
	for _, st := range stages {
		out = append(out, fmt.Sprintf("FROM name=%q base=%q platform=%q", st.Name, image(st.BaseName), st.Platform))
		for _, c := range st.Commands {
			if cp, ok := c.(*instructions.CopyCommand); ok {
				cp.From = image(cp.From)
			}
			failed := ""
			if e, ok := c.(instructions.SupportsSingleWordExpansion); ok {
				failed = expandFailed(e)
			}
			if e, ok := c.(instructions.SupportsSingleWordExpansionRaw); ok {
				if err := e.ExpandRaw(expand); err != nil {
					failed += " (raw expansion fails)"
				}
			}
			// The legacy `ENV k v` form and flag order are spelling.
			switch c := c.(type) {
			case *instructions.EnvCommand:
				for i := range c.Env {
					c.Env[i].NoDelim = false
				}
			case *instructions.LabelCommand:
				for i := range c.Labels {
					c.Labels[i].NoDelim = false
				}
			case *instructions.RunCommand:
				slices.Sort(c.FlagsUsed)
			}
			l, err := line(fmt.Sprintf("%T", c), c)
			if err != nil {
				return nil, err
			}
			switch c := c.(type) {
			case *instructions.RunCommand:
				mounts := instructions.GetMounts(c)
				for _, m := range mounts {
					m.From = image(m.From)
				}
				m, err := json.Marshal(mounts)
				if err != nil {
					return nil, err
				}
				l += fmt.Sprintf(" mounts=%s network=%q security=%q", m, instructions.GetNetwork(c), instructions.GetSecurity(c))
			case *instructions.OnbuildCommand:
				// A trigger is text BuildKit parses in the downstream
				// build: compare what it will read there.
				if v, err := buildkitView([]byte("FROM scratch\n" + c.Expression + "\n")); err == nil {
					l = "ONBUILD " + strings.Join(v[2:], "; ")
				}
			}
			out = append(out, l+failed)
		}
	}
	return out, nil
}
