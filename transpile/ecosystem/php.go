package ecosystem

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// PHP projects (composer): detection from their files and what composer
// commands do.

// phpDocRoots are the usual document roots of a PHP project.
var phpDocRoots = []string{"public", "web", "htdocs"}

func (p *project) php(r *Result, forced bool) {
	p.manifest(r, "composer.json", "PHP project (composer)", true)
	if !p.lockfile(r, "composer.lock", "composer lockfile") {
		r.note("", "no composer.lock: composer resolves the dependencies at build time")
	}
	cj := string(p.read("composer.json"))
	for _, d := range []string{"laravel/framework", "symfony/framework-bundle", "slim/slim", "phpunit/phpunit"} {
		if strings.Contains(cj, `"`+d+`"`) {
			r.Deps = append(r.Deps, d)
		}
	}
	sort.Strings(r.Deps)
	switch {
	case p.has("artisan") || r.HasDep("laravel/framework"):
		r.Framework = "laravel"
		r.note("artisan", "Laravel")
	case r.HasDep("symfony/framework-bundle"):
		r.Framework = "symfony"
		r.note("composer.json", "Symfony")
	}
	r.Entry = "."
	for _, d := range phpDocRoots {
		if p.has(d + "/index.php") {
			r.Entry = d
			r.note(d+"/index.php", "document root %s/", d)
			break
		}
	}
	r.Port = 8080
	r.note("", "port 8080: the preset's default for PHP's built-in server")
}

func classifyComposer(args []string, ctx *BuildContext) Classified {
	info, sub := toolCommand("php", "composer", args)
	switch sub {
	case "install":
	case "test":
		info.Role = RoleTest
		return info
	default:
		return Classified{}
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
				return Classified{}
			}
		}
	}
	info.Role = RoleInstall
	info.Need = []string{"composer.json"}
	info.Maybe = []string{"composer.lock", "auth.json"}
	info.Writes = []string{"vendor"}
	var cj struct {
		Autoload map[string]json.RawMessage `json:"autoload"`
		Scripts  map[string]json.RawMessage `json:"scripts"`
		Config   map[string]json.RawMessage `json:"config"`
		Repos    json.RawMessage            `json:"repositories"`
	}
	if text, ok := ctx.Read("composer.json"); ok {
		if err := json.Unmarshal([]byte(text), &cj); err != nil {
			info.Unsafe = "composer.json does not parse as JSON"
			return info
		}
	}
	if !noScripts {
		for _, s := range []string{"pre-install-cmd", "post-install-cmd", "pre-autoload-dump", "post-autoload-dump"} {
			if _, ok := cj.Scripts[s]; ok {
				info.Unsafe = fmt.Sprintf("composer.json has a %q script, which the install runs and which may read the source; add --no-scripts and run the scripts after the source copy", s)
				return info
			}
		}
	}
	if !noAutoloader {
		_, classmap := cj.Autoload["classmap"]
		cfgOpt := strings.Contains(string(cj.Config["optimize-autoloader"]), "true") || strings.Contains(string(cj.Config["classmap-authoritative"]), "true")
		if optimize || classmap || cfgOpt {
			info.Unsafe = "the install builds an optimized (classmap) autoloader by scanning the source; install with --no-autoloader --no-scripts before the source copy and run `composer dump-autoload --optimize` after it"
			return info
		}
	}
	if strings.Contains(string(cj.Repos), `"path"`) {
		info.Unsafe = "composer.json has a path repository, which lives in the source"
	}
	return info
}
