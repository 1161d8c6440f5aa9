package lint

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// hadolint's rule table, rule by rule: each DLnnnn is a dockstage rule of
// its own (ID DSnnnn, the hadolint ID its alias), an alias of an existing
// dockstage rule, or covered by one of BuildKit's build checks. Suppression
// comments, `# hadolint ignore=` pragmas, .hadolint.yaml, the config and
// --ignore accept the hadolint ID wherever they accept the rule's own.

func dl(num, name string, sev Severity, desc, fix string) Rule {
	r := ds("DS"+num, name, sev, desc, fix)
	r.Aliases = []string{"DL" + num}
	return r
}

func off(r Rule) Rule { r.Off = true; return r }

// IDs of the hadolint-derived rules the checks report.
const (
	RuleInlinePragma      = "DS1001"
	RulePointlessCommand  = "DS3001"
	RuleCd                = "DS3003"
	RuleSudo              = "DS3004"
	RuleDistUpgrade       = "DS3005"
	RuleAptPin            = "DS3008"
	RuleCopyArchive       = "DS3010"
	RulePortRange         = "DS3011"
	RulePipPin            = "DS3013"
	RuleAptYes            = "DS3014"
	RuleNpmPin            = "DS3016"
	RuleApkPin            = "DS3018"
	RuleApkNoCache        = "DS3019"
	RuleCopyDestSlash     = "DS3021"
	RuleCopyFromSelf      = "DS3023"
	RuleTrustedRegistry   = "DS3026"
	RuleApt               = "DS3027"
	RuleGemPin            = "DS3028"
	RuleYumYes            = "DS3030"
	RuleYumClean          = "DS3032"
	RuleYumPin            = "DS3033"
	RuleZypperYes         = "DS3034"
	RuleZypperDistUpgrade = "DS3035"
	RuleZypperClean       = "DS3036"
	RuleZypperPin         = "DS3037"
	RuleDnfYes            = "DS3038"
	RuleDnfClean          = "DS3040"
	RuleDnfPin            = "DS3041"
	RuleOnbuildTrigger    = "DS3043"
	RuleEnvSelfRef        = "DS3044"
	RuleCopyRelativeDest  = "DS3045"
	RuleUseraddNoLog      = "DS3046"
	RuleWgetProgress      = "DS3047"
	RuleLabelKey          = "DS3048"
	RuleLabelMissing      = "DS3049"
	RuleLabelExtra        = "DS3050"
	RuleLabelEmpty        = "DS3051"
	RuleLabelURL          = "DS3052"
	RuleLabelTime         = "DS3053"
	RuleLabelSPDX         = "DS3054"
	RuleLabelHash         = "DS3055"
	RuleLabelSemver       = "DS3056"
	RuleNoHealthcheck     = "DS3057"
	RuleLabelEmail        = "DS3058"
	RuleConsecutiveRun    = "DS3059"
	RuleYarnCache         = "DS3060"
	RuleInstructionOrder  = "DS3061"
	RuleGoInstallPin      = "DS3062"
	RuleUserName          = "DS3066"
	RuleCopyRootFS        = "DS3067"
	RuleWgetAndCurl       = "DS4001"
	RuleLnSh              = "DS4005"
	RulePipefail          = "DS4006"
	RuleShellCheck        = "DS4100"
)

var hadolintRules = []Rule{
	off(dl("1001", "inline-ignore-pragma", Info,
		"A `# hadolint ignore=` or `# dockstage:ignore=` comment suppresses a rule inline. Off by default.",
		"fix the finding instead, or disable the rule for the project in the config")),
	dl("3001", "pointless-command", Info,
		"A RUN calls a command that makes no sense while building an image: ssh, vim, shutdown, service, ps, free, top, kill, mount, ifconfig.",
		"remove the command; a build step runs no services and has no terminal"),
	dl("3003", "cd-instead-of-workdir", Warning,
		"A RUN changes directory with cd; the next instructions do not see it, and WORKDIR says the same for all of them.",
		"set WORKDIR /path before the RUN (spec: workdir:), or run the command in a subshell: (cd dir && make)"),
	dl("3004", "sudo", Warning,
		"A RUN uses sudo: builds run as the USER in force, sudo needs a TTY and a sudoers entry, and it keeps the image's environment unpredictable.",
		"drop sudo: switch with USER root before the RUN and back after it, or use gosu/su-exec in an entrypoint"),
	dl("3005", "dist-upgrade", Warning,
		"apt-get dist-upgrade (or full-upgrade) replaces packages of the base image wholesale, so the image no longer matches the base it names.",
		"use a newer base image tag instead, or upgrade only the packages that need it with apt-get install --only-upgrade PKG"),
	dl("3008", "apt-pin-versions", Warning,
		"apt-get install of a package without a version (pkg=version): the build installs whatever the archive has that day.",
		"pin each package: apt-get install -y --no-install-recommends PKG=<version> (apt-cache policy PKG shows the versions)"),
	dl("3010", "copy-archive", Info,
		"COPY of a local tar archive that is then unpacked in a RUN: ADD unpacks it in one layer.",
		"use ADD archive.tar.gz /dest/ (it unpacks local archives), and drop the tar -x from the RUN"),
	dl("3011", "port-out-of-range", Error,
		"EXPOSE names a port outside 0-65535, which no container can listen on.",
		"use a port between 0 and 65535"),
	dl("3013", "pip-pin-versions", Warning,
		"pip install (or pipx install) of a package without a version (pkg==1.2.3, a VCS URL with @ref, or a requirements file): the build installs whatever PyPI or the branch has that day.",
		"pin each package, pip install PKG==<version>, or install from a requirements file with pinned versions: pip install -r requirements.txt"),
	dl("3014", "apt-get-yes", Warning,
		"apt-get install without -y (--yes, --assume-yes, -qq): apt-get waits for an answer the build cannot give, and fails.",
		"add -y: apt-get install -y --no-install-recommends PKG"),
	dl("3016", "npm-pin-versions", Warning,
		"npm install of a named package without a version (pkg@1.2.3): the build installs whatever the registry has that day.",
		"pin the version, npm install PKG@<version>, or install from package.json and package-lock.json: npm ci"),
	dl("3018", "apk-pin-versions", Warning,
		"apk add of a package without a version (pkg=1.2.3-r0): the build installs whatever the repository has that day.",
		"pin each package: apk add --no-cache PKG=<version> (or a range: PKG~<major.minor>)"),
	dl("3019", "apk-no-cache", Info,
		"apk add without --no-cache keeps the package index in the layer (/var/cache/apk).",
		"use apk add --no-cache PKG (no apk update needed, nothing to remove), or mount a cache: --mount=type=cache,target=/var/cache/apk"),
	dl("3021", "copy-dest-slash", Error,
		"COPY or ADD with more than one source needs a destination directory that ends with /; the build fails otherwise.",
		"end the destination with /: COPY a b /app/"),
	dl("3023", "copy-from-self", Error,
		"COPY --from names the stage it is in; a stage cannot copy from itself, and the build fails.",
		"name an earlier stage, or copy from the build context (no --from)"),
	off(dl("3026", "untrusted-registry", Error,
		"A base image comes from a registry not in the config's trusted registries (hadolint trustedRegistries). Off unless trusted registries are configured.",
		"use an image from a trusted registry, or add its registry to trustedRegistries")),
	dl("3027", "apt-not-apt-get", Warning,
		"A RUN uses apt, whose command-line interface is for people and not stable for scripts (it warns so itself).",
		"use apt-get (install, update, remove) or apt-cache (search, show) instead of apt"),
	dl("3028", "gem-pin-versions", Warning,
		"gem install without a version (gem install rails:7.1.3 or -v 7.1.3): the build installs whatever RubyGems has that day.",
		"pin the version: gem install PKG:<version> (or -v <version>), or install from a Gemfile.lock with bundle install"),
	dl("3030", "yum-yes", Warning,
		"yum install without -y: yum waits for an answer the build cannot give, and fails.",
		"add -y: yum install -y PKG"),
	dl("3032", "yum-clean", Warning,
		"A RUN uses yum install and runs no yum clean all (or rm -rf /var/cache/yum) after it, so yum's cache stays in the layer; a clean before the install does not count.",
		"end the same RUN with && yum clean all (and rm -rf /var/cache/yum), or mount a cache on /var/cache/yum"),
	dl("3033", "yum-pin-versions", Warning,
		"yum install of a package without a version (pkg-1.2.3): the build installs whatever the repository has that day.",
		"pin each package: yum install -y PKG-<version>"),
	dl("3034", "zypper-yes", Warning,
		"zypper install without -y (or -n, --non-interactive): zypper waits for an answer, and the build fails.",
		"add -y: zypper install -y PKG (or zypper --non-interactive install PKG)"),
	dl("3035", "zypper-dist-upgrade", Warning,
		"zypper dist-upgrade replaces packages of the base image wholesale, so the image no longer matches the base it names.",
		"use a newer base image tag instead, or update only the packages that need it: zypper update PKG"),
	dl("3036", "zypper-clean", Warning,
		"A RUN uses zypper install and runs no zypper clean (or rm -rf /var/cache/zypp) after it, so zypper's cache stays in the layer; a clean before the install does not count.",
		"end the same RUN with && zypper clean -a, or mount a cache on /var/cache/zypp"),
	dl("3037", "zypper-pin-versions", Warning,
		"zypper install of a package without a version (pkg=1.2.3): the build installs whatever the repository has that day.",
		"pin each package: zypper install -y PKG=<version>"),
	dl("3038", "dnf-yes", Warning,
		"dnf (or microdnf) install without -y: dnf waits for an answer, and the build fails.",
		"add -y: dnf install -y PKG"),
	dl("3040", "dnf-clean", Warning,
		"A RUN installs, upgrades or reinstalls with dnf or microdnf (install, in, upgrade, up, upgrade-minimal, reinstall) and runs no dnf clean all (or rm -rf /var/cache/dnf, /var/cache/libdnf5) after it, so the package cache stays in the layer; a clean before the install does not count.",
		"end the same RUN with && dnf clean all (microdnf clean all), or mount a cache on /var/cache/dnf (dnf5: /var/cache/libdnf5)"),
	dl("3041", "dnf-pin-versions", Warning,
		"dnf install of a package without a version (pkg-1.2.3): the build installs whatever the repository has that day.",
		"pin each package: dnf install -y PKG-<version>"),
	dl("3043", "onbuild-trigger", Error,
		"ONBUILD ONBUILD, ONBUILD FROM and ONBUILD MAINTAINER are not allowed: the build of every child image fails.",
		"remove the ONBUILD instruction, or trigger another instruction"),
	dl("3044", "env-self-reference", Warning,
		"An ENV refers to a variable that the same ENV sets: the reference gets the value from before the instruction (often empty), not the new one.",
		"split it in two ENV instructions: ENV A=1 then ENV B=$A/bin"),
	dl("3045", "copy-relative-dest", Warning,
		"COPY to a relative destination in a stage without WORKDIR: where the files land depends on the base image's working directory.",
		"set WORKDIR /app before the COPY (spec: workdir:), or copy to an absolute path"),
	dl("3046", "useradd-no-log-init", Warning,
		"useradd with a high UID (over 99999) and without -l (--no-log-init) writes a sparse but huge /var/log/lastlog and faillog into the layer.",
		"add -l: useradd -l -u 100001 app"),
	dl("3047", "wget-progress", Info,
		"wget without --progress (or -q, -nv) prints a progress bar line by line into the build log.",
		"add --progress=dot:giga (or -q / -nv) to wget"),
	dl("3048", "label-key", Info,
		"A LABEL key is not valid: keys are lower-case letters, digits, dots and dashes, start with a letter and end with a letter or digit (Docker's label key guidelines, hadolint DL3048), and the namespaces com.docker., io.docker. and org.dockerproject. are reserved.",
		"rename the key, in reverse-DNS form: org.example.team"),
	off(dl("3049", "label-missing", Info,
		"A label the config's label schema names is not set in the stage. Runs when a label schema is configured.",
		"add the label: LABEL NAME=value")),
	off(dl("3050", "label-superfluous", Info,
		"A label is set that the config's label schema does not name (strict-labels). Runs when strict-labels is on.",
		"remove the label, or add it to the label schema")),
	off(dl("3051", "label-empty", Warning,
		"A label of the config's label schema is set to the empty string.",
		"give the label a value")),
	off(dl("3052", "label-url", Warning,
		"A label the label schema types as url is not a URL.",
		"use an absolute URL with scheme and host")),
	off(dl("3053", "label-rfc3339", Warning,
		"A label the label schema types as rfc3339 is not an RFC 3339 time.",
		"use a time like 2024-05-01T12:00:00Z")),
	off(dl("3054", "label-spdx", Warning,
		"A label the label schema types as spdx is not an SPDX license expression of identifiers on the SPDX license list (checked with go-spdx).",
		"use an SPDX identifier or expression: Apache-2.0, MIT OR Apache-2.0")),
	off(dl("3055", "label-git-hash", Warning,
		"A label the label schema types as hash is not a git commit hash (40 or 7+ hex digits).",
		"pass the commit as a build arg: LABEL org.opencontainers.image.revision=$GIT_COMMIT")),
	off(dl("3056", "label-semver", Warning,
		"A label the label schema types as semver is not a semantic version.",
		"use a version like 1.4.2")),
	off(dl("3057", "no-healthcheck", Info,
		"The final stage has no HEALTHCHECK. Off by default (an orchestrator usually checks health).",
		"add HEALTHCHECK CMD ... to the final stage, or check health in compose or Kubernetes")),
	off(dl("3058", "label-email", Warning,
		"A label the label schema types as email is not an e-mail address.",
		"use an address like team@example.org")),
	dl("3059", "consecutive-run", Info,
		"Consecutive RUN instructions of one command each, with the same options (as hadolint, a RUN that chains commands is taken as a deliberate split): each makes a layer, and their files stay in the earlier ones even when a later one removes them.",
		"join them into one RUN with && (or a heredoc), unless the split is meant for caching"),
	dl("3060", "yarn-cache-clean", Info,
		"A RUN uses yarn install but does not run yarn cache clean, so yarn's cache stays in the layer.",
		"end the same RUN with && yarn cache clean, or mount a cache: --mount=type=cache,target=/usr/local/share/.cache/yarn"),
	dl("3061", "instruction-order", Error,
		"The Dockerfile does not begin with FROM (after ARG, comments and parser directives): the build fails.",
		"start the Dockerfile with FROM (ARG before it only for FROM's variables)"),
	dl("3062", "go-install-pin", Warning,
		"go install, go get or go run of a package that is not local without a pinned @version (@latest and @none do not pin): which version is built depends on the day (or the module in the context).",
		"pin the version: go install PKG@<version> (go run PKG@<version>, go get PKG@<version>)"),
	off(dl("3066", "user-not-numeric", Info,
		"USER names a user rather than a numeric id: the container runs as whatever id that name has in the image's /etc/passwd, which the host, a volume's owner and Kubernetes' runAsNonRoot cannot check. Off by default (most images name their users; DS001 checks root): enable it in .dockstage-lint.yaml.",
		"use the numeric id, USER 10001 or USER 10001:10001 (create the user with that id first: useradd -u 10001), or a build arg that holds it")),
	dl("3067", "copy-root-filesystem", Warning,
		"COPY --from copies the whole filesystem of another stage or image (/ to /): everything that stage holds, build tools and caches included, lands in this one.",
		"copy only the artifacts this stage needs (COPY --from=build /out/app /usr/local/bin/app); for an image that is the other stage, build FROM it instead"),
	dl("4001", "wget-and-curl", Warning,
		"A stage uses both wget and curl: two tools for the same job in one image (hadolint DL4001, per stage).",
		"use one of them throughout (curl -fsSL URL -o FILE or wget -q URL -O FILE)"),
	dl("4005", "ln-sh", Warning,
		"A RUN replaces /bin/sh with a link: it changes the shell of every later RUN and of the image's own scripts without saying so.",
		`use SHELL ["/bin/bash", "-c"] to change the shell of the RUNs that need it`),
	dl("4006", "pipefail", Warning,
		"A RUN has a pipe but the shell does not run with -o pipefail (a SHELL of bash, zsh or ash with -o pipefail; /bin/sh -o pipefail does not count, as dash lacks it): a failing command before the last | goes unnoticed and the build goes on.",
		`set SHELL ["/bin/bash", "-o", "pipefail", "-c"] before the RUN (spec: shell:), or begin the RUN with set -o pipefail && (bash)`),
	func() Rule {
		r := ds(RuleShellCheck, "shellcheck", Warning,
			"ShellCheck (when it is on PATH) finds a problem in a RUN script: the SC code says which (quoting, word splitting, unused variables, ...). Without shellcheck the rule is skipped.",
			"see the ShellCheck wiki page of the SC code in the message")
		r.Aliases = []string{"SC"}
		return r
	}(),
}

// hadolintCovered names, for each hadolint rule that an existing rule
// reports, that rule; hadolintRetired lists the IDs hadolint dropped.
var hadolintCovered = map[string]string{
	"DL3000": linter.RuleWorkdirRelativePath.Name,
	"DL3002": RuleProdRoot,
	"DL3006": RuleBaseUnpinned,
	"DL3007": RuleBaseUnpinned,
	"DL3009": RuleAptLists,
	"DL3012": linter.RuleMultipleInstructionsDisallowed.Name,
	"DL3015": RuleAptRecommends,
	"DL3020": RuleAddForCopy,
	"DL3022": RuleUnknownFrom,
	"DL3024": linter.RuleDuplicateStageName.Name,
	"DL3025": linter.RuleJSONArgsRecommended.Name,
	"DL3029": linter.RuleFromPlatformFlagConstDisallowed.Name,
	"DL3042": RulePipCache,
	"DL3063": linter.RuleReservedStageName.Name,
	"DL3064": RuleSecretArgEnv,
	"DL3065": linter.RuleRedundantTargetPlatform.Name,
	"DL4000": linter.RuleMaintainerDeprecated.Name,
	"DL4003": linter.RuleMultipleInstructionsDisallowed.Name,
	"DL4004": linter.RuleMultipleInstructionsDisallowed.Name,
}

var hadolintRetired = []string{"DL3017", "DL3031", "DL3039"}

// withAliases adds the hadolint IDs that rs cover to their Aliases.
func withAliases(rs []Rule) []Rule {
	for i := range rs {
		for dl, id := range hadolintCovered {
			if id == rs[i].ID {
				rs[i].Aliases = append(rs[i].Aliases, dl)
			}
		}
		sortStrings(rs[i].Aliases)
	}
	return rs
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// canonicalID returns the ID of the rule id names (an ID or an alias,
// any case), lower-case; an SCnnnn code names the ShellCheck rule's
// findings of that code only, and stays as it is.
func canonicalID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	if r, ok := ruleIndex[id]; ok {
		return strings.ToLower(r.ID)
	}
	return id
}
