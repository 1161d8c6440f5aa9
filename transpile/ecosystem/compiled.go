package ecosystem

import (
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
)

var (
	goModuleRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*module\s+"?([^\s"]+)"?`) })
	goPackageRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^package\s+main\b`) })
	goPortRE    = sync.OnceValue(func() []*regexp.Regexp {
		return []*regexp.Regexp{
			regexp.MustCompile(`"(?:0\.0\.0\.0|127\.0\.0\.1|localhost)?:(\d{2,5})"`),
			regexp.MustCompile(`Getenv\("PORT"\)[^\n]*\n?[^\n]*"(\d{2,5})"`),
			// port = "9090", port := "9090", Port: 9090 (not dbPort, redisPort)
			regexp.MustCompile(`(?i)\b(?:http_?|listen_?|server_?|default_?)?port\s*(?::=|=|:)\s*"?(\d{2,5})\b`),
		}
	})
	goVersionSuffixRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^v[0-9]+$`) })
)

// goMainFiles lists the non-test .go files of dir that are package main.
func (p *project) goMainFiles(dir string) []string {
	var out []string
	for _, f := range p.walk(dir, 1, 100, func(n string) bool { return strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") }) {
		if goPackageRE().Match(p.read(f)) {
			out = append(out, f)
		}
	}
	return out
}

func (p *project) golang(r *Result, forced bool) {
	p.manifest(r, "go.mod", "Go module", true)
	if !p.lockfile(r, "go.sum", "Go checksums") {
		r.note("", "no go.sum: the module has no dependencies, or `go mod tidy` was not run")
	}
	if p.has("go.work") {
		r.note("go.work", "a Go workspace: the preset builds only this module")
	}
	if m := goModuleRE().FindSubmatch(p.read("go.mod")); m != nil {
		r.Module = string(m[1])
		el := strings.Split(r.Module, "/")
		r.Name = el[len(el)-1]
		if len(el) > 1 && goVersionSuffixRE().MatchString(r.Name) {
			r.Name = el[len(el)-2]
		}
		r.note("go.mod", "module %s", r.Module)
	}
	r.Binary = or(r.Name, "app")
	mains := p.goMainFiles(".")
	r.MainPackage = "."
	if len(mains) > 0 {
		r.note(mains[0], "package main at the module root")
	} else if p.isDir("cmd") {
		var cands []string
		for _, f := range p.walk("cmd", 2, 200, func(n string) bool { return strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") }) {
			if d := path.Dir(f); goPackageRE().Match(p.read(f)) && safeName(d) == strings.ReplaceAll(d, "/", "-") {
				cands = append(cands, d)
			}
		}
		sort.Strings(cands)
		cands = uniq(cands)
		if len(cands) > 0 {
			pick := cands[0]
			for _, c := range cands {
				if path.Base(c) == r.Binary {
					pick = c
				}
			}
			r.MainPackage = "./" + pick
			r.Binary = path.Base(pick)
			mains = p.goMainFiles(pick)
			r.note(pick, "package main (of %d under cmd/)", len(cands))
		}
	} else {
		r.note("", "no package main found; building the module root")
	}
	r.Entry = r.MainPackage
	r.note("", "binary %s", r.Binary)
	p.setPortFrom(r, 8080, "the preset's default", portSearch{mains, goPortRE()}, portSearch{p.configFiles(), configPortRE()})
	p.setHealth(r, mains)
}

var (
	cargoBinNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)\[\[bin\]\][^\[]*?\bname\s*=\s*"([^"]+)"`) })
	rustPortRE     = sync.OnceValue(func() []*regexp.Regexp {
		return []*regexp.Regexp{regexp.MustCompile(`"(?:0\.0\.0\.0|127\.0\.0\.1|localhost|\[::\])?:(\d{2,5})"`), regexp.MustCompile(`\(\s*\[\s*0\s*,\s*0\s*,\s*0\s*,\s*0\s*\]\s*,\s*(\d{2,5})\s*\)`)}
	})
)

func (p *project) rust(r *Result, forced bool) {
	p.manifest(r, "Cargo.toml", "Rust package (cargo)", true)
	if !p.lockfile(r, "Cargo.lock", "cargo lockfile") {
		r.note("", "no Cargo.lock: cargo resolves the dependencies at build time (commit it for a binary)")
	}
	toml := p.read("Cargo.toml")
	if strings.Contains(tomlSection(toml, "workspace"), "members") {
		r.note("Cargo.toml", "a cargo workspace: the preset fetches dependencies for the root package only")
	}
	if m := tomlNameRE().FindSubmatch([]byte(tomlSection(toml, "package"))); m != nil {
		r.Name = string(m[1])
	}
	r.Binary = or(r.Name, "app")
	if m := cargoBinNameRE().FindSubmatch(toml); m != nil {
		r.Binary = string(m[1])
	}
	r.note("Cargo.toml", "binary %s", r.Binary)
	for _, m := range tomlKeyRE().FindAllStringSubmatch(tomlSection(toml, "dependencies"), -1) {
		r.Deps = append(r.Deps, strings.ToLower(m[1]))
	}
	for _, fw := range []string{"axum", "actix-web", "rocket", "warp", "hyper", "tide", "poem"} {
		for _, d := range r.Deps {
			if d == fw && r.Framework == "" {
				r.Framework = fw
				r.note("Cargo.toml", "web framework %s", fw)
			}
		}
	}
	files := p.walk("src", 2, 100, func(n string) bool { return strings.HasSuffix(n, ".rs") })
	p.setPort(r, files, rustPortRE(), 8080, "the preset's default")
	p.setHealth(r, files)
}

var (
	netTargetRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^net(?:coreapp)?(\d+)\.(\d+)$`) })
	assemblyNameRE = xmlTagRE("AssemblyName")
	targetFwRE     = xmlTagRE("TargetFramework")
)

// projects lists the .NET project files (*.csproj, *.fsproj: the Markers
// of DotNet but the solution) at the root and up to three levels down.
func (p *project) projects() []string {
	return p.walk(".", 3, 50, func(n string) bool {
		return !strings.HasSuffix(n, ".sln") && marked(path.Base(n), DotNet)
	})
}

func (p *project) dotnet(r *Result, forced bool) {
	projs := p.projects()
	for _, s := range p.glob("*.sln") {
		p.manifest(r, s, "solution", false)
	}
	for _, f := range []string{"global.json", "NuGet.config", "nuget.config", "Directory.Build.props", "Directory.Packages.props"} {
		p.manifest(r, f, ".NET build configuration", false)
	}
	for _, c := range projs {
		what := "C# project"
		if strings.HasSuffix(c, ".fsproj") {
			what = "F# project"
		}
		p.manifest(r, c, what, false)
	}
	if len(projs) == 0 {
		r.Manifests = append(r.Manifests, "app.csproj")
		r.note("", "no .csproj found; the preset expects app.csproj")
		projs = []string{"app.csproj"}
	}
	// The project to publish: a web SDK project that is not a test project.
	main := ""
	for _, web := range []bool{true, false} {
		for _, c := range projs {
			b := string(p.read(c))
			isTest := strings.Contains(strings.ToLower(c), "test") || strings.Contains(b, "Microsoft.NET.Test.Sdk")
			if isTest || main != "" {
				continue
			}
			if !web || strings.Contains(b, "Microsoft.NET.Sdk.Web") {
				main = c
			}
		}
	}
	if main == "" {
		main = projs[0]
	}
	r.MainPackage = main
	r.Binary = strings.TrimSuffix(path.Base(main), path.Ext(main))
	b := p.read(main)
	if m := assemblyNameRE.FindSubmatch(b); m != nil {
		r.Binary = string(m[1])
	}
	r.Name = r.Binary
	if strings.Contains(string(b), "Microsoft.NET.Sdk.Web") {
		r.Framework = "aspnetcore"
	}
	if m := targetFwRE.FindSubmatch(b); m != nil {
		if v := netTargetRE().FindStringSubmatch(strings.TrimSpace(string(m[1]))); v != nil {
			r.RuntimeTarget = v[1] + "." + v[2]
			r.note(main, "target framework %s: the runtime image is aspnet:%s (a .NET app does not roll forward to a newer major runtime)", m[1], r.RuntimeTarget)
		} else {
			r.note(main, "target framework %s: not a netN.M the preset reads; the runtime image follows the SDK", m[1])
		}
	} else if m := xmlTagRE("TargetFrameworks").FindSubmatch(b); m != nil {
		r.note(main, "target frameworks %s: the runtime image follows the SDK (publish one with -f)", m[1])
	}
	r.note(main, "the project to publish: %s.dll", r.Binary)
	r.Port = 8080
	r.note("", "port 8080: ASP.NET Core's default in the .NET 8 images (ASPNETCORE_HTTP_PORTS)")
}

func classifyGo(args []string, ctx *BuildContext) Classified {
	info, sub := toolCommand("go", "go", args)
	switch {
	case sub == "":
		return Classified{}
	case sub == "test":
		info.Role = RoleTest
		return info
	case args[1] == "install" && len(args) > 2 && strings.Contains(args[len(args)-1], "@"):
		info.Role = RoleToolSetup
		return info
	case args[1] == "mod" && len(args) > 2 && (args[2] == "download" || args[2] == "verify"):
	default:
		return Classified{}
	}
	for _, a := range args[3:] {
		if !strings.HasPrefix(a, "-") {
			return Classified{} // downloads named modules
		}
	}
	info.Role = RoleInstall
	info.Need = []string{"go.mod"}
	info.Maybe = []string{"go.sum"}
	if ctx.Has("go.work") {
		info.Unsafe = "go.work names modules in the source"
	} else if text, ok := ctx.Read("go.mod"); ok && goReplaceRE().MatchString(text) {
		info.Unsafe = "go.mod replaces a module with a directory of the source"
	}
	return info
}

func classifyCargo(args []string) Classified {
	info, sub := toolCommand("rust", "cargo", args)
	switch sub {
	case "test":
		info.Role = RoleTest
	case "fetch":
		info.Role = RoleInstall
		info.Need = []string{"Cargo.toml"}
		info.Maybe = []string{"Cargo.lock"}
		info.Unsafe = "cargo reads the crate's targets (src/main.rs, src/lib.rs) to load Cargo.toml, so the fetch needs the source; a dependency-only layer needs stub targets (cargo-chef)"
	case "install":
		if !HasWord(args, "--path") {
			info.Role = RoleToolSetup
			return info
		}
		return Classified{}
	default:
		return Classified{}
	}
	return info
}

func classifyDotnet(args []string, ctx *BuildContext) Classified {
	info, sub := toolCommand("dotnet", "dotnet", args)
	switch sub {
	case "tool":
		if len(args) > 2 && args[2] == "install" && HasWord(args, "-g", "--global") {
			info.Role = RoleToolSetup
			return info
		}
		return Classified{}
	case "restore":
	case "test":
		info.Role = RoleTest
		return info
	default:
		return Classified{}
	}
	info.Role = RoleInstall
	info.Writes = []string{"obj", "bin"}
	projects := 0
	for _, f := range ctx.Files() {
		b := path.Base(f)
		ext := path.Ext(b)
		switch {
		case ext == ".csproj" || ext == ".fsproj" || ext == ".vbproj":
			projects++
			info.Need = append(info.Need, f)
		case ext == ".sln" || strings.EqualFold(b, "nuget.config") || b == "global.json" ||
			b == "Directory.Build.props" || b == "Directory.Build.targets" || b == "Directory.Packages.props":
			info.Need = append(info.Need, f)
		case ext == ".props" || ext == ".targets":
			if info.Unsafe == "" {
				info.Unsafe = "the build imports " + f + ", which migrate cannot tell is only a manifest"
			}
		}
		for _, d := range info.Writes {
			if strings.HasPrefix(f, d+"/") || strings.Contains(f, "/"+d+"/") {
				if info.Unsafe == "" {
					info.Unsafe = "the build context holds " + path.Dir(f) + "/, which the source copy would lay over the restore's output; add bin/ and obj/ to .dockerignore"
				}
			}
		}
	}
	if ctx.Known() && projects == 0 && info.Unsafe == "" {
		info.Unsafe = "no project file (*.csproj) in the build context"
	}
	return info
}
