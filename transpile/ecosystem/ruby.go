package ecosystem

import (
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Ruby projects (bundler): detection from their files and what bundle
// commands do.

var (
	gemRE      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*gem\s+["']([^"']+)["']`) })
	rubyPortRE = sync.OnceValue(func() []*regexp.Regexp {
		return []*regexp.Regexp{regexp.MustCompile(`(?m)^\s*set\s+:port\s*,\s*(\d{2,5})`), regexp.MustCompile(`(?m)^\s*port\s+ENV\.fetch\("PORT"\)\s*\{\s*(\d{2,5})`)}
	})
	gemspecRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*gemspec\b`) })
	gemPathRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)(path:|:path\s*=>|^\s*path\s)`) })
)

func (p *project) ruby(r *Result, forced bool) {
	p.manifest(r, "Gemfile", "Ruby project (bundler)", true)
	if !p.lockfile(r, "Gemfile.lock", "bundler lockfile") {
		r.note("", "no Gemfile.lock: bundler resolves the gems at build time")
	}
	for _, m := range gemRE().FindAllSubmatch(p.read("Gemfile"), -1) {
		r.Deps = append(r.Deps, strings.ToLower(string(m[1])))
	}
	sort.Strings(r.Deps)
	r.Deps = uniq(r.Deps)
	switch {
	case r.HasDep("rails") || p.has("config/application.rb"):
		r.Framework = "rails"
		r.note("Gemfile", "Rails")
		p.setPort(r, []string{"config/puma.rb"}, rubyPortRE(), 3000, "Rails' default")
		r.HealthPath = "/up"
		r.note("", "Rails 7.1+ answers /up when the app boots")
	case r.HasDep("sinatra"):
		r.Framework = "sinatra"
		r.Entry = firstExisting(p, "app.rb", "server.rb", "main.rb")
		r.note("Gemfile", "Sinatra")
		p.setPort(r, nonEmpty(r.Entry), rubyPortRE(), 4567, "Sinatra's default")
	default:
		if p.has("config.ru") {
			r.Framework = "rack"
			r.note("config.ru", "a Rack application")
		}
		p.setPort(r, []string{"config/puma.rb"}, rubyPortRE(), 9292, "rackup's default")
	}
	if r.HasDep("rspec") || r.HasDep("rspec-rails") || p.isDir("spec") {
		r.note("", "tests run with rspec (rspec in the Gemfile or a spec/ directory)")
	}
}

func classifyBundler(args []string, ctx *BuildContext) Classified {
	info, sub := toolCommand("ruby", "bundler", args)
	switch sub {
	case "config":
		info.Role = RoleToolSetup
		if HasWord(args, "--local") {
			info.Writes = []string{".bundle"}
		}
		return info
	case "exec":
		if len(args) >= 3 {
			rest := append([]string{}, args[2:]...)
			n := path.Base(rest[0])
			if n == "rspec" || (n == "rake" || n == "rails") && len(rest) > 1 && (rest[1] == "test" || rest[1] == "spec") {
				info.Role = RoleTest
				return info
			}
		}
		return Classified{}
	case "install":
	default:
		return Classified{}
	}
	for _, a := range args[2:] {
		if a == "--path" || strings.HasPrefix(a, "--path=") || a == "--gemfile" || strings.HasPrefix(a, "--gemfile=") {
			return Classified{}
		}
	}
	info.Role = RoleInstall
	info.Need = []string{"Gemfile"}
	info.Maybe = []string{"Gemfile.lock"}
	info.Writes = []string{".bundle", "vendor"}
	if text, ok := ctx.Read("Gemfile"); ok {
		switch {
		case gemspecRE().MatchString(text):
			info.Unsafe = "the Gemfile reads the project's gemspec from the source"
		case gemPathRE().MatchString(text):
			info.Unsafe = "the Gemfile has a path gem, which lives in the source"
		}
	}
	if ctx.Has("Gemfile.lock") && !HasWord(args, "--frozen", "--deployment") {
		info.Caveat = "`bundle install` may update Gemfile.lock (platforms); the image now keeps the context's copy; `bundle config set frozen true` makes the install exact"
	}
	return info
}
