package lint

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/transpile/ecosystem"
	runshell "github.com/dockstage/dockstage/transpile/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// The RUN rules: each simple command of a RUN's scripts (and of the
// scripts it hands to sh -c), as transpile/shell reads them.

var pointless = map[string]bool{"ssh": true, "vim": true, "shutdown": true, "service": true, "ps": true, "free": true, "top": true, "kill": true, "mount": true, "ifconfig": true}

// runCmd is one simple command with its words unwrapped.
type runCmd struct {
	c runshell.Command
	w []string
}

func flatten(scripts []runshell.Script) []runCmd {
	var out []runCmd
	var add func(s runshell.Script, depth int)
	add = func(s runshell.Script, depth int) {
		for _, c := range s.Commands {
			if w := c.Unwrapped(); len(w) > 0 {
				out = append(out, runCmd{c, w})
			} else if v := c.Values(); len(v) > 0 && v[0] == "sudo" {
				out = append(out, runCmd{c, v})
			}
			if text, ok := c.ShellScript(); ok && depth < 3 {
				add(runshell.Parse(text, '\\'), depth+1)
			}
		}
	}
	for _, s := range scripts {
		add(s, 0)
	}
	return out
}

func hasMountTarget(n *parser.Node, targets ...string) bool {
	for _, f := range n.Flags {
		if !strings.HasPrefix(f, "--mount=") {
			continue
		}
		for _, t := range targets {
			if strings.Contains(f, "target="+t) || strings.Contains(f, "dst="+t) || strings.Contains(f, "destination="+t) {
				return true
			}
		}
	}
	return false
}

// pkgArgs returns the package arguments of an install command: the words
// after the subcommand that are not options, skipping the values of the
// options in valued.
func pkgArgs(w []string, sub string, valued ...string) []string {
	i := 0
	for i < len(w) && w[i] != sub {
		i++
	}
	var out []string
	for i++; i < len(w); i++ {
		a := w[i]
		if strings.HasPrefix(a, "-") {
			for _, v := range valued {
				if a == v {
					i++
				}
			}
			continue
		}
		if a == "" || strings.ContainsAny(a, "$`") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// pipPinned says whether a pip install argument names a fixed version:
// pkg==1.2.3 (and the other specifiers), a VCS URL with @ref after the
// repository (git+https://host/org/repo.git@v1.2; #egg= names, it does
// not pin), a file or another URL.
func pipPinned(p string) bool {
	for _, vcs := range []string{"git+", "hg+", "svn+", "bzr+"} {
		if strings.HasPrefix(p, vcs) {
			u, _, _ := strings.Cut(p, "#")
			return strings.Contains(u[strings.LastIndexByte(u, '/')+1:], "@")
		}
	}
	return pipPinRE().MatchString(p) || localPath().MatchString(p)
}

// npmPinned says whether an npm install argument names a fixed version:
// name@version and @scope/name@version, a git URL with #commit or
// #semver:, a tarball, or a local folder or file.
func npmPinned(p string) bool {
	switch {
	case strings.HasPrefix(p, "git:") || strings.HasPrefix(p, "git+") || strings.HasPrefix(p, "github:") || strings.HasSuffix(p, ".git"):
		return strings.Contains(p, "#")
	case strings.HasSuffix(p, ".tgz") || strings.HasSuffix(p, ".tar") || strings.HasSuffix(p, ".tar.gz"):
		return true
	case strings.HasPrefix(p, "/") || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "file:") || p == "." || p == "..":
		return true
	}
	return strings.LastIndexByte(p, '@') > 0
}

// goPinned says whether a go install/get/run argument needs no pin: it
// names a version (@v1.2.3, a commit; @latest and @none do not pin), or a
// local package or file (., ./cmd, /src/app, main.go).
func goPinned(p string) bool {
	if _, v, ok := strings.Cut(p, "@"); ok {
		return v != "latest" && v != "none" && v != ""
	}
	return strings.HasPrefix(p, ".") || strings.HasPrefix(p, "/") || strings.HasSuffix(p, ".go")
}

func unpinned(pkgs []string, pinned func(string) bool) []string {
	var out []string
	for _, p := range pkgs {
		if !pinned(p) {
			out = append(out, p)
		}
	}
	return out
}

func yes(w []string, words ...string) bool {
	for _, a := range w {
		for _, x := range words {
			if a == x {
				return true
			}
		}
		// a short flag group holding y: -qy, -yq
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsRune(a, 'y') {
			return true
		}
	}
	// apt-get's quiet level 2 implies -y: -qq, or -q (--quiet) twice
	if slices.Contains(words, "-qq") {
		q := 0
		for _, a := range w {
			if a == "-q" || a == "--quiet" {
				q++
			}
		}
		return q >= 2
	}
	return false
}

var (
	rpmPinRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-[0-9]|\.rpm$`) })
	pipPinRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`==|>=|<=|~=|!=|<|>|@|\.whl$|\.tar\.gz$|\.zip$`) })
	localPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\.|/|~|[a-z+]+://|git\+)|/`) })
)

// run checks a RUN and returns how many commands it runs and whether one
// of them installs dependencies.
func (d *dfCheck) run(n *parser.Node) (int, bool) {
	d.mountImages(n)
	scripts, texts := d.runScripts(n)
	shell := "sh"
	switch d.st.shell {
	case "bash", "zsh", "ksh", "mksh":
		shell = d.st.shell
	}
	for _, t := range texts {
		if d.st.nonPOSIX || d.st.windows || d.esc == '`' {
			break // cmd or PowerShell (a Windows image), not a POSIX shell
		}
		t.anchor = n.StartLine
		t.pos = d.posOf
		switch t.shell {
		case "", "sh", "ash", "dash":
			t.shell = shell // POSIX sh, or the shell SHELL sets
		}
		switch t.shell {
		case "zsh":
			continue // not a language ShellCheck reads
		case "mksh":
			t.shell = "ksh"
		}
		d.scripts = append(d.scripts, t)
	}
	cmds := flatten(scripts)
	pipefail := d.st.pipefail
	reported := map[string]bool{}
	// once reports a rule once per RUN, at the word it is about when
	// one is given (the first that the RUN's lines hold).
	once := func(id, msg string, word ...string) {
		if !reported[id] {
			reported[id] = true
			d.addWord(id, n, msg, word...)
		}
	}
	if d.fallback {
		d.fallbackRun(n, cmds, once)
	}
	for i, rc := range cmds {
		w, c := rc.w, rc.c
		name := path.Base(w[0])
		sub := ecosystem.Subcommand(w)
		if v := c.Values(); len(v) > 0 && v[0] == "sudo" {
			once(RuleSudo, "RUN uses sudo", "sudo")
		}
		if name == "set" && strings.Contains(strings.Join(w, " "), "pipefail") {
			pipefail = true
		}
		if c.Op == runshell.OpPipe && !pipefail && !d.st.nonPOSIX && !c.Unparsed {
			once(RulePipefail, fmt.Sprintf("%s | ...: the RUN pipes without -o pipefail, so a failure of %s does not fail the build", strings.Join(w[:min(len(w), 3)], " "), name), w[0])
		}
		switch {
		case pointless[name]:
			d.addWord(RulePointlessCommand, n, fmt.Sprintf("RUN calls %s, which has no use in an image build", name), w[0])
		case name == "cd" && c.Place&(runshell.InSubshell|runshell.InSubstitution|runshell.InFunction) == 0:
			once(RuleCd, fmt.Sprintf("RUN %s changes directory; use WORKDIR", strings.Join(w, " ")), w[0])
		case name == "apt-get" || name == "apt":
			d.apt(n, w, sub, once)
		case (ecosystem.IsPipInstall(w) || name == "pipx" && sub == "install") && !ecosystem.HasWord(w, "-c", "--constraint"): // a constraints file pins
			if p := unpinned(pkgArgs(w, "install", "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--platform", "--python-version", "--trusted-host", "--src", "--progress-bar", "--cache-dir", "--root-user-action", "--python", "--pip-args", "--suffix"), pipPinned); len(p) > 0 {
				tool := "pip"
				if name == "pipx" {
					tool = name
				}
				d.pin(once, RulePipPin, fmt.Sprintf("%s install %s without a version", tool, strings.Join(p, " ")), p)
			}
		case name == "npm" && (sub == "install" || sub == "i" || sub == "add"):
			if p := unpinned(pkgArgs(w, sub, "--prefix", "--registry", "--cache", "-w", "--workspace", "--loglevel", "--tag", "--userconfig", "--omit", "--include", "--install-strategy"), npmPinned); len(p) > 0 {
				d.pin(once, RuleNpmPin, fmt.Sprintf("npm %s %s without a version", sub, strings.Join(p, " ")), p)
			}
		case name == "apk" && sub == "add":
			if p := unpinned(pkgArgs(w, "add", "-t", "--virtual", "-X", "--repository", "--repositories-file", "-p", "--root", "--arch"), func(p string) bool {
				return strings.ContainsAny(p, "=~<>") || strings.HasSuffix(p, ".apk")
			}); len(p) > 0 {
				d.pin(once, RuleApkPin, fmt.Sprintf("apk add %s without a version", strings.Join(p, " ")), p)
			}
			if !ecosystem.HasWord(w, "--no-cache") && !hasMountTarget(n, "/var/cache/apk", "/etc/apk/cache") {
				once(RuleApkNoCache, "apk add without --no-cache", w[0])
			}
		case name == "gem" && (sub == "install" || sub == "i"):
			gw := w
			if k := slices.Index(gw, "--"); k > 0 {
				gw = gw[:k] // the rest are the gem's build options
			}
			if !ecosystem.HasWord(gw, "-v", "--version") && !strings.Contains(strings.Join(gw, " "), "--version=") {
				if p := unpinned(pkgArgs(gw, sub, "-i", "--install-dir", "-n", "--bindir", "-s", "--source", "--platform"), func(p string) bool {
					return strings.Contains(p, ":") || strings.HasSuffix(p, ".gem")
				}); len(p) > 0 {
					d.pin(once, RuleGemPin, fmt.Sprintf("gem install %s without a version", strings.Join(p, " ")), p)
				}
			}
		case name == "yum" || name == "dnf" || name == "microdnf" || name == "tdnf":
			d.rpm(n, w, name, sub, cmds[i+1:], once)
		case name == "zypper":
			d.zypper(n, w, cmds[i+1:], once)
		case name == "useradd":
			d.useradd(n, w)
		case name == "wget":
			if !wgetQuiet(w) {
				once(RuleWgetProgress, "wget without --progress (or -q, -nv)", w[0])
			}
		case name == "yarn" && (sub == "install" || sub == "") && d.st.ships && !yarnCleanAfter(cmds[i+1:]) && !hasMountTarget(n, "/usr/local/share/.cache/yarn", ".yarn", "/root/.cache/yarn") && !ecosystem.HasWord(w, "--version", "-v"):
			once(RuleYarnCache, "yarn install without yarn cache clean in the same RUN", w[0])
		case name == "go" && (sub == "install" || sub == "get" || sub == "run"):
			p := pkgArgs(w, sub, "-ldflags", "-tags", "-gcflags", "-asmflags", "-o", "-modfile", "-C", "-p", "-exec", "-overlay", "-pgo", "-mod", "-toolexec")
			if sub == "run" && len(p) > 1 {
				p = p[:1] // the rest are the program's arguments
			}
			if p := unpinned(p, goPinned); len(p) > 0 {
				d.pin(once, RuleGoInstallPin, fmt.Sprintf("go %s %s without a pinned @version", sub, strings.Join(p, " ")), p)
			}
		case name == "ln" && len(w) > 2 && strings.HasPrefix(w[1], "-") && strings.Contains(w[1], "s") && w[len(w)-1] == "/bin/sh":
			once(RuleLnSh, fmt.Sprintf("RUN %s replaces /bin/sh", strings.Join(w, " ")), w[0])
		}
		if name == "tar" {
			for base, p := range d.archives {
				if strings.Contains(strings.Join(w, " "), base) {
					d.addAt(RuleCopyArchive, "", p, n, fmt.Sprintf("%s is copied and then unpacked with tar; ADD unpacks it in one layer", base))
					delete(d.archives, base)
				}
			}
		}
		if name == "wget" || name == "curl" {
			d.st.wget, d.st.curl = d.st.wget || name == "wget", d.st.curl || name == "curl"
			if d.st.wget && d.st.curl && !d.st.bothTools {
				d.st.bothTools = true
				d.addWord(RuleWgetAndCurl, n, "the stage uses both wget and curl", w[0])
			}
		}
	}
	count := 0
	for _, sc := range scripts {
		for _, c := range sc.Commands {
			if len(c.Values()) > 0 || c.Construct != "" {
				count++
			}
		}
	}
	installs := false
	for _, rc := range cmds {
		r := ecosystem.ClassifyArgs(rc.w, nil).Role
		installs = installs || r == ecosystem.RoleInstall || r == ecosystem.RoleTestDeps || r == ecosystem.RoleToolSetup
	}
	return count, installs
}

func (d *dfCheck) apt(n *parser.Node, w []string, sub string, once func(id, msg string, word ...string)) {
	if w[0] == "apt" {
		once(RuleApt, fmt.Sprintf("RUN uses apt %s; scripts use apt-get", sub), w[0])
	}
	switch sub {
	case "dist-upgrade", "full-upgrade":
		once(RuleDistUpgrade, fmt.Sprintf("%s %s upgrades the base image's packages wholesale", w[0], sub), sub)
	case "install":
		if w[0] == "apt-get" {
			if !yes(w, "--yes", "--assume-yes", "-qq", "-q=2") {
				once(RuleAptYes, "apt-get install without -y", w[0])
			}
			if p := unpinned(pkgArgs(w, "install", "-o", "-t", "--target-release", "-c", "--config-file"), func(p string) bool {
				return strings.Contains(p, "=") || strings.HasSuffix(p, ".deb") || strings.Contains(p, "/")
			}); len(p) > 0 {
				d.pin(once, RuleAptPin, fmt.Sprintf("apt-get install %s without versions (pkg=version)", strings.Join(p, " ")), p)
			}
		}
	}
}

// rpmFetches are the dnf subcommands (and their short forms) that download
// packages into the cache, as hadolint's DL3040 lists them; yum's DL3032
// counts the installs only.
var rpmFetches = map[string]bool{"install": true, "in": true, "groupinstall": true, "localinstall": true, "reinstall": true, "rei": true,
	"upgrade": true, "up": true, "upgrade-minimal": true, "up-min": true}

// rpmCleanedAfter says whether a command after an install empties the
// package cache: yum/dnf/microdnf/tdnf clean all, or rm of /var/cache/yum,
// /var/cache/dnf or /var/cache/libdnf5 (a clean before the install leaves
// the install's cache in the layer).
func rpmCleanedAfter(later []runCmd) bool {
	for _, rc := range later {
		switch name := path.Base(rc.w[0]); name {
		case "yum", "dnf", "microdnf", "tdnf":
			if ecosystem.Subcommand(rc.w) == "clean" && ecosystem.HasWord(rc.w, "all") {
				return true
			}
		case "rm":
			for _, a := range rc.w[1:] {
				for _, dir := range []string{"/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"} {
					if strings.HasPrefix(a, dir) {
						return true
					}
				}
			}
		}
	}
	return false
}

func (d *dfCheck) rpm(n *parser.Node, w []string, name, sub string, later []runCmd, once func(id, msg string, word ...string)) {
	yesID, cleanID, pinID := RuleDnfYes, RuleDnfClean, RuleDnfPin
	if name == "yum" {
		yesID, cleanID, pinID = RuleYumYes, RuleYumClean, RuleYumPin
	}
	if (rpmFetches[sub] && name != "yum" || sub == "install" || sub == "groupinstall" || sub == "localinstall" || sub == "reinstall") && !rpmCleanedAfter(later) && !hasMountTarget(n, "/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", ".cache/libdnf5") {
		once(cleanID, fmt.Sprintf("%s %s without %s clean all after it in the same RUN", name, sub, name), w[0])
	}
	if sub == "module" {
		// dnf module install NAME[:STREAM][/PROFILE]: a module without a
		// stream installs the default one, whichever that is today
		// (hadolint DL3033, DL3041).
		if p := unpinned(pkgArgs(w, "install", "--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever"), func(p string) bool {
			return strings.Contains(p, ":") || localPath().MatchString(p)
		}); len(p) > 0 && slices.Contains(w, "install") {
			d.pin(once, pinID, fmt.Sprintf("%s module install %s without a stream (module:stream)", name, strings.Join(p, " ")), p)
		}
		return
	}
	if sub != "install" && sub != "groupinstall" && sub != "localinstall" {
		return
	}
	if !yes(w, "--assumeyes", "--yes") {
		once(yesID, fmt.Sprintf("%s install without -y", name), w[0])
	}
	if sub == "install" {
		if p := unpinned(pkgArgs(w, "install", "--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever", "-x", "--exclude"), func(p string) bool {
			return rpmPinRE().MatchString(p) || strings.HasPrefix(p, "@") || localPath().MatchString(p)
		}); len(p) > 0 {
			d.pin(once, pinID, fmt.Sprintf("%s install %s without versions (pkg-version)", name, strings.Join(p, " ")), p)
		}
	}
}

// zypperCleanedAfter says whether a command after an install empties
// zypper's cache: zypper clean (cc), or rm of /var/cache/zypp.
func zypperCleanedAfter(later []runCmd) bool {
	for _, rc := range later {
		switch path.Base(rc.w[0]) {
		case "zypper":
			if sub := ecosystem.Subcommand(rc.w); sub == "clean" || sub == "cc" {
				return true
			}
		case "rm":
			for _, a := range rc.w[1:] {
				if strings.HasPrefix(a, "/var/cache/zypp") {
					return true
				}
			}
		}
	}
	return false
}

func (d *dfCheck) zypper(n *parser.Node, w []string, later []runCmd, once func(id, msg string, word ...string)) {
	sub := ecosystem.Subcommand(w)
	switch sub {
	case "dist-upgrade", "dup":
		once(RuleZypperDistUpgrade, "zypper "+sub+" upgrades the base image's packages wholesale", sub)
	case "install", "in":
		if !yes(w, "-n", "--non-interactive", "--no-confirm") {
			once(RuleZypperYes, "zypper install without -y (--non-interactive)", w[0])
		}
		if !zypperCleanedAfter(later) && !hasMountTarget(n, "/var/cache/zypp") {
			once(RuleZypperClean, "zypper install without zypper clean after it in the same RUN", w[0])
		}
		if p := unpinned(pkgArgs(w, sub, "-t", "--type", "-r", "--repo", "--from"), func(p string) bool {
			return strings.ContainsAny(p, "=<>") || strings.HasSuffix(p, ".rpm")
		}); len(p) > 0 {
			d.pin(once, RuleZypperPin, fmt.Sprintf("zypper install %s without versions (pkg=version)", strings.Join(p, " ")), p)
		}
	}
}

func (d *dfCheck) useradd(n *parser.Node, w []string) {
	uid := ""
	for i, a := range w {
		switch {
		case a == "-l" || a == "--no-log-init" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsRune(a, 'l') && !strings.ContainsRune(a, 'u'):
			return
		case (a == "-u" || a == "--uid") && i+1 < len(w):
			uid = w[i+1]
		case strings.HasPrefix(a, "--uid="):
			uid = a[len("--uid="):]
		case strings.HasPrefix(a, "-u") && len(a) > 2 && a[2] >= '0' && a[2] <= '9':
			uid = a[2:]
		}
	}
	if len(uid) > 5 && !strings.ContainsAny(uid, "$`") {
		d.addWord(RuleUseraddNoLog, n, fmt.Sprintf("useradd -u %s without -l", uid), w[0])
	}
}

func wgetQuiet(w []string) bool {
	for _, a := range w[1:] {
		switch {
		case strings.HasPrefix(a, "--progress"), a == "--quiet", a == "-nv", a == "--no-verbose", a == "-o", a == "-a",
			strings.HasPrefix(a, "--output-file"), strings.HasPrefix(a, "--append-output"):
			return true
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsAny(a, "q"):
			return true
		}
	}
	return false
}

// fallbackRun runs, on a Dockerfile dockstage could not import, what
// DS004, DS005 and DS006 check on a spec.
func (d *dfCheck) fallbackRun(n *parser.Node, cmds []runCmd, once func(id, msg string, word ...string)) {
	text := ""
	if n.Next != nil {
		text = n.Next.Value
	}
	for _, h := range n.Heredocs {
		text += "\n" + h.Content
	}
	for _, rc := range cmds {
		w := rc.w
		switch sub := ecosystem.Subcommand(w); {
		case ecosystem.IsApt(w) && sub == "install" && !ecosystem.HasWord(w, "--no-install-recommends") && !strings.Contains(text, "Install-Recommends"):
			once(RuleAptRecommends, w[0]+" install without --no-install-recommends", w[0])
		case (ecosystem.IsApt(w) || w[0] == "aptitude") && sub == "update" && !aptListsRmRE().MatchString(text) && !hasMountTarget(n, "/var/lib/apt"):
			once(RuleAptLists, w[0]+" update leaves /var/lib/apt/lists in this layer", w[0])
		case ecosystem.IsPipInstall(w) && !pipNoCacheSet(text) && !ecosystem.HasWord(w, "--no-cache-dir") && !hasMountTarget(n, "/root/.cache"):
			once(RulePipCache, "pip install without --no-cache-dir", w[0])
		}
	}
}

// pin reports a pin rule through once with a fix hint that names the
// packages found (vim=<version>), not an example of the rule's own.
func (d *dfCheck) pin(once func(id, msg string, word ...string), id, msg string, pkgs []string) {
	n := len(d.c.out)
	once(id, msg, pkgs[0])
	if len(d.c.out) == n {
		return
	}
	each := func(format string) string {
		var s []string
		for _, p := range pkgs {
			s = append(s, fmt.Sprintf(format, p))
		}
		return strings.Join(s, " ")
	}
	var fix string
	switch id {
	case RuleAptPin:
		fix = "pin each package: apt-get install -y --no-install-recommends " + each("%s=<version>") + " (apt-cache policy " + strings.Join(pkgs, " ") + " shows the versions)"
	case RulePipPin:
		fix = "pin each package, pip install " + each("%s==<version>") + ", or install from a requirements file with pinned versions: pip install -r requirements.txt"
	case RuleNpmPin:
		fix = "pin the version, npm install " + each("%s@<version>") + ", or install from package.json and package-lock.json: npm ci"
	case RuleApkPin:
		fix = "pin each package: apk add --no-cache " + each("%s=<version>") + " (or a range: " + each("%s~<major.minor>") + ")"
	case RuleGemPin:
		fix = "pin the version: gem install " + each("%s:<version>") + ", or install from a Gemfile.lock with bundle install"
	case RuleGoInstallPin:
		fix = "pin the version: go install " + each("%s@<version>")
	case RuleYumPin, RuleDnfPin:
		fix = "pin each package: " + strings.ToLower(strings.Fields(msg)[0]) + " install -y " + each("%s-<version>")
	case RuleZypperPin:
		fix = "pin each package: zypper install -y " + each("%s=<version>")
	default:
		return
	}
	d.c.out[n].Fix = fix
}

// mountImages checks the image of each --mount's from= of RUN n against
// the trusted registries (DS3026), the mounts as BuildKit reads them
// (instructions.GetMounts); a RUN BuildKit does not read is left to the
// rules that report it.
func (d *dfCheck) mountImages(n *parser.Node) {
	if d.cfg == nil || len(d.cfg.TrustedRegistries) == 0 || !slices.ContainsFunc(n.Flags, func(f string) bool { return strings.HasPrefix(f, "--mount=") }) {
		return
	}
	cmd, err := instructions.ParseInstructionWithLinter(n, linter.New(&linter.Config{})) // not nil: a # check= comment above n needs one
	if err != nil {
		return
	}
	run, ok := cmd.(*instructions.RunCommand)
	if !ok {
		return
	}
	for _, m := range instructions.GetMounts(run) {
		d.trusted(n, m.From, "RUN --mount=from=")
	}
}

// yarnCleanAfter reports whether cmds (the commands after a yarn install
// in its RUN) run yarn cache clean: a clean before the install leaves the
// install's cache behind (hadolint DL3060).
func yarnCleanAfter(cmds []runCmd) bool {
	for _, c := range cmds {
		if len(c.w) >= 3 && path.Base(c.w[0]) == "yarn" && c.w[1] == "cache" && c.w[2] == "clean" {
			return true
		}
	}
	return false
}
