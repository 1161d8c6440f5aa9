package transpile

import (
	"reflect"
	"strings"
	"testing"
)

// TestDockerignoreReads: the generated .dockerignore keeps every path the
// build reads from its context, RUN bind mounts among them, and nothing is
// a read that comes from elsewhere (a stage, an image, a URL, git).
func TestDockerignoreReads(t *testing.T) {
	deny := []string{".git", ".env", ".env.local", ".env.*.local", "compose.yaml", "compose.dev.yaml", "docker-bake.hcl", "Dockerfile", ".dockerignore", "dockstage.yaml", "migrate-report.txt", "Dockerfile.orig"}
	for _, tc := range []struct {
		name, df string
		want     []string // the patterns; nil: the deny list
	}{
		{"docker init go: a bind mount of the whole context", "FROM golang:1.22\nWORKDIR /src\n" +
			"RUN --mount=type=cache,target=/go/pkg/mod/ --mount=type=bind,source=go.sum,target=go.sum --mount=type=bind,source=go.mod,target=go.mod go mod download -x\n" +
			"RUN --mount=type=bind,target=. CGO_ENABLED=0 go build -o /bin/server ./cmd/server\n" +
			"COPY config.yaml /etc/app/config.yaml\n", nil},
		{"bind mounts of files", "FROM golang:1.22\n" +
			"RUN --mount=type=bind,source=go.sum,target=go.sum --mount=type=bind,source=/go.mod,target=go.mod go mod download\n" +
			"COPY config.yaml /etc/app/config.yaml\n", []string{"*", "!config.yaml", "!go.mod", "!go.sum"}},
		{"the default mount type is bind", "FROM alpine\nRUN --mount=source=scripts,target=/s /s/run.sh\nCOPY app/ /app/\n", []string{"*", "!app", "!scripts"}},
		{"a bind mount without source is the context root", "FROM alpine\nRUN --mount=target=/ctx ls /ctx\nCOPY app/ /app/\n", nil},
		{"a bind mount from a stage, an image or a named context", "FROM alpine AS build\nRUN echo > /x\nFROM alpine\n" +
			"RUN --mount=type=bind,from=build,target=/b --mount=from=golang:1.22,source=/usr/local/go,target=/go --mount=from=extra,target=/e true\n" +
			"COPY app /app\n", []string{"*", "!app"}},
		{"cache, secret, ssh and tmpfs mounts", "FROM alpine\nRUN --mount=type=cache,target=/c --mount=type=secret,id=tok --mount=type=ssh --mount=type=tmpfs,target=/t true\nCOPY app /app\n", []string{"*", "!app"}},
		{"a variable in a bind mount's source", "FROM alpine\nARG DIR=x\nRUN --mount=source=$DIR,target=/d true\nCOPY app /app\n", nil},
		{"a bind mount above the root", "FROM alpine\nRUN --mount=source=../up,target=/d true\nCOPY app /app\n", nil},
		{"remote ADD and COPY --from", "FROM alpine AS build\nFROM alpine\n" +
			"ADD https://example.invalid/a.tgz /a.tgz\nADD git@example.invalid:o/r.git /r\nCOPY --from=build /x /x\nCOPY --from=alpine:3 /etc/os-release /os\n" +
			"ADD local.tgz /l/\n", []string{"*", "!local.tgz"}},
		{"wildcards after the first element", "FROM alpine\nCOPY src/*.go cfg/?.yaml /app/\n", []string{"*", "!cfg/?.yaml", "!src/*.go"}},
		{"a wildcard before the last element: the directory above it", "FROM alpine\nCOPY src/*/main.go lib/a/**/x.c /app/\n", []string{"*", "!lib/a", "!src"}},
		{"a wildcard at the root", "FROM alpine\nCOPY *.go /app/\n", nil},
		{"COPY --parents", "# syntax=docker/dockerfile:1.7-labs\nFROM alpine\nCOPY --parents src/./pkg/**/*.go /app/\nCOPY --parents ./docs/a.md /app/\n", []string{"*", "!docs/a.md", "!src/pkg"}},
		{"COPY --parents of a pattern at the root", "# syntax=docker/dockerfile:1.7-labs\nFROM alpine\nCOPY --parents **/package.json /app/\n", nil},
		{"COPY --exclude narrows a source, reads nothing more", "# syntax=docker/dockerfile:1.7-labs\nFROM alpine\nCOPY --exclude=*.md --exclude=tmp docs/ /docs/\n", []string{"*", "!docs"}},
		{"a heredoc COPY reads nothing", "# syntax=docker/dockerfile:1\nFROM alpine\nCOPY <<EOF /etc/x\nx\nEOF\nCOPY app /app\n", []string{"*", "!app"}},
		{"ONBUILD reads the context of a later build", "FROM alpine\nONBUILD RUN --mount=target=/ctx true\nONBUILD COPY . /app\nCOPY app /app\n", []string{"*", "!app"}},
		{"a bind mount in a heredoc RUN", "# syntax=docker/dockerfile:1\nFROM alpine\nRUN --mount=type=bind,source=scripts,target=/s <<EOF\nsh /s/a.sh\nEOF\n", []string{"*", "!scripts"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, err := Reverse("Dockerfile", []byte(tc.df), ReverseOptions{Name: "app"})
			if err != nil {
				t.Fatal(err)
			}
			m := forwardDockerignore(s)
			want := tc.want
			if want == nil {
				want = deny
			}
			if !reflect.DeepEqual(m.Patterns, want) || m.AllowList != (tc.want != nil) {
				t.Errorf("patterns %q (allow list %v), want %q", m.Patterns, m.AllowList, want)
			}
		})
	}
}

// TestContextReadsLines: each read names its step, and says whether it is
// a bind mount.
func TestContextReadsLines(t *testing.T) {
	s, _, err := Reverse("Dockerfile", []byte("FROM alpine\nCOPY a /a\nRUN --mount=source=b,target=/b \\\n  --mount=target=/c true\n"), ReverseOptions{Name: "app"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range ContextReads(s) {
		got = append(got, strings.Join([]string{r.Path, map[bool]string{true: "mount", false: "copy"}[r.Mount], string(rune('0' + r.Pos.Line))}, " "))
	}
	want := []string{"a copy 2", "b mount 3", ". mount 3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reads %q, want %q", got, want)
	}
}
