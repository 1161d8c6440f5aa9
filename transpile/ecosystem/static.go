package ecosystem

import (
	"regexp"
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
