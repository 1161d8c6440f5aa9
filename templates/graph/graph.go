// Package graph draws the stage graph of a spec or a Dockerfile as text
// for READMEs and reviews: a Mermaid flowchart (what GitHub renders in
// Markdown) or a Graphviz dot digraph. Nodes are the stages and the
// external images they use (FROM images, COPY --from images, RUN --mount
// from= images or named contexts); edges are labelled by kind (FROM, COPY
// with the copied paths, mount with its target). Stage references are
// resolved by spec (StageIndex, FromStage, StageRef, Needs), never here.
// It is layer 7: it imports transpile (Reverse, for Dockerfiles) and spec.
package graph

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
)

// Formats are the text formats Render writes.
const (
	Mermaid = "mermaid"
	Dot     = "dot"
)

// Options configure Render.
type Options struct {
	// Format is Mermaid (the default when empty) or Dot.
	Format string
	// Target keeps only the stages that building this stage needs (its
	// FROM chain, COPY --from and mount sources, transitively) and the
	// images they use; empty draws every stage.
	Target string
	// Spec reads the source as a dockstage spec; otherwise it is a
	// Dockerfile (imported with transpile.Reverse).
	Spec bool
}

// Render reads src (a spec when opt.Spec, else a Dockerfile; file names it
// in errors) and returns its stage graph in opt.Format, ending in a
// newline. Errors: those of spec.Load or transpile.Reverse, an unknown
// format, a Target that names no stage.
func Render(file string, src []byte, opt Options) (string, error) {
	if opt.Format != "" && opt.Format != Mermaid && opt.Format != Dot {
		return "", fmt.Errorf("unknown graph format %q; use %s or %s", opt.Format, Mermaid, Dot)
	}
	var s *spec.Spec
	var err error
	if opt.Spec {
		s, err = spec.Load(file, src)
	} else {
		s, _, err = transpile.Reverse(file, src, transpile.ReverseOptions{})
	}
	if err != nil {
		return "", err
	}
	g, err := Build(s, opt.Target)
	if err != nil {
		return "", err
	}
	if opt.Format == Dot {
		return g.Dot(), nil
	}
	return g.Mermaid(), nil
}

// Node is a stage or an external image.
type Node struct {
	// ID is the node's identifier in the output: s<index> for stage
	// <index>, i<n> for the n-th image met.
	ID string
	// Label is what the node shows: the stage name (spec.StageTitle for
	// an unnamed stage; "(default target)" after the last stage when no
	// target is given) or the image reference (build args expanded where
	// their values are known).
	Label string
	// Image is true for an external image or named build context.
	Image bool
	// Target is true for a named stage: `docker build --target NAME`
	// builds it.
	Target bool
	// Built is true for the stage a build makes: the last stage, or the
	// Target given to Build.
	Built bool
}

// Edge is one dependency: To uses From.
type Edge struct {
	From, To string
	// Kind is "FROM", "COPY" or "mount".
	Kind string
	// Label is what the edge shows: the kind, with the copied paths
	// (shortened) for COPY and the mount target for mount.
	Label string
}

// Graph is a stage graph: nodes in order (stages in file order, each image
// before the first stage that uses it), edges in order of use.
type Graph struct {
	Nodes []Node
	Edges []Edge
}

// Build makes the stage graph of s; with target, only what building that
// stage needs (target is a stage name of the spec, an unnamed stage's
// stage-N included). Errors: target names no stage.
func Build(s *spec.Spec, target string) (*Graph, error) {
	if len(s.Stages) == 0 {
		return &Graph{}, nil
	}
	built := len(s.Stages) - 1
	keep := map[int]bool{}
	if target != "" {
		built = s.StageIndex(target, len(s.Stages))
		for i, st := range s.Stages {
			// An unnamed stage of the Dockerfile is no build target, but the
			// spec names it (stage-N): the graph of what it needs is drawn.
			if built < 0 && st.Anonymous && strings.EqualFold(st.Name, target) {
				built = i
			}
		}
		if built < 0 {
			var names []string
			for _, st := range s.Stages {
				names = append(names, st.Name)
			}
			return nil, fmt.Errorf("%s: no stage named %q; the targets are: %s", s.Pos.File, target, strings.Join(names, ", "))
		}
	}
	for _, i := range s.Needs(built) {
		keep[i] = true
	}
	if target == "" {
		for i := range s.Stages {
			keep[i] = true
		}
	}
	g := &Graph{}
	images := map[string]string{} // label -> ID
	image := func(ref string) string {
		if id, ok := images[ref]; ok {
			return id
		}
		id := "i" + strconv.Itoa(len(images))
		images[ref] = id
		g.Nodes = append(g.Nodes, Node{ID: id, Label: ref, Image: true})
		return id
	}
	edges := map[[3]string]int{} // from, to, kind -> index in g.Edges
	edge := func(from, to, kind, detail string) {
		k := [3]string{from, to, kind}
		if e, ok := edges[k]; ok {
			if detail != "" && !strings.Contains(" "+g.Edges[e].Label+",", " "+detail+",") {
				g.Edges[e].Label += ", " + detail
			}
			return
		}
		edges[k] = len(g.Edges)
		label := kind
		if detail != "" {
			label += " " + detail
		}
		g.Edges = append(g.Edges, Edge{From: from, To: to, Kind: kind, Label: label})
	}
	stageID := func(i int) string { return "s" + strconv.Itoa(i) }
	for i, st := range s.Stages {
		if !keep[i] {
			continue
		}
		from := stageID(s.FromStage(i))
		if s.FromStage(i) < 0 {
			ref, ok := s.ExpandFrom(st.From)
			if !ok {
				ref = st.From
			}
			from = image(ref)
		}
		label := s.StageTitle(i)
		if i == built && target == "" {
			label += " (default target)"
		}
		g.Nodes = append(g.Nodes, Node{ID: stageID(i), Label: label, Target: !st.Anonymous, Built: i == built})
		edge(from, stageID(i), "FROM", "")
		for k := range st.Steps {
			step := &st.Steps[k]
			for _, ref := range step.References() {
				var src string
				if j := s.StageRef(ref.From, i); j >= 0 {
					src = stageID(j)
				} else {
					src = image(ref.From)
				}
				if ref.Flag == "COPY --from" {
					edge(src, stageID(i), "COPY", shortPaths(step.Copy.Src))
					continue
				}
				for _, m := range step.Run.Mounts {
					if m.From == ref.From {
						edge(src, stageID(i), "mount", m.Target)
					}
				}
			}
		}
	}
	return g, nil
}

// shortPaths shows copied paths briefly: each path longer than 24
// characters as its last element after "…/", at most two paths and
// "+N more".
func shortPaths(paths []string) string {
	var out []string
	for i, p := range paths {
		if i == 2 {
			out = append(out, "+"+strconv.Itoa(len(paths)-2)+" more")
			break
		}
		if utf8.RuneCountInString(p) > 24 {
			t := strings.TrimRight(p, "/")
			if k := strings.LastIndex(t, "/"); k >= 0 {
				p = "…/" + t[k+1:]
			}
		}
		out = append(out, p)
	}
	return strings.Join(out, " ")
}

// Mermaid returns the graph as a Mermaid flowchart, top to bottom:
// images as stadiums, stages as boxes; classes mark images (dashed),
// targets (bold) and the stage built (thick, filled).
func (g *Graph) Mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	var targets, built, images []string
	for _, n := range g.Nodes {
		if n.Image {
			fmt.Fprintf(&b, "  %s([\"%s\"])\n", n.ID, MermaidLabel(n.Label))
			images = append(images, n.ID)
			continue
		}
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", n.ID, MermaidLabel(n.Label))
		if n.Built {
			built = append(built, n.ID)
		} else if n.Target {
			targets = append(targets, n.ID)
		}
	}
	for _, e := range g.Edges {
		arrow := "-->"
		if e.Kind != "FROM" {
			arrow = "-.->"
		}
		fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", e.From, arrow, MermaidLabel(e.Label), e.To)
	}
	for _, c := range []struct {
		name, style string
		ids         []string
	}{
		{"image", "stroke-dasharray:4 4", images},
		{"target", "stroke-width:2px", targets},
		{"built", "stroke-width:4px,fill:#fff3c4", built},
	} {
		if len(c.ids) > 0 {
			fmt.Fprintf(&b, "  classDef %s %s\n  class %s %s\n", c.name, c.style, strings.Join(c.ids, ","), c.name)
		}
	}
	return b.String()
}

// Dot returns the graph as a Graphviz digraph (`dot -Tsvg` draws it):
// images as dashed ellipses, stages as boxes, targets bold, the stage
// built thick and filled; COPY and mount edges dashed.
func (g *Graph) Dot() string {
	var b strings.Builder
	b.WriteString("digraph stages {\n  node [shape=box];\n")
	for _, n := range g.Nodes {
		attrs := ""
		switch {
		case n.Image:
			attrs = ", shape=ellipse, style=dashed"
		case n.Built:
			attrs = `, style="bold,filled", penwidth=3, fillcolor="#fff3c4"`
		case n.Target:
			attrs = ", style=bold"
		}
		fmt.Fprintf(&b, "  %s [label=%s%s];\n", DotString(n.ID), DotString(n.Label), attrs)
	}
	for _, e := range g.Edges {
		style := ""
		if e.Kind != "FROM" {
			style = ", style=dashed"
		}
		fmt.Fprintf(&b, "  %s -> %s [label=%s%s];\n", DotString(e.From), DotString(e.To), DotString(e.Label), style)
	}
	b.WriteString("}\n")
	return b.String()
}

// MermaidLabel escapes s for a double-quoted Mermaid label: the characters
// Mermaid reads inside one (", #, <, >, &, |, `) become entity codes
// (#34; ...), line breaks and other control characters a space, invalid
// UTF-8 U+FFFD.
func MermaidLabel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case strings.ContainsRune("\"#<>&|`", r):
			b.WriteString("#" + strconv.Itoa(int(r)) + ";")
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DotString quotes s as a Graphviz double-quoted string whose label shows
// s as written: backslash and quote escaped, line breaks and other control
// characters a space (dot reads `\n` and friends in labels as layout
// escapes, so none is left), invalid UTF-8 U+FFFD.
func DotString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
