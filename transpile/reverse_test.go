package transpile

import (
	"bytes"
	"errors"
	goflag "flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
)

// update rewrites the golden files under testdata (go test -update; read the diff before committing).
var update = goflag.Bool("update", false, "rewrite golden files under testdata")

func formatWarnings(ws []Warning) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// roundTrip checks that s is valid and that Marshal -> Load -> Marshal gives
// the same YAML and a valid spec.
func roundTrip(t *testing.T, s *spec.Spec) []byte {
	t.Helper()
	if err := spec.Validate(s); err != nil {
		t.Fatalf("spec.Validate: %v", err)
	}
	a, err := spec.Marshal(s)
	if err != nil {
		t.Fatalf("spec.Marshal: %v", err)
	}
	l, err := spec.Load("spec.yaml", a)
	if err != nil {
		t.Fatalf("spec.Load of the marshalled spec: %v\n%s", err, a)
	}
	if err := spec.Validate(l); err != nil {
		t.Fatalf("spec.Validate of the reloaded spec: %v\n%s", err, a)
	}
	b, err := spec.Marshal(l)
	if err != nil {
		t.Fatalf("spec.Marshal of the reloaded spec: %v", err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("Marshal/Load round trip changed the spec:\n--- first\n%s\n--- reloaded\n%s", a, b)
	}
	return a
}

// eachDockerfile runs fn as a subtest for each case directory under root,
// with the Dockerfile the directory holds.
func eachDockerfile(t *testing.T, root string, fn func(t *testing.T, dir string, src []byte)) {
	t.Helper()
	dirs, err := filepath.Glob(root + "/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no cases under %s", root)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
			if err != nil {
				t.Fatal(err)
			}
			fn(t, dir, src)
		})
	}
}

func TestReverseGolden(t *testing.T) {
	eachDockerfile(t, "testdata/import", func(t *testing.T, dir string, src []byte) {
		s, warns, err := Reverse("Dockerfile", src, ReverseOptions{})
		if err != nil {
			t.Fatalf("Reverse: %v", err)
		}
		got := roundTrip(t, s)
		gotWarn := formatWarnings(warns)
		specFile := filepath.Join(dir, "spec.yaml")
		warnFile := filepath.Join(dir, "warnings.txt")
		if *update {
			if err := os.WriteFile(specFile, got, 0o644); err != nil {
				t.Fatal(err)
			}
			if gotWarn == "" {
				os.Remove(warnFile)
			} else if err := os.WriteFile(warnFile, []byte(gotWarn), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(specFile)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if string(got) != string(want) {
			t.Errorf("spec.yaml differs (run with -update and read the diff):\n--- got\n%s\n--- want\n%s", got, want)
		}
		wantWarn, err := os.ReadFile(warnFile)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if gotWarn != string(wantWarn) {
			t.Errorf("warnings differ:\n--- got\n%s--- want\n%s", gotWarn, wantWarn)
		}
		// Importing is a pure function: a second run gives the same.
		s2, _, err := Reverse("Dockerfile", src, ReverseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := spec.Marshal(s2); !bytes.Equal(again, got) {
			t.Errorf("a second Reverse gave a different spec")
		}
	})
}

// TestReverseNegative checks that every Dockerfile under
// testdata/import-negative fails with the error in its error.txt:
// `file:line: message substring`.
func TestReverseNegative(t *testing.T) {
	eachDockerfile(t, "testdata/import-negative", func(t *testing.T, dir string, src []byte) {
		wantText, err := os.ReadFile(filepath.Join(dir, "error.txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimRight(string(wantText), "\n")
		file, rest, _ := strings.Cut(want, ":")
		lineText, sub, _ := strings.Cut(rest, ": ")
		line, err := strconv.Atoi(lineText)
		if err != nil {
			t.Fatalf("error.txt must read file:line: message, got %q", want)
		}
		s, _, err := Reverse("Dockerfile", src, ReverseOptions{})
		if err == nil {
			b, _ := spec.Marshal(s)
			t.Fatalf("Reverse succeeded, want error %q; spec:\n%s", want, b)
		}
		if s != nil {
			t.Errorf("Reverse returned a spec with its error")
		}
		var el spec.ErrorList
		if !errors.As(err, &el) {
			t.Fatalf("error is %T, want spec.ErrorList: %v", err, err)
		}
		for _, e := range el {
			if e.Pos.File == file && e.Pos.Line == line && strings.Contains(e.Msg, sub) {
				return
			}
		}
		t.Errorf("error\n%v\ndoes not hold %q", err, want)
	})
}

func TestReverseOptionsName(t *testing.T) {
	src := []byte("FROM alpine\n")
	s, _, err := Reverse("Dockerfile", src, ReverseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "app" {
		t.Errorf("default name = %q, want app", s.Name)
	}
	s, _, err = Reverse("Dockerfile", src, ReverseOptions{Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "web" {
		t.Errorf("name = %q, want web", s.Name)
	}
	if _, _, err := Reverse("Dockerfile", src, ReverseOptions{Name: "Not Valid"}); err == nil {
		t.Errorf("an invalid name was accepted")
	}
}

// TestReverseCases checks single decisions inline.
func TestReverseCases(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, s *spec.Spec, warns []Warning)
	}{
		{
			name: "unnamed stage name collides with a named one",
			src:  "FROM alpine AS stage-1\nFROM alpine\nCOPY --from=stage-1 /a /b\n",
			check: func(t *testing.T, s *spec.Spec, _ []Warning) {
				if got := s.Stages[1].Name; got != "stage-1-2" || !s.Stages[1].Anonymous {
					t.Errorf("second stage = %q (anonymous %v), want stage-1-2, anonymous", got, s.Stages[1].Anonymous)
				}
			},
		},
		{
			name: "unnamed stage name collides with an image",
			src:  "FROM alpine\nFROM stage-0\n",
			check: func(t *testing.T, s *spec.Spec, _ []Warning) {
				if got := s.Stages[0].Name; got != "stage-0-2" {
					t.Errorf("first stage = %q, want stage-0-2", got)
				}
			},
		},
		{
			name: "comments before a first ARG go to the spec",
			src:  "# top\nARG A=1\n# stage\nFROM alpine\n",
			check: func(t *testing.T, s *spec.Spec, _ []Warning) {
				if strings.Join(s.Comment, "|") != "top" || strings.Join(s.Stages[0].Comment, "|") != "stage" {
					t.Errorf("comment = %q, stage comment = %q", s.Comment, s.Stages[0].Comment)
				}
			},
		},
		{
			name: "comments before a first FROM go to the stage",
			src:  "# syntax=docker/dockerfile:1\n# top\nFROM alpine\n",
			check: func(t *testing.T, s *spec.Spec, _ []Warning) {
				if s.Comment != nil || strings.Join(s.Stages[0].Comment, "|") != "top" {
					t.Errorf("comment = %q, stage comment = %q", s.Comment, s.Stages[0].Comment)
				}
				if s.Directives == nil || s.Directives.Syntax != "docker/dockerfile:1" {
					t.Errorf("directives = %+v", s.Directives)
				}
			},
		},
		{
			name: "generated header dropped",
			src:  "# Code generated by dockstage from spec.yaml; DO NOT EDIT.\n# dockstage:sha256=abc\n# mine\nFROM alpine\n",
			check: func(t *testing.T, s *spec.Spec, _ []Warning) {
				if strings.Join(s.Stages[0].Comment, "|") != "mine" {
					t.Errorf("stage comment = %q, want [mine]", s.Stages[0].Comment)
				}
			},
		},
		{
			name: "RUN -- ends the flags",
			src:  "FROM alpine\nRUN -- echo hi\n",
			check: func(t *testing.T, s *spec.Spec, warns []Warning) {
				if got := s.Stages[0].Steps[0].Run.Command.Shell; got != "echo hi" {
					t.Errorf("run = %q", got)
				}
				if !strings.Contains(formatWarnings(warns), "Dockerfile:2: the `--` that ends the flags of RUN is dropped") {
					t.Errorf("warnings = %v", warns)
				}
			},
		},
		{
			name: "comment between keyword and command stays above the command",
			src:  "FROM alpine\nRUN \\\n# why\n  echo hi \\\n  # inside\n  && echo bye\n",
			check: func(t *testing.T, s *spec.Spec, w []Warning) {
				st := s.Stages[0].Steps[0]
				if len(st.Comment) > 0 || strings.Join(st.Run.CommandComment, "|") != "why" || strings.Contains(fmt.Sprint(w), "moved above") {
					t.Errorf("comment = %q, command comment = %q, warnings %v", st.Comment, st.Run.CommandComment, w)
				}
				if want := "echo hi \\\n  # inside\n  && echo bye"; st.Run.Command.Shell != want {
					t.Errorf("run = %q, want %q", st.Run.Command.Shell, want)
				}
			},
		},
		{
			name: "flag value with non-ASCII bytes kept as written",
			src:  "FROM alpine\nCOPY --chown=jérôme a b\n",
			check: func(t *testing.T, s *spec.Spec, _ []Warning) {
				if got := s.Stages[0].Steps[0].Copy.Chown; got != "jérôme" {
					t.Errorf("chown = %q", got)
				}
			},
		},
		{
			name: "mount booleans",
			src:  "FROM alpine\nRUN --mount=type=bind,target=/a,rw --mount=type=secret,id=s,required=false,ro=0 true\n",
			check: func(t *testing.T, s *spec.Spec, _ []Warning) {
				m := s.Stages[0].Steps[0].Run.Mounts
				if m[0].ReadOnly == nil || *m[0].ReadOnly || m[1].Required == nil || *m[1].Required || m[1].ReadOnly == nil || *m[1].ReadOnly {
					t.Errorf("mounts = %+v", m)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, warns, err := Reverse("Dockerfile", []byte(tt.src), ReverseOptions{})
			if err != nil {
				t.Fatalf("Reverse: %v", err)
			}
			roundTrip(t, s)
			tt.check(t, s, warns)
		})
	}
}

// TestReverseMultilineStrings covers exec-form arguments and heredoc bodies
// that start with a tab or a newline, which yaml.v3's literal block style
// cannot write (it drops leading newlines and cannot read back a first line
// that starts with a tab). spec.Heredoc double-quotes such bodies; exec
// arguments go through spec/marshal.go's strNode, which does not yet.
func TestReverseMultilineStrings(t *testing.T) {
	for _, src := range []string{
		"FROM alpine\nRUN cat <<-EOF\n\tx\n\t\ty\n\tEOF\n",
		"FROM alpine\nRUN cat <<EOF\n\nafter a blank line\nEOF\n",
		"FROM alpine\nCMD [\"\\nx\", \"\\tb\\nc\"]\n",
	} {
		s, _, err := Reverse("Dockerfile", []byte(src), ReverseOptions{})
		if err != nil {
			t.Fatalf("Reverse(%q): %v", src, err)
		}
		roundTrip(t, s)
	}
}
