package ecosystem

import (
	"path"
	"regexp"
	"sort"
	"strings"
)

// devRequirements are the usual names of development/test requirement files.
var devRequirements = []string{
	"requirements-dev.txt", "requirements.dev.txt", "requirements_dev.txt", "dev-requirements.txt",
	"requirements-test.txt", "requirements.test.txt", "requirements_test.txt", "test-requirements.txt",
}

// requirements lists the root's requirements*.txt files (runtime first).
func (p *project) requirements() []string {
	var out []string
	for _, n := range p.glob("*requirements*.txt") {
		out = append(out, n)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i] == "requirements.txt" && out[j] != "requirements.txt" })
	return out
}

var (
	reqNameRE = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)`)
	// dependencies = ["flask>=2", 'gunicorn'] in [project], possibly on several lines
	pepDepsRE     = regexp.MustCompile(`(?s)\bdependencies\s*=\s*\[(.*?)\]`)
	quotedRE      = regexp.MustCompile(`["']([^"']+)["']`)
	tomlKeyRE     = regexp.MustCompile(`(?m)^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*=`)
	tomlSectionRE = regexp.MustCompile(`(?m)^\s*\[([^\]]+)\]\s*$`)
	tomlNameRE    = regexp.MustCompile(`(?m)^\s*name\s*=\s*["']([^"']+)["']`)
	pyPortRE      = []*regexp.Regexp{
		regexp.MustCompile(`["']PORT["']\s*,\s*["']?(\d{2,5})`),
		regexp.MustCompile(`\bport\s*=\s*(\d{2,5})\b`),
		regexp.MustCompile(`["'](?:0\.0\.0\.0|127\.0\.0\.1|localhost)?:(\d{2,5})["']`),
	}
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
		if m := reqNameRE.FindStringSubmatch(line); m != nil {
			out = append(out, normPy(m[1]))
		}
	}
	return out
}

// tomlSection returns the text of a [section] of a TOML file (up to the
// next header), or "".
func tomlSection(b []byte, name string) string {
	s := string(b)
	locs := tomlSectionRE.FindAllStringSubmatchIndex(s, -1)
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
			for _, m := range tomlKeyRE.FindAllStringSubmatch(tomlSection(py, sec), -1) {
				if m[1] != "python" {
					r.Deps = append(r.Deps, normPy(m[1]))
				}
			}
		}
		if m := tomlNameRE.FindSubmatch([]byte(tomlSection(py, "tool.poetry"))); m != nil {
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
		if m := pepDepsRE.FindSubmatch([]byte(tomlSection(py, "project"))); m != nil {
			for _, q := range quotedRE.FindAllSubmatch(m[1], -1) {
				r.Deps = append(r.Deps, reqNames(q[1])...)
			}
		}
		if m := tomlNameRE.FindSubmatch([]byte(tomlSection(py, "project"))); m != nil {
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
		f, v := find("FastAPI(")
		r.note("", "FastAPI (fastapi in the requirements)")
		if f != "" {
			r.Entry = f
			r.App = module(f) + ":" + or(v, "app")
			r.note(f, "the ASGI application %s", r.App)
		} else {
			r.App = "main:app"
			r.note("", "no FastAPI() found in %s; guessing main:app", strings.Join(pyEntries, ", "))
		}
		p.setPort(r, nonEmpty(f), pyPortRE, 8000, "uvicorn's default")
	case has("flask"):
		r.Framework = "flask"
		f, v := find("Flask(")
		r.note("", "Flask (flask in the requirements)")
		if f != "" {
			r.Entry = f
			r.App = module(f)
			if v != "" {
				r.App += ":" + v
			}
			r.note(f, "the Flask application %s", r.App)
		} else {
			r.App = "app"
			r.note("", "no Flask() found in %s; guessing the module app", strings.Join(pyEntries, ", "))
		}
		p.setPort(r, nonEmpty(f), pyPortRE, 8080, "the preset's default")
	default:
		if f := firstExisting(p, pyEntries...); f != "" {
			r.Entry = f
			r.note(f, "entry file (no web framework found in the requirements)")
		}
		p.setPort(r, nonEmpty(r.Entry), pyPortRE, 8080, "the preset's default")
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
