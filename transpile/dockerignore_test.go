package transpile

import (
	"strings"
	"testing"
)

// TestDockerignoreBindMounts: a RUN --mount=type=bind of the context reads
// its source from the build context, so the allow list keeps it (go.mod,
// go.sum), and a bind mount of the whole context (no source) makes it a
// deny list; a bind mount from a stage reads no context.
func TestDockerignoreBindMounts(t *testing.T) {
	for _, c := range []struct {
		name, dockerfile, want string
	}{
		{"sources", "FROM golang:1.22\nWORKDIR /src\nRUN --mount=type=bind,source=go.sum,target=go.sum --mount=type=bind,source=go.mod,target=go.mod go mod download\nCOPY config.yaml /etc/app/config.yaml\n",
			"* !config.yaml !go.mod !go.sum"},
		{"whole context", "FROM golang:1.22\nWORKDIR /src\nRUN --mount=type=bind,target=. go build -o /bin/server ./cmd/server\nCOPY config.yaml /etc/app/config.yaml\n",
			".git .env .env.local .env.*.local compose.yaml compose.dev.yaml docker-bake.hcl Dockerfile .dockerignore dockstage.yaml migrate-report.txt Dockerfile.orig"},
		{"from a stage", "FROM golang:1.22 AS b\nRUN true\nFROM golang:1.22\nRUN --mount=type=bind,from=b,target=/b true\nCOPY config.yaml /etc/app/config.yaml\n",
			"* !config.yaml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _, err := Reverse("Dockerfile", []byte(c.dockerfile), ReverseOptions{Name: "x"})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(forwardDockerignore(s).Patterns, " "); got != c.want {
				t.Errorf("patterns %q, want %q", got, c.want)
			}
		})
	}
}
