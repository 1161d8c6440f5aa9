package workspace

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMigrateOutDirPaths: with -o DIR inside or outside the build context,
// compose.yaml and docker-bake.hcl name a context and a dockerfile that
// resolve to the context and DIR/Dockerfile, and the ignore block goes to
// DIR/Dockerfile.dockerignore (where BuildKit reads it for that
// Dockerfile) followed by the context's own patterns; the report says so.
func TestMigrateOutDirPaths(t *testing.T) {
	root := t.TempDir()
	ctx := filepath.Join(root, "svc")
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	df := filepath.Join(ctx, "Dockerfile")
	write(df, "FROM python:3.11-slim\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n")
	write(filepath.Join(ctx, "requirements.txt"), "flask\n")
	write(filepath.Join(ctx, "app.py"), "print(1)\n")
	write(filepath.Join(ctx, ".env"), "X=1\n")
	write(filepath.Join(ctx, ".dockerignore"), "*.log\n")
	for _, out := range []string{filepath.Join(ctx, "out"), filepath.Join(root, "elsewhere", "out")} {
		m, err := Migrate(migRead(t, df), MigrateOptions{Dockerfile: df, OutDir: out})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Plan.Apply(); err != nil {
			t.Fatal(err)
		}
		compose := string(migRead(t, filepath.Join(out, "compose.yaml")))
		bake := string(migRead(t, filepath.Join(out, "docker-bake.hcl")))
		for name, text := range map[string]string{"compose.yaml": compose, "docker-bake.hcl": bake} {
			c := regexp.MustCompile(`context\s*[:=]\s*"([^"]*)"`).FindStringSubmatch(text)
			d := regexp.MustCompile(`dockerfile\s*[:=]\s*"?([^"\n]*)"?`).FindStringSubmatch(text)
			if c == nil || d == nil {
				t.Fatalf("%s: no context or dockerfile:\n%s", name, text)
			}
			gotCtx := filepath.Join(out, c[1])
			if gotCtx != ctx {
				t.Errorf("%s in %s: context %q resolves to %s, want %s", name, out, c[1], gotCtx, ctx)
			}
			if gotDF := filepath.Join(gotCtx, d[1]); gotDF != filepath.Join(out, "Dockerfile") {
				t.Errorf("%s in %s: dockerfile %q resolves to %s, want %s/Dockerfile", name, out, d[1], gotDF, out)
			}
		}
		ign := string(migRead(t, filepath.Join(out, "Dockerfile.dockerignore")))
		tail := "*.log\n" // the context's own patterns follow the block
		if inside := strings.HasPrefix(out, ctx); inside {
			tail += "# dockstage: the generated files, which the build context did not hold\n/out\n"
		}
		if !strings.Contains(ign, "\n.env\n") || !strings.HasSuffix(ign, "# dockstage:end - add your own patterns below this line; dockstage keeps them\n"+tail) {
			t.Errorf("%s/Dockerfile.dockerignore lacks the block or the context's patterns:\n%s", out, ign)
		}
		if _, err := os.Stat(filepath.Join(out, ".dockerignore")); err == nil {
			t.Errorf("%s/.dockerignore written: BuildKit never reads it there", out)
		}
		report := strings.Join(strings.Fields(string(migRead(t, filepath.Join(out, ReportFile)))), " ")
		for _, want := range []string{
			"the block is written to " + filepath.Join(out, "Dockerfile.dockerignore"),
			filepath.Join(out, "compose.yaml") + ": builds " + filepath.Join(out, "Dockerfile"),
		} {
			if !strings.Contains(report, want) {
				t.Errorf("report lacks %q:\n%s", want, report)
			}
		}
	}
}

// TestMigrateEditedSpec: a spec dockstage wrote and the user edited is
// refused as edited, not as foreign.
func TestMigrateEditedSpec(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM python:3.11-slim\nCOPY . /app\nCMD [\"python\", \"/app/app.py\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	m, err := Migrate(migRead(t, df), MigrateOptions{Dockerfile: df, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Plan.Apply(); err != nil {
		t.Fatal(err)
	}
	sp := filepath.Join(out, "dockstage.yaml")
	if err := os.WriteFile(sp, append(migRead(t, sp), "# my edit\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err = Migrate(migRead(t, df), MigrateOptions{Dockerfile: df, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Plan.Err(); err == nil || !strings.Contains(err.Error(), sp+": was edited since dockstage generated it") {
		t.Errorf("Err = %v", err)
	}
}

func migRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
