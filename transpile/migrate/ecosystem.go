package migrate

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/dockstage/dockstage/transpile/shell"
)

// segKind is what a simple command does, as far as migrate can tell.
type segKind int

const (
	segOther        segKind = iota // anything migrate does not recognise
	segNeutral                     // set -e, true: no effect on files
	segToolSetup                   // installs a tool by name; reads nothing from the build context
	segInstall                     // installs dependencies from manifests in the build context
	segTestDeps                    // installs test-only dependencies
	segTest                        // runs tests
	segImplicitTest                // builds and, implicitly, runs tests (mvn package, gradle build)
)

// segInfo is the classification of one simple command.
type segInfo struct {
	kind segKind
	// eco and tool name the ecosystem and tool: python/pip, node/npm, ...
	eco, tool string
	// what is the command as the report quotes it, e.g. "npm ci".
	what string

	// For segInstall: the manifests the install reads, relative to its
	// working directory. need must exist; maybe are copied when present.
	need, maybe []string
	// writes are directories, relative to the working directory, that the
	// install creates; a context holding one would be laid over them.
	writes []string
	// unsafe says why the install cannot move before the source copy.
	unsafe string
	// caveat is a residual difference the report names when it moves.
	caveat string

	// For segImplicitTest: the flag that skips the tests and the command
	// that runs them in the test stage.
	skipFlag string
	testCmd  string
}

// command strips leading VAR=value assignments from a command's words.
func command(words []shell.Word) []shell.Word {
	for len(words) > 0 {
		t := words[0].Value
		i := strings.IndexByte(t, '=')
		if i <= 0 || !envNameRE.MatchString(t[:i]) {
			break
		}
		words = words[1:]
	}
	return words
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

var pythonRE = regexp.MustCompile(`^python(\d+(\.\d+)?)?$`)

// classify says what a simple command does. ctx may be unknown; cwd-relative
// manifest names are checked against it only when it is known (the caller
// makes sure the install's working directory is the context root).
func classify(seg shell.Command, ctx *buildContext) segInfo {
	if !seg.Plain() {
		return segInfo{kind: segOther}
	}
	ws := command(seg.Words)
	if len(ws) == 0 {
		return segInfo{kind: segNeutral}
	}
	args := make([]string, len(ws))
	for i, w := range ws {
		args[i] = w.Value
	}
	name := path.Base(args[0])
	switch {
	case name == "set" || name == "true" || name == ":":
		return segInfo{kind: segNeutral}
	case pythonRE.MatchString(name) && len(args) >= 3 && args[1] == "-m":
		return classifyPython(args[2], args[3:], ws[3:], ctx)
	case name == "pip" || name == "pip3" || strings.HasPrefix(name, "pip3."):
		if len(args) < 2 {
			return segInfo{}
		}
		return classifyPython("pip", args[1:], ws[1:], ctx)
	case name == "pytest" || name == "py.test" || name == "tox" || name == "nox":
		return segInfo{kind: segTest, eco: "python", tool: name, what: strings.Join(args, " ")}
	case pythonRE.MatchString(name) && len(args) >= 3 && args[1] == "manage.py" && args[2] == "test":
		return segInfo{kind: segTest, eco: "python", tool: "django", what: strings.Join(args, " ")}
	case name == "poetry":
		return classifyPoetry(args, ws, ctx)
	case name == "pipenv":
		return classifyPipenv(args, ctx)
	case name == "npm" || name == "yarn" || name == "pnpm":
		return classifyNode(name, args, ws, ctx)
	case name == "npx" && len(args) >= 2 && (args[1] == "jest" || args[1] == "mocha" || args[1] == "vitest"):
		return segInfo{kind: segTest, eco: "node", tool: args[1], what: strings.Join(args, " ")}
	case name == "jest" || name == "mocha":
		return segInfo{kind: segTest, eco: "node", tool: name, what: strings.Join(args, " ")}
	case name == "node" && len(args) >= 2 && args[1] == "--test":
		return segInfo{kind: segTest, eco: "node", tool: "node", what: strings.Join(args, " ")}
	case name == "corepack":
		return segInfo{kind: segToolSetup, eco: "node", tool: "corepack"}
	case name == "go":
		return classifyGo(args, ctx)
	case name == "mvn" || name == "mvnw":
		return classifyMaven(args, ws, ctx)
	case name == "gradle" || name == "gradlew":
		return classifyGradle(args, ws, ctx)
	case name == "bundle":
		return classifyBundler(args, ctx)
	case name == "gem" && len(args) >= 2 && args[1] == "install":
		return segInfo{kind: segToolSetup, eco: "ruby", tool: "gem"}
	case name == "rspec" || name == "rake" && len(args) >= 2 && (args[1] == "test" || args[1] == "spec"):
		return segInfo{kind: segTest, eco: "ruby", tool: name, what: strings.Join(args, " ")}
	case (name == "rails") && len(args) >= 2 && args[1] == "test":
		return segInfo{kind: segTest, eco: "ruby", tool: "rails", what: strings.Join(args, " ")}
	case name == "composer":
		return classifyComposer(args, ctx)
	case name == "phpunit" || name == "pest" || name == "php" && len(args) >= 2 && (path.Base(args[1]) == "phpunit" || path.Base(args[1]) == "pest"):
		return segInfo{kind: segTest, eco: "php", tool: "phpunit", what: strings.Join(args, " ")}
	case name == "cargo":
		return classifyCargo(args)
	case name == "dotnet":
		return classifyDotnet(args, ctx)
	}
	return segInfo{kind: segOther}
}

// testToolPackages are Python packages installed only to run tests.
var testToolPackages = regexp.MustCompile(`^(pytest([-_][a-z0-9-_]+)?|coverage|tox|nox|mock|hypothesis)([=<>!~\[].*)?$`)

// devRequirementsRE matches requirement files that hold test or development
// dependencies.
var devRequirementsRE = regexp.MustCompile(`(?i)(^|[/_.-])(dev|devel|test|tests|testing|ci)([/_.-]|$)`)

// pipValueFlags are pip install flags that take a value in the next word.
var pipValueFlags = map[string]bool{
	"-i": true, "--index-url": true, "--extra-index-url": true, "--trusted-host": true,
	"--cache-dir": true, "--progress-bar": true, "--platform": true, "--python-version": true,
	"--implementation": true, "--abi": true, "--only-binary": true, "--no-binary": true,
	"--timeout": true, "--retries": true, "--proxy": true, "--log": true, "--root-user-action": true,
	"--upgrade-strategy": true, "--global-option": true, "--config-settings": true, "-C": true,
}

func classifyPython(module string, args []string, ws []shell.Word, ctx *buildContext) segInfo {
	what := "python -m " + module + " " + strings.Join(args, " ")
	switch module {
	case "pytest", "unittest", "tox", "nox":
		return segInfo{kind: segTest, eco: "python", tool: module, what: strings.TrimSpace(what)}
	case "pip":
	default:
		return segInfo{}
	}
	if len(args) == 0 || args[0] != "install" {
		return segInfo{}
	}
	info := segInfo{eco: "python", tool: "pip", what: "pip " + strings.Join(args, " ")}
	var reqs, constraints, pkgs []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if ws[i].Dynamic {
			return segInfo{}
		}
		switch {
		case a == "-r" || a == "--requirement" || a == "-c" || a == "--constraint":
			if i+1 >= len(args) || ws[i+1].Dynamic {
				return segInfo{}
			}
			i++
			if a == "-r" || a == "--requirement" {
				reqs = append(reqs, args[i])
			} else {
				constraints = append(constraints, args[i])
			}
		case strings.HasPrefix(a, "--requirement="):
			reqs = append(reqs, strings.TrimPrefix(a, "--requirement="))
		case strings.HasPrefix(a, "-r") && len(a) > 2:
			reqs = append(reqs, a[2:])
		case strings.HasPrefix(a, "--constraint="):
			constraints = append(constraints, strings.TrimPrefix(a, "--constraint="))
		case a == "-e" || a == "--editable" || strings.HasPrefix(a, "--editable="):
			return segInfo{} // installs the project from the source
		case a == "-t" || a == "--target" || a == "--prefix" || a == "--root" || a == "-f" || a == "--find-links" || a == "--src":
			return segInfo{} // writes to or reads from a path
		case pipValueFlags[a]:
			i++
		case strings.HasPrefix(a, "-"):
		default:
			if strings.HasPrefix(a, ".") || strings.HasPrefix(a, "/") || strings.Contains(a, "/") || strings.HasSuffix(a, ".whl") || strings.HasSuffix(a, ".tar.gz") || strings.HasSuffix(a, ".zip") {
				return segInfo{} // a local path: the project or a file from the context
			}
			pkgs = append(pkgs, a)
		}
	}
	if len(reqs) == 0 {
		if len(pkgs) == 0 {
			return segInfo{}
		}
		allTest := true
		for _, p := range pkgs {
			if !testToolPackages.MatchString(strings.ToLower(p)) {
				allTest = false
			}
		}
		if allTest {
			info.kind = segTestDeps
		} else {
			info.kind = segToolSetup
		}
		return info
	}
	allDev := true
	for _, r := range reqs {
		if !devRequirementsRE.MatchString(strings.TrimSuffix(path.Base(r), ".txt")) && !devRequirementsRE.MatchString(r) {
			allDev = false
		}
	}
	if allDev {
		info.kind = segTestDeps
		return info
	}
	info.kind = segInstall
	files := append(append([]string(nil), reqs...), constraints...)
	seen := map[string]bool{}
	for len(files) > 0 {
		f := path.Clean(files[0])
		files = files[1:]
		if seen[f] {
			continue
		}
		seen[f] = true
		info.need = append(info.need, f)
		if !ctx.known {
			continue
		}
		text, ok := ctx.read(f)
		if !ok {
			continue
		}
		incl, why := requirementIncludes(text)
		if why != "" && info.unsafe == "" {
			info.unsafe = fmt.Sprintf("%s %s, which reads the source; only a requirements file of package names can be installed before the source copy", f, why)
		}
		for _, x := range incl {
			files = append(files, path.Join(path.Dir(f), x))
		}
	}
	return info
}

// requirementIncludes returns the files a requirements file includes (-r,
// -c) and, when it installs something from a path, why that reads the
// source.
func requirementIncludes(text string) (incl []string, why string) {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if i := strings.Index(l, " #"); i >= 0 {
			l = strings.TrimSpace(l[:i])
		}
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Fields(l)
		switch {
		case f[0] == "-r" || f[0] == "--requirement" || f[0] == "-c" || f[0] == "--constraint":
			if len(f) > 1 {
				incl = append(incl, f[1])
			}
		case strings.HasPrefix(f[0], "-r") && len(f[0]) > 2:
			incl = append(incl, f[0][2:])
		case f[0] == "-e" || f[0] == "--editable":
			why = "installs " + l
		case strings.HasPrefix(f[0], ".") || strings.HasPrefix(f[0], "/") || strings.HasPrefix(f[0], "file:") || strings.Contains(l, "@ file:"):
			why = "installs " + l
		case f[0] == "-f" || f[0] == "--find-links":
			if len(f) > 1 && !strings.Contains(f[1], "://") {
				why = "finds packages in " + f[1]
			}
		}
	}
	return incl, why
}

var (
	poetryPathRE = regexp.MustCompile(`(?m)path\s*=\s*"`)
	goReplaceRE  = regexp.MustCompile(`(?m)=>\s*\.{1,2}/`)
	gemspecRE    = regexp.MustCompile(`(?m)^\s*gemspec\b`)
	gemPathRE    = regexp.MustCompile(`(?m)(path:|:path\s*=>|^\s*path\s)`)
)

func classifyPoetry(args []string, ws []shell.Word, ctx *buildContext) segInfo {
	info := segInfo{eco: "python", tool: "poetry", what: strings.Join(args, " ")}
	if len(args) < 2 {
		return segInfo{}
	}
	switch args[1] {
	case "config":
		info.kind = segToolSetup
		for _, a := range args[2:] {
			if a == "--local" {
				info.kind = segOther // writes poetry.toml beside the manifests
			}
		}
		return info
	case "install":
	default:
		return segInfo{}
	}
	info.kind = segInstall
	info.need = []string{"pyproject.toml"}
	info.maybe = []string{"poetry.lock", "poetry.toml"}
	info.writes = []string{".venv"}
	noRoot := false
	for _, a := range args[2:] {
		switch a {
		case "--no-root":
			noRoot = true
		case "--only-root":
			return segInfo{}
		}
	}
	if !noRoot {
		info.unsafe = "`poetry install` without --no-root also installs the project itself from the source; add --no-root (and install the project after the source copy if it needs to be installed)"
	}
	if text, ok := ctx.read("pyproject.toml"); ok && poetryPathRE.MatchString(text) && info.unsafe == "" {
		info.unsafe = "pyproject.toml has a path dependency, which reads the source"
	}
	return info
}

func classifyPipenv(args []string, ctx *buildContext) segInfo {
	if len(args) < 2 || args[1] != "install" {
		return segInfo{}
	}
	for _, a := range args[2:] {
		if !strings.HasPrefix(a, "-") {
			return segInfo{} // installs named packages into the Pipfile
		}
	}
	return segInfo{kind: segInstall, eco: "python", tool: "pipenv", what: strings.Join(args, " "),
		need: []string{"Pipfile"}, maybe: []string{"Pipfile.lock"}, writes: []string{".venv"}}
}

// npmValueFlags are npm/yarn/pnpm flags that take a value in the next word.
var npmValueFlags = map[string]bool{
	"--loglevel": true, "--registry": true, "--omit": true, "--include": true, "--cache": true,
	"--network-timeout": true, "--mutex": true, "--modules-folder": true, "--cache-folder": true,
}

// lifecycleScripts run in the root package on npm/yarn install.
var lifecycleScripts = []string{"preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"}

func classifyNode(tool string, args []string, ws []shell.Word, ctx *buildContext) segInfo {
	info := segInfo{eco: "node", tool: tool, what: strings.Join(args, " ")}
	sub := ""
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		sub = rest[0]
		rest = rest[1:]
	}
	switch {
	case sub == "test" || sub == "t" || (sub == "run" || sub == "run-script") && len(rest) > 0 && (rest[0] == "test" || strings.HasPrefix(rest[0], "test:")):
		info.kind = segTest
		return info
	case tool == "yarn" && sub == "global", tool != "yarn" && (sub == "install" || sub == "i" || sub == "add") && hasAny(rest, "-g", "--global"):
		info.kind = segToolSetup
		return info
	case tool == "npm" && (sub == "config" || sub == "set"), tool == "yarn" && sub == "config", tool == "pnpm" && sub == "config":
		info.kind = segToolSetup
		for _, a := range rest {
			if strings.HasPrefix(a, "--location") || a == "project" {
				info.kind = segOther
			}
		}
		return info
	case tool == "npm" && (sub == "ci" || sub == "install" || sub == "i" || sub == "clean-install"),
		tool == "yarn" && (sub == "" || sub == "install"),
		tool == "pnpm" && (sub == "install" || sub == "i"):
	default:
		return segInfo{}
	}
	ignoreScripts, frozen := false, sub == "ci" || sub == "clean-install"
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case npmValueFlags[a]:
			i++
		case a == "--ignore-scripts":
			ignoreScripts = true
		case a == "--frozen-lockfile" || a == "--immutable" || a == "--pure-lockfile":
			frozen = true
		case strings.HasPrefix(a, "-"):
		default:
			return segInfo{} // installs named packages: writes package.json
		}
	}
	info.kind = segInstall
	info.need = []string{"package.json"}
	info.writes = []string{"node_modules"}
	lock := ""
	switch tool {
	case "npm":
		info.maybe = []string{"package-lock.json", "npm-shrinkwrap.json", ".npmrc"}
		lock = "package-lock.json"
	case "yarn":
		info.maybe = []string{"yarn.lock", ".yarnrc", ".npmrc"}
		lock = "yarn.lock"
		if ctx.has(".yarnrc.yml") {
			info.unsafe = "the project uses Yarn 2+ (.yarnrc.yml), whose install reads .yarn/ from the source"
		}
	case "pnpm":
		info.maybe = []string{"pnpm-lock.yaml", ".npmrc"}
		lock = "pnpm-lock.yaml"
		if ctx.has("pnpm-workspace.yaml") {
			info.unsafe = "pnpm-workspace.yaml declares workspaces, whose manifests live in the source"
		}
	}
	if text, ok := ctx.read("package.json"); ok && info.unsafe == "" {
		var pkg struct {
			Scripts         map[string]any `json:"scripts"`
			Workspaces      any            `json:"workspaces"`
			Dependencies    map[string]any `json:"dependencies"`
			DevDependencies map[string]any `json:"devDependencies"`
		}
		if err := json.Unmarshal([]byte(text), &pkg); err != nil {
			info.unsafe = "package.json does not parse as JSON"
		}
		if pkg.Workspaces != nil {
			info.unsafe = "package.json declares workspaces, whose manifests live in the source"
		}
		if !ignoreScripts {
			for _, s := range lifecycleScripts {
				if _, ok := pkg.Scripts[s]; ok && info.unsafe == "" {
					info.unsafe = fmt.Sprintf("package.json has a %q script, which the install runs and which may read the source; add --ignore-scripts (and run the script after the source copy) to make it cacheable", s)
				}
			}
		}
		for _, deps := range []map[string]any{pkg.Dependencies, pkg.DevDependencies} {
			for name, v := range deps {
				if s, ok := v.(string); ok && (strings.HasPrefix(s, "file:") || strings.HasPrefix(s, "link:") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../")) && info.unsafe == "" {
					info.unsafe = fmt.Sprintf("the dependency %s comes from %s, a path in the source", name, s)
				}
			}
		}
	}
	if !frozen && ctx.has(lock) {
		info.caveat = fmt.Sprintf("`%s` may rewrite %s; the image now keeps the context's copy (the source copy lays it over the rewritten one); use %s to make the install exact", info.what, lock, frozenHint(tool))
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

// allAmong reports whether every item is one of allowed.
func allAmong(items []string, allowed ...string) bool {
	for _, it := range items {
		if !hasAny([]string{it}, allowed...) {
			return false
		}
	}
	return true
}

func hasAny(args []string, want ...string) bool {
	for _, a := range args {
		for _, w := range want {
			if a == w {
				return true
			}
		}
	}
	return false
}

func classifyGo(args []string, ctx *buildContext) segInfo {
	info := segInfo{eco: "go", tool: "go", what: strings.Join(args, " ")}
	if len(args) < 2 {
		return segInfo{}
	}
	switch {
	case args[1] == "test":
		info.kind = segTest
		return info
	case args[1] == "install" && len(args) > 2 && strings.Contains(args[len(args)-1], "@"):
		info.kind = segToolSetup
		return info
	case args[1] == "mod" && len(args) > 2 && (args[2] == "download" || args[2] == "verify"):
	default:
		return segInfo{}
	}
	for _, a := range args[3:] {
		if !strings.HasPrefix(a, "-") {
			return segInfo{} // downloads named modules
		}
	}
	info.kind = segInstall
	info.need = []string{"go.mod"}
	info.maybe = []string{"go.sum"}
	if ctx.has("go.work") {
		info.unsafe = "go.work names modules in the source"
	} else if text, ok := ctx.read("go.mod"); ok && goReplaceRE.MatchString(text) {
		info.unsafe = "go.mod replaces a module with a directory of the source"
	}
	return info
}

// mavenValueFlags are mvn flags that take a value in the next word.
var mavenValueFlags = map[string]bool{
	"-f": true, "--file": true, "-s": true, "--settings": true, "-gs": true, "--global-settings": true,
	"-P": true, "--activate-profiles": true, "-pl": true, "--projects": true, "-T": true, "--threads": true,
	"-rf": true, "--resume-from": true, "-t": true, "--toolchains": true, "-l": true, "--log-file": true,
	"-D": true, "--define": true, "-b": true, "--builder": true,
}

var mavenSkipRE = regexp.MustCompile(`^-D(skipTests|maven\.test\.skip)(=true)?$`)

func classifyMaven(args []string, ws []shell.Word, ctx *buildContext) segInfo {
	info := segInfo{eco: "java", tool: "maven", what: strings.Join(args, " ")}
	var goals []string
	skip := false
	settings := ""
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case mavenValueFlags[a]:
			if i+1 < len(args) {
				if a == "-s" || a == "--settings" {
					settings = args[i+1]
				}
				if a == "-f" || a == "--file" {
					if path.Clean(args[i+1]) != "pom.xml" {
						settings = "\x00" // another pom: not a single-module build we can reason about
					}
				}
			}
			i++
		case mavenSkipRE.MatchString(a):
			skip = true
		case strings.HasPrefix(a, "-"):
		default:
			goals = append(goals, a)
		}
	}
	if len(goals) == 0 {
		return segInfo{}
	}
	only := func(allowed ...string) bool { return allAmong(goals, allowed...) }
	switch {
	case only("dependency:go-offline", "dependency:resolve", "dependency:resolve-plugins", "dependency:tree"):
		info.kind = segInstall
		info.need = []string{"pom.xml"}
		info.maybe = []string{".mvn"}
		if strings.HasPrefix(args[0], ".") || strings.Contains(args[0], "/") {
			info.need = append(info.need, path.Clean(args[0]))
		}
		switch {
		case settings == "\x00":
			info.unsafe = "the build reads a pom other than pom.xml"
		case settings != "":
			info.need = append(info.need, settings)
		}
		for _, f := range ctx.sortedFiles() {
			if path.Base(f) == "pom.xml" && f != "pom.xml" && info.unsafe == "" {
				info.unsafe = "the project has module poms (" + f + "); a multi-module install reads them all"
			}
		}
		return info
	case only("clean", "test", "surefire:test", "jacoco:report"):
		if hasAny(goals, "test", "surefire:test") && !skip {
			info.kind = segTest
			return info
		}
	case !skip && (hasAny(goals, "package", "verify", "install", "deploy")):
		info.kind = segImplicitTest
		info.skipFlag = "-DskipTests"
		goal := "test"
		if hasAny(goals, "verify", "install", "deploy") {
			goal = "verify"
		}
		info.testCmd = replaceTasks(ws, mavenValueFlags, goal)
		return info
	}
	return segInfo{}
}

// replaceTasks writes a mvn or gradle command line with its goals or
// tasks replaced by task, in the place of the first one; options stay as
// written, an excluded task (-x) goes.
func replaceTasks(ws []shell.Word, valueFlags map[string]bool, task string) string {
	out := []string{ws[0].Raw}
	done := false
	for i := 1; i < len(ws); i++ {
		a := ws[i].Value
		switch {
		case a == "-x" || a == "--exclude-task":
			i++
		case valueFlags[a]:
			out = append(out, ws[i].Raw)
			if i+1 < len(ws) {
				i++
				out = append(out, ws[i].Raw)
			}
		case strings.HasPrefix(a, "-"):
			out = append(out, ws[i].Raw)
		case !done:
			out = append(out, task)
			done = true
		}
	}
	return strings.Join(out, " ")
}

var gradleValueFlags = map[string]bool{
	"-x": true, "--exclude-task": true, "-p": true, "--project-dir": true, "-b": true, "--build-file": true,
	"-c": true, "--settings-file": true, "-g": true, "--gradle-user-home": true, "-I": true, "--init-script": true,
	"--max-workers": true, "--console": true, "--warning-mode": true,
}

func classifyGradle(args []string, ws []shell.Word, ctx *buildContext) segInfo {
	info := segInfo{eco: "java", tool: "gradle", what: strings.Join(args, " ")}
	var tasks []string
	excluded := map[string]bool{}
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case gradleValueFlags[a]:
			if i+1 < len(args) {
				if a == "-x" || a == "--exclude-task" {
					excluded[strings.TrimPrefix(args[i+1], ":")] = true
				}
			}
			i++
		case strings.HasPrefix(a, "-"):
		default:
			tasks = append(tasks, strings.TrimPrefix(a, ":"))
		}
	}
	if len(tasks) == 0 {
		return segInfo{}
	}
	allIn := func(allowed ...string) bool { return allAmong(tasks, allowed...) }
	switch {
	case allIn("dependencies", "androidDependencies", "buildEnvironment"):
		info.kind = segInstall
		info.need = []string{}
		for _, f := range []string{"build.gradle", "build.gradle.kts"} {
			if ctx.hasFile(f) {
				info.need = append(info.need, f)
			}
		}
		if len(info.need) == 0 {
			info.need = []string{"build.gradle"}
		}
		info.maybe = []string{"settings.gradle", "settings.gradle.kts", "gradle.properties", "gradle", "gradlew"}
		info.writes = []string{".gradle", "build"}
		if ctx.has("buildSrc") {
			info.unsafe = "buildSrc/ is part of the build scripts and lives in the source"
		}
		for _, f := range ctx.sortedFiles() {
			if b := path.Base(f); (b == "build.gradle" || b == "build.gradle.kts") && strings.Contains(f, "/") && info.unsafe == "" {
				info.unsafe = "the project has subproject build files (" + f + ")"
			}
		}
		return info
	case allIn("clean", "test", "check") && (hasAny(tasks, "test", "check")):
		info.kind = segTest
		return info
	case hasAny(tasks, "build") && !excluded["test"] && !excluded["check"]:
		info.kind = segImplicitTest
		info.skipFlag = "-x test"
		info.testCmd = replaceTasks(ws, gradleValueFlags, "test")
		return info
	}
	return segInfo{}
}

func classifyBundler(args []string, ctx *buildContext) segInfo {
	info := segInfo{eco: "ruby", tool: "bundler", what: strings.Join(args, " ")}
	if len(args) < 2 {
		return segInfo{}
	}
	switch args[1] {
	case "config":
		info.kind = segToolSetup
		if hasAny(args, "--local") {
			info.writes = []string{".bundle"}
		}
		return info
	case "exec":
		if len(args) >= 3 {
			rest := append([]string{}, args[2:]...)
			n := path.Base(rest[0])
			if n == "rspec" || (n == "rake" || n == "rails") && len(rest) > 1 && (rest[1] == "test" || rest[1] == "spec") {
				info.kind = segTest
				return info
			}
		}
		return segInfo{}
	case "install":
	default:
		return segInfo{}
	}
	for _, a := range args[2:] {
		if a == "--path" || strings.HasPrefix(a, "--path=") || a == "--gemfile" || strings.HasPrefix(a, "--gemfile=") {
			return segInfo{}
		}
	}
	info.kind = segInstall
	info.need = []string{"Gemfile"}
	info.maybe = []string{"Gemfile.lock"}
	info.writes = []string{".bundle", "vendor"}
	if text, ok := ctx.read("Gemfile"); ok {
		switch {
		case gemspecRE.MatchString(text):
			info.unsafe = "the Gemfile reads the project's gemspec from the source"
		case gemPathRE.MatchString(text):
			info.unsafe = "the Gemfile has a path gem, which lives in the source"
		}
	}
	if ctx.has("Gemfile.lock") && !hasAny(args, "--frozen", "--deployment") {
		info.caveat = "`bundle install` may update Gemfile.lock (platforms); the image now keeps the context's copy; `bundle config set frozen true` makes the install exact"
	}
	return info
}

func classifyComposer(args []string, ctx *buildContext) segInfo {
	info := segInfo{eco: "php", tool: "composer", what: strings.Join(args, " ")}
	if len(args) < 2 {
		return segInfo{}
	}
	switch args[1] {
	case "test":
		info.kind = segTest
		return info
	case "install":
	default:
		return segInfo{}
	}
	noScripts, noAutoloader, optimize := false, false, false
	for _, a := range args[2:] {
		switch a {
		case "--no-scripts":
			noScripts = true
		case "--no-autoloader":
			noAutoloader = true
		case "-o", "--optimize-autoloader", "-a", "--classmap-authoritative", "--apcu-autoloader":
			optimize = true
		default:
			if !strings.HasPrefix(a, "-") {
				return segInfo{}
			}
		}
	}
	info.kind = segInstall
	info.need = []string{"composer.json"}
	info.maybe = []string{"composer.lock", "auth.json"}
	info.writes = []string{"vendor"}
	var cj struct {
		Autoload map[string]json.RawMessage `json:"autoload"`
		Scripts  map[string]json.RawMessage `json:"scripts"`
		Config   map[string]json.RawMessage `json:"config"`
		Repos    json.RawMessage            `json:"repositories"`
	}
	if text, ok := ctx.read("composer.json"); ok {
		if err := json.Unmarshal([]byte(text), &cj); err != nil {
			info.unsafe = "composer.json does not parse as JSON"
			return info
		}
	}
	if !noScripts {
		for _, s := range []string{"pre-install-cmd", "post-install-cmd", "pre-autoload-dump", "post-autoload-dump"} {
			if _, ok := cj.Scripts[s]; ok {
				info.unsafe = fmt.Sprintf("composer.json has a %q script, which the install runs and which may read the source; add --no-scripts and run the scripts after the source copy", s)
				return info
			}
		}
	}
	if !noAutoloader {
		_, classmap := cj.Autoload["classmap"]
		cfgOpt := strings.Contains(string(cj.Config["optimize-autoloader"]), "true") || strings.Contains(string(cj.Config["classmap-authoritative"]), "true")
		if optimize || classmap || cfgOpt {
			info.unsafe = "the install builds an optimized (classmap) autoloader by scanning the source; install with --no-autoloader --no-scripts before the source copy and run `composer dump-autoload --optimize` after it"
			return info
		}
	}
	if strings.Contains(string(cj.Repos), `"path"`) {
		info.unsafe = "composer.json has a path repository, which lives in the source"
	}
	return info
}

func classifyCargo(args []string) segInfo {
	info := segInfo{eco: "rust", tool: "cargo", what: strings.Join(args, " ")}
	if len(args) < 2 {
		return segInfo{}
	}
	switch args[1] {
	case "test":
		info.kind = segTest
	case "fetch":
		info.kind = segInstall
		info.need = []string{"Cargo.toml"}
		info.maybe = []string{"Cargo.lock"}
		info.unsafe = "cargo reads the crate's targets (src/main.rs, src/lib.rs) to load Cargo.toml, so the fetch needs the source; a dependency-only layer needs stub targets (cargo-chef)"
	case "install":
		if !hasAny(args, "--path") {
			info.kind = segToolSetup
			return info
		}
		return segInfo{}
	default:
		return segInfo{}
	}
	return info
}

func classifyDotnet(args []string, ctx *buildContext) segInfo {
	info := segInfo{eco: "dotnet", tool: "dotnet", what: strings.Join(args, " ")}
	if len(args) < 2 {
		return segInfo{}
	}
	switch args[1] {
	case "test":
		info.kind = segTest
		return info
	case "tool":
		if len(args) > 2 && args[2] == "install" && hasAny(args, "-g", "--global") {
			info.kind = segToolSetup
			return info
		}
		return segInfo{}
	case "restore":
	default:
		return segInfo{}
	}
	info.kind = segInstall
	info.writes = []string{"obj", "bin"}
	projects := 0
	for _, f := range ctx.sortedFiles() {
		b := path.Base(f)
		ext := path.Ext(b)
		switch {
		case ext == ".csproj" || ext == ".fsproj" || ext == ".vbproj":
			projects++
			info.need = append(info.need, f)
		case ext == ".sln" || strings.EqualFold(b, "nuget.config") || b == "global.json" ||
			b == "Directory.Build.props" || b == "Directory.Build.targets" || b == "Directory.Packages.props":
			info.need = append(info.need, f)
		case ext == ".props" || ext == ".targets":
			if info.unsafe == "" {
				info.unsafe = "the build imports " + f + ", which migrate cannot tell is only a manifest"
			}
		}
		for _, d := range info.writes {
			if strings.HasPrefix(f, d+"/") || strings.Contains(f, "/"+d+"/") {
				if info.unsafe == "" {
					info.unsafe = "the build context holds " + path.Dir(f) + "/, which the source copy would lay over the restore's output; add bin/ and obj/ to .dockerignore"
				}
			}
		}
	}
	if ctx.known && projects == 0 && info.unsafe == "" {
		info.unsafe = "no project file (*.csproj) in the build context"
	}
	return info
}

// ---------------------------------------------------------------------------
// Ecosystems

// Ecosystem is a language ecosystem migrate found, with what shows it.
type Ecosystem struct {
	// Name: python, node, go, java, ruby, php, rust, dotnet or static.
	Name string `json:"name"`
	// Tool is the package manager or build tool: pip, poetry, npm, yarn, ...
	Tool string `json:"tool,omitempty"`
	// Evidence: "Dockerfile:12: npm ci", "context: package-lock.json".
	Evidence []string `json:"evidence"`
}

// contextMarkers map a context file pattern (top level) to an ecosystem and tool.
var contextMarkers = []struct{ pattern, eco, tool string }{
	{"requirements*.txt", "python", "pip"},
	{"poetry.lock", "python", "poetry"},
	{"pyproject.toml", "python", ""},
	{"Pipfile", "python", "pipenv"},
	{"package-lock.json", "node", "npm"},
	{"yarn.lock", "node", "yarn"},
	{"pnpm-lock.yaml", "node", "pnpm"},
	{"package.json", "node", ""},
	{"go.mod", "go", "go"},
	{"pom.xml", "java", "maven"},
	{"build.gradle", "java", "gradle"},
	{"build.gradle.kts", "java", "gradle"},
	{"Gemfile", "ruby", "bundler"},
	{"composer.json", "php", "composer"},
	{"Cargo.toml", "rust", "cargo"},
	{"*.csproj", "dotnet", "dotnet"},
	{"*.fsproj", "dotnet", "dotnet"},
	{"*.sln", "dotnet", "dotnet"},
}

// imageMarkers map a base image name to an ecosystem.
var imageMarkers = []struct {
	re        *regexp.Regexp
	eco, tool string
}{
	{regexp.MustCompile(`(^|/)python:`), "python", ""},
	{regexp.MustCompile(`(^|/)node:`), "node", ""},
	{regexp.MustCompile(`(^|/)golang:`), "go", "go"},
	{regexp.MustCompile(`(^|/)maven:`), "java", "maven"},
	{regexp.MustCompile(`(^|/)gradle:`), "java", "gradle"},
	{regexp.MustCompile(`(^|/)(eclipse-temurin|openjdk|amazoncorretto):`), "java", ""},
	{regexp.MustCompile(`(^|/)ruby:`), "ruby", "bundler"},
	{regexp.MustCompile(`(^|/)php:`), "php", ""},
	{regexp.MustCompile(`(^|/)rust:`), "rust", "cargo"},
	{regexp.MustCompile(`(^|/)dotnet/(sdk|aspnet|runtime)`), "dotnet", "dotnet"},
	{regexp.MustCompile(`(^|/)(nginx|httpd|caddy):`), "static", ""},
}

type ecoSet struct {
	list []*Ecosystem
}

func (s *ecoSet) add(eco, tool, evidence string) {
	for _, e := range s.list {
		if e.Name == eco {
			if e.Tool == "" && tool != "" {
				e.Tool = tool
			}
			if !hasAny(e.Evidence, evidence) {
				e.Evidence = append(e.Evidence, evidence)
			}
			return
		}
	}
	s.list = append(s.list, &Ecosystem{Name: eco, Tool: tool, Evidence: []string{evidence}})
}

func (s *ecoSet) result() []Ecosystem {
	out := make([]Ecosystem, len(s.list))
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

// testSuggestion is a test stage for an ecosystem whose Dockerfile runs no
// tests: the steps, and what they assume.
func testSuggestion(e Ecosystem, ctx *buildContext) (steps []string, assumes string) {
	switch e.Name {
	case "python":
		switch e.Tool {
		case "poetry":
			return []string{"poetry install --no-root --with dev", "python -m pytest"}, "pytest is a dev dependency in pyproject.toml"
		case "pipenv":
			return []string{"pipenv install --system --dev", "python -m pytest"}, "pytest is a dev package in the Pipfile"
		}
		for _, f := range ctx.matching("requirements*.txt", true) {
			if devRequirementsRE.MatchString(strings.TrimSuffix(f, ".txt")) {
				return []string{"pip install --no-cache-dir -r " + f, "python -m pytest"}, f + " lists pytest"
			}
		}
		return []string{"pip install --no-cache-dir pytest", "python -m pytest"}, "the tests are pytest or unittest tests"
	case "node":
		switch e.Tool {
		case "yarn":
			return []string{"yarn install --frozen-lockfile", "yarn test"}, "package.json has a test script"
		case "pnpm":
			return []string{"pnpm install --frozen-lockfile", "pnpm test"}, "package.json has a test script"
		}
		return []string{"npm ci", "npm test"}, "package.json has a test script (npm ci installs the devDependencies it needs)"
	case "go":
		return []string{"go test ./..."}, ""
	case "java":
		if e.Tool == "gradle" {
			if ctx.hasFile("gradlew") {
				return []string{"./gradlew test --no-daemon"}, ""
			}
			return []string{"gradle test --no-daemon"}, ""
		}
		if ctx.hasFile("mvnw") {
			return []string{"./mvnw -B test"}, ""
		}
		return []string{"mvn -B test"}, ""
	case "ruby":
		if ctx.has("spec") || ctx.hasFile(".rspec") {
			return []string{"bundle exec rspec"}, "rspec is in the Gemfile's test group, installed in this stage"
		}
		return []string{"bundle exec rake test"}, "the Gemfile's test group is installed in this stage"
	case "php":
		return []string{"composer install --no-interaction", "vendor/bin/phpunit"}, "phpunit is in require-dev"
	case "rust":
		return []string{"cargo test --release"}, ""
	case "dotnet":
		return []string{"dotnet test"}, "a test project is part of the solution"
	case "static":
		return []string{"nginx -t"}, "the image is nginx: this checks the configuration"
	}
	return nil, ""
}
