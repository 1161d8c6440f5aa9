package ecosystem

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/transpile/shell"
)

// devRequirements are the usual names of development/test requirement files.
var devRequirements = []string{
	"requirements-dev.txt", "requirements.dev.txt", "requirements_dev.txt", "dev-requirements.txt",
	"requirements-test.txt", "requirements.test.txt", "requirements_test.txt", "test-requirements.txt",
}

// requirements lists the root's requirements*.txt files (runtime first).
func (p *project) requirements() []string {
	out := p.glob("*requirements*.txt")
	sort.SliceStable(out, func(i, j int) bool { return out[i] == "requirements.txt" && out[j] != "requirements.txt" })
	return out
}

var (
	reqNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)`) })
	// dependencies = ["flask>=2", 'gunicorn'] in [project], possibly on several lines
	pepDepsRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)\bdependencies\s*=\s*\[(.*?)\]`) })
	quotedRE      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`["']([^"']+)["']`) })
	tomlKeyRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*=`) })
	tomlSectionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*\[([^\]]+)\]\s*$`) })
	tomlNameRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*name\s*=\s*["']([^"']+)["']`) })
	pyPortRE      = sync.OnceValue(func() []*regexp.Regexp {
		return []*regexp.Regexp{
			regexp.MustCompile(`["']PORT["']\s*,\s*["']?(\d{2,5})`),
			regexp.MustCompile(`\bport\s*=\s*(\d{2,5})\b`),
			// PORT = "9090", port = '9090' (a module-level setting)
			regexp.MustCompile(`(?im)^\s*(?:(?:http|listen|server|app|default)_?)?port\s*=\s*["'](\d{2,5})["']`),
			regexp.MustCompile(`["'](?:0\.0\.0\.0|127\.0\.0\.1|localhost)?:(\d{2,5})["']`),
		}
	})
)

// normPy normalises a Python distribution name (PEP 503).
func normPy(s string) string {
	return strings.NewReplacer("_", "-", ".", "-").Replace(strings.ToLower(s))
}

// reqNames reads the distribution names of a requirements file (options,
// includes, URLs and comments skipped).
func reqNames(b []byte) []string {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if line == "" || strings.HasPrefix(line, "-") || strings.Contains(line, "://") {
			continue
		}
		if m := reqNameRE().FindStringSubmatch(line); m != nil {
			out = append(out, normPy(m[1]))
		}
	}
	return out
}

// tomlSection returns the text of a [section] of a TOML file (up to the
// next header), or "".
func tomlSection(b []byte, name string) string {
	s := string(b)
	locs := tomlSectionRE().FindAllStringSubmatchIndex(s, -1)
	for i, l := range locs {
		if strings.TrimSpace(s[l[2]:l[3]]) != name {
			continue
		}
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		return s[l[1]:end]
	}
	return ""
}

func (p *project) python(r *Result, forced bool) {
	py := p.read("pyproject.toml")
	switch r.Manager {
	case Poetry:
		p.manifest(r, "pyproject.toml", "Python project managed by poetry ([tool.poetry])", true)
		if !p.lockfile(r, "poetry.lock", "poetry lockfile") {
			r.note("", "no poetry.lock: poetry resolves the dependencies at build time")
		}
		for _, sec := range []string{"tool.poetry.dependencies", "tool.poetry.group.dev.dependencies", "tool.poetry.dev-dependencies"} {
			for _, m := range tomlKeyRE().FindAllStringSubmatch(tomlSection(py, sec), -1) {
				if m[1] != "python" {
					r.Deps = append(r.Deps, normPy(m[1]))
				}
			}
		}
		if m := tomlNameRE().FindSubmatch([]byte(tomlSection(py, "tool.poetry"))); m != nil {
			r.Name = string(m[1])
		}
	default:
		reqs := p.requirements()
		for _, f := range reqs {
			dev := false
			for _, d := range devRequirements {
				if f == d {
					dev = true
				}
			}
			if dev {
				r.DevManifests = append(r.DevManifests, f)
				r.note(f, "development requirements, installed in the test stage")
			} else if f == "requirements.txt" {
				r.Manifests = append(r.Manifests, f)
				r.note(f, "pip requirements file")
			} else {
				r.note(f, "requirements file not installed by the preset (neither requirements.txt nor a known dev/test name)")
			}
			r.Deps = append(r.Deps, reqNames(p.read(f))...)
		}
		if len(r.Manifests) == 0 {
			switch {
			case p.has("pyproject.toml"):
				r.Manifests = append(r.Manifests, "pyproject.toml")
				r.note("pyproject.toml", "Python project without requirements.txt: installed with `pip install .` after the source is copied")
			case p.has("setup.py"):
				r.Manifests = append(r.Manifests, "setup.py")
				r.note("setup.py", "Python project without requirements.txt: installed with `pip install .` after the source is copied")
			case p.has("Pipfile"):
				r.note("Pipfile", "pipenv is not supported by the preset; export a requirements.txt (pipenv requirements > requirements.txt)")
				r.Manifests = append(r.Manifests, "requirements.txt")
			default:
				p.manifest(r, "requirements.txt", "pip requirements file", forced)
			}
		}
		if m := pepDepsRE().FindSubmatch([]byte(tomlSection(py, "project"))); m != nil {
			for _, q := range quotedRE().FindAllSubmatch(m[1], -1) {
				r.Deps = append(r.Deps, reqNames(q[1])...)
			}
		}
		if m := tomlNameRE().FindSubmatch([]byte(tomlSection(py, "project"))); m != nil {
			r.Name = string(m[1])
		}
	}
	sort.Strings(r.Deps)
	r.Deps = uniq(r.Deps)
	p.pythonApp(r)
}

// pyEntries are the usual names of a Python service's entry file.
var pyEntries = []string{"app.py", "main.py", "wsgi.py", "application.py", "server.py", "run.py", "app/__init__.py", "app/main.py", "src/app.py", "src/main.py"}

func (p *project) pythonApp(r *Result) {
	has := func(n string) bool { return (&Result{Deps: r.Deps}).HasDep(n) }
	find := func(marker string) (string, string) {
		re := regexp.MustCompile(`(?m)^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=\n]*)?=\s*` + regexp.QuoteMeta(marker))
		for _, f := range pyEntries {
			b := p.read(f)
			if b == nil {
				continue
			}
			if m := re.FindSubmatch(b); m != nil {
				return f, string(m[1])
			}
			if strings.Contains(string(b), marker) {
				return f, ""
			}
		}
		return "", ""
	}
	module := func(f string) string {
		f = strings.TrimSuffix(strings.TrimSuffix(f, ".py"), "/__init__")
		return strings.ReplaceAll(f, "/", ".")
	}
	// webApp sets the entry file and the application (app of the file's
	// module and the variable) from the entry file that creates it with
	// marker, or guesses the application; it returns the file, or "".
	webApp := func(marker, kind string, app func(mod, v string) string, guess, guessed string) string {
		f, v := find(marker)
		if f == "" {
			r.App = guess
			r.note("", "no %s) found in %s; guessing %s", marker, strings.Join(pyEntries, ", "), guessed)
			return ""
		}
		r.Entry, r.App = f, app(module(f), v)
		r.note(f, "the %s application %s", kind, r.App)
		return f
	}
	switch {
	case has("django") || p.has("manage.py"):
		r.Framework = "django"
		r.note("", "Django (django in the requirements or manage.py)")
		for _, d := range p.walk(".", 2, 50, func(n string) bool { return path.Base(n) == "wsgi.py" && printable(n) && !strings.Contains(n, " ") }) {
			r.Entry = module(d)
			r.note(d, "the WSGI module %s", r.Entry)
			break
		}
		p.setPort(r, nil, nil, 8000, "Django's default")
	case has("fastapi"):
		r.Framework = "fastapi"
		r.note("", "FastAPI (fastapi in the requirements)")
		f := webApp("FastAPI(", "ASGI", func(mod, v string) string { return mod + ":" + or(v, "app") }, "main:app", "main:app")
		p.setPortFrom(r, 8000, "uvicorn's default", portSearch{nonEmpty(f), pyPortRE()}, portSearch{p.configFiles(), configPortRE()})
	case has("flask"):
		r.Framework = "flask"
		r.note("", "Flask (flask in the requirements)")
		f := webApp("Flask(", "Flask", func(mod, v string) string {
			if v != "" {
				return mod + ":" + v
			}
			return mod
		}, "app", "the module app")
		p.setPortFrom(r, 8080, "the preset's default", portSearch{nonEmpty(f), pyPortRE()}, portSearch{p.configFiles(), configPortRE()})
	default:
		if f := firstExisting(p, pyEntries...); f != "" {
			r.Entry = f
			r.note(f, "entry file (no web framework found in the requirements)")
		}
		p.setPortFrom(r, 8080, "the preset's default", portSearch{nonEmpty(r.Entry), pyPortRE()}, portSearch{p.configFiles(), configPortRE()})
	}
	var files []string
	if r.Entry != "" && strings.HasSuffix(r.Entry, ".py") {
		files = append(files, r.Entry)
	}
	files = append(files, p.walk(".", 3, 200, func(n string) bool { return strings.HasSuffix(n, ".py") && !strings.Contains(n, "test") })...)
	p.setHealth(r, files)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

var pythonRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^python(\d+(\.\d+)?)?$`) })

// testToolPackages are Python packages installed only to run tests.
var testToolPackages = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(pytest([-_][a-z0-9-_]+)?|coverage|tox|nox|mock|hypothesis)([=<>!~\[].*)?$`)
})

// devRequirementsRE matches requirement files that hold test or development
// dependencies.
var devRequirementsRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(^|[/_.-])(dev|devel|test|tests|testing|ci)([/_.-]|$)`)
})

// pipValueFlags are pip install flags that take a value in the next word.
var pipValueFlags = map[string]bool{
	"-i": true, "--index-url": true, "--extra-index-url": true, "--trusted-host": true,
	"--cache-dir": true, "--progress-bar": true, "--platform": true, "--python-version": true,
	"--implementation": true, "--abi": true, "--only-binary": true, "--no-binary": true,
	"--timeout": true, "--retries": true, "--proxy": true, "--log": true, "--root-user-action": true,
	"--upgrade-strategy": true, "--global-option": true, "--config-settings": true, "-C": true,
}

func classifyPython(module string, args []string, ws []shell.Word, ctx *BuildContext) Classified {
	what := "python -m " + module + " " + strings.Join(args, " ")
	switch module {
	case "pytest", "unittest", "tox", "nox":
		return Classified{Role: RoleTest, Ecosystem: "python", Tool: module, What: strings.TrimSpace(what)}
	case "pip":
	default:
		return Classified{}
	}
	if len(args) == 0 || args[0] != "install" {
		return Classified{}
	}
	info := Classified{Ecosystem: "python", Tool: "pip", What: "pip " + strings.Join(args, " ")}
	var reqs, constraints, pkgs []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if ws[i].Dynamic {
			return Classified{}
		}
		switch {
		case a == "-r" || a == "--requirement" || a == "-c" || a == "--constraint":
			if i+1 >= len(args) || ws[i+1].Dynamic {
				return Classified{}
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
			// installs the project from the source
			if a == "-e" || a == "--editable" {
				if i+1 < len(args) {
					return Classified{DevExtras: pipDevExtras(args[i+1])}
				}
				return Classified{}
			}
			return Classified{DevExtras: pipDevExtras(strings.TrimPrefix(a, "--editable="))}
		case a == "-t" || a == "--target" || a == "--prefix" || a == "--root" || a == "-f" || a == "--find-links" || a == "--src":
			return Classified{} // writes to or reads from a path
		case pipValueFlags[a]:
			i++
		case strings.HasPrefix(a, "-"):
		default:
			if strings.HasPrefix(a, ".") || strings.HasPrefix(a, "/") || strings.Contains(a, "/") || strings.HasSuffix(a, ".whl") || strings.HasSuffix(a, ".tar.gz") || strings.HasSuffix(a, ".zip") {
				return Classified{DevExtras: pipDevExtras(a)} // a local path: the project or a file from the context
			}
			pkgs = append(pkgs, a)
		}
	}
	if len(reqs) == 0 {
		if len(pkgs) == 0 {
			return Classified{}
		}
		allTest := true
		for _, p := range pkgs {
			if !testToolPackages().MatchString(strings.ToLower(p)) {
				allTest = false
			}
		}
		if allTest {
			info.Role = RoleTestDeps
		} else {
			info.Role = RoleToolSetup
		}
		return info
	}
	allDev := true
	for _, r := range reqs {
		if !isDevRequirements(r) {
			allDev = false
		}
	}
	if allDev {
		info.Role = RoleTestDeps
		info.TestManifests = reqs
		return info
	}
	info.Role = RoleInstall
	for _, r := range reqs {
		if isDevRequirements(r) {
			info.DevManifests = append(info.DevManifests, r)
		}
	}
	files := append(append([]string(nil), reqs...), constraints...)
	seen := map[string]bool{}
	for len(files) > 0 {
		f := path.Clean(files[0])
		files = files[1:]
		if seen[f] {
			continue
		}
		seen[f] = true
		info.Need = append(info.Need, f)
		if !ctx.Known() {
			continue
		}
		text, ok := ctx.Read(f)
		if !ok {
			continue
		}
		incl, why := requirementIncludes(text)
		if why != "" && info.Unsafe == "" {
			info.Unsafe = fmt.Sprintf("%s %s, which reads the source; only a requirements file of package names can be installed before the source copy", f, why)
		}
		for _, x := range incl {
			files = append(files, path.Join(path.Dir(f), x))
		}
	}
	return info
}

// pipDevExtras returns the test and development extras a pip argument
// that installs a local project names (".[test,dev]" -> test, dev), nil
// when it names none.
func pipDevExtras(a string) []string {
	open := strings.Index(a, "[")
	if open < 0 || !strings.HasSuffix(a, "]") {
		return nil
	}
	var out []string
	for _, x := range strings.Split(a[open+1:len(a)-1], ",") {
		if x = strings.TrimSpace(x); devRequirementsRE().MatchString(x) {
			out = append(out, x)
		}
	}
	return out
}

// isDevRequirements reports whether the requirements file r is a test or
// development one by its name (requirements-dev.txt, requirements/test.txt).
func isDevRequirements(r string) bool {
	return devRequirementsRE().MatchString(strings.TrimSuffix(path.Base(r), ".txt")) || devRequirementsRE().MatchString(r)
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
	poetryDevRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\[tool\.poetry\.(group\.dev|dev-dependencies)`) })
	uvDevRE      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\[dependency-groups\]|^dev-dependencies\s*=`) })
	poetryPathRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)path\s*=\s*"`) })
	goReplaceRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)=>\s*\.{1,2}/`) })
)

func classifyPoetry(args []string, ws []shell.Word, ctx *BuildContext) Classified {
	info, sub := toolCommand("python", "poetry", args)
	switch sub {
	case "config":
		info.Role = RoleToolSetup
		for _, a := range args[2:] {
			if a == "--local" {
				info.Role = RoleOther // writes poetry.toml beside the manifests
			}
		}
		return info
	case "install":
	default:
		return Classified{}
	}
	info.Role = RoleInstall
	info.Need = []string{"pyproject.toml"}
	info.Maybe = []string{"poetry.lock", "poetry.toml"}
	info.Writes = []string{".venv"}
	noRoot := false
	for _, a := range args[2:] {
		switch a {
		case "--no-root":
			noRoot = true
		case "--only-root":
			return Classified{}
		}
	}
	if !noRoot {
		info.Unsafe = "`poetry install` without --no-root also installs the project itself from the source; add --no-root (and install the project after the source copy if it needs to be installed)"
	}
	if text, ok := ctx.Read("pyproject.toml"); ok && poetryPathRE().MatchString(text) && info.Unsafe == "" {
		info.Unsafe = "pyproject.toml has a path dependency, which reads the source"
	}
	if text, ok := ctx.Read("pyproject.toml"); ok && poetryDevRE().MatchString(text) && !HasWord(args, "--only", "--without", "--no-dev", "--only-root") && !hasPrefixWord(args, "--only=", "--without=") {
		info.ProdFlag = "--only main"
	}
	return info
}

func classifyPipenv(args []string, ctx *BuildContext) Classified {
	if len(args) < 2 || args[1] != "install" {
		return Classified{}
	}
	for _, a := range args[2:] {
		if !strings.HasPrefix(a, "-") {
			return Classified{} // installs named packages into the Pipfile
		}
	}
	return Classified{Role: RoleInstall, Ecosystem: "python", Tool: "pipenv", What: strings.Join(args, " "),
		Need: []string{"Pipfile"}, Maybe: []string{"Pipfile.lock"}, Writes: []string{".venv"}}
}

// hasPrefixWord reports whether one of args starts with one of prefixes.
func hasPrefixWord(args []string, prefixes ...string) bool {
	for _, a := range args {
		for _, p := range prefixes {
			if strings.HasPrefix(a, p) {
				return true
			}
		}
	}
	return false
}
