package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProbesOneParse checks that a valid spec's probes all pass in the one
// batched parse, so that validation parses one synthetic Dockerfile per spec.
func TestProbesOneParse(t *testing.T) {
	files, _ := filepath.Glob("../examples/*/dockstage.yaml")
	files = append(files, "testdata/good/flask-like.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Load(f, data)
		if err != nil {
			t.Fatal(err)
		}
		v := &validator{s: s, escape: '\\'}
		v.validate()
		if len(v.errs) > 0 {
			t.Fatalf("%s: %v", f, v.errs)
		}
		if len(v.probes) > 0 && !v.batchPasses() { // none: each text read as one line (readsAsOneLine)
			t.Errorf("%s: %d probes, the batched parse does not pass", f, len(v.probes))
		}
	}
}

var oneLineKeywords = []string{"RUN", "WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER", "CMD"}

// checkReadsAsOneLine checks readsAsOneLine against the probe it stands
// for: text it passes must read back with BuildKit's parser as written,
// alone and batched between other probes.
func checkReadsAsOneLine(t *testing.T, keyword, text string, esc rune) {
	t.Helper()
	if !readsAsOneLine(keyword, text, esc) {
		return
	}
	v := &validator{escape: esc}
	pr := probe{keyword: keyword, text: text}
	if reason := v.probeReason(pr); reason != "" {
		t.Fatalf("readsAsOneLine(%q, %q, %q) is true, the probe says: %s", keyword, text, esc, reason)
	}
	v.probes = []probe{{keyword: "RUN", text: "a"}, pr, {keyword: "USER", text: "b"}}
	if !v.batchPasses() {
		t.Fatalf("readsAsOneLine(%q, %q, %q) is true, the batched probe fails", keyword, text, esc)
	}
}

var oneLineSeeds = []string{"make", "  echo a  ", "--x", " -x", "[\"a\"]", "a \\", "a \\ ", "a`", "cat <<EOF", "a\nb", "\u00a0x", "x\v", "#x", "é", "\\", "a\\b", "$HOME", strings.Repeat("x", maxOneLine)}

func TestReadsAsOneLine(t *testing.T) {
	for _, kw := range oneLineKeywords {
		for _, s := range oneLineSeeds {
			checkReadsAsOneLine(t, kw, s, '\\')
			checkReadsAsOneLine(t, kw, s, '`')
		}
	}
	for text, want := range map[string]bool{"make": true, " -x": false, "[1]": false, "a \\": false, "a <<X": false, "a\nb": false, "": false, "\u00a0x": false} {
		if got := readsAsOneLine("RUN", text, '\\'); got != want {
			t.Errorf("readsAsOneLine(RUN, %q) = %v, want %v", text, got, want)
		}
	}
	if readsAsOneLine("CMD", "make", '\\') {
		t.Error("readsAsOneLine decides for CMD, whose text it has no rule for")
	}
}

// FuzzReadsAsOneLine checks the no-parse rule against BuildKit's parser on
// any text.
func FuzzReadsAsOneLine(f *testing.F) {
	for i := range oneLineKeywords {
		for _, s := range oneLineSeeds {
			f.Add(uint8(i), s, false)
			f.Add(uint8(i), s, true)
		}
	}
	f.Fuzz(func(t *testing.T, k uint8, text string, backtick bool) {
		esc := '\\'
		if backtick {
			esc = '`'
		}
		checkReadsAsOneLine(t, oneLineKeywords[int(k)%len(oneLineKeywords)], text, esc)
	})
}
