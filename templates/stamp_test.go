package templates

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec/syntax"
)

// The stamp hashes what a file means: whitespace-only edits keep a file
// dockstage's, other edits (also inside a heredoc body) do not, and a
// stamp written before the meaning hash (the bytes) is still read.
func TestStampMeaning(t *testing.T) {
	src := header("dockstage.yaml", "") + "FROM alpine AS base\n\nRUN <<EOF\necho a\n\necho b  \nEOF\n\nFROM base AS prod\nCMD [\"sh\"]\n"
	b := stamp([]byte(src))
	for _, tc := range []struct {
		name, from, to string
		unchanged      bool
	}{
		{"as rendered", "", "", true},
		{"blank line added", "FROM base", "\n\nFROM base", true},
		{"trailing blanks added", "CMD [\"sh\"]", "CMD [\"sh\"]  \t", true},
		{"blank line removed", "EOF\n\n", "EOF\n", true},
		{"crlf", "\n", "\r\n", false}, // inside the heredoc too: CR counts there
		{"instruction added", "CMD", "USER app\nCMD", false},
		{"blank line in a heredoc body", "echo a\n", "echo a\n\n", false},
		{"trailing blank in a heredoc body removed", "echo b  \n", "echo b\n", false},
		{"word changed", "alpine", "debian", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edited := []byte(strings.ReplaceAll(string(b), tc.from, tc.to))
			if tc.from == "" {
				edited = b
			}
			if g, u := Owned(edited); !g || u != tc.unchanged {
				t.Errorf("generated=%v unchanged=%v, want unchanged=%v\n%s", g, u, tc.unchanged, edited)
			}
			if got := SameMeaning(b, edited); got != tc.unchanged {
				t.Errorf("SameMeaning = %v, want %v", got, tc.unchanged)
			}
		})
	}
	// A file stamped with the bytes' hash (dockstage before the meaning
	// hash) is dockstage's and unchanged.
	old := stampRE().ReplaceAll([]byte(src), []byte(stampPrefix+byteDigest([]byte(src))+"\n"))
	if g, u := Owned(old); !g || !u {
		t.Errorf("old stamp: generated=%v unchanged=%v", g, u)
	}
	if g, u := Owned(append(old, "USER app\n"...)); !g || u {
		t.Errorf("old stamp, edited: generated=%v unchanged=%v", g, u)
	}
}

func TestMeaningLines(t *testing.T) {
	got := Meaning([]byte("# a\n\nFROM x  \n" + stampPrefix + strings.Repeat("0", 64) + "\nRUN <<A\n\nA\n\n"))
	want := []Line{{1, "# a"}, {3, "FROM x"}, {5, "RUN <<A"}, {6, ""}, {7, "A"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

// FuzzStamp: whatever a generated file holds, its fresh stamp matches it,
// the stamp survives blank lines added at its end, and a changed
// meaningful line breaks it.
func FuzzStamp(f *testing.F) {
	f.Add("FROM alpine\n\nRUN <<EOF\necho\n\nEOF\n")
	f.Add("services:\n  a:\n    image: x  \n")
	f.Add("RUN <<-A <<B\n\tx\n\tA\ny\nB\n")
	f.Fuzz(func(t *testing.T, body string) {
		b := stamp([]byte(header("dockstage.yaml", "") + body))
		if g, u := Owned(b); !g || !u {
			t.Fatalf("fresh stamp does not match:\n%s", b)
		}
		if !SameMeaning(b, b) {
			t.Fatal("SameMeaning is not reflexive")
		}
		if !strings.HasSuffix(string(b), "\n") {
			return
		}
		// Blank lines at the end mean nothing, unless a heredoc is still
		// open (then they are its body).
		more := append(append([]byte{}, b...), "\n\n"...)
		open := len(Meaning(more)) != len(Meaning(b))
		if _, u := Owned(more); !u && !open {
			t.Fatalf("blank lines at the end broke the stamp:\n%q", more)
		}
		if g, u := Owned(append(b, "LABEL dockstage.fuzz=1\n"...)); g && u {
			t.Fatalf("an added instruction kept the stamp:\n%q", b)
		}
	})
}

// replaceStamps is stampRE's ReplaceAll: every stamp line, at the start, in
// the middle, twice in a row, with trailing blanks, and none where the
// prefix is not at a line start or the digest is short.
func TestReplaceStampsIsReplaceAll(t *testing.T) {
	d := strings.Repeat("ab", 32)
	for _, in := range replaceStampsSeeds(d) {
		for _, repl := range [][]byte{nil, []byte(stampPrefix + strings.Repeat("0", 64) + "\n")} {
			want := stampRE().ReplaceAll([]byte(in), repl)
			if got := replaceStamps([]byte(in), repl); string(got) != string(want) {
				t.Errorf("replaceStamps(%q, %q) = %q, ReplaceAll gives %q", in, repl, got, want)
			}
		}
	}
}

func replaceStampsSeeds(d string) []string {
	return []string{
		"", "FROM a\n", stampPrefix + d + "\n", stampPrefix + d + " \t\r\n", stampPrefix + d,
		"# x\n" + stampPrefix + d + "\nFROM a\n", stampPrefix + d + "\n" + stampPrefix + d + "\n",
		"x" + stampPrefix + d + "\n", stampPrefix + d[:10] + "\n" + stampPrefix + d + "\n",
		stampPrefix + stampPrefix + d + "\n", "\n" + stampPrefix + strings.ToUpper(d) + "\n",
	}
}

// FuzzReplaceStamps checks replaceStamps against stampRE's ReplaceAll on
// any content.
func FuzzReplaceStamps(f *testing.F) {
	for _, s := range replaceStampsSeeds(strings.Repeat("0f", 32)) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		repl := []byte(stampPrefix + strings.Repeat("1", 64) + "\n")
		if got, want := replaceStamps([]byte(in), repl), stampRE().ReplaceAll([]byte(in), repl); string(got) != string(want) {
			t.Errorf("replaceStamps(%q) = %q, ReplaceAll gives %q", in, got, want)
		}
	})
}

// meaningBySplit is Meaning as it was written first: the file split into
// lines, then the lines that mean something collected.
func meaningBySplit(content []byte) []Line {
	var out []Line
	var pending []string // heredoc names still to close, in order
	lines := strings.Split(string(content), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		if len(pending) > 0 {
			out = append(out, Line{Num: i + 1, Text: l})
			if strings.TrimSuffix(l, "\r") == pending[0] {
				pending = pending[1:]
			}
			continue
		}
		if strings.HasPrefix(l, stampPrefix) && stampRE().MatchString(l+"\n") {
			continue
		}
		t := strings.TrimRight(l, " \t\r")
		if t == "" {
			continue
		}
		out = append(out, Line{Num: i + 1, Text: t})
		if strings.Contains(t, "<<") {
			pending = syntax.HeredocNames(t)
		}
	}
	return out
}

// FuzzMeaning checks Meaning and digest, which walk the lines without
// splitting the file, against meaningBySplit and the hash of its lines.
func FuzzMeaning(f *testing.F) {
	f.Add("FROM alpine\n\nRUN <<EOF\necho\n\nEOF\n")
	f.Add("RUN <<-A <<B\n\tx\n\tA\ny\nB\n")
	f.Add("\n")
	f.Add("a\n\n")
	f.Add("# dockstage:sha256=" + strings.Repeat("0", 64) + "  \nx \r\n")
	f.Fuzz(func(t *testing.T, body string) {
		got, want := Meaning([]byte(body)), meaningBySplit([]byte(body))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Meaning(%q) = %v, want %v", body, got, want)
		}
		h := sha256.New()
		for _, l := range want {
			h.Write([]byte(l.Text + "\n"))
		}
		if d := digest([]byte(body)); d != hex.EncodeToString(h.Sum(nil)) {
			t.Fatalf("digest(%q) is not the hash of its Meaning", body)
		}
	})
}
