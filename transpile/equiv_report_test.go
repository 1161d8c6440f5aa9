package transpile

import (
	"strings"
	"testing"
)

// TestCompareImageConfig: ENV and LABEL splits that make the same image
// config are the same build; --strict finds them, each with the history
// note; a value expanding a variable keeps the split.
func TestCompareImageConfig(t *testing.T) {
	a := "FROM alpine\nENV A=1 B=2\nLABEL x=1 y=2\nRUN true\n"
	same := map[string]string{
		"env on two lines":    "FROM alpine\nENV A=1\nENV B=2\nLABEL x=1 y=2\nRUN true\n",
		"label split":         "FROM alpine\nENV A=1 B=2\nLABEL y=2\nLABEL x=1\nRUN true\n",
		"interleaved":         "FROM alpine\nLABEL x=1\nENV B=2\nLABEL y=2\nENV A=1\nRUN true\n",
		"a key set twice":     "FROM alpine\nENV A=0 B=2\nENV A=1\nLABEL x=1 y=2\nRUN true\n",
		"legacy ENV and join": "FROM alpine\nENV A 1\nENV B=2\nLABEL x=1 \\\n  y=2\nRUN true\n",
	}
	for name, b := range same {
		t.Run(name, func(t *testing.T) {
			diffs, err := Compare("a", []byte(a), "b", []byte(b), CompareOptions{})
			if err != nil || len(diffs) != 0 {
				t.Fatalf("want the same build, got %v %v", diffs, err)
			}
			strict, err := Compare("a", []byte(a), "b", []byte(b), CompareOptions{Strict: true})
			if err != nil || len(strict) == 0 {
				t.Fatalf("--strict: want differences, got %v %v", strict, err)
			}
			for _, d := range strict {
				if d.Note != historyNote {
					t.Errorf("--strict difference without the history note: %+v", d)
				}
			}
		})
	}
	for name, c := range map[string]struct{ a, b string }{
		"a value changes":          {a, "FROM alpine\nENV A=1 B=3\nLABEL x=1 y=2\nRUN true\n"},
		"expansion sees the split": {"FROM alpine\nENV A=1 B=$A\n", "FROM alpine\nENV A=1\nENV B=$A\n"},
		"moved past a RUN":         {a, "FROM alpine\nENV A=1\nRUN true\nENV B=2\nLABEL x=1 y=2\n"},
	} {
		t.Run(name, func(t *testing.T) {
			diffs, err := Compare("a", []byte(c.a), "b", []byte(c.b), CompareOptions{})
			if err != nil || len(diffs) == 0 {
				t.Fatalf("want differences, got %v %v", diffs, err)
			}
		})
	}
}

// TestCompareOnce: a change in a stage three targets share is one
// difference listing the targets, with Dockerfile lines, the changed word
// marked, the field named, and no internal stage name.
func TestCompareOnce(t *testing.T) {
	a := "FROM golang AS builder\nRUN go build -o /app .\nFROM alpine AS prod\nCOPY --from=builder --chown=app /app /app\nFROM prod AS debug\nRUN apk add gdb\nFROM prod AS final\n"
	b := strings.NewReplacer("builder", "build", "--chown=app", "--chown=root").Replace(a)
	diffs, err := Compare("a", []byte(a), "b", []byte(b), CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 {
		t.Fatalf("want 1 difference, got %d: %+v", len(diffs), diffs)
	}
	d := diffs[0]
	if got := strings.Join(d.Targets, ", "); got != "final (default), debug, prod" {
		t.Errorf("targets %q", got)
	}
	if d.Stage != "prod" || d.LineA != 4 || d.LineB != 4 || strings.Join(d.Fields, ",") != "chown" {
		t.Errorf("got %+v", d)
	}
	if d.MarkedA != "COPY --from=builder --chown=[-app-] /app /app" || d.MarkedB != "COPY --from=build --chown={+root+} /app /app" {
		t.Errorf("marked sources:\n%s\n%s", d.MarkedA, d.MarkedB)
	}
	if d.SourceA != "COPY --from=builder --chown=app /app /app" || d.SourceB != "COPY --from=build --chown=root /app /app" {
		t.Errorf("sources:\n%s\n%s", d.SourceA, d.SourceB)
	}
}

func TestMarkWords(t *testing.T) {
	cases := []struct{ a, b, wantA, wantB string }{
		{"RUN go build .", "RUN go build -race .", "RUN go build .", "RUN go build {+-race+} ."},
		{"run make all", "RUN make", "run make [-all-]", "RUN make"},
		{"ENV A=1 B=2", "ENV A=1 B=3", "ENV A=1 B=[-2-]", "ENV A=1 B={+3+}"},
		{"COPY a b c /d/", "COPY x y /d/", "COPY [-a b c-] /d/", "COPY {+x y+} /d/"},
	}
	for _, c := range cases {
		ga, gb := markWords(c.a, c.b, nil)
		if ga != c.wantA || gb != c.wantB {
			t.Errorf("markWords(%q, %q) = %q, %q; want %q, %q", c.a, c.b, ga, gb, c.wantA, c.wantB)
		}
	}
	if ga, gb := markWords("COPY --from=builder x y", "COPY --from=build x y", map[string]string{"builder": "build"}); ga != "COPY --from=builder x y" || gb != "COPY --from=build x y" {
		t.Errorf("a renamed stage is marked: %q %q", ga, gb)
	}
}

// FuzzCompare: Compare agrees with CompareBuilds on sameness in --strict
// mode, finds nothing between a file and itself, never shows an internal
// stage name, and its marked sources read back as the file's lines.
func FuzzCompare(f *testing.F) {
	f.Add([]byte(equivBase), []byte(strings.Replace(equivBase, `ENV A="hello world" B=2`, "ENV A=\"hello world\"\nENV B=2", 1)))
	f.Add([]byte("FROM a AS x\nCOPY --from=x --chown=1 a b\nFROM x AS y\n"), []byte("FROM a AS z\nCOPY --from=z --chown=2 a b\nFROM z AS y\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		diffs, err := Compare("a", a, "b", b, CompareOptions{})
		if err != nil {
			return
		}
		if self, err := Compare("a", a, "a", a, CompareOptions{Strict: true}); err != nil || len(self) != 0 {
			t.Fatalf("a file differs from itself: %v %v", self, err)
		}
		strict, err := Compare("a", a, "b", b, CompareOptions{Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		old, err := CompareBuilds("a", a, "b", b, "")
		if err != nil {
			t.Fatal(err)
		}
		if (len(strict) == 0) != (len(old) == 0) {
			t.Fatalf("--strict: %d differences, CompareBuilds: %d", len(strict), len(old))
		}
		if len(strict) == 0 && len(diffs) != 0 {
			t.Fatalf("the same history but not the same config: %v", diffs)
		}
		for _, d := range append(diffs, strict...) {
			for _, s := range []string{d.Msg, d.Stage, strings.Join(d.Targets, " "), d.SourceA, d.SourceB} {
				if strings.Contains(s, "stage#") {
					t.Fatalf("internal stage name in %q", s)
				}
			}
			if len(d.Targets) == 0 {
				t.Fatalf("a difference without targets: %+v", d)
			}
		}
	})
}
