package transpile_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

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
		{"lint/testdata/dockerfile/*/Dockerfile", false},
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
//	    (transpile.CompareBuilds, the `dockstage diff` rules);
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
	want := commentLines(t, src, true)
	got := commentLines(t, rendered, false)
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
// spec keeps comments that way; see transpile.Reverse). With
// dropHeader, a leading dockstage generated-file header (which import
// drops by design) is left out too.
func commentLines(t *testing.T, src []byte, dropHeader bool) []commentLine {
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
	header := dropHeader
	var out []commentLine
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if directives {
			if d, _ := dp.ParseLine([]byte(line)); d != nil {
				continue
			}
			directives = false
		}
		trimmed := strings.TrimLeft(line, " \t")
		if !strings.HasPrefix(trimmed, "#") || inHeredoc[n] {
			if trimmed != "" {
				header = false
			}
			continue
		}
		if header && (strings.HasPrefix(trimmed, "# Code generated by dockstage from ") || strings.HasPrefix(trimmed, "# dockstage:sha256=")) {
			continue
		}
		header = false
		text := strings.TrimPrefix(trimmed[1:], " ")
		out = append(out, commentLine{line: n, text: strings.TrimRight(text, " \t")})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
