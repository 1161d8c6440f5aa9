package transpile

import (
	"strings"
	"testing"
)

// Issue 13 item 6: every error of a Dockerfile in one run, each with line
// and column, sorted; a JSON-looking exec form that is not JSON warns at
// its column.
func TestReverseAllErrors(t *testing.T) {
	src := "FROM alpine:3.20\n" +
		"ENV ONLYKEY\n" +
		"COPY onlyone\n" +
		"FORM alpine\n" +
		"HEALTHCHECK --interval=abc CMD true\n" +
		"EXPOSE 80/xyz\n" +
		"CMD [\"python\", \"app.py\"\n"
	_, warns, err := Reverse("Dockerfile", []byte(src), ReverseOptions{})
	if err == nil {
		t.Fatal("Reverse succeeded")
	}
	want := []string{
		"Dockerfile:2:1: ENV must have two arguments",
		"Dockerfile:3:1: COPY requires at least two arguments",
		"Dockerfile:4:1: unknown instruction: FORM (did you mean FROM?)",
		"Dockerfile:5:24: HEALTHCHECK: time: invalid duration \"abc\"",
		"Dockerfile:6:8: stages.stage-0.steps[0].expose[0]: \"80/xyz\": unknown protocol",
	}
	got := strings.Split(err.Error(), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(got), len(want), err)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("error %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
	found := false
	for _, w := range warns {
		if w.Pos.Line == 7 && w.Pos.Col == 5 && strings.Contains(w.Msg, "looks like an exec form") {
			found = true
		}
	}
	if !found {
		t.Errorf("no exec-form warning at 7:5 in %v", warns)
	}
}

// A parser-level error (the whole file fails in BuildKit's parser.Parse)
// does not hide the errors after it.
func TestReverseContinuesAfterParseError(t *testing.T) {
	src := "FROM alpine:3.20\nENV\nRUN <<EOF\nFORM x\n"
	_, _, err := Reverse("Dockerfile", []byte(src), ReverseOptions{})
	if err == nil {
		t.Fatal("Reverse succeeded")
	}
	if n := strings.Count(err.Error(), "\n") + 1; n < 2 {
		t.Errorf("want at least 2 errors, got:\n%v", err)
	}
}

// TestReverseErrorColumns: every import error names its column: the flag
// it names, the value it quotes, the bad byte (trial finding 12).
func TestReverseErrorColumns(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"FROM alpine\nRUN --mount=type=bogus true\n", `Dockerfile:2:18: RUN: unsupported mount type "bogus"`},
		{"FROM alpine\nCOPY --From=alpine /a /b\n", "Dockerfile:2:6: COPY: unknown flag: --From"},
		{"FROM alpine\nRUN echo \xff\n", "Dockerfile:2:10: the line is not valid UTF-8"},
		{"FROM alpine\nRUN echo a\x00\n", "Dockerfile:2:11: the line holds a NUL byte"},
		{"FROM alpine\nEXPOSE 80 99999\n", `Dockerfile:2:11: stages.stage-0.steps[0].expose[1]: "99999"`},
	} {
		_, _, err := Reverse("Dockerfile", []byte(tc.src), ReverseOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error\n%v\nwant %q", tc.src, err, tc.want)
		}
	}
}
