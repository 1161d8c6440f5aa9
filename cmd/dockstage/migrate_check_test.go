package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMigrateOutputPassesCheck migrates every migrate golden's Dockerfile
// (transpile/migrate/testdata, the goldens' own outputs left out) with
// -o DIR inside its context, and checks the context: a fresh migration
// has no drift, and the generated .dockerignore block is where the build
// reads it (DIR/Dockerfile.dockerignore), which check then watches.
func TestMigrateOutputPassesCheck(t *testing.T) {
	goldens, err := filepath.Glob("../../transpile/migrate/testdata/*/Dockerfile")
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no migrate goldens: %v", err)
	}
	for _, golden := range goldens {
		name := filepath.Base(filepath.Dir(golden))
		t.Run(name, func(t *testing.T) {
			ctx := filepath.Join(t.TempDir(), name)
			if err := os.CopyFS(ctx, os.DirFS(filepath.Dir(golden))); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"dockstage.yaml", "Dockerfile.out", "report.txt"} {
				os.Remove(filepath.Join(ctx, f))
			}
			out := filepath.Join(ctx, "out")
			if code, _, errs := dockstage(t, "", "migrate", filepath.Join(ctx, "Dockerfile"), "-o", out); code != 0 {
				t.Skipf("migrate refuses it (exit %d): %s", code, errs)
			}
			if code, stdout, errs := dockstage(t, "", "check", ctx); code != 0 {
				t.Fatalf("check after migrate -o: exit %d:\n%s%s", code, stdout, errs)
			}
			ignore := filepath.Join(out, "Dockerfile.dockerignore")
			if !exists(ignore) {
				return // the spec asks for no .dockerignore
			}
			if exists(filepath.Join(out, ".dockerignore")) {
				t.Errorf("%s written beside %s, where the build does not read it", filepath.Join(out, ".dockerignore"), ignore)
			}
			if err := os.Remove(ignore); err != nil {
				t.Fatal(err)
			}
			if code, _, _ := dockstage(t, "", "check", ctx); code != 1 {
				t.Errorf("check with %s deleted: exit %d, want 1 (drift)", ignore, code)
			}
			if code, _, errs := dockstage(t, "", "render", filepath.Join(out, "dockstage.yaml")); code != 0 {
				t.Fatalf("render: exit %d: %s", code, errs)
			}
			if !exists(ignore) || exists(filepath.Join(out, ".dockerignore")) {
				t.Errorf("render did not bring back %s (or wrote .dockerignore)", ignore)
			}
			if code, stdout, errs := dockstage(t, "", "check", ctx); code != 0 {
				t.Errorf("check after render: exit %d:\n%s%s", code, stdout, errs)
			}
		})
	}
}
