package ecosystem

import (
	"strings"
	"testing"
)

// TestPortFromSourceAndConfig: a port the source sets as a string or a
// configuration file names is found, with its file and line as evidence;
// a Makefile is noted with its targets.
func TestPortFromSourceAndConfig(t *testing.T) {
	goMain := func(body string) string { return "package main\n\nfunc main() {\n" + body + "\n}\n" }
	for _, c := range []struct {
		name     string
		port     int
		evidence string
		fs       []string
	}{
		{"go port string", 9090, `cmd/server/main.go:6: port 9090 (port = "9090")`, []string{"go.mod", "module x\n\ngo 1.22\n", "cmd/server/main.go", goMain("\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"9090\"\n\t}")}},
		{"go db port is not the port", 8080, "no port found in the source;", []string{"go.mod", "module x\n", "main.go", goMain("\tdbPort := \"5432\"\n\tredisPort = 6379")}},
		{"go config.toml", 7070, `config.toml:3: port 7070 (port = "7070")`, []string{"go.mod", "module x\n", "main.go", goMain(""), "config.toml", "[server]\nhost = \"0.0.0.0\"\nport = \"7070\"\n"}},
		{"go config/app.yaml", 7171, "config/app.yaml:2: port 7171 (http_port: 7171 # the API)", []string{"go.mod", "module x\n", "main.go", goMain(""), "config/app.yaml", "db_port: 5432\nhttp_port: 7171 # the API\n"}},
		{"go no port names the configs read", 8080, "no port found in the source or config.yaml;", []string{"go.mod", "module x\n", "main.go", goMain(""), "config.yaml", "name: x\n"}},
		{"python quoted setting", 9091, `app.py:2: port 9091 (PORT = "9091")`, []string{"requirements.txt", "flask\n", "app.py", "from flask import Flask\nPORT = \"9091\"\napp = Flask(__name__)\n"}},
		{"python env example", 5005, ".env.example:2: port 5005 (PORT=5005)", []string{"requirements.txt", "fastapi\nuvicorn\n", "main.py", "from fastapi import FastAPI\napp = FastAPI()\n", ".env.example", "DATABASE_URL=postgres://db/x\nPORT=5005\n"}},
		{"makefile targets", 8080, "Makefile: targets build, test, lint; the spec's steps are the preset's and do not run make", []string{"go.mod", "module x\n", "main.go", goMain(""), "Makefile", "BIN := bin/server\n.PHONY: build test\nbuild:\n\tgo build -o $(BIN) .\ntest lint: build\n\tgo test ./...\n%.o: %.c\n"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, all := detectFirst(t, c.fs...)
			if r.Port != c.port || !strings.Contains(all, c.evidence) {
				t.Errorf("port %d, want %d; evidence:\n%s\nwant a line with %q", r.Port, c.port, all, c.evidence)
			}
		})
	}
}
