package format

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/transpile"
)

var update = flag.Bool("update", false, "rewrite the golden files (testdata/*/formatted)")

// TestGolden formats each testdata/NAME/Dockerfile (real files listed in
// testdata/SOURCES, and hand-written ones) and compares the result with
// testdata/NAME/formatted, which must also format to itself.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/Dockerfile")
	if err != nil || len(dirs) < 20 {
		t.Fatalf("want 20+ golden cases, have %d (%v)", len(dirs), err)
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Format(in, src)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(dir, "formatted")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the formatted %s (go test -update rewrites it):\n%s", golden, in, got)
			}
			again, err := Format(golden, want)
			if err != nil || !bytes.Equal(again, want) {
				t.Errorf("%s does not format to itself (%v)", golden, err)
			}
		})
	}
}

// TestCorpus formats every Dockerfile of the import corpus
// (transpile/testdata/import) and, when FMT_CORPUS names a directory, every
// Dockerfile under it (/work/corpus/files holds 900+ real ones): each must
// be formatted (Format proves the same build, the comments and the fixed
// point itself; the fixed point is checked again here), except files
// whose import fails, which Format must refuse too.
func TestCorpus(t *testing.T) {
	roots := []string{"../../transpile/testdata/import"}
	if c := os.Getenv("FMT_CORPUS"); c != "" {
		roots = append(roots, c)
	}
	n, changed := 0, 0
	for _, f := range corpusFiles(t, roots...) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, _, rerr := transpile.Reverse(f, src, transpile.ReverseOptions{})
		out, err := Format(f, src)
		switch {
		case rerr != nil && err == nil:
			t.Errorf("%s: import fails (%v) but Format does not", f, rerr)
		case rerr == nil && err != nil:
			t.Errorf("not formatted: %v", err)
		case err == nil:
			n++
			if !bytes.Equal(out, src) {
				changed++
			}
			if again, err := Format(f, out); err != nil || !bytes.Equal(again, out) {
				t.Errorf("%s: the result does not format to itself (%v)", f, err)
			}
		}
	}
	t.Logf("%d files formatted, %d changed", n, changed)
}

// corpusFiles lists the files named Dockerfile, Dockerfile.* or *.Dockerfile
// under roots.
func corpusFiles(t testing.TB, roots ...string) []string {
	var files []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if !d.IsDir() && (name == "Dockerfile" || strings.HasPrefix(name, "Dockerfile.") || strings.HasSuffix(name, ".Dockerfile")) {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func TestFormatCases(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"keyword case and AS", "from alpine as Build\nrun echo hi\n", "FROM alpine AS Build\nRUN echo hi\n"},
		{"legacy ENV", "FROM alpine\nENV PATH /opt/bin:$PATH\n", "FROM alpine\nENV PATH=/opt/bin:$PATH\n"},
		{"legacy ENV with blanks", "FROM alpine\nENV MSG hello  world\n", "FROM alpine\nENV MSG=\"hello  world\"\n"},
		{"exec form spacing", "FROM alpine\nCMD [ \"a\",\"b\" ]\n", "FROM alpine\nCMD [\"a\", \"b\"]\n"},
		{"flag order", "FROM alpine\nCOPY --chmod=755 --from=x --chown=1 a b\n", "FROM alpine\nCOPY --from=x --chown=1 --chmod=755 a b\n"},
		{"shell text kept", "FROM alpine\nRUN  set -e; \\\n      echo  a   b\n", "FROM alpine\nRUN set -e; \\\n      echo  a   b\n"},
		{"blank line below a comment kept", "# top\n\nFROM alpine\n", "# top\n\nFROM alpine\n"},
		{"byte order mark kept", "\xef\xbb\xbffrom alpine\n", "\xef\xbb\xbfFROM alpine\n"},
		{"quoted source stays shell form", "FROM a\nADD \"https://x/y.git#$V\" .\n", "FROM a\nADD \"https://x/y.git#$V\" .\n"},
		{"windows paths stay shell form", "# escape=`\nFROM a\nCOPY app\\ C:\\app\\\n", "# escape=`\n\nFROM a\nCOPY app\\ C:\\app\\\n"},
		{"a path ending in the escape character is JSON", "FROM a\nCOPY [\"a\\\\\", \"/b\"]\n", "FROM a\nCOPY [\"a\\\\\", \"/b\"]\n"},
		{"crlf kept", "from alpine\r\nrun echo hi\r\n", "FROM alpine\r\nRUN echo hi\r\n"},
		{"heredoc body kept", "# syntax=docker/dockerfile:1\nFROM alpine\nRUN <<EOF\n  echo  hi\nEOF\n", "# syntax=docker/dockerfile:1\n\nFROM alpine\nRUN <<EOF\n  echo  hi\nEOF\n"},
		{"backtick escape", "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nrun dir `\n  C:\\\n", "# escape=`\n\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN dir `\n  C:\\\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Format("Dockerfile", []byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func TestFormatErrors(t *testing.T) {
	_, err := Format("Dockerfile", []byte("FROM alpine\nFROOM x\nRUNN y\n"))
	if err == nil {
		t.Fatal("an invalid Dockerfile was formatted")
	}
	for _, want := range []string{"Dockerfile:2:1: unknown instruction: FROOM", "Dockerfile:3:1: unknown instruction: RUNN"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not hold %q", err, want)
		}
	}
}

func TestGeneratedLeftAlone(t *testing.T) {
	src, err := os.ReadFile("../../examples/python-flask/Dockerfile") // a generated file that is in the build context of the repository's own test stage
	if err != nil {
		t.Fatal(err)
	}
	got, err := Format("Dockerfile", src)
	if err != nil || !bytes.Equal(got, src) {
		t.Errorf("a generated Dockerfile was changed (%v)", err)
	}
}
