package ecosystem

import (
	"strings"
	"testing"
)

// TestVersionFiles: the base image follows the version files, and the
// evidence says which line decided it.
func TestVersionFiles(t *testing.T) {
	csproj := func(tfm string) string {
		return `<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>` + tfm + `</TargetFramework></PropertyGroup></Project>`
	}
	for _, c := range []struct {
		name, version, target, evidence string
		fs                              map[string]string
	}{
		{"go line", "1.21", "", "go.mod: go 1.21: the golang:1.21 image", map[string]string{"go.mod": "module x\n\ngo 1.21\n", "main.go": "package main\n"}},
		{"go patch", "1.23", "", "go.mod: go 1.23.4: the golang:1.23 image", map[string]string{"go.mod": "module x\n\ngo 1.23.4\n", "main.go": "package main\n"}},
		{"go newer than default", "1.27", "", "go 1.27:", map[string]string{"go.mod": "module x\n\ngo 1.27\n", "main.go": "package main\n"}},
		{"toolchain first", "1.23", "", "go.mod: toolchain go1.23.2: the golang:1.23 image", map[string]string{"go.mod": "module x\n\ngo 1.22\n\ntoolchain go1.23.2\n", "main.go": "package main\n"}},
		{"no go line", "", "", "go.mod: no go or toolchain line: the golang:1.26 image", map[string]string{"go.mod": "module x\n", "main.go": "package main\n"}},
		{"dotnet sdk newer", "9.0", "8.0", "global.json: .NET SDK 9.0.100: the sdk:9.0 image builds it; the runtime image stays aspnet:8.0", map[string]string{"global.json": `{"sdk":{"version":"9.0.100"}}`, "Api.csproj": csproj("net8.0")}},
		{"dotnet sdk older", "8.0", "9.0", "cannot build it", map[string]string{"global.json": `{"sdk":{"version":"8.0.400"}}`, "Api.csproj": csproj("net9.0")}},
		{"dotnet no global.json", "9.0", "9.0", "no global.json pins the SDK: the sdk:9.0 image", map[string]string{"Api.csproj": csproj("net9.0")}},
		{"dotnet multi-target", "", "", "target frameworks net8.0;net9.0: the runtime image follows the SDK", map[string]string{"Api.csproj": `<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFrameworks>net8.0;net9.0</TargetFrameworks></PropertyGroup></Project>`}},
		{"dotnet netcoreapp", "3.1", "3.1", "target framework netcoreapp3.1", map[string]string{"Api.csproj": csproj("netcoreapp3.1")}},
		{"ruby exact", "3.3.5", "", "Gemfile: ruby \"3.3.5\": Bundler refuses any other Ruby, so the ruby:3.3.5 image", map[string]string{"Gemfile": "source \"https://rubygems.org\"\nruby \"3.3.5\"\ngem \"puma\"\n", ".ruby-version": "3.2.1\n"}},
		{"ruby requirement", "3.3", "", "Gemfile: ruby \"~> 3.3.0\": the ruby:3.3 image", map[string]string{"Gemfile": "ruby '~> 3.3.0'\ngem 'puma'\n"}},
		{"ruby file", "3.4.1", "", "which the Gemfile's ruby file: requires exactly", map[string]string{"Gemfile": "ruby file: \".ruby-version\"\n", ".ruby-version": "ruby-3.4.1\n"}},
		{"ruby-version only", "3.2", "", ".ruby-version: Ruby 3.2.4: the ruby:3.2 image", map[string]string{"Gemfile": "gem 'puma'\n", ".ruby-version": "3.2.4\n"}},
		{"ruby default", "", "", "Ruby project", map[string]string{"Gemfile": "gem 'puma'\n"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var kv []string
			for k, v := range c.fs {
				kv = append(kv, k, v)
			}
			r, all := detectFirst(t, kv...)
			if r.RuntimeVersion != c.version || r.RuntimeTarget != c.target || !strings.Contains(all, c.evidence) {
				t.Errorf("version %q target %q, want %q %q; evidence:\n%s\nwant a line with %q", r.RuntimeVersion, r.RuntimeTarget, c.version, c.target, all, c.evidence)
			}
		})
	}
}

// detectFirst detects the project of the files (name, content, ...) and
// returns the first result and its evidence, a line each.
func detectFirst(t *testing.T, kv ...string) (Result, string) {
	t.Helper()
	rs, err := Detect(files(kv...))
	if err != nil {
		t.Fatal(err)
	}
	var ev []string
	for _, e := range rs[0].Evidence {
		ev = append(ev, e.String())
	}
	return rs[0], strings.Join(ev, "\n")
}
