package ecosystem

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/transpile/shell"
)

// packageJSON is the part of package.json the detection reads.
type packageJSON struct {
	Name            string            `json:"name"`
	Main            string            `json:"main"`
	PackageManager  string            `json:"packageManager"`
	Scripts         map[string]string `json:"scripts"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
}

// parsePackageJSON reads package.json leniently: fields of the wrong type
// are dropped, not fatal.
func parsePackageJSON(b []byte) (packageJSON, error) {
	var raw map[string]json.RawMessage
	var pkg packageJSON
	if err := json.Unmarshal(b, &raw); err != nil {
		return pkg, err
	}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(raw[k], &s)
		return s
	}
	strMap := func(k string) map[string]string {
		var m map[string]any
		_ = json.Unmarshal(raw[k], &m)
		out := map[string]string{}
		for key, v := range m {
			if s, ok := v.(string); ok {
				out[key] = s
			}
		}
		return out
	}
	pkg.Name, pkg.Main, pkg.PackageManager = str("name"), str("main"), str("packageManager")
	pkg.Scripts, pkg.Dependencies, pkg.DevDependencies = strMap("scripts"), strMap("dependencies"), strMap("devDependencies")
	return pkg, nil
}

// serverDeps are dependencies that make a package.json a server rather
// than a site that is only built.
var serverDeps = []string{"express", "koa", "fastify", "@hapi/hapi", "hapi", "@nestjs/core", "next", "nuxt", "restify",
	"@remix-run/serve", "@remix-run/node", "socket.io", "sails", "@adonisjs/core", "@sveltejs/adapter-node", "polka", "micro", "h3"}

// siteTools are build tools of static sites, with the directory their
// build writes, in order of precedence.
var siteTools = []struct{ dep, out string }{
	{"react-scripts", "build"}, {"vite", "dist"}, {"@angular/cli", "dist"}, {"parcel", "dist"}, {"astro", "dist"},
	{"@vue/cli-service", "dist"}, {"webpack", "dist"}, {"gatsby", "public"}, {"@11ty/eleventy", "_site"},
}

var (
	nodePortRE = sync.OnceValue(func() []*regexp.Regexp {
		return []*regexp.Regexp{
			regexp.MustCompile(`PORT\s*(?:\|\||\?\?)\s*['"]?(\d{2,5})`),
			regexp.MustCompile(`\.listen\(\s*(\d{2,5})\b`),
			regexp.MustCompile(`\bport\s*[:=]\s*(\d{2,5})\b`),
		}
	})
	nodeEntries = []string{"server.js", "index.js", "app.js", "main.js", "src/server.js", "src/index.js", "src/app.js", "src/main.js", "server.mjs", "index.mjs"}
	nodeTestDef = "echo \"Error: no test specified\" && exit 1"
	jsFile      = func(n string) bool {
		switch path.Ext(n) {
		case ".js", ".mjs", ".cjs", ".ts":
			return !strings.Contains(n, "test")
		}
		return false
	}
)

func (p *project) node(r *Result, forced bool) {
	p.manifest(r, "package.json", "Node.js package manifest", true)
	pkg, err := parsePackageJSON(p.read("package.json"))
	if err != nil && p.has("package.json") {
		r.note("package.json", "not valid JSON (%v); read nothing from it", err)
	}
	switch r.Manager {
	case Pnpm:
		p.lockfile(r, "pnpm-lock.yaml", "pnpm lockfile")
	case Yarn:
		p.lockfile(r, "yarn.lock", "yarn lockfile")
	default:
		if !p.lockfile(r, "package-lock.json", "npm lockfile: npm ci installs exactly it") &&
			!p.lockfile(r, "npm-shrinkwrap.json", "npm shrinkwrap: npm ci installs exactly it") {
			r.note("", "no lockfile: npm install resolves the dependencies at build time (commit a package-lock.json for repeatable builds)")
		}
	}
	if pm := pkg.PackageManager; pm != "" {
		r.note("package.json", "packageManager %s", pm)
	}
	if r.Manager == Yarn {
		p.yarnBerry(r, pkg)
	}
	r.Name = pkg.Name
	r.Scripts = pkg.Scripts
	if def, ok := r.Scripts["test"]; ok && strings.TrimSpace(def) == nodeTestDef {
		delete(r.Scripts, "test")
		r.note("package.json", "the test script is npm init's placeholder; treated as no test script")
	}
	r.addPackageDeps(pkg)

	if !forced && p.nodeIsSite(r, pkg) {
		m := r.Manager
		r.Kind, _ = KindByName("static")
		r.Manager = m
		p.static(r, false)
		return
	}
	for _, d := range serverDeps {
		if _, ok := pkg.Dependencies[d]; ok {
			r.Framework = d
			r.note("package.json", "server framework %s in dependencies", d)
			break
		}
	}

	// Start: a plain `node FILE` start script, else main, else a usual entry file.
	entry := ""
	if w, ok := simpleWords(pkg.Scripts["start"]); ok && w[0] == "node" {
		r.Start = w
		r.note("package.json", "start script %q", pkg.Scripts["start"])
		for _, a := range w[1:] {
			if !strings.HasPrefix(a, "-") {
				entry = a
				break
			}
		}
	} else if pkg.Main != "" && printable(pkg.Main) && p.has(path.Clean(pkg.Main)) {
		entry = path.Clean(pkg.Main)
		r.Start = []string{"node", entry}
		r.note("package.json", "main %s", pkg.Main)
	} else if f := firstExisting(p, nodeEntries...); f != "" {
		entry = f
		r.Start = []string{"node", f}
		r.note(f, "entry file")
	} else {
		r.Start = []string{"npm", "start"}
		if s, ok := pkg.Scripts["start"]; ok {
			r.note("package.json", "start script %q is not a plain node command; running npm start", s)
		} else {
			r.note("", "no start script, main or usual entry file; running npm start")
		}
	}
	r.Entry = entry
	// Dev: a plain `node ...` dev script, else node --watch on the entry
	// (dev dependencies such as nodemon are not in the src stage), else npm run dev.
	if w, ok := simpleWords(pkg.Scripts["dev"]); ok && w[0] == "node" {
		r.Dev = w
		r.note("package.json", "dev script %q", pkg.Scripts["dev"])
	} else if entry != "" {
		r.Dev = []string{"node", "--watch", entry}
	} else if _, ok := pkg.Scripts["dev"]; ok {
		r.Dev = []string{"npm", "run", "dev"}
	} else {
		r.Dev = r.Start
	}
	var files []string
	if entry != "" {
		files = append(files, entry)
	}
	files = append(files, p.walk(".", 3, 200, jsFile)...)
	p.setPort(r, files, nodePortRE(), 3000, "the usual Node.js default")
	p.setHealth(r, files)
	p.nodeBuildDir(r, entry)
	p.nodeBuildDev(r)
}

var (
	yarnPathRE          = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^yarnPath:\s*["']?([A-Za-z0-9_./-]+)["']?\s*$`) })
	nodeModulesLinkerRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^nodeLinker:\s*["']?node-modules["']?\s*$`) })
	yarnMajorRE         = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yarn@(\d+)\.`) })
	tsOutDirRE          = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"outDir"\s*:\s*"([A-Za-z0-9_./-]+)"`) })
)

// yarnBerry sets r.YarnBerry and r.YarnFocus for yarn 2 or later: a
// .yarnrc.yml (copied with the manifests), or packageManager yarn@2+.
func (p *project) yarnBerry(r *Result, pkg packageJSON) {
	major := 0
	if m := yarnMajorRE().FindStringSubmatch(pkg.PackageManager); m != nil {
		fmt.Sscan(m[1], &major)
	}
	rc := p.has(".yarnrc.yml")
	if !rc && major < 2 {
		return
	}
	r.YarnBerry = true
	rcText := string(p.read(".yarnrc.yml"))
	if rc {
		r.Manifests = append(r.Manifests, ".yarnrc.yml")
		r.note(".yarnrc.yml", "yarn berry configuration (the preset enables corepack)")
		if m := yarnPathRE().FindStringSubmatch(rcText); m != nil && fs.ValidPath(m[1]) && p.has(m[1]) {
			r.Manifests = append(r.Manifests, m[1])
			r.note(".yarnrc.yml", "yarnPath %s: copied with the manifests, the yarn that runs", m[1])
		}
	} else {
		r.note("package.json", "packageManager %s is yarn berry (the preset enables corepack)", pkg.PackageManager)
	}
	if !nodeModulesLinkerRE().MatchString(rcText) {
		r.YarnPnP = true
		file := "package.json"
		if rc {
			file = ".yarnrc.yml"
		}
		r.note(file, "yarn berry's default Plug'n'Play linker, which plain node cannot load from: the preset sets YARN_NODE_LINKER=node-modules")
	}
	switch {
	case major >= 4:
		r.YarnFocus = true
		r.note("package.json", "yarn %d: `yarn workspaces focus --all --production` installs the production dependencies only", major)
	case rc && strings.Contains(string(p.read(".yarnrc.yml")), "plugin-workspace-tools"):
		r.YarnFocus = true
		r.note(".yarnrc.yml", "the workspace-tools plugin: `yarn workspaces focus --all --production` installs the production dependencies only")
	default:
		r.note("", "yarn berry without `workspaces focus` (yarn 4, or the workspace-tools plugin): base installs every dependency, so prod holds the dev dependencies too")
	}
}

// nodeBuildDir sets r.BuildDir for a service whose package.json has a
// build script: tsconfig.json's outDir, else the directory the build
// script's --out-dir names, else the start entry's top directory when the
// project does not have it (the build writes it), else dist/, guessed.
func (p *project) nodeBuildDir(r *Result, entry string) {
	if _, ok := r.Scripts["build"]; !ok {
		return
	}
	clean := func(d string) string { return strings.TrimSuffix(path.Clean(strings.TrimPrefix(d, "./")), "/") }
	ok := func(d string) bool {
		return d != "." && d != ".." && !strings.HasPrefix(d, "../") && !path.IsAbs(d) && fs.ValidPath(d)
	}
	if m := tsOutDirRE().FindSubmatch(p.read("tsconfig.json")); m != nil && ok(clean(string(m[1]))) {
		r.BuildDir = clean(string(m[1]))
		r.note("tsconfig.json", "outDir %s: the build script writes %s/", m[1], r.BuildDir)
		return
	}
	if m := outDirRE().FindStringSubmatch(r.Scripts["build"]); m != nil && ok(clean(m[1])) {
		r.BuildDir = clean(m[1])
		r.note("package.json", "the build script writes %s/", r.BuildDir)
		return
	}
	if top, _, found := strings.Cut(path.Clean(entry), "/"); found && entry != "" && !p.has(path.Clean(entry)) && ok(top) {
		r.BuildDir = top
		r.note("package.json", "the start entry %s is not in the project: the build script writes %s/", entry, top)
		return
	}
	r.BuildDir = "dist"
	r.note("package.json", "a build script: its output guessed as dist/ (change the build's copy in the spec's prod stage if it writes elsewhere)")
}

// nodeBuildDev: a service with a build step runs in development from the
// build stage (the dev dependencies and the built output are there); its
// dev script, when package.json has one that is not a plain node command,
// is the dev command (it rebuilds or runs the source; node --watch on the
// built entry would not see edits to the source).
func (p *project) nodeBuildDev(r *Result) {
	if r.BuildDir == "" {
		return
	}
	if s, ok := r.Scripts["dev"]; ok {
		if w, plain := simpleWords(s); !plain || w[0] != "node" {
			r.Dev = []string{"npm", "run", "dev"}
			r.note("package.json", "dev script %q: compose's dev service runs it on the build stage", s)
		}
	}
}

// nodeIsSite reports whether a package.json only builds a static site: it
// has a build script, no server framework, and no start script or main
// that runs a server file.
func (p *project) nodeIsSite(r *Result, pkg packageJSON) bool {
	if _, ok := pkg.Scripts["build"]; !ok {
		return false
	}
	for _, d := range serverDeps {
		if _, ok := pkg.Dependencies[d]; ok {
			return false
		}
		if _, ok := pkg.DevDependencies[d]; ok && d == "next" {
			return false
		}
	}
	if w, ok := simpleWords(pkg.Scripts["start"]); ok && w[0] == "node" {
		return false
	}
	if pkg.Main != "" && p.has(path.Clean(pkg.Main)) {
		return false
	}
	r.note("package.json", "a build script and no server framework, node start script or main: a static site built with %s", r.Manager)
	return true
}

// npmValueFlags are npm/yarn/pnpm flags that take a value in the next word.
var npmValueFlags = map[string]bool{
	"--loglevel": true, "--registry": true, "--omit": true, "--include": true, "--cache": true,
	"--network-timeout": true, "--mutex": true, "--modules-folder": true, "--cache-folder": true,
}

// lifecycleScripts run in the root package on npm/yarn install.
var lifecycleScripts = []string{"preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"}

func classifyNode(tool string, args []string, ws []shell.Word, ctx *BuildContext) Classified {
	info := Classified{Ecosystem: "node", Tool: tool, What: strings.Join(args, " ")}
	sub := ""
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		sub = rest[0]
		rest = rest[1:]
	}
	switch {
	case sub == "test" || sub == "t" || (sub == "run" || sub == "run-script") && len(rest) > 0 && (rest[0] == "test" || strings.HasPrefix(rest[0], "test:")):
		info.Role = RoleTest
		return info
	case tool == "yarn" && sub == "global", tool != "yarn" && (sub == "install" || sub == "i" || sub == "add") && HasWord(rest, "-g", "--global"):
		info.Role = RoleToolSetup
		return info
	case tool == "npm" && (sub == "config" || sub == "set"), tool == "yarn" && sub == "config", tool == "pnpm" && sub == "config":
		info.Role = RoleToolSetup
		for _, a := range rest {
			if strings.HasPrefix(a, "--location") || a == "project" {
				info.Role = RoleOther
			}
		}
		return info
	case tool == "npm" && (sub == "ci" || sub == "install" || sub == "i" || sub == "clean-install"),
		tool == "yarn" && (sub == "" || sub == "install"),
		tool == "pnpm" && (sub == "install" || sub == "i"):
	default:
		return Classified{}
	}
	ignoreScripts, frozen := false, sub == "ci" || sub == "clean-install"
	prodOnly := false
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch a {
		case "--omit=dev", "--production", "--prod", "-P", "--only=prod", "--only=production", "--production=true":
			prodOnly = true
		case "--omit":
			prodOnly = prodOnly || i+1 < len(rest) && rest[i+1] == "dev"
		}
		switch {
		case npmValueFlags[a]:
			i++
		case a == "--ignore-scripts":
			ignoreScripts = true
		case a == "--frozen-lockfile" || a == "--immutable" || a == "--pure-lockfile":
			frozen = true
		case strings.HasPrefix(a, "-"):
		default:
			return Classified{} // installs named packages: writes package.json
		}
	}
	info.Role = RoleInstall
	info.Need = []string{"package.json"}
	info.Writes = []string{"node_modules"}
	lock := ""
	switch tool {
	case "npm":
		info.Maybe = []string{"package-lock.json", "npm-shrinkwrap.json", ".npmrc"}
		lock = "package-lock.json"
	case "yarn":
		info.Maybe = []string{"yarn.lock", ".yarnrc", ".npmrc"}
		lock = "yarn.lock"
		if ctx.Has(".yarnrc.yml") {
			info.Unsafe = "the project uses Yarn 2+ (.yarnrc.yml), whose install reads .yarn/ from the source"
		}
	case "pnpm":
		info.Maybe = []string{"pnpm-lock.yaml", ".npmrc"}
		lock = "pnpm-lock.yaml"
		if ctx.Has("pnpm-workspace.yaml") {
			info.Unsafe = "pnpm-workspace.yaml declares workspaces, whose manifests live in the source"
		}
	}
	if text, ok := ctx.Read("package.json"); ok && info.Unsafe == "" {
		var pkg struct {
			Scripts         map[string]any `json:"scripts"`
			Workspaces      any            `json:"workspaces"`
			Dependencies    map[string]any `json:"dependencies"`
			DevDependencies map[string]any `json:"devDependencies"`
		}
		if err := json.Unmarshal([]byte(text), &pkg); err != nil {
			info.Unsafe = "package.json does not parse as JSON"
		}
		if pkg.Workspaces != nil {
			info.Unsafe = "package.json declares workspaces, whose manifests live in the source"
		}
		if !ignoreScripts {
			for _, s := range lifecycleScripts {
				if _, ok := pkg.Scripts[s]; ok && info.Unsafe == "" {
					info.Unsafe = fmt.Sprintf("package.json has a %q script, which the install runs and which may read the source; add --ignore-scripts (and run the script after the source copy) to make it cacheable", s)
				}
			}
		}
		scripts := false
		for _, s := range lifecycleScripts {
			_, ok := pkg.Scripts[s]
			scripts = scripts || ok
		}
		if !prodOnly && len(pkg.DevDependencies) > 0 && !scripts && !ctx.Has(".yarnrc.yml") {
			info.ProdFlag = map[string]string{"npm": "--omit=dev", "yarn": "--production", "pnpm": "--prod"}[tool]
		}
		for _, deps := range []map[string]any{pkg.Dependencies, pkg.DevDependencies} {
			for name, v := range deps {
				if s, ok := v.(string); ok && (strings.HasPrefix(s, "file:") || strings.HasPrefix(s, "link:") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../")) && info.Unsafe == "" {
					info.Unsafe = fmt.Sprintf("the dependency %s comes from %s, a path in the source", name, s)
				}
			}
		}
	}
	if !frozen && ctx.Has(lock) {
		info.Caveat = fmt.Sprintf("`%s` may rewrite %s; the image now keeps the context's copy (the source copy lays it over the rewritten one); use %s to make the install exact", info.What, lock, frozenHint(tool))
	}
	return info
}

func frozenHint(tool string) string {
	switch tool {
	case "npm":
		return "`npm ci`"
	case "yarn":
		return "`yarn install --frozen-lockfile`"
	}
	return "`pnpm install --frozen-lockfile`"
}

// addPackageDeps adds the dependencies and devDependencies of package.json
// to r.Deps, lower-case, sorted, each once.
func (r *Result) addPackageDeps(pkg packageJSON) {
	for d := range pkg.Dependencies {
		r.Deps = append(r.Deps, strings.ToLower(d))
	}
	for d := range pkg.DevDependencies {
		r.Deps = append(r.Deps, strings.ToLower(d))
	}
	sort.Strings(r.Deps)
	r.Deps = uniq(r.Deps)
}
