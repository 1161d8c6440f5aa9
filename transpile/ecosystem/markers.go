package ecosystem

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Marker is a project file that shows an ecosystem, and its tool when the
// file tells it.
type Marker struct {
	// Pattern is a path.Match pattern of a file name.
	Pattern   string
	Ecosystem Ecosystem
	// Tool is the package manager or build tool the file shows, "" when
	// it shows none (a pyproject.toml serves pip and poetry).
	Tool string
}

// Markers is the one table of the files that show an ecosystem: Detect
// matches kinds with it, and FoundSet.AddContext reports a build context's
// ecosystems from it. A Pipfile is pipenv's; *.csproj, *.fsproj and *.sln
// are .NET's.
var Markers = []Marker{
	{"requirements*.txt", Python, "pip"},
	{"poetry.lock", Python, "poetry"},
	{"uv.lock", Python, "uv"},
	{"pyproject.toml", Python, ""},
	{"Pipfile", Python, "pipenv"},
	{"package-lock.json", Node, "npm"},
	{"yarn.lock", Node, "yarn"},
	{"pnpm-lock.yaml", Node, "pnpm"},
	{"pnpm-workspace.yaml", Node, "pnpm"},
	{"bun.lockb", Node, "bun"},
	{"bun.lock", Node, "bun"},
	{"package.json", Node, ""},
	{"go.mod", Go, "go"},
	{"pom.xml", Java, "maven"},
	{"build.gradle", Java, "gradle"},
	{"build.gradle.kts", Java, "gradle"},
	{"Gemfile", Ruby, "bundler"},
	{"composer.json", PHP, "composer"},
	{"Cargo.toml", Rust, "cargo"},
	{"*.csproj", DotNet, "dotnet"},
	{"*.fsproj", DotNet, "dotnet"},
	{"*.sln", DotNet, "dotnet"},
}

// marked reports whether name is a marker of eco with one of tools (any
// tool when none is given).
func marked(name string, eco Ecosystem, tools ...string) bool {
	for _, mk := range Markers {
		if mk.Ecosystem != eco || len(tools) > 0 && !HasWord(tools, mk.Tool) {
			continue
		}
		if ok, _ := path.Match(mk.Pattern, name); ok {
			return true
		}
	}
	return false
}

// imageMarkers map a base image name to an ecosystem.
var imageMarkers = sync.OnceValue(func() []struct {
	re   *regexp.Regexp
	eco  Ecosystem
	tool string
} {
	return []struct {
		re   *regexp.Regexp
		eco  Ecosystem
		tool string
	}{
		{regexp.MustCompile(`(^|/)python:`), Python, ""},
		{regexp.MustCompile(`(^|/)node:`), Node, ""},
		{regexp.MustCompile(`(^|/)oven/bun:`), Node, "bun"},
		{regexp.MustCompile(`(^|/)astral-sh/uv:|(^|/)uv:`), Python, "uv"},
		{regexp.MustCompile(`(^|/)golang:`), Go, "go"},
		{regexp.MustCompile(`(^|/)maven:`), Java, "maven"},
		{regexp.MustCompile(`(^|/)gradle:`), Java, "gradle"},
		{regexp.MustCompile(`(^|/)(eclipse-temurin|openjdk|amazoncorretto):`), Java, ""},
		{regexp.MustCompile(`(^|/)ruby:`), Ruby, "bundler"},
		{regexp.MustCompile(`(^|/)php:`), PHP, ""},
		{regexp.MustCompile(`(^|/)rust:`), Rust, "cargo"},
		{regexp.MustCompile(`(^|/)dotnet/(sdk|aspnet|runtime)`), DotNet, "dotnet"},
		{regexp.MustCompile(`(^|/)(nginx|httpd|caddy):`), Static, ""},
	}
})

// Found is an ecosystem found in a Dockerfile or a build context, with
// what shows it.
type Found struct {
	// Name: python, node, go, java, ruby, php, rust, dotnet or static.
	Name string `json:"name"`
	// Tool is the package manager or build tool: pip, poetry, npm, yarn, ...
	Tool string `json:"tool,omitempty"`
	// Evidence: "Dockerfile:12: npm ci", "context: package-lock.json".
	Evidence []string `json:"evidence"`
}

// FoundSet collects the ecosystems found, in the order first seen.
type FoundSet struct {
	list []*Found
}

// Add notes evidence for eco and tool ("" when unknown).
func (s *FoundSet) Add(eco Ecosystem, tool, evidence string) {
	for _, e := range s.list {
		if e.Name == string(eco) {
			if e.Tool == "" && tool != "" {
				e.Tool = tool
			}
			if !HasWord(e.Evidence, evidence) {
				e.Evidence = append(e.Evidence, evidence)
			}
			return
		}
	}
	s.list = append(s.list, &Found{Name: string(eco), Tool: tool, Evidence: []string{evidence}})
}

// Len is the number of ecosystems found.
func (s *FoundSet) Len() int { return len(s.list) }

// AddImage notes the ecosystem a base image shows; at is the evidence's
// place ("Dockerfile:3").
func (s *FoundSet) AddImage(image, at, from string) {
	for _, mk := range imageMarkers() {
		if mk.re.MatchString(image) {
			s.Add(mk.eco, mk.tool, fmt.Sprintf("%s: FROM %s", at, from))
		}
	}
}

// AddContext notes the ecosystems the top-level files of a known build
// context show (Markers; a pyproject.toml with [tool.poetry] is poetry's).
// When none shows one, marker files of the glob patterns (*.csproj) deeper
// down count.
func (s *FoundSet) AddContext(ctx *BuildContext) {
	if !ctx.Known() {
		return
	}
	for _, mk := range Markers {
		for _, f := range ctx.Matching(mk.Pattern, true) {
			tool := mk.Tool
			if f == "pyproject.toml" {
				if text, ok := ctx.Read(f); ok && strings.Contains(text, "[tool.poetry") {
					tool = "poetry"
				}
			}
			s.Add(mk.Ecosystem, tool, "context: "+f)
		}
	}
	if s.Len() == 0 {
		for _, f := range ctx.Files() {
			for _, mk := range Markers {
				if ok, _ := path.Match(mk.Pattern, path.Base(f)); ok && strings.Contains(mk.Pattern, "*.") {
					s.Add(mk.Ecosystem, mk.Tool, "context: "+f)
				}
			}
		}
	}
}

// List returns the ecosystems found, each one's evidence in order:
// Dockerfile lines by number, then context files.
func (s *FoundSet) List() []Found {
	out := make([]Found, len(s.list))
	for i, e := range s.list {
		out[i] = *e
		ev := out[i].Evidence
		sort.SliceStable(ev, func(a, b int) bool { return evidenceKey(ev[a]) < evidenceKey(ev[b]) })
	}
	return out
}

// evidenceKey orders evidence: Dockerfile lines by number, then context files.
func evidenceKey(e string) string {
	if i := strings.Index(e, ":"); i >= 0 && !strings.HasPrefix(e, "context:") {
		rest := e[i+1:]
		if j := strings.Index(rest, ":"); j >= 0 {
			return fmt.Sprintf("0%09s", rest[:j])
		}
	}
	return "1" + e
}

// manifestNames are the dependency manifests (and the build tool files
// an install reads) of the ecosystems Classify knows.
var manifestNames = []string{
	"requirements*.txt", "constraints*.txt", "pyproject.toml", "poetry.lock", "poetry.toml", "Pipfile", "Pipfile.lock",
	"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", ".yarnrc", ".yarnrc.yml", ".npmrc",
	"pnpm-lock.yaml", "pnpm-workspace.yaml", "go.mod", "go.sum", "pom.xml", ".mvn", "mvnw", "build.gradle",
	"build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties", "gradlew", "gradle",
	"Gemfile", "Gemfile.lock", "composer.json", "composer.lock", "auth.json", "Cargo.toml", "Cargo.lock",
	"*.csproj", "*.fsproj", "*.vbproj", "*.sln", "nuget.config", "NuGet.Config", "Directory.Build.props",
	"Directory.Packages.props", "global.json",
}

var exampleManifests = []string{"requirements.txt", "package.json", "package-lock.json", "composer.json", "go.mod", "go.sum", "Gemfile", "Gemfile.lock", "pom.xml"}

// IsManifest reports whether a COPY source names dependency manifests
// only: a manifest's name, or a glob that matches one of the usual ones
// (requirements*.txt, *.json).
func IsManifest(src string) bool {
	b := path.Base(strings.TrimSuffix(src, "/"))
	for _, p := range manifestNames {
		if ok, _ := path.Match(p, b); ok {
			return true
		}
	}
	if strings.ContainsAny(b, "*?[") {
		for _, e := range exampleManifests {
			if ok, _ := path.Match(b, e); ok {
				return true
			}
		}
	}
	return false
}
