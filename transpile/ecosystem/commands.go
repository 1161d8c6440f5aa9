package ecosystem

import (
	"path"
	"sync"

	"regexp"
	"strings"

	"github.com/dockstage/dockstage/transpile/shell"
)

// This file classifies commands: Classify says what a simple command does
// in a build (migrate's roles), and the predicates after it are those
// lint's rules use (DS004 to DS006; DS007 is Classified.FromManifests); each predicate takes a command's words
// as shell.Command.Unwrapped returns them (the command name first,
// non-empty).

// Subcommand returns the first word after the command name that is not a
// flag (install, update, ci), or "".
func Subcommand(args []string) string {
	for _, w := range args[1:] {
		if !strings.HasPrefix(w, "-") {
			return w
		}
	}
	return ""
}

// Role is what a simple command does in a build, as far as Classify can
// tell.
type Role int

// The roles of a command.
const (
	RoleOther        Role = iota // anything Classify does not recognise
	RoleNeutral                  // set -e, true: no effect on files
	RoleToolSetup                // installs a tool by name; reads nothing from the build context
	RoleInstall                  // installs dependencies from manifests in the build context
	RoleTestDeps                 // installs test-only dependencies
	RoleTest                     // runs tests
	RoleImplicitTest             // builds and, implicitly, runs tests (mvn package, gradle build)
)

// Classified is what a simple command does, as far as Classify can tell.
type Classified struct {
	Role Role
	// Ecosystem and Tool name the ecosystem and tool: python/pip,
	// node/npm, java/maven, ...
	Ecosystem Ecosystem
	Tool      string
	// What is the command as a report quotes it, e.g. "npm ci".
	What string

	// For RoleInstall: the manifests the install reads, relative to its
	// working directory. Need must exist; Maybe are copied when present.
	Need, Maybe []string
	// Writes are directories, relative to the working directory, that the
	// install creates; a context holding one would be laid over them.
	Writes []string
	// Unsafe says why the install cannot move before the source copy.
	Unsafe string
	// Caveat is a residual difference a report names when it moves.
	Caveat string

	// Housekeeping commands (apt-get update, apt-get clean, rm -rf
	// /var/lib/apt/lists/*) go with the install they surround: a RUN of
	// them and a test-only install is a test-only install.
	Housekeeping bool

	// DevManifests, for a RoleInstall that reads runtime and test or
	// development requirements files in one command (pip install -r
	// requirements.txt -r requirements-test.txt), are the test and
	// development ones (the names TestManifests would hold alone): the
	// install brings their packages wherever it runs.
	DevManifests []string

	// DevExtras, for a pip install of the project itself (pip install
	// .[test], -e .[dev]), which Classify does not otherwise recognise
	// (RoleOther), are the test and development extras it names: their
	// packages come with it wherever it runs.
	DevExtras []string

	// For RoleTestDeps: the requirements files a test-only install reads
	// (pip install -r requirements-dev.txt); empty when it names packages.
	TestManifests []string

	// ProdFlag, for a RoleInstall of every dependency of a project that
	// declares development ones (npm ci, yarn install, pnpm install), is
	// the flag that installs the production ones only: --omit=dev,
	// --production, --prod; "" when the install has it already, when the
	// project has no devDependencies or lifecycle scripts that may need
	// them.
	ProdFlag string

	// For RoleImplicitTest: the flag that skips the tests and the command
	// that runs them in the test stage.
	SkipFlag string
	TestCmd  string
}

// FromManifests reports whether the command installs dependencies from
// the project's manifests, not named packages or the project itself: every
// RoleInstall (npm ci, pnpm i, go mod download, pip install -r, poetry
// install, mvn dependency:go-offline, gradle dependencies, dotnet restore,
// bundle/composer/pipenv install, cargo fetch, ...) and a RoleTestDeps
// install that reads requirements files. It is lint's DS007 (the source
// copied before the dependency install).
func (c Classified) FromManifests() bool {
	return c.Role == RoleInstall || len(c.TestManifests) > 0
}

// ClassifyArgs is Classify for a command given as its words, the command
// name first, none of them dynamic (lint's rules classify the words
// shell.Command.Unwrapped returns, wherever the command sits).
func ClassifyArgs(args []string, ctx *BuildContext) Classified {
	return Classify(shell.Exec(args).Commands[0], ctx)
}

// Classify says what a simple command does in a build; a command that is
// not shell.Command.Plain is RoleOther. ctx may be unknown (or nil); cwd-relative
// manifest names are checked against it only when it is known (the caller
// makes sure the install's working directory is the context root).
func Classify(seg shell.Command, ctx *BuildContext) Classified {
	if !seg.Plain() {
		return Classified{Role: RoleOther}
	}
	ws := seg.Args()
	if len(ws) == 0 {
		return Classified{Role: RoleNeutral}
	}
	args := make([]string, len(ws))
	for i, w := range ws {
		args[i] = w.Value
	}
	name := path.Base(args[0])
	if c, ok := classifyCheck(args); ok {
		return c
	}
	if c, ok := classifySystemPackages(args); ok {
		return c
	}
	if name == "rm" && len(args) >= 3 && strings.HasPrefix(args[1], "-") && allAmong(args[2:], "/var/lib/apt/lists/*", "/var/cache/apt/*", "/var/cache/apk/*", "/tmp/*") {
		return Classified{Role: RoleOther, Housekeeping: true, What: strings.Join(args, " ")}
	}
	switch {
	case name == "set" || name == "true" || name == ":":
		return Classified{Role: RoleNeutral}
	case pythonRE().MatchString(name) && len(args) >= 3 && args[1] == "-m":
		return classifyPython(args[2], args[3:], ws[3:], ctx)
	case pipRE().MatchString(name):
		if len(args) < 2 {
			return Classified{}
		}
		return classifyPython("pip", args[1:], ws[1:], ctx)
	case name == "pytest" || name == "py.test" || name == "tox" || name == "nox":
		return Classified{Role: RoleTest, Ecosystem: "python", Tool: name, What: strings.Join(args, " ")}
	case pythonRE().MatchString(name) && len(args) >= 3 && args[1] == "manage.py" && args[2] == "test":
		return Classified{Role: RoleTest, Ecosystem: "python", Tool: "django", What: strings.Join(args, " ")}
	case name == "poetry":
		return classifyPoetry(args, ws, ctx)
	case name == "pipenv":
		return classifyPipenv(args, ctx)
	case name == "npm" || name == "yarn" || name == "pnpm":
		return classifyNode(name, args, ws, ctx)
	case name == "bun":
		return classifyBun(args, ctx)
	case name == "uv":
		return classifyUv(args, ws, ctx)
	case name == "npx" && len(args) >= 2 && (args[1] == "jest" || args[1] == "mocha" || args[1] == "vitest"):
		return Classified{Role: RoleTest, Ecosystem: "node", Tool: args[1], What: strings.Join(args, " ")}
	case name == "jest" || name == "mocha":
		return Classified{Role: RoleTest, Ecosystem: "node", Tool: name, What: strings.Join(args, " ")}
	case name == "node" && len(args) >= 2 && args[1] == "--test":
		return Classified{Role: RoleTest, Ecosystem: "node", Tool: "node", What: strings.Join(args, " ")}
	case name == "corepack":
		return Classified{Role: RoleToolSetup, Ecosystem: "node", Tool: "corepack"}
	case name == "go":
		return classifyGo(args, ctx)
	case name == "mvn" || name == "mvnw":
		return classifyMaven(args, ws, ctx)
	case name == "gradle" || name == "gradlew":
		return classifyGradle(args, ws, ctx)
	case name == "bundle":
		return classifyBundler(args, ctx)
	case name == "gem" && len(args) >= 2 && args[1] == "install":
		return Classified{Role: RoleToolSetup, Ecosystem: "ruby", Tool: "gem"}
	case name == "rspec" || name == "rake" && len(args) >= 2 && (args[1] == "test" || args[1] == "spec"):
		return Classified{Role: RoleTest, Ecosystem: "ruby", Tool: name, What: strings.Join(args, " ")}
	case (name == "rails") && len(args) >= 2 && args[1] == "test":
		return Classified{Role: RoleTest, Ecosystem: "ruby", Tool: "rails", What: strings.Join(args, " ")}
	case name == "composer":
		return classifyComposer(args, ctx)
	case name == "phpunit" || name == "pest" || name == "php" && len(args) >= 2 && (path.Base(args[1]) == "phpunit" || path.Base(args[1]) == "pest"):
		return Classified{Role: RoleTest, Ecosystem: "php", Tool: "phpunit", What: strings.Join(args, " ")}
	case name == "cargo":
		return classifyCargo(args)
	case name == "dotnet":
		return classifyDotnet(args, ctx)
	}
	return Classified{Role: RoleOther}
}

// toolCommand starts the classification of a `TOOL SUBCOMMAND ...`
// command: the Classified naming it (Role not set yet) and its
// subcommand, args[1], or "" when there is none.
func toolCommand(eco Ecosystem, tool string, args []string) (Classified, string) {
	info := Classified{Ecosystem: eco, Tool: tool, What: strings.Join(args, " ")}
	if len(args) < 2 {
		return info, ""
	}
	return info, args[1]
}

// allAmong reports whether every item is one of allowed.
func allAmong(items []string, allowed ...string) bool {
	for _, it := range items {
		if !HasWord([]string{it}, allowed...) {
			return false
		}
	}
	return true
}

// IsApt reports whether the command is apt-get or apt.
func IsApt(args []string) bool { return args[0] == "apt-get" || args[0] == "apt" }

// HasWord reports whether one of the words is among args.
func HasWord(args []string, words ...string) bool {
	for _, w := range args {
		for _, x := range words {
			if w == x {
				return true
			}
		}
	}
	return false
}

var pipRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^pip[0-9.]*$`) })

// IsPipInstall reports whether the command is pip install (pip, pip3,
// python -m pip).
func IsPipInstall(args []string) bool {
	if strings.HasPrefix(args[0], "python") && len(args) > 2 && args[1] == "-m" && pipRE().MatchString(args[2]) {
		args = args[2:]
	}
	return pipRE().MatchString(path.Base(args[0])) && Subcommand(args) == "install"
}
