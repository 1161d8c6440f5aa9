//go:build e2e

package examples

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ignoreContext is a build context for TestIgnoreKeepsReads: go.mod, go.sum, config.yaml,
// cmd/server/main.go, scripts/, app/, src/ with a Go file two directories down, docs/, and a
// file no step reads.
var ignoreContext = map[string]string{
	"go.mod": "module x\n", "go.sum": "", "config.yaml": "a: 1\n", "cmd/server/main.go": "package main\n",
	"scripts/run.sh": "echo scripts ran\n", "app/main.txt": "app\n", "src/y.go": "package y\n",
	"src/pkg/sub/x.go": "package sub\n", "cfg/a.yaml": "b: 2\n", "docs/a.md": "# docs\n", "unread.txt": "unread\n",
}

// ignoreDockerfile reads the context through bind mounts the way `docker init` writes them:
// two files, then the whole context.
const ignoreDockerfile = `FROM debian:bookworm-slim
WORKDIR /src
RUN --mount=type=cache,target=/root/.cache --mount=type=bind,source=go.sum,target=go.sum --mount=type=bind,source=go.mod,target=go.mod test -f go.mod && test -f go.sum
RUN --mount=type=bind,target=. test -f cmd/server/main.go && test -f go.mod
COPY config.yaml /etc/app/config.yaml
CMD ["cat", "/etc/app/config.yaml"]
`

// ignoreSpec reads the context through a bind mount of a directory, a COPY of a directory,
// wildcards (in the last element and before it), COPY --parents and COPY --exclude.
const ignoreSpec = `version: 1
name: ignorereads
directives: {syntax: docker/dockerfile:1}
dockerignore: true
stages:
  prod:
    from: debian:bookworm-slim
    steps:
      - run:
          command: sh /ctx/run.sh
          mounts: [{type: bind, target: /ctx, source: scripts}]
      - copy: {src: [app/], dest: /app/}
      - copy: {src: ["src/*.go", "cfg/?.yaml"], dest: /flat/}
      - copy: {src: ["src/./pkg/**/*.go"], dest: /tree/, parents: true}
      - copy: {src: [docs/], dest: /docs/, exclude: ["*.tmp"]}
      - run: test -f /app/main.txt && test -f /flat/y.go && test -f /flat/a.yaml && test -f /tree/pkg/sub/x.go && test -f /docs/a.md
`

// (new user report) the generated .dockerignore keeps every path the build reads: the migrated
// Dockerfile of a docker-init style build (bind mounts of go.mod, go.sum and the whole context)
// and a rendered spec with a bind-mounted directory, wildcards and COPY --parents build on the
// engine with the ignore file dockstage writes beside the Dockerfile.
func TestIgnoreKeepsReads(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, file, content string }{
		{"migrate", "Dockerfile", ignoreDockerfile},
		{"render", "dockstage.yaml", ignoreSpec},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.TempDir()
			for name, content := range ignoreContext {
				writeFile(t, filepath.Join(ctx, name), content)
			}
			writeFile(t, filepath.Join(ctx, tc.file), tc.content)
			out := filepath.Join(ctx, "build")
			if tc.name == "migrate" {
				report := mustRun(t, ctx, dockstageCLI(t), "migrate", tc.file, "-o", "build")
				t.Logf("dockstage migrate:\n%s", tail(report, 10))
			} else {
				if err := os.MkdirAll(out, 0o755); err != nil {
					t.Fatal(err)
				}
				mustRun(t, ctx, dockstageCLI(t), "render", tc.file, "-o", "build")
			}
			ignore, err := os.ReadFile(filepath.Join(out, "Dockerfile.dockerignore"))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("build/Dockerfile.dockerignore:\n%s", ignore)
			tag := "dockstage-e2e-ignore-" + tc.name + ":" + e2e.runID
			t.Cleanup(func() { _, _ = run("", dockerBin, "rmi", "-f", tag) })
			args := append([]string{"build", "--progress=plain", "-t", tag, "-f", filepath.Join(out, "Dockerfile")}, e2e.buildArgs...)
			if b, err := run("", dockerBin, append(args, ctx)...); err != nil {
				t.Fatalf("docker build with the generated ignore file: %v\n%s", err, tail(b, 40))
			}
			if tc.name == "migrate" {
				if got := mustRun(t, "", dockerBin, "run", "--rm", tag); !strings.Contains(got, "a: 1") {
					t.Errorf("the image answers %q, want the copied config.yaml", got)
				}
			}
		})
	}
}
