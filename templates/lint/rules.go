package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// Severity ranks a finding: Info < Warning < Error.
type Severity int

const (
	// Info is advice: image size, cache use, layout conventions.
	Info Severity = iota + 1
	// Warning is a likely mistake or a security or reproducibility risk.
	Warning
	// Error is a file that will not build, or will build something wrong.
	Error
)

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "info", "warning" or "error" (case-insensitive;
// "note" and "warn" are accepted as SARIF and habit spell them).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "info", "note":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("unknown severity %q; use info, warning or error", s)
}

// Source says who defines a rule.
type Source string

const (
	// SourceDockstage rules are dockstage's own (IDs DS000...).
	SourceDockstage Source = "dockstage"
	// SourceBuildKit rules are BuildKit's build checks (what `docker build
	// --check` runs); their IDs are BuildKit's rule names.
	SourceBuildKit Source = "buildkit"
)

// Rule is one lint rule: the data every output format and the generated
// rule list (RULES.md) are made from.
type Rule struct {
	// ID is what findings, suppressions and the config name the rule by:
	// DS001... for dockstage's rules, BuildKit's rule name (FromAsCasing)
	// for build checks.
	ID string
	// Name is a short kebab-case name (prod-runs-as-root).
	Name string
	// Severity is the default severity; a config file can change it.
	Severity Severity
	// Description says what the rule finds, in one sentence.
	Description string
	// URL documents the rule (BuildKit's page for build checks, RULES.md
	// for dockstage's rules).
	URL string
	// Fix says what to do about a finding, for a Dockerfile and for a
	// spec where they differ.
	Fix    string
	Source Source
	// Off rules run only when a config file enables them.
	Off bool
	// Fixed rules cannot be disabled, suppressed or lowered (DS000: an
	// invalid file).
	Fixed bool
	// Aliases are other IDs of the rule: hadolint's (DL3008) for the
	// rules that port or cover one of hadolint's.
	Aliases []string
}

// rulesDoc is where dockstage's own rules are documented.
const rulesDoc = "https://github.com/dockstage/dockstage/blob/main/templates/lint/RULES.md"

func ds(id, name string, sev Severity, desc, fix string) Rule {
	return Rule{ID: id, Name: name, Severity: sev, Description: desc, Fix: fix, Source: SourceDockstage,
		URL: rulesDoc + "#" + strings.ToLower(id)}
}

// IDs of dockstage's rules.
const (
	RuleInvalid          = "DS000"
	RuleProdRoot         = "DS001"
	RuleBaseUnpinned     = "DS002"
	RuleSecretArgEnv     = "DS003"
	RuleAptRecommends    = "DS004"
	RuleAptLists         = "DS005"
	RulePipCache         = "DS006"
	RuleSourceBeforeDeps = "DS007"
	RuleAddForCopy       = "DS008"
	RuleCopyAllNoIgnore  = "DS009"
	RuleUnknownFrom      = "DS010"
	RuleNoTestStage      = "DS011"
	RuleTestUnrelated    = "DS012"
	RuleProdFromTest     = "DS013"
	RuleBaseNoDigest     = "DS014"
	RuleNotImported      = "DS015"
	RuleShellSyntax      = "DS016"
	RuleMountAtWorkdir   = "DS017"
)

const secretMountHint = "pass it as a build secret instead: RUN --mount=type=secret,id=NAME,env=NAME ... with docker build --secret id=NAME,env=NAME (spec: run: {command: ..., mounts: [{type: secret, id: NAME, env: NAME}]}); a secret the running container needs belongs in its runtime environment (compose environment), not in the image"

// dockstageRules are dockstage's own rules.
var dockstageRules = []Rule{
	func() Rule {
		r := ds(RuleInvalid, "invalid", Error,
			"The file is not valid: BuildKit, the spec loader or compose-go rejects it, so nothing else can be checked reliably.",
			"correct the reported error (each finding says what BuildKit, the spec loader or compose-go rejects)")
		r.Fixed = true
		return r
	}(),
	ds(RuleProdRoot, "prod-runs-as-root", Warning,
		"The production stage (the spec's compose target, else the stage named prod, else the last stage) runs as root: no USER in it or the stages it is built from, or USER root/0 last; base images whose tag says nonroot count as non-root, as do Windows nanoserver images (they run as ContainerUser).",
		`switch to an unprivileged user at the end of prod: USER 10001 (spec: - user: "10001"), after creating it in an earlier step if the image needs a passwd entry`),
	ds(RuleBaseUnpinned, "base-image-unpinned", Warning,
		"A base image (FROM, after expanding build-arg defaults) has no tag or the tag latest, so the build changes whenever the image is republished.",
		"pin a version tag (python:3.12-slim), or a digest (image:tag@sha256:...) for byte-for-byte reproducible builds"),
	ds(RuleSecretArgEnv, "secret-in-arg-env", Warning,
		"An ARG or ENV name looks like a secret (password, token, API key, private key, credentials): ARG and ENV values are kept in the image's history and config, readable by anyone who can pull it.",
		secretMountHint),
	ds(RuleAptRecommends, "apt-install-recommends", Info,
		"apt-get install without --no-install-recommends also installs the recommended packages, which the image rarely needs.",
		"add --no-install-recommends to apt-get install"),
	ds(RuleAptLists, "apt-lists-not-cleaned", Info,
		"A RUN that runs apt-get update leaves the package lists (/var/lib/apt/lists) in its layer; removing them in a later RUN does not make the image smaller.",
		"end the same RUN with && rm -rf /var/lib/apt/lists/*, or mount caches on /var/lib/apt and /var/cache/apt (--mount=type=cache,target=/var/lib/apt,sharing=locked)"),
	ds(RulePipCache, "pip-no-cache-dir", Info,
		"pip install without --no-cache-dir keeps pip's download cache in the layer.",
		"add --no-cache-dir (or ENV PIP_NO_CACHE_DIR=1), or mount a cache on pip's cache directory: --mount=type=cache,target=/root/.cache/pip"),
	ds(RuleSourceBeforeDeps, "source-before-deps", Warning,
		"A stage copies the whole build context and then installs dependencies, so any source change reruns the dependency install.",
		"copy only the dependency manifests (requirements.txt, package*.json, go.mod/go.sum, ...) and install them first, then copy the source; in the standard layout the install belongs in base and the source in src"),
	ds(RuleAddForCopy, "add-instead-of-copy", Warning,
		"ADD of local files that are not archives: COPY does the same without ADD's extra behaviour (unpacking archives, fetching URLs).",
		"use COPY (spec: copy: instead of add:)"),
	ds(RuleCopyAllNoIgnore, "copy-all-without-dockerignore", Warning,
		"COPY . copies the whole build context, and the context has no .dockerignore: .git, local .env files, secrets and build output end up in the image and bust the cache.",
		"add a .dockerignore beside the Dockerfile (at least .git, .env, build output), or copy only the paths the image needs"),
	ds(RuleUnknownFrom, "unknown-from", Warning,
		"COPY --from or RUN --mount from= names no earlier stage, so BuildKit pulls it as an image; a bare name without tag or registry is usually a misspelt stage.",
		"name an earlier stage (stage names are compared without case), a stage index, or a full image reference with a tag (nginx:1.27)"),
	ds(RuleNoTestStage, "no-test-stage", Info,
		"There is no stage named test, so docker build --target test cannot run the tests as the standard layout expects.",
		"add a test stage built from src that installs the test dependencies and runs the tests (spec: stages: test: {from: src, steps: [...]})"),
	ds(RuleTestUnrelated, "test-stage-unrelated", Warning,
		"The test stage does not build on anything the production target uses (neither a stage prod is built from nor one it copies artifacts from), so passing tests say nothing about the image that ships.",
		"build test FROM src (or from the stage prod is built from), so the tests run against the same source and dependencies"),
	ds(RuleProdFromTest, "prod-from-test", Error,
		"The production stage is built from the test stage, so test tools, dev dependencies and test files ship in production.",
		"build prod FROM src (or a slim runtime image fed by artifacts), not from test"),
	func() Rule {
		r := ds(RuleBaseNoDigest, "base-image-no-digest", Info,
			"A base image is pinned by tag but not by digest; a tag can be moved to a different image. Off by default: enable it in .dockstage-lint.yaml.",
			"append the digest: image:tag@sha256:... (docker buildx imagetools inspect image:tag shows it)")
		r.Off = true
		return r
	}(),
	ds(RuleNotImported, "not-importable", Info,
		"dockstage could not import the Dockerfile into a spec, so its own rules did not run on it; BuildKit's build checks did.",
		"see the message; dockstage's rules run on any Dockerfile that dockstage import accepts"),
	ds(RuleShellSyntax, "shell-syntax-error", Error,
		"A shell-form RUN (or shell heredoc) of a stage whose shell is POSIX sh or bash ends inside a quote or an unclosed $(, ( or backquote: the shell rejects the script, so the build fails at that RUN.",
		"close the quote or bracket the message names (a quote meant literally is escaped: \\\" or '\\''), or end the line with \\ if the command goes on"),
	ds(RuleMountAtWorkdir, "mount-without-target", Warning,
		"A RUN --mount has no target, so BuildKit mounts it at the working directory, and neither its stage nor the stages it is built from set WORKDIR: the directory is the base image's, and BuildKit refuses a mount at / (the working directory of most images), so the build fails unless the base image sets one.",
		"give the mount a target (--mount=type=cache,target=/root/.cache; spec: mounts: [{type: cache, target: /root/.cache}]), or set WORKDIR before the RUN"),
}

// buildkitFixes are fix hints for BuildKit's build checks, by rule name.
var buildkitFixes = map[string]string{
	linter.RuleStageNameCasing.Name:                 "write the stage name in lower case",
	linter.RuleFromAsCasing.Name:                    "write AS in the same case as FROM: FROM image AS name",
	linter.RuleNoEmptyContinuation.Name:             "remove the empty line inside the continued instruction",
	linter.RuleConsistentInstructionCasing.Name:     "write every instruction keyword in the same case (upper case is usual)",
	linter.RuleDuplicateStageName.Name:              "give each stage a unique name",
	linter.RuleReservedStageName.Name:               "rename the stage: scratch and context are reserved",
	linter.RuleJSONArgsRecommended.Name:             `use the exec (JSON) form, ["app", "--flag"] after the keyword, in double quotes (a list in single quotes is shell form), so the process gets signals (spec: a YAML list); for shell features use ["sh", "-c", "..."] or exec in the command`,
	linter.RuleMaintainerDeprecated.Name:            `replace MAINTAINER with LABEL org.opencontainers.image.authors="..."`,
	linter.RuleUndefinedArgInFrom.Name:              "declare the ARG before the first FROM (spec: args:)",
	linter.RuleWorkdirRelativePath.Name:             "use an absolute WORKDIR, or set an absolute one earlier in the stage",
	linter.RuleUndefinedVar.Name:                    "declare the variable with ARG or ENV before using it (offline, dockstage does not know the base image's environment beyond PATH)",
	linter.RuleMultipleInstructionsDisallowed.Name:  "keep only the last CMD, ENTRYPOINT or HEALTHCHECK of the stage",
	linter.RuleLegacyKeyValueFormat.Name:            "write ENV/LABEL as KEY=value",
	linter.RuleInvalidBaseImagePlatform.Name:        "build for the image's platform, or use an image that has the target platform",
	linter.RuleRedundantTargetPlatform.Name:         "remove --platform=$TARGETPLATFORM from FROM",
	linter.RuleSecretsUsedInArgOrEnv.Name:           secretMountHint,
	linter.RuleInvalidDefaultArgInFrom.Name:         "give the ARG a default that makes a valid image reference",
	linter.RuleFromPlatformFlagConstDisallowed.Name: "use a build arg ($BUILDPLATFORM) instead of a constant platform, or remove --platform",
	linter.RuleCopyIgnoredFile.Name:                 "remove the path from .dockerignore, or stop copying it",
	linter.RuleInvalidDefinitionDescription.Name:    "write the comment as `# NAME description`, or separate it from the instruction by an empty line",
	linter.RuleExposeProtoCasing.Name:               "write the protocol in lower case: 53/udp",
	linter.RuleExposeInvalidFormat.Name:             "EXPOSE only the container port (8080); publish host ports with docker run -p or compose ports",
}

// buildkitRule makes a table entry for one of BuildKit's rules.
func buildkitRule(name, desc, url string) Rule {
	return Rule{ID: name, Name: name, Severity: Warning, Description: desc, URL: url, Fix: buildkitFixes[name], Source: SourceBuildKit}
}

// buildkitRules mirrors BuildKit's rule set (linter/ruleset.go), so that
// the descriptions and URLs are BuildKit's own.
var buildkitRules = func() []Rule {
	type info struct{ name, desc, url string }
	var out []Rule
	for _, r := range []info{
		{linter.RuleStageNameCasing.Name, linter.RuleStageNameCasing.Description, linter.RuleStageNameCasing.URL},
		{linter.RuleFromAsCasing.Name, linter.RuleFromAsCasing.Description, linter.RuleFromAsCasing.URL},
		{linter.RuleNoEmptyContinuation.Name, linter.RuleNoEmptyContinuation.Description, linter.RuleNoEmptyContinuation.URL},
		{linter.RuleConsistentInstructionCasing.Name, linter.RuleConsistentInstructionCasing.Description, linter.RuleConsistentInstructionCasing.URL},
		{linter.RuleDuplicateStageName.Name, linter.RuleDuplicateStageName.Description, linter.RuleDuplicateStageName.URL},
		{linter.RuleReservedStageName.Name, linter.RuleReservedStageName.Description, linter.RuleReservedStageName.URL},
		{linter.RuleJSONArgsRecommended.Name, linter.RuleJSONArgsRecommended.Description, linter.RuleJSONArgsRecommended.URL},
		{linter.RuleMaintainerDeprecated.Name, linter.RuleMaintainerDeprecated.Description, linter.RuleMaintainerDeprecated.URL},
		{linter.RuleUndefinedArgInFrom.Name, linter.RuleUndefinedArgInFrom.Description, linter.RuleUndefinedArgInFrom.URL},
		{linter.RuleWorkdirRelativePath.Name, linter.RuleWorkdirRelativePath.Description, linter.RuleWorkdirRelativePath.URL},
		{linter.RuleUndefinedVar.Name, linter.RuleUndefinedVar.Description, linter.RuleUndefinedVar.URL},
		{linter.RuleMultipleInstructionsDisallowed.Name, linter.RuleMultipleInstructionsDisallowed.Description, linter.RuleMultipleInstructionsDisallowed.URL},
		{linter.RuleLegacyKeyValueFormat.Name, linter.RuleLegacyKeyValueFormat.Description, linter.RuleLegacyKeyValueFormat.URL},
		{linter.RuleInvalidBaseImagePlatform.Name, linter.RuleInvalidBaseImagePlatform.Description, linter.RuleInvalidBaseImagePlatform.URL},
		{linter.RuleRedundantTargetPlatform.Name, linter.RuleRedundantTargetPlatform.Description, linter.RuleRedundantTargetPlatform.URL},
		{linter.RuleSecretsUsedInArgOrEnv.Name, linter.RuleSecretsUsedInArgOrEnv.Description, linter.RuleSecretsUsedInArgOrEnv.URL},
		{linter.RuleInvalidDefaultArgInFrom.Name, linter.RuleInvalidDefaultArgInFrom.Description, linter.RuleInvalidDefaultArgInFrom.URL},
		{linter.RuleFromPlatformFlagConstDisallowed.Name, linter.RuleFromPlatformFlagConstDisallowed.Description, linter.RuleFromPlatformFlagConstDisallowed.URL},
		{linter.RuleCopyIgnoredFile.Name, linter.RuleCopyIgnoredFile.Description, linter.RuleCopyIgnoredFile.URL},
		{linter.RuleInvalidDefinitionDescription.Name, linter.RuleInvalidDefinitionDescription.Description, linter.RuleInvalidDefinitionDescription.URL},
		{linter.RuleExposeProtoCasing.Name, linter.RuleExposeProtoCasing.Description, linter.RuleExposeProtoCasing.URL},
		{linter.RuleExposeInvalidFormat.Name, linter.RuleExposeInvalidFormat.Description, linter.RuleExposeInvalidFormat.URL},
	} {
		out = append(out, buildkitRule(r.name, r.desc, r.url))
	}
	return out
}()

// Rules returns the whole rule table: dockstage's rules (by ID), then
// BuildKit's build checks (in BuildKit's order). The slice is a copy.
func Rules() []Rule {
	out := make([]Rule, 0, len(allRules))
	for _, r := range allRules {
		r.Aliases = append([]string(nil), r.Aliases...)
		out = append(out, r)
	}
	return out
}

// allRules is the table: dockstage's rules, the hadolint ports, BuildKit's,
// with the hadolint IDs they cover as aliases.
var allRules = withAliases(append(append(append([]Rule{}, dockstageRules...), hadolintRules...), buildkitRules...))

var ruleIndex = func() map[string]Rule {
	m := map[string]Rule{}
	for _, r := range allRules {
		m[strings.ToLower(r.ID)] = r
		for _, a := range r.Aliases {
			m[strings.ToLower(a)] = r
		}
	}
	return m
}()

// LookupRule finds a rule by ID or alias (DL3008), without regard to case.
func LookupRule(id string) (Rule, bool) {
	r, ok := ruleIndex[strings.ToLower(id)]
	return r, ok
}

// ruleFor returns the table entry for id, or one made from what BuildKit
// reported for a rule this table does not know yet (a newer BuildKit).
func ruleFor(id, desc, url string) Rule {
	if r, ok := LookupRule(id); ok {
		return r
	}
	return buildkitRule(id, desc, url)
}

// ruleIDs lists every rule ID, sorted, for "did you mean" suggestions.
func ruleIDs() []string {
	ids := make([]string, 0, len(ruleIndex))
	for _, r := range allRules {
		ids = append(ids, r.ID)
		ids = append(ids, r.Aliases...)
	}
	sort.Strings(ids)
	return ids
}
