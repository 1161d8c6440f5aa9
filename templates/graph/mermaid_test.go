package graph

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// mermaidCheck parses each file given with mermaid's own parser
// (mermaid.parse, in a jsdom window), printing "ok FILE" or "FAIL FILE
// reason"; it exits 1 on a failure.
const mermaidCheck = `
import path from 'node:path';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const dir = process.env.DOCKSTAGE_MERMAID_DIR;
const { JSDOM } = createRequire(path.join(dir, 'x.js'))('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window; globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(path.join(dir, 'node_modules/mermaid/dist/mermaid.esm.mjs')));
mermaid.initialize({ startOnLoad: false });
let bad = 0;
for (const f of process.argv.slice(1)) {
  try { await mermaid.parse(fs.readFileSync(f, 'utf8')); console.log('ok', f); }
  catch (e) { bad++; console.log('FAIL', f, String(e.message || e)); }
}
process.exit(bad ? 1 : 0);
`

// TestMermaidParses runs mermaid's parser (the one GitHub renders with)
// on every Mermaid golden and on a graph of the nasty labels. It needs
// node and a directory holding node_modules/mermaid and node_modules/jsdom
// (npm install mermaid jsdom) named by DOCKSTAGE_MERMAID_DIR; skipped
// without them.
func TestMermaidParses(t *testing.T) {
	dir := os.Getenv("DOCKSTAGE_MERMAID_DIR")
	node, err := exec.LookPath("node")
	if dir == "" || err != nil {
		t.Skip("set DOCKSTAGE_MERMAID_DIR to a directory with node_modules/mermaid and jsdom, and put node on PATH")
	}
	files, err := filepath.Glob("testdata/*/*.mmd")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Mermaid goldens: %v", err)
	}
	g := &Graph{}
	for i, l := range nasty {
		id := "n" + strconv.Itoa(i)
		g.Nodes = append(g.Nodes, Node{ID: id, Label: l, Image: i%2 == 0, Target: i%3 == 0, Built: i == 1})
		if i > 0 {
			g.Edges = append(g.Edges, Edge{From: "n" + strconv.Itoa(i-1), To: id, Kind: "COPY", Label: l})
		}
	}
	nastyFile := filepath.Join(t.TempDir(), "nasty.mmd")
	if err := os.WriteFile(nastyFile, []byte(g.Mermaid()), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		if files[i], err = filepath.Abs(f); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(node, append([]string{"--input-type=module", "-e", mermaidCheck}, append(files, nastyFile)...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mermaid.parse: %v\n%s", err, out)
	}
}
