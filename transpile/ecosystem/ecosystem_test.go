package ecosystem

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func files(kv ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return m
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name      string
		fs        fstest.MapFS
		kind      string
		manifests []string
		lockfiles []string
		port      int
		check     func(t *testing.T, r Result)
		others    []string // kinds also reported, in order
	}{
		{name: "pip requirements + flask app", kind: "python-pip",
			fs:        files("requirements.txt", "Flask==3.0\n", "requirements-dev.txt", "pytest\n", "app.py", "from flask import Flask\napp = Flask(__name__)\napp.run(port=5001)\n"),
			manifests: []string{"requirements.txt"}, port: 5001,
			check: func(t *testing.T, r Result) {
				if r.Framework != "flask" || r.App != "app:app" || !reflect.DeepEqual(r.DevManifests, []string{"requirements-dev.txt"}) || !r.HasDep("pytest") {
					t.Errorf("%+v", r)
				}
			}},
		{name: "pip fastapi factory", kind: "python-pip",
			fs:        files("requirements.txt", "fastapi\nuvicorn[standard]>=0.29 ; python_version>'3'\n# comment\n-e .\n", "main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
			manifests: []string{"requirements.txt"}, port: 8000,
			check: func(t *testing.T, r Result) {
				if r.App != "main:app" || !r.HasDep("uvicorn") {
					t.Errorf("%+v", r)
				}
			}},
		{name: "poetry by section", kind: "python-poetry",
			fs:        files("pyproject.toml", "[tool.poetry]\nname = \"x\"\n[tool.poetry.dependencies]\npython = \"^3.11\"\nDjango = \"^5\"\n", "manage.py", ""),
			manifests: []string{"pyproject.toml"}, port: 8000,
			check: func(t *testing.T, r Result) {
				if r.Framework != "django" || r.Name != "x" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "poetry by lockfile", kind: "python-poetry", fs: files("pyproject.toml", "[project]\nname='y'\n", "poetry.lock", ""),
			manifests: []string{"pyproject.toml"}, lockfiles: []string{"poetry.lock"}, port: 8080},
		{name: "PEP 621 pyproject", kind: "python-pip", fs: files("pyproject.toml", "[project]\nname = \"svc\"\ndependencies = [\"flask>=3\"]\n"),
			manifests: []string{"pyproject.toml"}, port: 8080,
			check: func(t *testing.T, r Result) {
				if r.Framework != "flask" || r.Name != "svc" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "npm express", kind: "node-npm",
			fs:        files("package.json", `{"name":"a","scripts":{"start":"node server.js"},"dependencies":{"express":"4"}}`, "package-lock.json", "{}", "server.js", "app.listen(process.env.PORT || 5000)"),
			manifests: []string{"package.json"}, lockfiles: []string{"package-lock.json"}, port: 5000,
			check: func(t *testing.T, r Result) {
				if !reflect.DeepEqual(r.Start, []string{"node", "server.js"}) || !reflect.DeepEqual(r.Dev, []string{"node", "--watch", "server.js"}) || r.Framework != "express" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "npm without lockfile, npm start", kind: "node-npm",
			fs:        files("package.json", `{"scripts":{"start":"ts-node src/x.ts","dev":"nodemon"}}`),
			manifests: []string{"package.json"}, port: 3000,
			check: func(t *testing.T, r Result) {
				if !reflect.DeepEqual(r.Start, []string{"npm", "start"}) || !reflect.DeepEqual(r.Dev, []string{"npm", "run", "dev"}) {
					t.Errorf("%+v", r)
				}
			}},
		{name: "yarn", kind: "node-yarn", fs: files("package.json", `{"main":"lib/index.js"}`, "yarn.lock", "", "lib/index.js", ""),
			manifests: []string{"package.json"}, lockfiles: []string{"yarn.lock"}, port: 3000,
			check: func(t *testing.T, r Result) {
				if !reflect.DeepEqual(r.Start, []string{"node", "lib/index.js"}) {
					t.Errorf("%+v", r)
				}
			}},
		{name: "pnpm wins over a stray yarn.lock", kind: "node-pnpm", fs: files("package.json", `{}`, "pnpm-lock.yaml", "", "yarn.lock", ""),
			manifests: []string{"package.json"}, lockfiles: []string{"pnpm-lock.yaml"}, port: 3000},
		{name: "invalid package.json", kind: "node-npm", fs: files("package.json", `{"name": `),
			manifests: []string{"package.json"}, port: 3000,
			check: func(t *testing.T, r Result) {
				if !strings.Contains(evidence(r), "not valid JSON") {
					t.Errorf("evidence: %s", evidence(r))
				}
			}},
		{name: "vite site", kind: "static", fs: files("package.json", `{"scripts":{"dev":"vite","build":"vite build"},"devDependencies":{"vite":"5"}}`, "package-lock.json", "", "index.html", ""),
			manifests: []string{"package.json"}, lockfiles: []string{"package-lock.json"}, port: 8080,
			check: func(t *testing.T, r Result) {
				if r.Manager != Npm || r.BuildDir != "dist" || r.Framework != "vite" || r.SiteDir != "" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "react-scripts site", kind: "static", fs: files("package.json", `{"scripts":{"start":"react-scripts start","build":"react-scripts build"},"dependencies":{"react-scripts":"5"}}`, "yarn.lock", ""),
			manifests: []string{"package.json"}, lockfiles: []string{"yarn.lock"}, port: 8080,
			check: func(t *testing.T, r Result) {
				if r.Manager != Yarn || r.BuildDir != "build" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "next is a server", kind: "node-npm", fs: files("package.json", `{"scripts":{"build":"next build","start":"next start"},"dependencies":{"next":"14"}}`),
			manifests: []string{"package.json"}, port: 3000},
		{name: "plain static site", kind: "static", fs: files("index.html", "<html>", "nginx.conf", "", "site.conf", ""), port: 8080,
			check: func(t *testing.T, r Result) {
				if r.SiteDir != "." || r.NginxConf != "nginx.conf" || r.NginxSiteConf != "" || r.Manager != NoManager {
					t.Errorf("%+v", r)
				}
			}},
		{name: "public static site with its own server config", kind: "static", fs: files("public/index.html", "", "nginx/default.conf", "server {\n  listen 0.0.0.0:9000;\n  location /ping {}\n}\n"), port: 9000,
			check: func(t *testing.T, r Result) {
				if r.SiteDir != "public" || r.HealthPath != "/ping" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "go root main", kind: "go", fs: files("go.mod", "module github.com/a/b/v3\n", "go.sum", "", "main.go", "package main\n// http.ListenAndServe(\":7070\", nil)\n"),
			manifests: []string{"go.mod"}, lockfiles: []string{"go.sum"}, port: 7070,
			check: func(t *testing.T, r Result) {
				if r.Module != "github.com/a/b/v3" || r.Binary != "b" || r.MainPackage != "." {
					t.Errorf("%+v", r)
				}
			}},
		{name: "go cmd dirs", kind: "go", fs: files("go.mod", "module example.com/tool\n", "cmd/a/main.go", "package main", "cmd/tool/main.go", "package main", "lib.go", "package tool"),
			manifests: []string{"go.mod"}, port: 8080,
			check: func(t *testing.T, r Result) {
				if r.MainPackage != "./cmd/tool" || r.Binary != "tool" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "maven", kind: "java-maven", fs: files("pom.xml", "<project><parent><artifactId>p</artifactId></parent><artifactId>svc</artifactId></project>", "mvnw", "", ".mvn/wrapper/x", ""),
			manifests: []string{"pom.xml"}, port: 8080,
			check: func(t *testing.T, r Result) {
				if r.Binary != "svc" || !r.Wrapper {
					t.Errorf("%+v", r)
				}
			}},
		{name: "gradle groovy", kind: "java-gradle", fs: files("build.gradle", "plugins { id 'org.springframework.boot' version '3' }", "settings.gradle", "rootProject.name = 'r'"),
			manifests: []string{"build.gradle", "settings.gradle"}, port: 8080,
			check: func(t *testing.T, r Result) {
				if r.Framework != "spring-boot" || r.Name != "r" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "rails", kind: "ruby", fs: files("Gemfile", "gem \"rails\"\n", "Gemfile.lock", ""),
			manifests: []string{"Gemfile"}, lockfiles: []string{"Gemfile.lock"}, port: 3000},
		{name: "laravel", kind: "php", fs: files("composer.json", `{"require":{"laravel/framework":"^11"}}`, "artisan", "", "public/index.php", ""),
			manifests: []string{"composer.json"}, port: 8080,
			check: func(t *testing.T, r Result) {
				if r.Framework != "laravel" || r.Entry != "public" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "rust bin", kind: "rust", fs: files("Cargo.toml", "[package]\nname = \"p\"\n[[bin]]\nname = \"srv\"\npath = \"src/main.rs\"\n[dependencies]\nactix-web = \"4\"\n", "src/main.rs", `HttpServer::new(f).bind(("0.0.0.0", 8088))`),
			manifests: []string{"Cargo.toml"}, port: 8080,
			check: func(t *testing.T, r Result) {
				if r.Binary != "srv" || r.Framework != "actix-web" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "dotnet", kind: "dotnet", fs: files("Api/Api.csproj", `<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><AssemblyName>Shop Api</AssemblyName></PropertyGroup></Project>`, "Api.Tests/Api.Tests.csproj", ""),
			manifests: []string{"Api.Tests/Api.Tests.csproj", "Api/Api.csproj"}, port: 8080,
			check: func(t *testing.T, r Result) {
				if r.MainPackage != "Api/Api.csproj" || r.Binary != "Shop-Api" || r.Framework != "aspnetcore" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "django app with a frontend package.json", kind: "python-pip",
			fs:        files("requirements.txt", "django\n", "package.json", `{"scripts":{"build":"webpack"}}`, "index.html", ""),
			manifests: []string{"requirements.txt"}, port: 8000, others: []string{"static"}},
		{name: "go service with a node tool", kind: "go", fs: files("go.mod", "module m\n", "package.json", `{"scripts":{"start":"node x.js"}}`),
			manifests: []string{"go.mod"}, port: 8080, others: []string{"node-npm"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs, err := Detect(c.fs)
			if err != nil {
				t.Fatal(err)
			}
			r := rs[0]
			if r.Kind.Name != c.kind {
				t.Fatalf("kind %s, want %s (%s)", r.Kind.Name, c.kind, evidence(r))
			}
			if c.manifests != nil && !reflect.DeepEqual(r.Manifests, c.manifests) {
				t.Errorf("manifests %q, want %q", r.Manifests, c.manifests)
			}
			if !reflect.DeepEqual(r.Lockfiles, c.lockfiles) {
				t.Errorf("lockfiles %q, want %q", r.Lockfiles, c.lockfiles)
			}
			if r.Port != c.port {
				t.Errorf("port %d, want %d (%s)", r.Port, c.port, evidence(r))
			}
			if len(r.Evidence) == 0 {
				t.Error("no evidence")
			}
			var others []string
			for _, o := range rs[1:] {
				others = append(others, o.Kind.Name)
			}
			if !reflect.DeepEqual(others, c.others) {
				t.Errorf("also found %v, want %v", others, c.others)
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

func evidence(r Result) string {
	var s []string
	for _, e := range r.Evidence {
		s = append(s, e.String())
	}
	return strings.Join(s, "; ")
}

func TestDetectNothing(t *testing.T) {
	if _, err := Detect(files("README.md", "hi", "src/x.c", "")); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestAnalyzeForcedKindWithoutFiles(t *testing.T) {
	for _, k := range Kinds() {
		r, err := Analyze(fstest.MapFS{}, k)
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != k || r.Port == 0 || r.HealthPath == "" {
			t.Errorf("%s: %+v", k.Name, r)
		}
		if k.Ecosystem != Static && len(r.Manifests) == 0 {
			t.Errorf("%s: no manifest names to copy", k.Name)
		}
	}
}

func TestDetectExamples(t *testing.T) {
	for dir, kind := range map[string]string{"python-flask": "python-pip", "node-express": "node-npm", "go-service": "go", "static-site": "static"} {
		rs, err := Detect(os.DirFS("../../examples/" + dir))
		if err != nil {
			t.Fatal(err)
		}
		if rs[0].Kind.Name != kind || len(rs) != 1 {
			t.Errorf("%s: %s (%d results), want %s", dir, rs[0].Kind.Name, len(rs), kind)
		}
	}
}

func TestSimpleWords(t *testing.T) {
	for in, want := range map[string][]string{
		"node src/server.js":       {"node", "src/server.js"},
		"  node   --watch  a.js  ": {"node", "--watch", "a.js"},
		"NODE_ENV=x node a.js":     nil,
		"node a.js && echo":        nil,
		`node "a b.js"`:            nil,
		"node $FILE":               nil,
		"":                         nil,
	} {
		got, ok := simpleWords(in)
		if ok != (want != nil) || (ok && !reflect.DeepEqual(got, want)) {
			t.Errorf("simpleWords(%q) = %q, %v", in, got, ok)
		}
	}
}

// FuzzDetectManifests: whatever package.json, pyproject.toml or
// requirements.txt hold, Detect does not fail or panic, recognises the
// ecosystem, and returns names that are safe to write into a spec.
func FuzzDetectManifests(f *testing.F) {
	f.Add(`{"name":"a","main":"x.js","scripts":{"start":"node x.js","build":"vite build"},"dependencies":{"express":"4"}}`, "[tool.poetry]\nname = \"x\"\n", "flask\n")
	f.Add(`{"scripts":{"start":5,"dev":["x"]},"main":{"a":1},"dependencies":[]}`, "[project]\ndependencies = [\"a\", 'b'", "-r other.txt\n")
	f.Add(`[]`, `[tool.poetry.dependencies]`, "")
	f.Add(`{"main":"../../etc/passwd","scripts":{"start":"node ../x.js\u0000"}}`, "", "Django==5 ; python_version < '4'")
	f.Fuzz(func(t *testing.T, pkg, pyproject, reqs string) {
		for _, fsys := range []fstest.MapFS{
			files("package.json", pkg),
			files("package.json", pkg, "index.html", ""),
			files("pyproject.toml", pyproject),
			files("pyproject.toml", pyproject, "requirements.txt", reqs, "app.py", reqs),
		} {
			rs, err := Detect(fsys)
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			r := rs[0]
			if fsys["package.json"] != nil && r.Ecosystem != Node && r.Ecosystem != Static {
				t.Fatalf("package.json detected as %s", r.Kind.Name)
			}
			if fsys["pyproject.toml"] != nil && r.Ecosystem != Python {
				t.Fatalf("pyproject.toml detected as %s", r.Kind.Name)
			}
			if r.Port < 1 || r.Port > 65535 {
				t.Fatalf("port %d", r.Port)
			}
			if r.Binary != "" && r.Binary != safeName(r.Binary) {
				t.Fatalf("binary %q", r.Binary)
			}
		}
	})
}

// TestMarkersAgree checks that Detect and FoundSet.AddContext read the one
// Markers table: a Pipfile is pipenv's, *.fsproj and *.sln are .NET's.
func TestMarkersAgree(t *testing.T) {
	for _, c := range []struct {
		fs         fstest.MapFS
		kind, tool string
	}{
		{files("Pipfile", "[packages]\nflask = \"*\"\n"), "python-pip", "pipenv"},
		{files("App.fsproj", "<Project></Project>"), "dotnet", "dotnet"},
		{files("Shop.sln", "", "src/Api/Api.csproj", "<Project></Project>"), "dotnet", "dotnet"},
	} {
		res, err := Detect(c.fs)
		if err != nil || res[0].Kind.Name != c.kind {
			t.Errorf("Detect(%v) = %v, %v, want %s", c.fs, res, err, c.kind)
		}
		var s FoundSet
		s.AddContext(ScanContext(c.fs))
		if l := s.List(); len(l) != 1 || l[0].Name != string(res[0].Ecosystem) || l[0].Tool != c.tool {
			t.Errorf("AddContext(%v) = %+v, want %s/%s", c.fs, l, res[0].Ecosystem, c.tool)
		}
	}
	// The python-pip preset notes that it serves a pipenv project through
	// an exported requirements.txt.
	if res, _ := Detect(files("App.fsproj", "")); res[0].Binary != "App" {
		t.Errorf("App.fsproj: binary %q, want App", res[0].Binary)
	}
	res, _ := Detect(files("Pipfile", ""))
	if !strings.Contains(res[0].Evidence[0].String(), "pipenv") {
		t.Errorf("Pipfile evidence = %v", res[0].Evidence)
	}
}
