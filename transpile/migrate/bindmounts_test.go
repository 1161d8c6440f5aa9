package migrate

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/transpile"
)

// TestIgnoreBindMounts: the .dockerignore of a migrated build keeps what
// its RUN bind mounts read, and the report names what the ignore file
// keeps from a bind mount of the whole context (the same reads decide
// both, transpile.ContextReads).
func TestIgnoreBindMounts(t *testing.T) {
	files := map[string]string{"go.mod": "module x\n", "go.sum": "", "config.yaml": "", "main.go": "package main\n", ".env": "X=1"}
	for _, tc := range []struct {
		name, df string
		patterns []string // the generated patterns
		kept     string   // what the report says the file keeps out ("" = no change)
	}{
		{"bind mounts of files", "FROM golang:1.22\nRUN --mount=type=bind,source=go.sum,target=go.sum --mount=type=bind,source=go.mod,target=go.mod go mod download\nCOPY config.yaml /etc/app/\n",
			[]string{"*", "!config.yaml", "!go.mod", "!go.sum"}, ""},
		{"a bind mount of the context", "FROM golang:1.22\nRUN --mount=type=bind,target=. go build -o /bin/server .\nCOPY config.yaml /etc/app/\n",
			[]string{".git", ".env", ".env.local", ".env.*.local", "compose.yaml", "compose.dev.yaml", "docker-bake.hcl", "Dockerfile", ".dockerignore", "dockstage.yaml", "migrate-report.txt", "Dockerfile.orig"}, ".env out of the build context, so the RUN bind mount of the context no longer shows it to its command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := migrateString(t, tc.df, files)
			if err != nil {
				t.Fatal(err)
			}
			out, err := transpile.Forward(res.Spec)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out.Dockerignore.Patterns, tc.patterns) {
				t.Errorf("patterns %q, want %q", out.Dockerignore.Patterns, tc.patterns)
			}
			var got *Change
			for i, c := range res.Report.Changes {
				if c.Kind == ChangeContextNarrowed {
					got = &res.Report.Changes[i]
				}
			}
			switch {
			case tc.kept == "" && got != nil:
				t.Errorf("unexpected change: %s", got.Detail)
			case tc.kept != "" && (got == nil || !strings.Contains(got.Detail, "keeps "+tc.kept)):
				t.Errorf("want the report to say it keeps %q, got %+v", tc.kept, got)
			case got != nil && (got.Summary != "files kept out of the build's bind mounts by the new .dockerignore" || !reflect.DeepEqual(got.Lines, []int{2})):
				t.Errorf("summary %q, lines %v", got.Summary, got.Lines)
			}
		})
	}
}
