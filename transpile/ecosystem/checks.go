package ecosystem

import (
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/transpile/shell"
)

// This file recognises check commands: tests, linters and type checkers of
// every ecosystem, called directly or through their usual wrappers
// (poetry run, pipenv run, uv run, hatch run, pdm run, python -m, npx,
// bunx, npm/yarn/pnpm/bun run, bundle exec, make). A check reads the
// project and writes at most reports and caches: its RoleTest is what lets
// migrate move it to the test stage.

// runWrappers run the command in their arguments after a subcommand word
// (poetry run CMD) or directly (npx CMD): the number of words to skip.
var runWrappers = map[string]map[string]bool{
	"poetry": {"run": true}, "pipenv": {"run": true}, "uv": {"run": true}, "hatch": {"run": true},
	"pdm": {"run": true}, "rye": {"run": true}, "bundle": {"exec": true}, "pnpm": {"exec": true, "dlx": true},
	"yarn": {"exec": true, "dlx": true}, "npm": {"exec": true}, "bun": {"x": true},
}

// directWrappers run their first non-flag argument: npx jest, bunx vitest.
var directWrappers = map[string]bool{"npx": true, "bunx": true, "uvx": true, "pipx": true}

// checkEcosystem is the ecosystem of a check tool.
var checkEcosystem = map[string]Ecosystem{
	"pytest": Python, "py.test": Python, "tox": Python, "nox": Python, "ruff": Python, "flake8": Python,
	"mypy": Python, "pylint": Python, "pyright": Python, "black": Python, "isort": Python, "bandit": Python,
	"unittest": Python, "coverage": Python,
	"eslint": Node, "tsc": Node, "jest": Node, "vitest": Node, "mocha": Node, "ava": Node, "prettier": Node,
	"playwright": Node, "cypress": Node, "biome": Node, "stylelint": Node,
	"golangci-lint": Go, "staticcheck": Go, "gofmt": Go,
	"rspec": Ruby, "rubocop": Ruby, "standardrb": Ruby,
	"phpunit": PHP, "pest": PHP, "phpstan": PHP, "psalm": PHP, "phpcs": PHP,
}

// checkTool reports whether args (the command name first) run a check
// tool, with its name: pytest, ruff check, mypy, eslint, tsc --noEmit,
// jest, vitest, golangci-lint run, rspec, phpunit, ... A formatter or
// fixer that writes files (ruff format, black, eslint --fix, prettier
// --write) is not a check.
func checkTool(args []string) (string, bool) {
	name := path.Base(args[0])
	sub := Subcommand(args)
	fixes := HasWord(args, "--fix", "--write", "-w", "--fix-only", "-a", "-A", "--autocorrect", "--autocorrect-all")
	switch name {
	case "pytest", "py.test", "tox", "nox", "flake8", "mypy", "pylint", "pyright", "bandit",
		"jest", "vitest", "mocha", "ava", "playwright", "cypress", "staticcheck",
		"rspec", "phpunit", "pest", "phpstan", "psalm", "phpcs":
		return name, !(name == "playwright" && sub != "test" || name == "cypress" && sub != "run")
	case "ruff":
		return name, (sub == "check" || sub == "" || strings.ContainsAny(sub, "./") || sub == "format" && HasWord(args, "--check", "--diff")) && !fixes
	case "black", "isort", "prettier", "gofmt":
		return name, HasWord(args, "--check", "-c", "--diff", "-l", "-d", "--list-different") && !fixes
	case "eslint", "stylelint", "rubocop", "standardrb", "biome":
		return name, !fixes && (name != "biome" || sub == "check" || sub == "lint" || sub == "ci")
	case "tsc", "vue-tsc":
		return "tsc", HasWord(args, "--noEmit")
	case "golangci-lint":
		return name, sub == "run" || sub == ""
	case "coverage":
		return name, sub == "run"
	}
	return "", false
}

// checkScripts are package.json scripts (and make targets) that check.
func checkScript(s string) bool {
	for _, p := range []string{"test", "lint", "check", "typecheck", "type-check", "types", "tsc", "format:check", "prettier:check", "e2e", "spec"} {
		if s == p || strings.HasPrefix(s, p+":") {
			return true
		}
	}
	return false
}

// classifyCheck recognises a check command through its wrappers; ok is
// false when args are not one.
func classifyCheck(args []string) (Classified, bool) {
	what := strings.Join(args, " ")
	check := func(eco Ecosystem, tool string) (Classified, bool) {
		return Classified{Role: RoleTest, Ecosystem: eco, Tool: tool, What: what}, true
	}
	inner := args
	var wrapEco Ecosystem
	for depth := 0; depth < 3 && len(inner) > 0; depth++ {
		name := path.Base(inner[0])
		if pythonRE().MatchString(name) && len(inner) >= 3 && inner[1] == "-m" {
			inner, wrapEco = inner[2:], Python
			continue
		}
		if directWrappers[name] {
			rest := inner[1:]
			for len(rest) > 0 && strings.HasPrefix(rest[0], "-") {
				rest = rest[1:]
			}
			inner = rest
			if name == "npx" || name == "bunx" {
				wrapEco = Node
			} else {
				wrapEco = Python
			}
			continue
		}
		if subs, ok := runWrappers[name]; ok {
			sub := Subcommand(inner)
			if subs[sub] {
				i := indexOf(inner, sub)
				rest := inner[i+1:]
				for len(rest) > 0 && strings.HasPrefix(rest[0], "-") {
					rest = rest[1:]
				}
				if name == "hatch" && len(rest) > 0 {
					if _, cmd, ok := strings.Cut(rest[0], ":"); ok {
						rest = append([]string{cmd}, rest[1:]...) // hatch run ENV:CMD
					}
				}
				inner = rest
				continue
			}
		}
		break
	}
	if len(inner) == 0 {
		return Classified{}, false
	}
	if tool, ok := checkTool(inner); ok {
		eco := checkEcosystem[tool]
		if eco == "" {
			eco = wrapEco
		}
		return check(eco, tool)
	}
	name := path.Base(inner[0])
	sub := Subcommand(inner)
	switch name {
	case "npm", "yarn", "pnpm", "bun":
		s := sub
		if sub == "run" || sub == "run-script" {
			i := indexOf(inner, sub)
			s = ""
			for _, w := range inner[i+1:] {
				if !strings.HasPrefix(w, "-") {
					s = w
					break
				}
			}
		} else if name == "npm" && sub != "test" && sub != "t" {
			s = "" // npm runs a script only through run (and test)
		}
		if s == "t" || checkScript(s) {
			return check(Node, name)
		}
	case "make", "gmake":
		if sub != "" && checkScript(sub) {
			return check("", "make")
		}
	case "go":
		if sub == "vet" || sub == "test" {
			return check(Go, "go")
		}
	case "cargo":
		if sub == "test" || sub == "clippy" || sub == "nextest" || sub == "fmt" && HasWord(inner, "--check") {
			return check(Rust, "cargo")
		}
	case "dotnet":
		if sub == "test" || sub == "format" && HasWord(inner, "--verify-no-changes") {
			return check(DotNet, "dotnet")
		}
	case "php":
		if sub == "artisan" && len(inner) > 2 && inner[2] == "test" {
			return check(PHP, "artisan")
		}
		if len(inner) > 1 {
			if tool, ok := checkTool(inner[1:]); ok {
				return check(PHP, tool)
			}
		}
	case "rake", "rails":
		if sub == "test" || sub == "spec" || strings.HasPrefix(sub, "test:") {
			return check(Ruby, name)
		}
	}
	return Classified{}, false
}

func indexOf(ws []string, w string) int {
	for i, x := range ws {
		if x == w {
			return i
		}
	}
	return -1
}

// classifyBun: bun install (bun add -g is a tool).
func classifyBun(args []string, ctx *BuildContext) Classified {
	info, sub := toolCommand(Node, "bun", args)
	switch {
	case (sub == "add" || sub == "install" || sub == "i") && HasWord(args, "-g", "--global"):
		info.Role = RoleToolSetup
	case sub == "install" || sub == "i":
		for _, a := range args[2:] {
			if !strings.HasPrefix(a, "-") {
				return Classified{} // installs named packages
			}
		}
		info.Role = RoleInstall
		info.Need = []string{"package.json"}
		info.Maybe = []string{"bun.lockb", "bun.lock", "bunfig.toml", ".npmrc"}
		info.Writes = []string{"node_modules"}
		if text, ok := ctx.Read("package.json"); ok && strings.Contains(text, `"workspaces"`) {
			info.Unsafe = "package.json declares workspaces, whose manifests live in the source"
		}
		if !HasWord(args, "--production", "-p") && ctx.Known() {
			if text, ok := ctx.Read("package.json"); ok && strings.Contains(text, `"devDependencies"`) && info.Unsafe == "" {
				info.ProdFlag = "--production"
			}
		}
	default:
		return Classified{}
	}
	return info
}

// classifyUv: uv sync (the project's lockfile), uv pip install as pip,
// uv tool install as a tool.
func classifyUv(args []string, ws []shell.Word, ctx *BuildContext) Classified {
	info, sub := toolCommand(Python, "uv", args)
	switch sub {
	case "pip":
		if len(args) > 2 {
			c := classifyPython("pip", args[2:], ws[2:], ctx)
			if c.Tool != "" {
				c.Tool = "uv"
			}
			return c
		}
		return Classified{}
	case "tool":
		if len(args) > 2 && args[2] == "install" {
			info.Role = RoleToolSetup
			return info
		}
		return Classified{}
	case "sync":
	default:
		return Classified{}
	}
	info.Role = RoleInstall
	info.Need = []string{"pyproject.toml"}
	info.Maybe = []string{"uv.lock", ".python-version"}
	info.Writes = []string{".venv"}
	if !HasWord(args, "--no-install-project") && !HasWord(args, "--only-group") {
		info.Unsafe = "`uv sync` without --no-install-project also installs the project itself from the source; add --no-install-project (and sync again after the source copy)"
	}
	if text, ok := ctx.Read("pyproject.toml"); ok && strings.Contains(text, "[tool.uv.workspace]") && info.Unsafe == "" {
		info.Unsafe = "pyproject.toml declares a uv workspace, whose members live in the source"
	}
	if text, ok := ctx.Read("pyproject.toml"); ok && uvDevRE().MatchString(text) && !HasWord(args, "--no-dev", "--only-dev", "--all-groups", "--dev") && !hasPrefixWord(args, "--group", "--only-group", "--extra") {
		info.ProdFlag = "--no-dev"
	}
	return info
}

// testPackageRE are the Debian, Alpine and Fedora packages of test tools:
// an install of only these is a test-only install.
var testPackageRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(python3?-(pytest[a-z0-9-]*|coverage|mock|hypothesis|tox|nose2?|responses|freezegun|testfixtures|flake8|mypy|pylint)|py3-(pytest[a-z0-9-]*|coverage|mock|hypothesis)|ruby-rspec[a-z-]*|phpunit|node-(jest|mocha|tap)|shellcheck|bats)$`)
})

// classifySystemPackages: apt-get/apk/dnf install of test tools only is
// RoleTestDeps; the index update and clean-up around it are
// Housekeeping.
func classifySystemPackages(args []string) (Classified, bool) {
	name := path.Base(args[0])
	if name != "apt-get" && name != "apt" && name != "apk" && name != "dnf" && name != "yum" && name != "microdnf" {
		return Classified{}, false
	}
	sub := Subcommand(args)
	what := strings.Join(args, " ")
	switch sub {
	case "update", "clean", "autoclean":
		if name == "apk" {
			return Classified{}, false
		}
		return Classified{Role: RoleOther, Housekeeping: true, What: what}, true
	case "install", "add":
		var pkgs []string
		for _, a := range args[indexOf(args, sub)+1:] {
			if !strings.HasPrefix(a, "-") {
				pkgs = append(pkgs, a)
			}
		}
		if len(pkgs) == 0 {
			return Classified{}, false
		}
		for _, p := range pkgs {
			p, _, _ = strings.Cut(p, "=")
			if !testPackageRE().MatchString(p) {
				return Classified{}, false
			}
		}
		return Classified{Role: RoleTestDeps, Tool: name, What: what}, true
	}
	return Classified{}, false
}

// compilerPackageRE are the Debian, Alpine and Fedora packages of a
// compiler toolchain (C, C++, Fortran, Rust) and the build tools and C
// library headers that go with it: what building a Python package from
// source needs and running it does not.
var compilerPackageRE = regexp.MustCompile(`^(gcc|g\+\+|gcc-c\+\+|cpp|clang|gfortran)(-[0-9.]+)?$|^(build-essential|build-base|make|cmake|ninja-build|meson|pkg-config|pkgconf|autoconf|automake|libtool|musl-dev|libc6-dev|libc-dev|rustc|cargo)$`)

// CompilerPackages returns the indexes in seg.Words of the compiler
// packages (compilerPackageRE) a system package install (apt-get or apt
// install, apk add, dnf, yum or microdnf install) names, and whether seg
// is such an install; a package pinned with =VERSION counts by its name.
func CompilerPackages(seg shell.Command) ([]int, bool) {
	args := seg.Values()
	if len(args) < 2 {
		return nil, false
	}
	name := path.Base(args[0])
	sub := Subcommand(args)
	switch {
	case (name == "apt-get" || name == "apt" || name == "dnf" || name == "yum" || name == "microdnf") && sub == "install", name == "apk" && sub == "add":
	default:
		return nil, false
	}
	var out []int
	for i := seg.Assigns + indexOf(args, sub) + 1; i < len(seg.Words); i++ {
		w := seg.Words[i]
		p, _, _ := strings.Cut(w.Value, "=")
		if !w.Dynamic && !strings.HasPrefix(p, "-") && compilerPackageRE.MatchString(p) {
			out = append(out, i)
		}
	}
	return out, true
}

// Packages returns the indexes in seg.Words of the packages a system
// package install names (its words that are not options).
func Packages(seg shell.Command) []int {
	args := seg.Values()
	if _, ok := CompilerPackages(seg); !ok {
		return nil
	}
	var out []int
	for i := seg.Assigns + indexOf(args, Subcommand(args)) + 1; i < len(seg.Words); i++ {
		if !strings.HasPrefix(seg.Words[i].Value, "-") {
			out = append(out, i)
		}
	}
	return out
}
