package transpile

import (
	"strings"
	"testing"
)

const equivBase = `FROM golang:1.26 AS build
WORKDIR /src
ENV A="hello world" B=2
RUN --mount=type=cache,target=/root/.cache go build -o /out/app .

FROM src AS unused
FROM debian:bookworm-slim AS prod
COPY --from=build /out/app /app
CMD ["/app"]
`

func TestCompareBuildsSame(t *testing.T) {
	cases := map[string]string{
		"layout, comments and keyword case": `# a comment
from golang:1.26 as build
workdir /src
# another
env A="hello world" \
    B=2
run --mount=type=cache,target=/root/.cache \
    go build \
    # inside the continuation
    -o /out/app .

FROM src AS unused

from debian:bookworm-slim as prod
copy --from=build /out/app /app
cmd ["/app"]
`,
		"quoting that does not change a value": strings.Replace(equivBase, `A="hello world"`, `A='hello world'`, 1),
		"flag alias spelling":                  strings.Replace(equivBase, "target=/root/.cache", "dst=/root/.cache", 1),
		"stage names":                          strings.NewReplacer("AS build", "AS compile", "--from=build", "--from=compile").Replace(equivBase),
		"legacy ENV form":                      strings.Replace(equivBase, `ENV A="hello world" B=2`, "ENV A=\"hello world\" B=2", 1),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			for _, target := range []string{"prod", ""} { // "": every target
				diffs, err := CompareBuilds("a", []byte(equivBase), "b", []byte(b), target)
				if err != nil {
					t.Fatal(err)
				}
				if len(diffs) > 0 {
					t.Errorf("target %q: want the same build, got %v", target, diffs)
				}
			}
		})
	}
}

func TestCompareBuildsDifferent(t *testing.T) {
	cases := []struct {
		name, b   string
		lineA     int
		lineB     int
		msgSubstr string
	}{
		{"changed run", strings.Replace(equivBase, "go build", "go build -race", 1), 4, 4, "instruction differs"},
		{"extra env", strings.Replace(equivBase, "WORKDIR /src\n", "WORKDIR /src\nENV C=3\n", 1), 0, 3, "only in B"},
		{"exec vs shell", strings.Replace(equivBase, `CMD ["/app"]`, "CMD /app", 1), 9, 9, "instruction differs"},
		{"base image", strings.Replace(equivBase, "debian:bookworm-slim", "debian:trixie-slim", 1), 7, 7, "instruction differs"},
		{"value change inside quotes", strings.Replace(equivBase, "hello world", "hello  world", 1), 3, 3, "instruction differs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diffs, err := CompareBuilds("a", []byte(equivBase), "b", []byte(c.b), "prod")
			if err != nil {
				t.Fatal(err)
			}
			if len(diffs) != 1 {
				t.Fatalf("want 1 difference, got %d: %v", len(diffs), diffs)
			}
			d := diffs[0]
			if d.LineA != c.lineA || d.LineB != c.lineB || !strings.Contains(d.Msg, c.msgSubstr) {
				t.Errorf("got %+v, want lines %d/%d and %q", d, c.lineA, c.lineB, c.msgSubstr)
			}
		})
	}
}

func TestCompareBuildsPerTarget(t *testing.T) {
	a := "FROM debian AS base\nRUN make\nFROM base AS test\nRUN make test\nFROM base AS prod\nCMD [\"app\"]\n"
	b := strings.Replace(a, "make test", "make check", 1)
	diffs, err := CompareBuilds("a", []byte(a), "b", []byte(b), "prod")
	if err != nil || len(diffs) != 0 {
		t.Fatalf("prod: %v %v", diffs, err)
	}
	diffs, err = CompareBuilds("a", []byte(a), "b", []byte(b), "test")
	if err != nil || len(diffs) != 1 || diffs[0].LineA != 4 {
		t.Fatalf("test: %v %v", diffs, err)
	}
	// All targets: only test differs.
	diffs, err = CompareBuilds("a", []byte(a), "b", []byte(b), "")
	if err != nil || len(diffs) != 1 || diffs[0].Target != "test" {
		t.Fatalf("all: %v %v", diffs, err)
	}
	if _, err := CompareBuilds("a", []byte(a), "b", []byte(b), "nope"); err == nil {
		t.Error("unknown target: no error")
	}
}

func TestCompareBuildsUnreadable(t *testing.T) {
	if _, err := CompareBuilds("a", []byte("FROM x\nFROBNICATE y\n"), "b", []byte("FROM x\n"), ""); err == nil {
		t.Error("invalid Dockerfile compared without error")
	}
}

func FuzzCompareBuilds(f *testing.F) {
	f.Add([]byte(equivBase), []byte(strings.ToLower(equivBase)))
	f.Add([]byte(equivBase), []byte(strings.NewReplacer("AS build", "AS compile", "--from=build", "--from=compile").Replace(equivBase)))
	f.Add([]byte("FROM alpine AS one\nRUN echo 1\nFROM alpine AS last\n"), []byte("FROM alpine AS uno\nRUN echo 1\nFROM alpine AS last\nFROM alpine AS extra\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		diffs, err := CompareBuilds("a", a, "b", b, "")
		if err != nil {
			return
		}
		// A file is always the same build as itself.
		self, err := CompareBuilds("a", a, "a2", a, "")
		if err != nil || len(self) != 0 {
			t.Fatalf("a file differs from itself: %v %v", self, err)
		}
		// Sameness is symmetric: B is the same build as A exactly when A is
		// the same build as B.
		back, err := CompareBuilds("b", b, "a", a, "")
		if err != nil {
			t.Fatalf("A and B compare but B and A do not: %v", err)
		}
		if (len(diffs) == 0) != (len(back) == 0) {
			t.Fatalf("A vs B: %d differences, B vs A: %d\n%v\n%v", len(diffs), len(back), diffs, back)
		}
	})
}

// TestCompareBuildsRenamedStages: every target compared, a renamed stage
// pairs with its counterpart (by its place in a common target's chain, or
// by the same build), and a stage only one file has is shown with its FROM.
func TestCompareBuildsRenamedStages(t *testing.T) {
	b := strings.NewReplacer("AS build", "AS compile", "--from=build", "--from=compile", "go build", "go build -race").Replace(equivBase)
	diffs, err := CompareBuilds("a", []byte(equivBase), "b", []byte(b), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range diffs {
		got = append(got, d.Target+": "+d.Msg)
	}
	want := "(default: last stage): instruction differs; prod: instruction differs; build (in B: compile): instruction differs"
	if strings.Join(got, "; ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, "; "), want)
	}
	// A stage renamed and moved out of every common chain pairs by content.
	a := "FROM alpine AS one\nRUN echo 1\nFROM alpine AS last\nRUN echo last\n"
	b = "FROM alpine AS uno\nRUN echo 1\nFROM alpine AS last\nRUN echo last\nFROM alpine AS extra\nRUN true\n"
	diffs, err = CompareBuilds("a", []byte(a), "b", []byte(b), "")
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, d := range diffs {
		got = append(got, d.Target+": "+d.Msg+" "+d.A+d.B)
	}
	s := strings.Join(got, "; ")
	if strings.Contains(s, "one") || !strings.Contains(s, "extra: stage exists only in B FROM alpine AS extra") {
		t.Errorf("got %s", s)
	}
}
