package ecosystem

import (
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

var (
	nginxListenRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^\s*listen\s+(?:[0-9.]+:|\[[^\]]*\]:)?(\d{2,5})\b`)
	})
	nginxHealthRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^\s*location\s+(?:=\s*)?(/(?:healthz|health|_health|healthcheck|ping))\s*\{`)
	})
	outDirRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:--out-?dir|--output|-o|--dest)[ =]+["']?([A-Za-z0-9_./-]+)`)
	})
)

// SiteImage is the nginx image a static site is served from, by `dockstage
// init`'s static preset and by migrate's slim prod: a supported nginx
// line, alpine (busybox's wget, no bash).
const SiteImage = "nginx:1.28-alpine"

// static fills r for a static site: served as it is from the root (or
// public/), or built by a package.json build script (r.Manager is then the
// node package manager).
func (p *project) static(r *Result, forced bool) {
	if r.Manager == NoManager && p.has("package.json") {
		if _, ok := p.nodeSite(r); ok {
			r.Manager = Npm
			switch {
			case p.has("pnpm-lock.yaml"):
				r.Manager = Pnpm
			case p.has("yarn.lock"):
				r.Manager = Yarn
			}
		}
	}
	if r.Manager != NoManager {
		scripts := r.Scripts
		if _, ok := scripts["build"]; !ok {
			r.note("package.json", "no build script: the preset runs `npm run build` anyway; add one that writes the site to %s", "dist")
		}
		r.BuildDir = ""
		for _, t := range siteTools {
			if r.HasDep(t.dep) {
				r.BuildDir = t.out
				r.Framework = t.dep
				r.note("package.json", "%s builds into %s/", t.dep, t.out)
				break
			}
		}
		if r.BuildDir == "" {
			if m := outDirRE().FindStringSubmatch(scripts["build"]); m != nil {
				r.BuildDir = strings.TrimSuffix(strings.TrimPrefix(m[1], "./"), "/")
				r.note("package.json", "the build script writes %s/", r.BuildDir)
			} else {
				r.BuildDir = "dist"
				r.note("", "build output guessed as dist/ (change the builder's artifact in the spec if the build writes elsewhere)")
			}
		}
		dev := "dev"
		if _, ok := scripts[dev]; !ok {
			dev = "start"
		}
		if w, ok := simpleWords(scripts[dev]); ok && w[0] == "node" {
			r.Dev = w
			r.note("package.json", "%s script %q", dev, scripts[dev])
		} else if _, ok := scripts[dev]; ok {
			r.Dev = []string{"npm", "run", dev}
		}
	} else {
		switch {
		case p.has("index.html"):
			r.SiteDir = "."
			r.note("index.html", "a static site served as it is (no package manifest)")
		case p.has("public/index.html"):
			r.SiteDir = "public"
			r.note("public/index.html", "a static site served as it is from public/ (no package manifest)")
		default:
			r.SiteDir = "."
			r.note("", "no index.html found; the site is the whole directory")
		}
	}
	r.NginxSiteConf = firstExisting(p, "nginx/default.conf", "nginx/conf.d/default.conf", "default.conf", "conf/default.conf")
	r.NginxConf = firstExisting(p, "nginx/nginx.conf", "nginx.conf", "conf/nginx.conf")
	if r.NginxConf != "" {
		r.note(r.NginxConf, "the project's nginx.conf (it must let nginx run as a non-root user: pid and temp paths in /tmp)")
	}
	if f := r.NginxSiteConf; f != "" {
		r.note(f, "the project's nginx server configuration")
		if m := nginxHealthRE().FindSubmatch(p.read(f)); m != nil {
			r.HealthPath = string(m[1])
			r.note(f, "health endpoint %s", r.HealthPath)
		}
		p.setPort(r, []string{f}, []*regexp.Regexp{nginxListenRE()}, 8080, "the preset's non-root nginx port")
	} else {
		r.Port = 8080
		r.note("", "port 8080: the server configuration the preset writes (non-root nginx listens above 1024)")
	}
}

// nodeSite reads package.json into r for a static site.
func (p *project) nodeSite(r *Result) (packageJSON, bool) {
	pkg, err := parsePackageJSON(p.read("package.json"))
	if err != nil {
		r.note("package.json", "not valid JSON (%v)", err)
		return pkg, false
	}
	r.Manifests = append(r.Manifests, "package.json")
	for _, l := range []string{"package-lock.json", "pnpm-lock.yaml", "yarn.lock"} {
		p.lockfile(r, l, "lockfile")
	}
	r.Name, r.Scripts = pkg.Name, pkg.Scripts
	r.addPackageDeps(pkg)
	return pkg, true
}

// Served is what a static file server's command line serves.
type Served struct {
	// Dir is the directory served, as the command names it: absolute, or
	// relative to the command's working directory ("." for that
	// directory itself).
	Dir string
	// Port is the TCP port the server listens on.
	Port int
	// SPA is true when the server answers an unknown path with
	// index.html (serve -s, a single-page app's fallback).
	SPA bool
	// Server is the server's name (serve, http-server, python -m
	// http.server); What the command line as a report quotes it.
	Server, What string
}

// The flags of a static file server that ServedSite reads.
const (
	flagUnknown = iota
	flagBool
	flagValue
	flagPort
	flagSPA
)

// fileServers are the node static file servers: their default port, the
// flags that change neither the directory nor the answers' paths, and
// whether ./public is the default directory (http-server).
var fileServers = map[string]struct {
	port          int
	public, cache bool // cache: -cN (http-server's cache time)
	flags         map[string]int
}{
	"serve": {port: 3000, flags: map[string]int{"-s": flagSPA, "--single": flagSPA, "-l": flagPort, "--listen": flagPort, "-p": flagPort, "--port": flagPort,
		"-n": flagBool, "--no-clipboard": flagBool, "-u": flagBool, "--no-request-logging": flagBool, "-L": flagBool, "--no-port-switching": flagBool,
		"-C": flagBool, "--cors": flagBool, "--no-compression": flagBool, "--no-etag": flagBool, "-S": flagBool, "--symlinks": flagBool}},
	"http-server": {port: 8080, public: true, cache: true, flags: map[string]int{"-p": flagPort, "--port": flagPort, "-a": flagValue,
		"-s": flagBool, "--silent": flagBool, "-d": flagBool, "-i": flagBool, "-g": flagBool, "--gzip": flagBool, "-b": flagBool, "--brotli": flagBool,
		"--cors": flagBool, "-r": flagBool, "--robots": flagBool, "--no-dotfiles": flagBool}},
}

// ServedSite returns the directory a static file server serves when argv
// (an exec-form command line) runs one: serve (default port 3000, the
// working directory), http-server (8080, ./public when the context has it,
// else the working directory) or python -m http.server (8000, the working
// directory), directly, through npx, or through a package.json script
// that `npm start`, `npm run NAME`, `yarn NAME` or `pnpm NAME` runs (ctx
// holds package.json). The defaults are those of the tools' documentation
// (serve's --help, http-server's README, Python's http.server module).
// false for any other command, a flag it does not know or a value given
// by a variable.
func ServedSite(argv []string, ctx *BuildContext) (Served, bool) {
	w, viaScript, ok := RunsScript(argv, ctx)
	if !ok || len(w) == 0 {
		return Served{}, false
	}
	for _, a := range w {
		if strings.Contains(a, "$") {
			return Served{}, false
		}
	}
	s, ok := servedBy(w, ctx)
	if viaScript {
		s.What = strings.Join(argv, " ") + " (" + s.What + ")"
	}
	return s, ok
}

// RunsScript returns the command line argv runs in the end: npx's command,
// the package.json script that `npm start`, `npm run NAME`, `yarn NAME`
// or `pnpm NAME` runs (with the arguments after --), followed up to three
// times; viaScript is true when a script was read; false when a script is
// not a simple command line.
func RunsScript(argv []string, ctx *BuildContext) (out []string, viaScript, ok bool) {
	for depth := 0; depth < 3 && len(argv) > 0; depth++ {
		bin := path.Base(argv[0])
		switch bin {
		case "npx":
			argv = argv[1:]
			for len(argv) > 0 && (argv[0] == "-y" || argv[0] == "--yes") {
				argv = argv[1:]
			}
			continue
		case "npm", "yarn", "pnpm":
			script, extra := "", []string(nil)
			switch {
			case len(argv) >= 3 && argv[1] == "run":
				script, extra = argv[2], argv[3:]
			case len(argv) >= 2 && (argv[1] == "start" || bin != "npm"):
				script, extra = argv[1], argv[2:]
			default:
				return nil, viaScript, false
			}
			if len(extra) > 0 && extra[0] == "--" {
				extra = extra[1:]
			}
			w, ok := Script(ctx, script)
			if !ok {
				return nil, viaScript, false
			}
			argv, viaScript = append(w, extra...), true
			continue
		}
		return argv, viaScript, true
	}
	return argv, viaScript, len(argv) > 0
}

// servedBy reads a static file server's command line (ServedSite).
func servedBy(argv []string, ctx *BuildContext) (Served, bool) {
	what := strings.Join(argv, " ")
	bin := path.Base(argv[0])
	args := argv[1:]
	switch bin {
	case "serve", "http-server":
		fsrv := fileServers[bin]
		s := Served{Dir: ".", Port: fsrv.port, Server: bin, What: what}
		if fsrv.public && ctx.HasDir("public") {
			s.Dir = "./public"
		}
		dirs := 0
		for i := 0; i < len(args); i++ {
			a := args[i]
			switch {
			case fsrv.flags[a] == flagSPA:
				s.SPA = true
			case fsrv.flags[a] == flagPort:
				if i++; !portArg(args, i, &s.Port) {
					return Served{}, false
				}
			case fsrv.flags[a] == flagValue:
				i++
			case fsrv.flags[a] == flagBool, fsrv.cache && strings.HasPrefix(a, "-c"):
			case strings.HasPrefix(a, "-"):
				return Served{}, false
			default:
				s.Dir = a
				dirs++
			}
		}
		return s, dirs <= 1
	}
	if strings.HasPrefix(bin, "python") && len(args) >= 2 && args[0] == "-m" && args[1] == "http.server" {
		s := Served{Dir: ".", Port: 8000, Server: "python -m http.server", What: what}
		ports := 0
		for i := 2; i < len(args); i++ {
			a := args[i]
			switch {
			case a == "-d" || a == "--directory":
				if i+1 >= len(args) {
					return Served{}, false
				}
				i++
				s.Dir = args[i]
			case strings.HasPrefix(a, "--directory="):
				s.Dir = strings.TrimPrefix(a, "--directory=")
			case a == "-b" || a == "--bind":
				i++
			case strings.HasPrefix(a, "-"):
				return Served{}, false
			default:
				if !portArg(args, i, &s.Port) {
					return Served{}, false
				}
				ports++
			}
		}
		return s, ports <= 1
	}
	return Served{}, false
}

// portArg reads args[i] into port when it is a port (3000, :3000,
// tcp://0.0.0.0:3000).
func portArg(args []string, i int, port *int) bool {
	if i >= len(args) {
		return false
	}
	v := strings.TrimPrefix(args[i], "tcp://")
	if j := strings.LastIndex(v, ":"); j >= 0 {
		v = v[j+1:]
	}
	p, err := strconv.Atoi(v)
	if err != nil || p < 1 || p > 65535 {
		return false
	}
	*port = p
	return true
}

// Script returns the words of a package.json script when it is a simple
// command line (no quotes, operators or expansions).
func Script(ctx *BuildContext, name string) ([]string, bool) {
	text, ok := ctx.Read("package.json")
	if !ok {
		return nil, false
	}
	pkg, err := parsePackageJSON([]byte(text))
	if err != nil {
		return nil, false
	}
	return simpleWords(pkg.Scripts[name])
}

// siteDevServers are the site tools' own servers (a development server
// or a preview of the build), by the command and its subcommand ("" for
// none): they serve a site, but from a directory their configuration may
// change.
var siteDevServers = map[string][]string{
	"vite": {"", "dev", "serve", "preview"}, "react-scripts": {"start"}, "ng": {"serve"}, "webpack": {"serve"},
	"webpack-dev-server": {""}, "parcel": {"", "serve"}, "astro": {"dev", "preview"}, "gatsby": {"develop", "serve"},
	"eleventy": {"--serve"}, "hugo": {"server", "serve"}, "vue-cli-service": {"serve"},
}

// SiteDevServer returns the command line of a site tool's own server when
// argv runs one (directly, through npx, or through a package.json script
// that `npm start`, `npm run NAME`, `yarn NAME` or `pnpm NAME` runs).
func SiteDevServer(argv []string, ctx *BuildContext) (string, bool) {
	argv, _, ok := RunsScript(argv, ctx)
	if !ok || len(argv) == 0 {
		return "", false
	}
	sub := ""
	if len(argv) > 1 {
		sub = argv[1]
	}
	for _, s := range siteDevServers[path.Base(argv[0])] {
		if s == sub || s == "" && (sub == "" || strings.HasPrefix(sub, "-")) {
			return strings.Join(argv, " "), true
		}
	}
	return "", false
}
