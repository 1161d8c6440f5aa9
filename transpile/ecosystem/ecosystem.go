// Package ecosystem is dockstage's one home for ecosystem knowledge: from
// the files of a project directory it tells which language ecosystem and
// package manager the project uses, which dependency manifests and
// lockfiles it has, and what it can guess of its entry point, port and
// health endpoint, with the evidence for each decision (Detect); from a
// shell command it tells what the command does in a build: install, test,
// tool setup (Classify, and the predicates lint uses). Markers is the one
// table of marker files both read; Scan is the one directory scan, with
// the one skip list SkipDirs; ScanContext reads a build context through
// its .dockerignore with github.com/moby/patternmatcher.
//
// It is layer 3: it imports only transpile/shell (and spec, spec/syntax)
// of dockstage. It reads only through an fs.FS (os.DirFS in the command,
// fstest.MapFS in tests), never prints and never runs anything;
// `dockstage init` feeds its Result to a preset template (package
// templates/presets), migrate classifies RUN commands with it.
package ecosystem

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Ecosystem is a language ecosystem.
type Ecosystem string

// The ecosystems Detect recognises.
const (
	Python Ecosystem = "python"
	Node   Ecosystem = "node"
	Go     Ecosystem = "go"
	Java   Ecosystem = "java"
	Ruby   Ecosystem = "ruby"
	PHP    Ecosystem = "php"
	Rust   Ecosystem = "rust"
	DotNet Ecosystem = "dotnet"
	Static Ecosystem = "static"
)

// Manager is a package manager (or build tool) of an ecosystem.
type Manager string

// The package managers Detect recognises.
const (
	Pip      Manager = "pip"
	Poetry   Manager = "poetry"
	Npm      Manager = "npm"
	Yarn     Manager = "yarn"
	Pnpm     Manager = "pnpm"
	GoMod    Manager = "go"
	Maven    Manager = "maven"
	Gradle   Manager = "gradle"
	Bundler  Manager = "bundler"
	Composer Manager = "composer"
	Cargo    Manager = "cargo"
	NuGet    Manager = "nuget"
	// NoManager is a static site without a package manifest.
	NoManager Manager = "none"
)

// Kind is one ecosystem and package manager pair; its Name is the name of
// the `dockstage init` preset for it.
type Kind struct {
	Name      string
	Ecosystem Ecosystem
	Manager   Manager
	// Summary says in one line what the kind is recognised by.
	Summary string
}

// kinds lists every kind in detection order: when a directory holds the
// marker files of several ecosystems (a Django app with a package.json for
// its assets), the first one here wins and the others are reported.
var kinds = []Kind{
	{"go", Go, GoMod, "go.mod"},
	{"rust", Rust, Cargo, "Cargo.toml"},
	{"java-maven", Java, Maven, "pom.xml"},
	{"java-gradle", Java, Gradle, "build.gradle or build.gradle.kts"},
	{"dotnet", DotNet, NuGet, "*.csproj, *.fsproj or *.sln"},
	{"python-poetry", Python, Poetry, "pyproject.toml with [tool.poetry], or poetry.lock"},
	{"python-pip", Python, Pip, "requirements*.txt, or pyproject.toml/setup.py without poetry"},
	{"ruby", Ruby, Bundler, "Gemfile"},
	{"php", PHP, Composer, "composer.json"},
	{"node-pnpm", Node, Pnpm, "package.json with pnpm-lock.yaml"},
	{"node-yarn", Node, Yarn, "package.json with yarn.lock"},
	{"node-npm", Node, Npm, "package.json (package-lock.json or no lockfile)"},
	{"static", Static, NoManager, "index.html without a manifest, or a package.json that only builds a site"},
}

// Kinds returns every kind Detect can return, in detection order.
func Kinds() []Kind { return append([]Kind(nil), kinds...) }

// KindByName returns the kind with the given preset name.
func KindByName(name string) (Kind, bool) {
	for _, k := range kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// Evidence is one fact that took part in a decision: the file it was read
// from (empty for a default) and what it said.
type Evidence struct {
	File string
	Fact string
}

func (e Evidence) String() string {
	if e.File == "" {
		return e.Fact
	}
	return e.File + ": " + e.Fact
}

// Result is what is known of a project directory for one kind.
type Result struct {
	Kind
	// Manifests are the dependency manifests present, in the order a
	// Dockerfile copies them before the install (package.json, go.mod,
	// requirements.txt, *.csproj paths, ...). When a kind is forced without
	// its files (Analyze), they hold the usual names.
	Manifests []string
	// Lockfiles are the lockfiles present (package-lock.json, go.sum, ...).
	Lockfiles []string
	// DevManifests are the development/test dependency manifests
	// (requirements-dev.txt and its spellings).
	DevManifests []string
	// Name is the project's name as its manifest gives it (package.json
	// name, the last element of the Go module path, Cargo package name,
	// artifactId, ...); empty when unknown.
	Name string
	// Module is the Go module path.
	Module string
	// Binary is the artifact's file name: a Go or Rust binary, a .NET
	// assembly without ".dll", a Java artifactId.
	Binary string
	// MainPackage is the Go main package ("." or "./cmd/NAME"), or the
	// .NET project file to publish.
	MainPackage string
	// Framework is the web framework found in the dependencies (flask,
	// django, fastapi, express, rails, sinatra, laravel, spring-boot,
	// aspnetcore, vite, react-scripts, ...), or empty.
	Framework string
	// Entry is the entry file or module: app.py, src/server.js, a Django
	// project's wsgi module, a PHP document root.
	Entry string
	// App is a Python application object as "module:object" (app:app).
	App string
	// Deps are the dependency names found in the manifests (lower case,
	// runtime and development), sorted.
	Deps []string
	// Scripts are package.json's scripts.
	Scripts map[string]string
	// Start is the exec-form command that starts the service in
	// production, when the manifest or the files tell it (package.json
	// start or main, a node entry file).
	Start []string
	// Dev is the exec-form command for a development server with reload,
	// when known.
	Dev []string
	// BuildDir is where a static site's build writes its output (dist,
	// build), empty for a site served as it is; for a Node.js service, where
	// its package.json build script writes (tsconfig.json's outDir, the
	// start script's directory), empty when it has no build script.
	BuildDir string
	// YarnBerry is set for yarn 2 or later (a .yarnrc.yml, or packageManager
	// yarn@2+), which corepack runs; YarnFocus when that yarn has
	// `workspaces focus` for a production-only install (yarn 4+, or the
	// workspace-tools plugin named in .yarnrc.yml).
	YarnBerry, YarnFocus bool
	// YarnPnP is set for yarn berry whose .yarnrc.yml does not choose the
	// node-modules linker: Plug'n'Play, which plain `node FILE` cannot load
	// dependencies from.
	YarnPnP bool
	// SiteDir is the directory of a static site served as it is ("." or
	// "public").
	SiteDir string
	// NginxConf and NginxSiteConf are a project's own nginx.conf and
	// server (conf.d/default.conf) files, when it has them.
	NginxConf, NginxSiteConf string
	// Wrapper is true when the project carries its build tool wrapper
	// (mvnw, gradlew).
	Wrapper bool
	// Port is the TCP port the service listens on: read from the source,
	// else the framework's or the kind's default (see Evidence).
	Port int
	// HealthPath is an HTTP path that answers when the service is up
	// (/healthz when the source names it), "/" when unknown.
	HealthPath string
	// RuntimeVersion is the language version the project's version files
	// pin (.python-version, .nvmrc, engines.node, go.mod, rust-toolchain,
	// global.json), or empty; Version gives the default instead.
	RuntimeVersion string
	// RuntimeTarget is the .NET runtime the main project's TargetFramework
	// names (net8.0 -> 8.0), which its runtime image follows (the SDK,
	// RuntimeVersion, may be newer); empty when not read.
	RuntimeTarget string
	// Evidence lists, in order, the facts the decisions rest on.
	Evidence []Evidence
}

// HasDep reports whether the manifests list the dependency name (compared
// in lower case).
func (r Result) HasDep(name string) bool {
	name = strings.ToLower(name)
	i := sort.SearchStrings(r.Deps, name)
	return i < len(r.Deps) && r.Deps[i] == name
}

// HasScript reports whether package.json defines the script.
func (r Result) HasScript(name string) bool {
	_, ok := r.Scripts[name]
	return ok
}

// CopyFiles are the manifests and lockfiles, in copy order.
func (r Result) CopyFiles() []string {
	return append(append([]string{}, r.Manifests...), r.Lockfiles...)
}

func (r *Result) note(file, format string, args ...any) {
	r.Evidence = append(r.Evidence, Evidence{File: file, Fact: fmt.Sprintf(format, args...)})
}

// ErrNotFound is returned by Detect when no ecosystem's marker files are in
// the directory.
var ErrNotFound = errors.New("no known dependency manifest or index.html")

// Detect inspects the project directory fsys (its root and a few usual
// subdirectories) and returns every kind whose marker files it holds, best
// first (see Kinds for the order). It returns ErrNotFound when nothing is
// recognised, and other errors only for unreadable directories. Malformed
// manifests are not errors: what can be read is used and the rest noted in
// the Evidence.
func Detect(fsys fs.FS) ([]Result, error) {
	p, err := newProject(fsys)
	if err != nil {
		return nil, err
	}
	var out []Result
	seen := map[Ecosystem]bool{}
	for _, k := range kinds {
		if seen[k.Ecosystem] || !p.matches(k) {
			continue
		}
		r := p.analyze(k, false)
		if r.Kind.Name != k.Name {
			// A package.json that only builds a site is a static site.
			k = r.Kind
		}
		if seen[k.Ecosystem] {
			continue
		}
		seen[k.Ecosystem] = true
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}

// Analyze returns what can be told of fsys as the given kind, whether or
// not its marker files are there (a forced preset): missing manifests are
// given their usual names, and defaults are noted in the Evidence.
func Analyze(fsys fs.FS, k Kind) (Result, error) {
	p, err := newProject(fsys)
	if err != nil {
		return Result{}, err
	}
	return p.analyze(k, true), nil
}

// project holds what has been read of a directory.
type project struct {
	fsys  fs.FS
	root  map[string]bool // names of the root's regular files
	dirs  map[string]bool // names of the root's directories
	cache map[string][]byte
}

// maxRead is the most of any file read.
const maxRead = 1 << 20

func newProject(fsys fs.FS) (*project, error) {
	p := &project{fsys: fsys, root: map[string]bool{}, dirs: map[string]bool{}, cache: map[string][]byte{}}
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if e.IsDir() {
			p.dirs[e.Name()] = true
		} else {
			p.root[e.Name()] = true
		}
	}
	return p, nil
}

// has reports whether the file exists (root files from the listing, others
// by Stat).
func (p *project) has(name string) bool {
	if !strings.Contains(name, "/") {
		return p.root[name]
	}
	fi, err := fs.Stat(p.fsys, name)
	return err == nil && !fi.IsDir()
}

func (p *project) isDir(name string) bool {
	if !strings.Contains(name, "/") {
		return p.dirs[name]
	}
	fi, err := fs.Stat(p.fsys, name)
	return err == nil && fi.IsDir()
}

// read returns the first maxRead bytes of a file, or nil.
func (p *project) read(name string) []byte {
	if b, ok := p.cache[name]; ok {
		return b
	}
	var b []byte
	if f, err := p.fsys.Open(name); err == nil {
		b, _ = io.ReadAll(io.LimitReader(f, maxRead))
		f.Close()
	}
	p.cache[name] = b
	return b
}

// glob lists root files matching pattern, sorted.
func (p *project) glob(pattern string) []string {
	var out []string
	for name := range p.root {
		if ok, _ := path.Match(pattern, name); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// walk lists files under dir (at most depth levels below it, at most limit
// files), skipping dependency, output and hidden directories, sorted.
func (p *project) walk(dir string, depth, limit int, keep func(string) bool) []string {
	var out []string
	_ = Scan(p.fsys, dir, ScanOptions{MaxDepth: depth, SkipHidden: true}, func(name string, d fs.DirEntry) error {
		if !d.IsDir() && keep(name) {
			out = append(out, name)
			if len(out) >= limit {
				return fs.SkipAll
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// matches reports whether the project holds the marker files of kind k
// (Markers, at the root). The python-pip preset also serves projects with
// only a setup.py or *requirements*.txt files, and pipenv projects (no
// preset of their own: it notes how to export a requirements.txt); .NET
// project files count down to three levels.
func (p *project) matches(k Kind) bool {
	switch k.Name {
	case "go", "rust", "ruby", "php":
		return p.marked(k.Ecosystem)
	case "java-maven":
		return p.marked(Java, "maven")
	case "java-gradle":
		return p.marked(Java, "gradle")
	case "dotnet":
		return p.marked(DotNet) || len(p.projects()) > 0
	case "python-poetry":
		return p.marked(Python, "poetry") || (p.has("pyproject.toml") && strings.Contains(string(p.read("pyproject.toml")), "[tool.poetry"))
	case "python-pip":
		return len(p.requirements()) > 0 || p.marked(Python, "pip", "", "pipenv") || p.has("setup.py")
	case "node-pnpm":
		return p.has("package.json") && p.marked(Node, "pnpm")
	case "node-yarn":
		return p.has("package.json") && p.marked(Node, "yarn")
	case "node-npm":
		return p.has("package.json")
	case "static":
		return p.has("index.html") || p.has("public/index.html")
	}
	return false
}

// marked reports whether a root file is a marker of eco with one of tools
// (any tool when none is given).
func (p *project) marked(eco Ecosystem, tools ...string) bool {
	for name := range p.root {
		if marked(name, eco, tools...) {
			return true
		}
	}
	return false
}

// analyzers read a project of each ecosystem (forced: the ecosystem was
// asked for, not detected).
var analyzers = map[Ecosystem]func(p *project, r *Result, forced bool){
	Python: (*project).python, Node: (*project).node, Go: (*project).golang,
	Java: (*project).java, Ruby: (*project).ruby, PHP: (*project).php,
	Rust: (*project).rust, DotNet: (*project).dotnet, Static: (*project).static,
}

func (p *project) analyze(k Kind, forced bool) Result {
	r := Result{Kind: k, HealthPath: "/"}
	if analyze := analyzers[k.Ecosystem]; analyze != nil {
		analyze(p, &r, forced)
	}
	p.versionFromFiles(&r)
	p.makefile(&r)
	sort.Strings(r.Deps)
	r.Deps = uniq(r.Deps)
	if r.Binary != "" {
		r.Binary = safeName(r.Binary)
	}
	return r
}

var unsafeNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._-]+`) })

// safeName makes s a file name that needs no quoting in a shell, a YAML
// flow sequence or a Dockerfile: letters, digits, '.', '_' and '-'.
func safeName(s string) string {
	s = strings.Trim(unsafeNameRE().ReplaceAllString(s, "-"), ".-")
	if s == "" {
		return "app"
	}
	return s
}

// manifest adds name to r.Manifests when present; when missing and must
// is set, it adds it anyway and notes that the file is expected.
func (p *project) manifest(r *Result, name, fact string, must bool) bool {
	if p.has(name) {
		r.Manifests = append(r.Manifests, name)
		r.note(name, "%s", fact)
		return true
	}
	if must {
		r.Manifests = append(r.Manifests, name)
		r.note("", "%s is missing; the preset expects it (%s)", name, fact)
	}
	return false
}

func (p *project) lockfile(r *Result, name, fact string) bool {
	if p.has(name) {
		r.Lockfiles = append(r.Lockfiles, name)
		r.note(name, "%s", fact)
		return true
	}
	return false
}

// setPort sets r.Port from the first source file that names a port, else
// from def (the framework's or kind's default).
func (p *project) setPort(r *Result, files []string, res []*regexp.Regexp, def int, defWhy string) {
	p.setPortFrom(r, def, defWhy, portSearch{files, res})
}

// portSearch is a set of files and the patterns that find a port in them.
type portSearch struct {
	files []string
	res   []*regexp.Regexp
}

// setPortFrom sets r.Port from the first file of the searches, in order,
// where one of its patterns finds a port, else to def.
func (p *project) setPortFrom(r *Result, def int, defWhy string, searches ...portSearch) {
	for _, s := range searches {
		for _, f := range s.files {
			b := p.read(f)
			for _, re := range s.res {
				if loc := re.FindSubmatchIndex(b); loc != nil {
					if n, err := strconv.Atoi(string(b[loc[2]:loc[3]])); err == nil && n > 0 && n < 65536 {
						r.Port = n
						line, text := lineAt(b, loc[0])
						r.note(fmt.Sprintf("%s:%d", f, line), "port %d (%s)", n, text)
						return
					}
				}
			}
		}
	}
	r.Port = def
	what := "the source"
	for _, s := range searches {
		if len(s.res) > 0 && len(s.files) > 0 && &s.res[0] == &configPortRE()[0] {
			what += " or " + strings.Join(s.files, ", ")
		}
	}
	r.note("", "port %d: %s (no port found in %s; --port changes it)", def, defWhy, what)
}

// configPortRE finds a port setting in a configuration file: TOML, YAML,
// INI or an env file (port = "9090", port: 9090, PORT=9090, http_port ...).
var configPortRE = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{regexp.MustCompile(`(?im)^\s*(?:export\s+)?(?:(?:http|listen|server|app)[_.-]?)?port\s*[:=]\s*["']?(\d{2,5})["']?\s*(?:#.*)?$`)}
})

// configFileNames are the configuration files, at the root or in config/,
// a port setting is read from when the source names none.
var configFileNames = []string{"config.toml", "config.yaml", "config.yml", "config.ini", "settings.toml", "settings.yaml", "settings.yml", "app.toml", "app.yaml", "app.yml", ".env.example", ".env.sample"}

// configFiles lists the configuration files the project has, root first.
func (p *project) configFiles() []string {
	var out []string
	for _, dir := range []string{".", "config"} {
		for _, n := range configFileNames {
			if f := path.Join(dir, n); p.has(f) {
				out = append(out, f)
			}
		}
	}
	return out
}

var healthRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`["'` + "`" + `](?:(?:GET|HEAD)\s+)?(/(?:healthz|health|_health|healthcheck|ping|livez|readyz))["'` + "`" + `]`)
})

// lineAt returns the 1-based line number of offset off in b and the line's
// text, trimmed and cut to 80 bytes.
func lineAt(b []byte, off int) (int, string) {
	start := bytes.LastIndexByte(b[:off], '\n') + 1
	end := bytes.IndexByte(b[off:], '\n')
	if end < 0 {
		end = len(b)
	} else {
		end += off
	}
	text := strings.TrimSpace(string(b[start:end]))
	if len(text) > 80 {
		text = text[:77] + "..."
	}
	return bytes.Count(b[:off], []byte("\n")) + 1, strings.ToValidUTF8(text, "?")
}

// setHealth sets r.HealthPath when a source file names a health endpoint.
func (p *project) setHealth(r *Result, files []string) {
	for _, f := range files {
		b := p.read(f)
		if loc := healthRE().FindSubmatchIndex(b); loc != nil {
			r.HealthPath = string(b[loc[2]:loc[3]])
			line, _ := lineAt(b, loc[0])
			r.note(fmt.Sprintf("%s:%d", f, line), "health endpoint %s", r.HealthPath)
			return
		}
	}
}

// simpleWords splits a shell command line into words when it is a plain
// command (no quoting, variables, operators or redirections); ok is false
// otherwise.
func simpleWords(s string) ([]string, bool) {
	if strings.ContainsAny(s, "\"'`$&|;<>()\\*?~{}#") || !printable(strings.ReplaceAll(s, "\t", " ")) {
		return nil, false
	}
	w := strings.Fields(s)
	if len(w) == 0 || strings.Contains(w[0], "=") {
		return nil, false
	}
	return w, true
}

// printable reports whether s is valid UTF-8 text without control
// characters (so it can go into a spec and a Dockerfile as it is).
func printable(s string) bool {
	for _, r := range s {
		if r != ' ' && (!unicode.IsPrint(r) || r == utf8.RuneError) {
			return false
		}
	}
	return true
}

func uniq(ss []string) []string {
	out := ss[:0]
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func firstExisting(p *project, names ...string) string {
	for _, n := range names {
		if p.has(n) {
			return n
		}
	}
	return ""
}
