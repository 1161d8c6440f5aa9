package graph

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestGolden: each folder of testdata holds a Dockerfile or a
// dockstage.yaml and the graph of it in both formats (graph.mmd,
// graph.dot), and with --target for each target.txt line (graph.T.mmd).
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in, isSpec := filepath.Join(dir, "Dockerfile"), false
			if _, err := os.Stat(in); err != nil {
				in, isSpec = filepath.Join(dir, "dockstage.yaml"), true
			}
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			cases := map[string]Options{"graph.mmd": {Spec: isSpec}, "graph.dot": {Format: Dot, Spec: isSpec}}
			if targets, err := os.ReadFile(filepath.Join(dir, "target.txt")); err == nil {
				for _, tg := range strings.Fields(string(targets)) {
					cases["graph."+tg+".mmd"] = Options{Spec: isSpec, Target: tg}
				}
			}
			for golden, opt := range cases {
				got, err := Render(in, src, opt)
				if err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join(dir, golden), got)
				if opt.Format == Dot {
					checkDot(t, got)
				}
			}
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// checkDot runs Debian's graphviz on the text; skipped without dot.
func checkDot(t *testing.T, text string) {
	t.Helper()
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("dot (graphviz) is not installed")
	}
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = strings.NewReader(text)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("dot -Tsvg: %v %s\n%s", err, errb.String(), text)
	}
}

// nasty are labels with every character the formats treat specially.
var nasty = []string{`a"b`, `x<y>z`, `[brackets] {braces} (parens)`, `back\slash\`, "new\nline", `#35; & | ` + "`tick`", "\xff\xfe", `"`, `\"`}

func TestEscapeDot(t *testing.T) {
	g := &Graph{}
	for i, l := range nasty {
		g.Nodes = append(g.Nodes, Node{ID: l, Label: l, Image: i%2 == 0})
		if i > 0 {
			g.Edges = append(g.Edges, Edge{From: nasty[i-1], To: l, Kind: "COPY", Label: l})
		}
	}
	text := g.Dot()
	checkDot(t, text)
	cmd := exec.Command("dot", "-Tsvg")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	// Every label is drawn as written (the SVG's text elements).
	shown := map[string]bool{}
	dec := xml.NewDecoder(bytes.NewReader(out))
	inText := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
		case xml.CharData:
			if inText {
				shown[string(tok)] = true
			}
		case xml.EndElement:
			inText = false
		}
	}
	for _, l := range []string{`a"b`, `x<y>z`, `back\slash\`, "#35; & | `tick`", `\"`, "new line"} {
		if !shown[l] {
			t.Errorf("dot shows no label %q; shown: %v", l, shown)
		}
	}
}

func TestEscapeMermaid(t *testing.T) {
	for _, l := range nasty {
		got := MermaidLabel(l)
		if strings.ContainsAny(got, "\"<>|`\n\r") {
			t.Errorf("MermaidLabel(%q) = %q keeps a character Mermaid reads", l, got)
		}
		if unMermaid(got) != strings.ToValidUTF8(strings.ReplaceAll(l, "\n", " "), "\uFFFD") {
			t.Errorf("MermaidLabel(%q) = %q does not read back", l, got)
		}
	}
}

// unMermaid reads the entity codes MermaidLabel writes.
func unMermaid(s string) string {
	for _, r := range "\"<>&|`#" {
		s = strings.ReplaceAll(s, "#"+strconv.Itoa(int(r))+";", string(r))
	}
	return s
}

func TestTargetUnknown(t *testing.T) {
	_, err := Render("Dockerfile", []byte("FROM alpine AS a\nFROM alpine AS b\n"), Options{Target: "c"})
	if err == nil || !strings.Contains(err.Error(), `no stage named "c"; the targets are: a, b`) {
		t.Errorf("got %v", err)
	}
	if _, err := Render("Dockerfile", []byte("FROM alpine\n"), Options{Format: "svg"}); err == nil {
		t.Error("format svg: no error")
	}
}

// TestTargetUnnamed: an unnamed stage is selected by the name the spec
// gives it (stage-N), and the error lists it among the stages.
func TestTargetUnnamed(t *testing.T) {
	src := []byte("FROM golang AS build\nFROM alpine AS other\nFROM alpine\nCOPY --from=build /x /x\n")
	out, err := Render("Dockerfile", src, Options{Target: "stage-2"})
	if err != nil {
		t.Fatal(err)
	}
	if g := string(out); !strings.Contains(g, "build") || strings.Contains(g, "other") {
		t.Errorf("graph of stage-2 should hold build and not other:\n%s", g)
	}
	if _, err := Render("Dockerfile", src, Options{Target: "x"}); err == nil || !strings.Contains(err.Error(), "the targets are: build, other, stage-2") {
		t.Errorf("got %v", err)
	}
}

// FuzzRender: any Dockerfile that imports draws in both formats; every
// label line of the Mermaid output is one line with balanced quotes, and
// every node an edge names is declared.
func FuzzRender(f *testing.F) {
	for _, p := range []string{"testdata/multistage/Dockerfile", "testdata/anonymous/Dockerfile"} {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, "")
	}
	f.Add([]byte("FROM \"a<b>\" AS x\nCOPY --from=\"q|\" a b\n"), "x")
	f.Fuzz(func(t *testing.T, src []byte, target string) {
		s, err := loadDockerfile(src)
		if err != nil {
			return
		}
		g, err := Build(s, target)
		if err != nil {
			return
		}
		ids := map[string]bool{}
		for _, n := range g.Nodes {
			ids[n.ID] = true
		}
		for _, e := range g.Edges {
			if !ids[e.From] || !ids[e.To] {
				t.Fatalf("edge %v names an undeclared node", e)
			}
		}
		for _, line := range strings.Split(strings.TrimSuffix(g.Mermaid(), "\n"), "\n") {
			if strings.Count(line, `"`)%2 != 0 {
				t.Fatalf("unbalanced quotes in %q", line)
			}
		}
		for _, line := range strings.Split(strings.TrimSuffix(g.Dot(), "\n"), "\n") {
			if !closedQuotes(line) {
				t.Fatalf("a dot string does not close in %q", line)
			}
		}
	})
}

func loadDockerfile(src []byte) (*spec.Spec, error) {
	s, _, err := transpile.Reverse("Dockerfile", src, transpile.ReverseOptions{})
	return s, err
}

// closedQuotes reports whether every double-quoted dot string in line
// ends (a backslash escapes the next character).
func closedQuotes(line string) bool {
	in := false
	for i := 0; i < len(line); i++ {
		switch {
		case in && line[i] == '\\':
			i++
		case line[i] == '"':
			in = !in
		}
	}
	return !in
}

// FuzzLabels: any text escapes to a Mermaid label with none of the
// characters Mermaid reads inside one and that reads back as the text
// (line breaks as blanks), and to one closed dot string.
func FuzzLabels(f *testing.F) {
	for _, l := range nasty {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := MermaidLabel(s)
		if strings.ContainsAny(m, "\"<>|`") || strings.ContainsFunc(m, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("MermaidLabel(%q) = %q", s, m)
		}
		want := strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, strings.ToValidUTF8(s, "\uFFFD"))
		if unMermaid(m) != want {
			t.Fatalf("MermaidLabel(%q) = %q reads back as %q", s, m, unMermaid(m))
		}
		d := DotString(s)
		if !strings.HasPrefix(d, `"`) || !closedQuotes(d) || strings.ContainsFunc(d, func(r rune) bool { return r < 0x20 }) {
			t.Fatalf("DotString(%q) = %q", s, d)
		}
	})
}
