package ecosystem

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dockstage/dockstage/transpile/shell"
)

func TestServedSite(t *testing.T) {
	ctx := ScanContext(fstest.MapFS{
		"package.json":      {Data: []byte(`{"scripts": {"start": "serve -s build", "serve": "http-server dist -p 5000", "dev": "vite"}}`)},
		"public/index.html": {Data: []byte("<h1>hi</h1>")},
	})
	for _, c := range []struct {
		argv []string
		want Served
		ok   bool
	}{
		{[]string{"serve", "-s", "dist", "-l", "3000"}, Served{Dir: "dist", Port: 3000, SPA: true, Server: "serve"}, true},
		{[]string{"npx", "-y", "serve", "-l", "tcp://0.0.0.0:8080", "out"}, Served{Dir: "out", Port: 8080, Server: "serve"}, true},
		{[]string{"serve"}, Served{Dir: ".", Port: 3000, Server: "serve"}, true},
		{[]string{"npm", "start"}, Served{Dir: "build", Port: 3000, SPA: true, Server: "serve"}, true},
		{[]string{"yarn", "serve"}, Served{Dir: "dist", Port: 5000, Server: "http-server"}, true},
		{[]string{"http-server"}, Served{Dir: "./public", Port: 8080, Server: "http-server"}, true},
		{[]string{"python3", "-m", "http.server", "8000", "--directory", "site"}, Served{Dir: "site", Port: 8000, Server: "python -m http.server"}, true},
		{[]string{"/usr/local/bin/python", "-m", "http.server", "-d", "/srv/www"}, Served{Dir: "/srv/www", Port: 8000, Server: "python -m http.server"}, true},
		{[]string{"npm", "run", "dev"}, Served{}, false},        // a dev server, not a file server
		{[]string{"serve", "--ssl-cert", "x"}, Served{}, false}, // a flag it does not know
		{[]string{"serve", "-s", "$DIR"}, Served{}, false},
		{[]string{"python", "-m", "http.server", "80", "81"}, Served{}, false},
		{[]string{"node", "server.js"}, Served{}, false},
	} {
		got, ok := ServedSite(c.argv, ctx)
		got.What = ""
		if ok != c.ok || ok && got != c.want {
			t.Errorf("ServedSite(%q) = %+v, %v; want %+v, %v", c.argv, got, ok, c.want, c.ok)
		}
	}
}

func TestCompilerPackages(t *testing.T) {
	for _, c := range []struct {
		cmd       string
		compilers string
		all       int
		ok        bool
	}{
		{"apt-get install -y --no-install-recommends gcc libpq-dev build-essential", "gcc build-essential", 3, true},
		{"apk add --no-cache build-base musl-dev postgresql-dev", "build-base musl-dev", 3, true},
		{"DEBIAN_FRONTEND=noninteractive apt-get install -y g++-12=12.2.0-14 curl", "g++-12=12.2.0-14", 2, true},
		{"apt-get update", "", 0, false},
		{"pip install gcc", "", 0, false},
	} {
		cmds := shell.Parse(c.cmd, '\\').Commands
		if len(cmds) != 1 {
			t.Fatalf("Parse(%q): %d commands", c.cmd, len(cmds))
		}
		idx, ok := CompilerPackages(cmds[0])
		var got []string
		for _, i := range idx {
			got = append(got, cmds[0].Words[i].Value)
		}
		if ok != c.ok || strings.Join(got, " ") != c.compilers || len(Packages(cmds[0])) != c.all {
			t.Errorf("CompilerPackages(%q) = %q, %v (packages %d); want %q, %v (%d)", c.cmd, got, ok, len(Packages(cmds[0])), c.compilers, c.ok, c.all)
		}
	}
}

func TestSiteDevServer(t *testing.T) {
	ctx := ScanContext(fstest.MapFS{"package.json": {Data: []byte(`{"scripts": {"preview": "vite preview", "start": "react-scripts start", "serve": "serve -s dist"}}`)}})
	for _, c := range []struct {
		argv []string
		want string
		ok   bool
	}{
		{[]string{"npm", "run", "preview", "--", "--host"}, "vite preview --host", true},
		{[]string{"npm", "start"}, "react-scripts start", true},
		{[]string{"npx", "vite", "--port", "80"}, "vite --port 80", true},
		{[]string{"hugo", "server", "--bind", "0.0.0.0"}, "hugo server --bind 0.0.0.0", true},
		{[]string{"npm", "run", "serve"}, "", false}, // a static file server: ServedSite's
		{[]string{"vite", "build"}, "", false},
		{[]string{"node", "server.js"}, "", false},
	} {
		got, ok := SiteDevServer(c.argv, ctx)
		if ok != c.ok || got != c.want {
			t.Errorf("SiteDevServer(%q) = %q, %v; want %q, %v", c.argv, got, ok, c.want, c.ok)
		}
	}
}
