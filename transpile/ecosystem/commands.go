package ecosystem

import (
	"path"
	"regexp"
	"strings"
)

// This file holds the command predicates lint's rules use (DS004 to
// DS007). Each takes a command's words as shell.Command.Unwrapped returns
// them (the command name first, non-empty).

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

var pipRE = regexp.MustCompile(`^pip[0-9.]*$`)

// IsPipInstall reports whether the command is pip install (pip, pip3,
// python -m pip).
func IsPipInstall(args []string) bool {
	if strings.HasPrefix(args[0], "python") && len(args) > 2 && args[1] == "-m" && pipRE.MatchString(args[2]) {
		args = args[2:]
	}
	return pipRE.MatchString(path.Base(args[0])) && Subcommand(args) == "install"
}

// InstallsManifests reports whether the command installs a project's
// dependencies from its manifests (not a named package, not the project
// itself): npm ci, npm install without packages, yarn, pnpm install,
// go mod download, bundle/composer/pipenv install, cargo fetch,
// pip install -r.
func InstallsManifests(args []string) bool {
	switch path.Base(args[0]) {
	case "npm":
		sub := Subcommand(args)
		if sub == "ci" {
			return true
		}
		if sub == "install" || sub == "i" {
			for _, w := range args[2:] {
				if !strings.HasPrefix(w, "-") {
					return false // npm install PACKAGE
				}
			}
			return true
		}
	case "yarn", "pnpm":
		sub := Subcommand(args)
		return sub == "" || sub == "install"
	case "go":
		return Subcommand(args) == "mod" && HasWord(args, "download")
	case "bundle", "composer", "pipenv":
		return Subcommand(args) == "install"
	case "cargo":
		return Subcommand(args) == "fetch"
	}
	if IsPipInstall(args) {
		line := strings.Join(args, " ")
		return HasWord(args, "-r", "--requirement") || strings.Contains(line, "-r ") || strings.Contains(line, "--requirement=")
	}
	return false
}
