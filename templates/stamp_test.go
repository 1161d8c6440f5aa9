package templates

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// stampExpr is the stamp line's rule as an expression; stampLines scans
// for it by hand and must find the same lines.
var stampExpr = regexp.MustCompile(`(?m)^# dockstage:sha256=([0-9a-f]{64})\r?\n`)

var stampSeeds = []string{
	"",
	header("dockstage.yaml", ""),
	header("a", "") + "FROM x\n" + stampPrefix + strings.Repeat("a", 64) + "\r\n",
	stampPrefix + strings.Repeat("0", 63) + "\n",
	stampPrefix + strings.Repeat("0", 64),
	stampPrefix + strings.Repeat("0", 64) + "\r",
	"x" + stampPrefix + strings.Repeat("0", 64) + "\n",
	stampPrefix + strings.Repeat("F", 64) + "\n",
	stampPrefix + strings.Repeat("0", 65) + "\n",
	stampPrefix + stampPrefix + strings.Repeat("0", 64) + "\n",
	"\n" + stampPrefix + strings.Repeat("1", 64) + "\n" + stampPrefix + strings.Repeat("2", 64) + "\n",
}

func checkStampLines(t *testing.T, content []byte) {
	t.Helper()
	var want [][2]int
	for _, m := range stampExpr.FindAllIndex(content, -1) {
		want = append(want, [2]int{m[0], m[1]})
	}
	got := stampLines(content)
	if len(got) != len(want) {
		t.Fatalf("stampLines(%q) = %v, the expression finds %v", content, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("stampLines(%q) = %v, the expression finds %v", content, got, want)
		}
	}
	with := []byte("<stamp>\n")
	if r, w := replaceStamps(content, with), stampExpr.ReplaceAll(content, with); !bytes.Equal(r, w) {
		t.Fatalf("replaceStamps(%q) = %q, the expression gives %q", content, r, w)
	}
}

func TestStampLinesMatchExpression(t *testing.T) {
	for _, s := range stampSeeds {
		checkStampLines(t, []byte(s))
	}
}

// FuzzStampLines checks the hand scan against the expression on any text.
func FuzzStampLines(f *testing.F) {
	for _, s := range stampSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkStampLines(t, []byte(s)) })
}
