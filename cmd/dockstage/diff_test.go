package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffGolden: each folder of testdata/diff holds two Dockerfiles a and
// b, an optional args file (extra flags, one a line) and want.txt: the exit
// code, standard output and standard error of `dockstage diff a b ARGS`
// run in that folder (go test -update rewrites want.txt).
func TestDiffGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/diff/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no cases under testdata/diff")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			args := []string{"diff", "a", "b"}
			if extra, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
				args = append(args, strings.Fields(string(extra))...)
			}
			t.Chdir(dir)
			code, out, errs := dockstage(t, "", args...)
			got := fmt.Sprintf("$ dockstage %s\nexit %d\n%s", strings.Join(args, " "), code, out)
			if errs != "" {
				got += "stderr: " + errs
			}
			if *update {
				if err := os.WriteFile("want.txt", []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile("want.txt")
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			if strings.Contains(got, "stage#") {
				t.Errorf("internal stage name in the output:\n%s", got)
			}
		})
	}
}
