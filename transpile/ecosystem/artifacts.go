package ecosystem

import (
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/transpile/shell"
)

// This file says what a build command leaves behind when that is known
// with confidence: the Go binary of `go build -o`, the release binary of
// `cargo build --release`, the directory of `dotnet publish -o`. Migrate
// builds a slim prod from it: the artifact copied onto a runtime image.

// Output is the artifact a build command writes.
type Output struct {
	Ecosystem Ecosystem
	// Path is where the artifact is, as the command names it: absolute, or
	// relative to the command's working directory.
	Path string
	// Dir is true for a directory (a publish directory, a site's dist).
	Dir bool
	// Static is true for a binary that needs no C library (CGO_ENABLED=0,
	// a musl target).
	Static bool
	// What is the command as a report quotes it.
	What string
}

// goBuildValueFlags are the go build flags that take a value.
var goBuildValueFlags = map[string]bool{"-o": true, "-ldflags": true, "-gcflags": true, "-tags": true, "-p": true,
	"-mod": true, "-modfile": true, "-pkgdir": true, "-asmflags": true, "-buildmode": true, "-compiler": true,
	"-gccgoflags": true, "-installsuffix": true, "-overlay": true, "-pgo": true, "-toolexec": true, "-buildvcs": true}

// BuildOutput returns the artifact a plain build command writes, when it
// is known: env holds the variables the command sees (ENV, its own
// assignments count too), ctx the build context (for go.mod and
// Cargo.toml).
func BuildOutput(seg shell.Command, env map[string]string, ctx *BuildContext) (Output, bool) {
	if !seg.Plain() {
		return Output{}, false
	}
	for _, w := range seg.Words {
		if w.Dynamic {
			return Output{}, false
		}
	}
	vars := map[string]string{}
	for k, v := range env {
		vars[k] = v
	}
	for _, w := range seg.Words[:seg.Assigns] {
		k, v, _ := strings.Cut(w.Value, "=")
		vars[k] = v
	}
	args := seg.Values()
	if len(args) < 2 {
		return Output{}, false
	}
	what := strings.Join(args, " ")
	switch path.Base(args[0]) {
	case "go":
		switch args[1] {
		case "build":
			return goOutput(args, vars, ctx, what)
		case "install":
			// go install PKG: $GOBIN, else $GOPATH/bin (/go in the golang images)
			if strings.Contains(what, "@") || HasWord(args, "-o") {
				return Output{}, false
			}
			o, ok := goOutput(args, vars, ctx, what)
			if !ok || strings.Contains(o.Path, "/") {
				return Output{}, false
			}
			bin := vars["GOBIN"]
			if bin == "" {
				bin = path.Join(or(vars["GOPATH"], "/go"), "bin")
			}
			o.Path = path.Join(bin, o.Path)
			return o, path.IsAbs(o.Path)
		}
		return Output{}, false
	case "cargo":
		if args[1] == "install" && len(args) == 4 && args[2] == "--path" && (args[3] == "." || args[3] == "./") {
			// cargo install --path .: a release build into $CARGO_HOME/bin
			o, ok := cargoOutput([]string{"cargo", "build", "--release"}, vars, ctx, what)
			home := or(vars["CARGO_HOME"], "/usr/local/cargo")
			o.Path = path.Join(home, "bin", path.Base(o.Path))
			return o, ok
		}
		if args[1] != "build" || !HasWord(args, "--release", "-r") {
			return Output{}, false
		}
		return cargoOutput(args, vars, ctx, what)
	case "dotnet":
		if args[1] != "publish" {
			return Output{}, false
		}
		for i := 2; i+1 < len(args); i++ {
			if args[i] == "-o" || args[i] == "--output" {
				return Output{Ecosystem: DotNet, Path: args[i+1], Dir: true, What: what}, true
			}
			if v, ok := strings.CutPrefix(args[i], "--output="); ok {
				return Output{Ecosystem: DotNet, Path: v, Dir: true, What: what}, true
			}
		}
	}
	return Output{}, false
}

func goOutput(args []string, vars map[string]string, ctx *BuildContext, what string) (Output, bool) {
	out, pkgs := "", []string{}
	for i := 2; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(a, "=")
		name = "-" + strings.TrimLeft(name, "-")
		switch {
		case name == "-C":
			return Output{}, false // builds in another directory
		case strings.HasPrefix(a, "-") && goBuildValueFlags[name]:
			if !hasVal {
				if i+1 >= len(args) {
					return Output{}, false
				}
				i++
				val = args[i]
			}
			if name == "-o" {
				out = val
			}
		case strings.HasPrefix(a, "-"):
		default:
			pkgs = append(pkgs, a)
		}
	}
	if len(pkgs) > 1 || len(pkgs) == 1 && (strings.HasSuffix(pkgs[0], ".go") || strings.Contains(pkgs[0], "...")) {
		if out == "" || strings.HasSuffix(out, "/") {
			return Output{}, false
		}
	}
	if out == "" || strings.HasSuffix(out, "/") {
		// go build names the binary after the package directory, or
		// the module for the module root.
		name := ""
		if len(pkgs) == 0 || pkgs[0] == "." || pkgs[0] == "./" {
			if text, ok := ctx.Read("go.mod"); ok {
				if m := goModuleRE().FindStringSubmatch(text); m != nil {
					name = path.Base(m[1])
				}
			}
		} else if strings.HasPrefix(pkgs[0], "./") {
			name = path.Base(pkgs[0])
		}
		if name == "" || name == "." {
			return Output{}, false
		}
		out += name
	}
	cgo, set := vars["CGO_ENABLED"]
	return Output{Ecosystem: Go, Path: out, Static: set && cgo == "0", What: what}, true
}

var (
	cargoNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*name\s*=\s*"([^"]+)"`) })
	cargoBinRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*\[\[bin\]\]`) })
	cargoWsRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*\[workspace\]`) })
)

func cargoOutput(args []string, vars map[string]string, ctx *BuildContext, what string) (Output, bool) {
	text, ok := ctx.Read("Cargo.toml")
	if !ok || cargoBinRE().MatchString(text) || cargoWsRE().MatchString(text) {
		return Output{}, false // several binaries or a workspace: which one runs is not known
	}
	pkg := tomlSection([]byte(text), "package")
	m := cargoNameRE().FindStringSubmatch(pkg)
	if m == nil {
		return Output{}, false
	}
	bin := m[1]
	dir := "target"
	if d := vars["CARGO_TARGET_DIR"]; d != "" {
		dir = d
	}
	// RUSTFLAGS="-C target-feature=+crt-static" links the C library
	// statically (the rustc book, "Static and dynamic C runtimes")
	static := strings.Contains(vars["RUSTFLAGS"], "target-feature=+crt-static")
	for i := 2; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--bin" && i+1 < len(args):
			bin = args[i+1]
			i++
		case a == "--target" && i+1 < len(args):
			dir = path.Join(dir, args[i+1])
			static = static || strings.Contains(args[i+1], "musl")
			i++
		case a == "--target-dir" && i+1 < len(args):
			dir = args[i+1]
			i++
		case a == "-p" || a == "--package" || a == "--workspace" || a == "--all" || a == "--bins" || a == "--example" || a == "--examples":
			return Output{}, false
		}
	}
	return Output{Ecosystem: Rust, Path: path.Join(dir, "release", bin), Static: static, What: what}, true
}
