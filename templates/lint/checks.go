package lint

import (
	"cmp"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/distribution/reference"
	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	runshell "github.com/dockstage/dockstage/transpile/shell"
	"github.com/moby/buildkit/util/suggest"
)

// layout is the stage graph of a spec, as the rules see it.
type layout struct {
	s      *spec.Spec
	escape rune
	parent []int // parent[i]: the stage stage i is built FROM (spec.Spec.FromStage), or -1
	prod   int   // the production stage: compose target, prod, else the last
	test   int   // the stage named test (spec.Spec.StageIndex), or -1
}

func newLayout(s *spec.Spec) *layout {
	l := &layout{s: s, escape: s.Escape(), prod: s.ProdStage()}
	l.parent = make([]int, len(s.Stages))
	for i := range s.Stages {
		l.parent[i] = s.FromStage(i)
	}
	l.test = s.StageIndex("test", len(s.Stages))
	return l
}

// chain returns stage i and the stages it is built from, i first
// (spec.Spec.Chain); none for i < 0.
func (l *layout) chain(i int) []int {
	if i < 0 {
		return nil
	}
	return l.s.Chain(i)
}

// ships reports whether stage i is the last stage or a later stage is
// built FROM it: what its layers leave behind then reaches an image
// (hadolint DL3009 looks at these stages only; a builder stage's apt
// lists never do).
func (l *layout) ships(i int) bool {
	if i == len(l.s.Stages)-1 || i == l.prod {
		return true
	}
	return slices.Contains(l.parent[i+1:], i)
}

// uses returns every stage stage i needs: its chain and, recursively, the
// stages those copy artifacts from or mount (spec.Spec.Needs).
func (l *layout) uses(i int) map[int]bool {
	out := map[int]bool{}
	for _, j := range l.s.Needs(i) {
		out[j] = true
	}
	return out
}

// checkSpec runs dockstage's own rules on s. Positions are s's: the spec
// file's, or the Dockerfile's lines for an imported Dockerfile.
func checkSpec(c *collector, s *spec.Spec, ctx *BuildContext) {
	if len(s.Stages) == 0 {
		return
	}
	l := newLayout(s)
	checkBaseImages(c, l)
	checkSecrets(c, s)
	checkProdUser(c, l)
	checkRuns(c, l)
	checkCopies(c, l, ctx)
	checkTestStage(c, l)
}

func stepPos(step *spec.Step) spec.Pos { return step.Pos }

// ---- DS002, DS014: base images ----

func checkBaseImages(c *collector, l *layout) {
	for i, st := range l.s.Stages {
		if l.parent[i] >= 0 || strings.EqualFold(st.From, "scratch") {
			continue
		}
		pos := st.FromPos
		if !pos.IsValid() {
			pos = st.Pos
		}
		img, ok := l.s.ExpandFrom(st.From)
		if !ok || strings.EqualFold(img, "scratch") {
			continue
		}
		named, err := reference.ParseNormalizedNamed(img)
		if err != nil {
			continue // not an image reference: spec.Validate and BuildKit say so
		}
		shown := st.From
		if img != st.From {
			shown = fmt.Sprintf("%s (%s with the build args' defaults)", st.From, img)
		}
		if _, ok := named.(reference.Digested); ok {
			continue
		}
		tagged, ok := named.(reference.Tagged)
		switch {
		case !ok:
			c.addFixed(RuleBaseUnpinned, "DL3006", pos, st.Pos.Line, fmt.Sprintf("stage %s: FROM %s has no tag, so it builds on whatever :latest is today", label(st), shown), pinHint(named))
		case tagged.Tag() == "latest":
			c.addFixed(RuleBaseUnpinned, "DL3007", pos, st.Pos.Line, fmt.Sprintf("stage %s: FROM %s uses the tag latest, which moves", label(st), shown), pinHint(named))
		default:
			c.addID(RuleBaseNoDigest, pos, st.Pos.Line, fmt.Sprintf("stage %s: FROM %s is pinned by tag, not by digest", label(st), shown))
		}
	}
}

// pinHint is DS002's fix hint for one image.
func pinHint(named reference.Named) string {
	name := reference.FamiliarName(named)
	return fmt.Sprintf("pin a version tag, %s:VERSION (the tags the image's registry lists; docker buildx imagetools inspect %s:VERSION shows one), or a digest (%s:VERSION@sha256:...) for byte-for-byte reproducible builds", name, name, name)
}

// ---- DS003: secrets in ARG and ENV ----

// secretWords are name words that mark a secret; a name matches when one
// of its words (split at _ - . and lower-to-upper case changes) is one of
// these, or it contains one of secretParts.
var (
	secretWords = map[string]bool{
		"apikey": true, "auth": true, "credential": true, "credentials": true, "password": true,
		"passwd": true, "pword": true, "pwd": true, "secret": true, "secrets": true, "token": true,
		"passphrase": true, "privatekey": true, "accesskey": true,
	}
	secretParts = []string{"password", "passwd", "secret", "apikey", "api_key", "private_key", "access_key", "token"}
	// keyWords make "key" a secret when they stand before it (API_KEY,
	// SIGNING_KEY); a lone KEY at either end counts too, as BuildKit's rule.
	keyWords = map[string]bool{"api": true, "private": true, "access": true, "secret": true, "signing": true, "encryption": true, "master": true, "license": true, "client": true, "ssh": true, "gpg": true, "deploy": true}
	// harmlessWords mark names that are about a secret, not one: a file
	// path, a URL, a version, a public key, a name or an id.
	harmlessWords = map[string]bool{"public": true, "file": true, "path": true, "dir": true, "url": true, "uri": true, "version": true, "name": true, "id": true, "type": true, "length": true, "size": true, "env": true, "endpoint": true, "host": true, "header": true}
	// knownSecretNames are credentials whose names the word rules read as
	// harmless (an id): from hadolint DL3064's knownSensitiveNames, the
	// ones that hold a credential (that list also has TRAVIS_OS_NAME and
	// the like, which hold none).
	knownSecretNames = map[string]bool{"AWS_ACCESS_KEY_ID": true}
	camelRE          = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([a-z0-9])([A-Z])`) })
)

// isSecretName reports whether an ARG or ENV name looks like it holds a
// secret. It covers BuildKit's SecretsUsedInArgOrEnv names (a secret word
// first or last) and secret words anywhere in the name.
func isSecretName(name string) bool {
	if knownSecretNames[strings.ToUpper(name)] {
		return true
	}
	words := strings.FieldsFunc(strings.ToLower(camelRE().ReplaceAllString(name, "${1}_${2}")), func(r rune) bool {
		return r == '_' || r == '-' || r == '.'
	})
	for _, w := range words {
		if harmlessWords[w] {
			return false
		}
	}
	for i, w := range words {
		if secretWords[w] {
			return true
		}
		if w == "key" && (i == 0 && len(words) == 1 || i > 0 && keyWords[words[i-1]] || i == len(words)-1 && len(words) <= 2) {
			return true
		}
	}
	lower := strings.ToLower(name)
	for _, p := range secretParts {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return false
}

func checkSecrets(c *collector, s *spec.Spec) {
	report := func(kw string, stage string, kv spec.KV, anchor int) {
		if !isSecretName(kv.Key) {
			return
		}
		where := "before the first FROM"
		if stage != "" {
			where = "in stage " + stage
		}
		stored := "its value stays in the image's history"
		if kw == "ENV" {
			stored = "its value is stored in the image config of every image built from this stage"
		}
		c.addID(RuleSecretArgEnv, kv.Pos, anchor, fmt.Sprintf("%s %s %s looks like a secret: %s", kw, kv.Key, where, stored))
	}
	for _, kv := range s.Args {
		report("ARG", "", kv, kv.Pos.Line)
	}
	for _, st := range s.Stages {
		for i := range st.Steps {
			step := &st.Steps[i]
			for _, kv := range step.Arg {
				report("ARG", label(st), kv, step.Pos.Line)
			}
			for _, kv := range step.Env {
				report("ENV", label(st), kv, step.Pos.Line)
			}
		}
	}
}

// ---- DS001: prod runs as root ----

// nonRootImageRE matches images whose own user is not root; Windows
// nanoserver images run as ContainerUser, which is not an administrator.
var nonRootImageRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)(nonroot|non-root|rootless|nanoserver)`) })

func isRootUser(u string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(u), ":")
	return name == "root" || name == "0" || strings.EqualFold(name, "ContainerAdministrator")
}

// windowsRootFix is DS001's fix in a stage from a Windows image other
// than nanoserver: its default user is ContainerAdministrator, and
// ContainerUser is the unprivileged account every Windows image has.
const windowsRootFix = "switch to the unprivileged account at the end of prod: USER ContainerUser (spec: - user: ContainerUser)"

func checkProdUser(c *collector, l *layout) {
	prod := l.s.Stages[l.prod]
	chain := l.chain(l.prod)
	// Walk from the prod stage's last step back up the chain: the last
	// USER wins.
	for _, i := range chain {
		st := l.s.Stages[i]
		for j := len(st.Steps) - 1; j >= 0; j-- {
			step := &st.Steps[j]
			if step.User == nil {
				continue
			}
			u := *step.User
			if strings.Contains(u, "$") || !isRootUser(u) {
				return
			}
			c.addID(RuleProdRoot, stepPos(step), step.Pos.Line, fmt.Sprintf("the production stage %s runs as root: USER %s is the last USER %s", label(prod), u, inStage(st, prod)))
			return
		}
	}
	root := l.s.Stages[chain[len(chain)-1]]
	if img, ok := l.s.ExpandFrom(root.From); ok && nonRootImageRE().MatchString(img) {
		return // the base image's own user is not root
	} else if !ok && nonRootImageRE().MatchString(root.From) {
		return
	}
	via := ""
	if len(chain) > 1 {
		names := make([]string, len(chain))
		for k, i := range chain {
			names[k] = label(l.s.Stages[i])
		}
		via = " (nor in " + strings.Join(names[1:], ", ") + ", which it is built from)"
	}
	// hadolint's DL3002 is about an explicit USER root only.
	r, _ := LookupRule(RuleProdRoot)
	img, _ := l.s.ExpandFrom(root.From)
	if windowsImageRE().MatchString(strings.ToLower(cmp.Or(img, root.From))) {
		n := len(c.out)
		c.addAlias(r, "-", prod.Pos, prod.Pos.Line, fmt.Sprintf("the production stage %s runs as ContainerAdministrator, the Windows image's administrator: it sets no USER%s", label(prod), via))
		if len(c.out) > n {
			c.out[n].Fix = windowsRootFix
		}
		return
	}
	c.addAlias(r, "-", prod.Pos, prod.Pos.Line, fmt.Sprintf("the production stage %s runs as root: it sets no USER%s", label(prod), via))
}

func inStage(st, prod *spec.Stage) string {
	if st == prod {
		return "in it"
	}
	return "it inherits from stage " + label(st)
}

// label names a stage in messages: its name, or its index for an
// unnamed stage of an imported Dockerfile.
func label(st *spec.Stage) string {
	if st.Anonymous {
		return fmt.Sprintf("%s (unnamed)", st.Name)
	}
	return st.Name
}

// ---- DS004, DS005, DS006, DS007: RUN commands ----

// runCommands returns the simple commands a RUN runs, for the rules: those
// of its shell text (or exec args), of the scripts it hands to sh -c, and
// of its heredoc bodies, each as the words runshell.Command.Unwrapped gives.
func runCommands(r *spec.Run, esc rune) [][]string {
	var out [][]string
	var add func(s runshell.Script, depth int)
	add = func(s runshell.Script, depth int) {
		for _, c := range s.Commands {
			if w := c.Unwrapped(); len(w) > 0 {
				out = append(out, w)
			}
			if text, ok := c.ShellScript(); ok && depth < 3 {
				add(runshell.Parse(text, '\\'), depth+1)
			}
		}
	}
	if r.Command.Exec {
		add(runshell.Exec(r.Command.Args), 0)
	} else {
		add(runshell.Parse(r.Command.Shell, esc), 0)
	}
	for _, h := range r.Heredocs {
		add(runshell.Parse(h.Body, '\\'), 0)
	}
	return out
}

// runText is what a RUN executes, for the text searches (an rm of the apt
// lists, an apt setting): shell text with the continuations joined, or
// exec args, plus heredoc bodies.
func runText(r *spec.Run, esc rune) string {
	var b strings.Builder
	if r.Command.Exec {
		b.WriteString(strings.Join(r.Command.Args, " "))
	} else {
		// The continuations joined (syntax.TrimContinuation).
		lines := strings.Split(r.Command.Shell, "\n")
		for i, line := range lines {
			if t, cont := syntax.TrimContinuation(line, esc); cont && i+1 < len(lines) {
				b.WriteString(t + " ")
				continue
			}
			b.WriteString(line)
			if i+1 < len(lines) {
				b.WriteString("\n")
			}
		}
	}
	for _, h := range r.Heredocs {
		b.WriteString("\n")
		b.WriteString(h.Body)
	}
	return b.String()
}

func hasCacheMount(r *spec.Run, targets ...string) bool {
	for _, m := range r.Mounts {
		if m.Type != "cache" && m.Type != "tmpfs" {
			continue
		}
		t := strings.TrimSuffix(m.Target, "/")
		for _, x := range targets {
			if t == x || strings.HasSuffix(t, x) {
				return true
			}
		}
	}
	return false
}

var aptListsRmRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\brm\s+(-[a-zA-Z]+\s+)*[^&;|]*/var/lib/apt/lists`) })

// untargetedMounts lists the mounts of step j of stage i (its type, as
// written after --mount=type=) that have no target while neither the
// stage before j nor the stages it is built from set WORKDIR (DS017).
func untargetedMounts(l *layout, i, j int) []string {
	var out []string
	for _, m := range l.s.Stages[i].Steps[j].Run.Mounts {
		if m.Target == "" {
			out = append(out, "type="+cmp.Or(m.Type, "bind"))
		}
	}
	if len(out) == 0 {
		return nil
	}
	for k, si := range l.chain(i) {
		steps := l.s.Stages[si].Steps
		if k == 0 {
			steps = steps[:j]
		}
		for _, st := range steps {
			if st.Workdir != nil {
				return nil
			}
		}
	}
	return out
}

// mountAtRoot is BuildKit's error for a mount whose target resolves to /;
// without a target it comes from the base image's working directory,
// which offline is unknown (DS017 says so), so it is no invalid file.
const mountAtRoot = `invalid mount target "/"`

// onlyUntargetedMount reports whether bk's error is mountAtRoot, from the
// RUN of s at line (of the file s was read from) that has a mount DS017
// reports.
func onlyUntargetedMount(bk buildkitResult, s *spec.Spec, line int) bool {
	if s == nil || !strings.Contains(bk.err, mountAtRoot) || len(s.Stages) == 0 {
		return false
	}
	l := newLayout(s)
	for i, st := range s.Stages {
		for j := range st.Steps {
			if st.Steps[j].Run != nil && st.Steps[j].Pos.Line == line && len(untargetedMounts(l, i, j)) > 0 {
				return true
			}
		}
	}
	return false
}

func checkRuns(c *collector, l *layout) {
	for i, st := range l.s.Stages {
		// What the stage and the stages it is built from set up before.
		pipNoCache, noRecommends := false, false
		for _, j := range l.chain(i)[1:] {
			a, b := stageSetup(l.s.Stages[j], len(l.s.Stages[j].Steps), l.escape)
			pipNoCache, noRecommends = pipNoCache || a, noRecommends || b
		}
		copiedAll := -1 // line of a whole-context COPY earlier in this stage
		for j := range st.Steps {
			step := &st.Steps[j]
			a, b := stageSetup(st, j, l.escape)
			pipNoCache2, noRecommends2 := pipNoCache || a, noRecommends || b
			if step.Copy != nil && step.Copy.From == "" && copiesAll(step.Copy) && copiedAll < 0 {
				copiedAll = step.Pos.Line
			}
			if step.Run == nil {
				continue
			}
			r := step.Run
			text := runText(r, l.escape)
			p := stepPos(step)
			for _, m := range untargetedMounts(l, i, j) {
				c.addID(RuleMountAtWorkdir, p, p.Line, fmt.Sprintf("RUN --mount=%s has no target and no WORKDIR is set before it (stage %s): it mounts at the base image's working directory, and BuildKit refuses /", m, label(st)))
			}
			aptUpdate, aptCmd, depReported := false, "", false
			for _, seg := range runCommands(r, l.escape) {
				sub := ecosystem.Subcommand(seg)
				switch {
				case ecosystem.IsApt(seg) && sub == "install":
					if !noRecommends2 && !ecosystem.HasWord(seg, "--no-install-recommends") && !strings.Contains(strings.Join(seg, " "), "Install-Recommends") {
						c.addID(RuleAptRecommends, p, p.Line, fmt.Sprintf("%s install without --no-install-recommends (stage %s)", seg[0], label(st)))
					}
				case (ecosystem.IsApt(seg) || seg[0] == "aptitude") && sub == "update": // aptitude fills the same lists
					aptUpdate, aptCmd = true, seg[0]
				}
				if ecosystem.IsPipInstall(seg) && !pipNoCache2 && !pipNoCacheSet(text) && !ecosystem.HasWord(seg, "--no-cache-dir") && !hasCacheMount(r, ".cache/pip", "/root/.cache") {
					c.addID(RulePipCache, p, p.Line, fmt.Sprintf("pip install without --no-cache-dir (stage %s)", label(st)))
				}
				if copiedAll > 0 && !depReported && ecosystem.ClassifyArgs(seg, nil).FromManifests() {
					depReported = true
					c.addID(RuleSourceBeforeDeps, p, p.Line, fmt.Sprintf("stage %s installs dependencies (%s) after copying the whole build context (line %d): every source change reruns the install", label(st), strings.Join(seg[:min(len(seg), 3)], " "), copiedAll))
				}
			}
			if aptUpdate && l.ships(i) && !aptListsRmRE().MatchString(text) && !hasCacheMount(r, "/var/lib/apt", "/var/lib/apt/lists") {
				c.addID(RuleAptLists, p, p.Line, fmt.Sprintf("%s update leaves /var/lib/apt/lists in this layer (stage %s)", aptCmd, label(st)))
			}
		}
	}
}

// pipNoCacheSet says whether a RUN's script sets PIP_NO_CACHE_DIR itself,
// as a command's env prefix or with export: pip turns its cache off for
// any boolean value of it (false and 0 too, for backwards compatibility).
func pipNoCacheSet(text string) bool {
	return pipNoCacheRE().MatchString(text)
}

var pipNoCacheRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(^|[\s;&|(])PIP_NO_CACHE_DIR=["']?[A-Za-z0-9]`)
})

// stageSetup reports what the first n steps of st set up for later RUNs:
// pip's cache off (ENV PIP_NO_CACHE_DIR) and apt's recommends off (an apt
// config mentioning Install-Recommends).
func stageSetup(st *spec.Stage, n int, esc rune) (pipNoCache, noRecommends bool) {
	for _, step := range st.Steps[:n] {
		for _, kv := range append(append(spec.KVList{}, step.Env...), step.Arg...) {
			if kv.Key == "PIP_NO_CACHE_DIR" && kv.Value != nil && *kv.Value != "" {
				pipNoCache = true
			}
		}
		if step.Run != nil && strings.Contains(runText(step.Run, esc), "Install-Recommends") {
			noRecommends = true
		}
	}
	return pipNoCache, noRecommends
}

// copiesAll reports whether a COPY copies the whole build context.
func copiesAll(cp *spec.Copy) bool {
	for _, s := range cp.Src {
		if s == "*" || s == "./*" || path.Clean(s) == "." {
			return true
		}
	}
	return false
}

// ---- DS008, DS009, DS010: COPY and ADD ----

var (
	archiveRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|tar\.lz4|gz|bz2|xz|zst)$`)
	})
	remoteRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(https?://|git@|git://|ssh://)|\.git(#.*)?$`) })
)

// localFiles reports whether the ADD sources srcs, words as written (esc
// the escape character), are all local files that are not archives: no
// URL or git source, no archive ADD unpacks, no variable (DS008, hadolint
// DL3020).
func localFiles(srcs []string, esc rune) bool {
	for _, s := range srcs {
		if u, err := syntax.UnquoteWord(s, esc); err == nil {
			s = u // ADD "file.tgz" /dir/: the path BuildKit reads
		}
		if remoteRE().MatchString(s) || archiveRE().MatchString(s) || strings.Contains(s, "$") {
			return false
		}
	}
	return true
}

func checkCopies(c *collector, l *layout, ctx *BuildContext) {
	reportedIgnore := false
	for i, st := range l.s.Stages {
		for j := range st.Steps {
			step := &st.Steps[j]
			p := stepPos(step)
			if a := step.Add; a != nil && a.Unpack == nil && a.Checksum == "" && a.KeepGitDir == nil {
				if localFiles(a.Src, l.escape) {
					c.addID(RuleAddForCopy, p, p.Line, fmt.Sprintf("ADD %s: local files that are not archives; COPY does the same", strings.Join(a.Src, " ")))
				}
			}
			if cp := step.Copy; cp != nil && cp.From == "" && ctx != nil && !ctx.Dockerignore && !reportedIgnore && copiesAll(cp) {
				reportedIgnore = true
				c.addID(RuleCopyAllNoIgnore, p, p.Line, fmt.Sprintf("COPY %s copies the whole build context, which has no .dockerignore", strings.Join(cp.Src, " ")))
			}
			for _, ref := range step.References() {
				checkFromRef(c, l, i, step, ref.From)
			}
		}
	}
}

func checkFromRef(c *collector, l *layout, at int, step *spec.Step, ref string) {
	if strings.Contains(ref, "$") || l.s.StageRef(ref, at) >= 0 {
		return
	}
	if _, err := strconv.Atoi(ref); err == nil {
		c.addID(RuleUnknownFrom, stepPos(step), step.Pos.Line, fmt.Sprintf("--from=%s: there is no stage %s before this one", ref, ref))
		return
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		c.addID(RuleUnknownFrom, stepPos(step), step.Pos.Line, fmt.Sprintf("--from=%s names no earlier stage and is not an image reference (%v)", ref, err))
		return
	}
	_, tagged := named.(reference.Tagged)
	_, digested := named.(reference.Digested)
	if tagged || digested || reference.Domain(named) != "docker.io" || strings.Contains(reference.Path(named), "/") && !strings.HasPrefix(reference.Path(named), "library/") {
		return // a deliberate image reference
	}
	var names []string
	for _, st := range l.s.Stages[:at] {
		if !st.Anonymous {
			names = append(names, st.Name)
		}
	}
	msg := fmt.Sprintf("--from=%s names no earlier stage, so BuildKit pulls the image %s", ref, reference.TagNameOnly(named).String())
	if s, ok := suggest.Search(ref, names, false); ok {
		msg += fmt.Sprintf("; did you mean the stage %s?", s)
	}
	c.addID(RuleUnknownFrom, stepPos(step), step.Pos.Line, msg)
}

// ---- DS011, DS012, DS013: the test stage ----

// standardLayout reports whether a Dockerfile already uses dockstage's
// standard layout: a stage named prod and one named base or src.
func standardLayout(s *spec.Spec) bool {
	return s.StageIndex("prod", len(s.Stages)) >= 0 && (s.StageIndex("base", len(s.Stages)) >= 0 || s.StageIndex("src", len(s.Stages)) >= 0)
}

func checkTestStage(c *collector, l *layout) {
	s := l.s
	prod := s.Stages[l.prod]
	if l.test < 0 {
		if !c.isSpec && !standardLayout(s) {
			return // an ordinary Dockerfile: the layout is not its convention
		}
		first := s.Stages[0]
		c.addID(RuleNoTestStage, first.Pos, first.Pos.Line, "no stage is named test, so `docker build --target test` cannot run the tests")
		return
	}
	test := s.Stages[l.test]
	if l.test == l.prod {
		return
	}
	chain := l.chain(l.prod)
	for k, i := range chain {
		if i == l.test {
			from := s.Stages[chain[k-1]]
			pos := from.FromPos
			if !pos.IsValid() {
				pos = from.Pos
			}
			msg := fmt.Sprintf("the production stage %s is built from the test stage", label(prod))
			if from != prod {
				msg = fmt.Sprintf("the production stage %s is built from the test stage (through %s)", label(prod), label(from))
			}
			c.addID(RuleProdFromTest, pos, from.Pos.Line, msg)
			return
		}
	}
	used := l.uses(l.prod)
	for _, i := range l.chain(l.test)[1:] {
		if used[i] {
			return
		}
	}
	c.addID(RuleTestUnrelated, test.Pos, test.Pos.Line, fmt.Sprintf("the test stage (FROM %s) builds on no stage the production stage %s uses, so its tests do not test what ships", test.From, label(prod)))
}
