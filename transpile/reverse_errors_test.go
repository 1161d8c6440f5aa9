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
