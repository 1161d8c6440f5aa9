package lint

import (
	"bytes"
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
	runshell "github.com/dockstage/dockstage/transpile/shell"
	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// The instruction rules (hadolint's, DS1001-DS4006) run on the Dockerfile
// as BuildKit's parser reads it: the file itself, or the Dockerfile a spec
// renders (positions then map back to the spec). RUN scripts are read as
// shell by transpile/shell.

// dfStage is what the rules track of one stage.
type dfStage struct {
	name     string // lower-case, "" when unnamed
	from     spec.Pos
	workdir  bool
	pipefail bool   // SHELL is bash, zsh or ash run with -o pipefail (hadolint DL4006)
	shell    string // the SHELL program's base name, lower case; "" for the default /bin/sh
	nonPOSIX bool   // SHELL is PowerShell or cmd
	windows  bool   // the base image is a Windows one (servercore, nanoserver)
	labels   map[string]string
	labelAt  map[string]spec.Pos
	health   bool
	// ships: the stage is the last one or a later stage is built FROM
	// it, so what its layers leave behind reaches an image that is
	// shipped (hadolint DL3009 and DL3060 look at these stages only).
	ships      bool
	wget, curl bool // a RUN of the stage calls wget, curl (DL4001)
	bothTools  bool // DL4001 is reported for the stage
}

// dfCheck is one run of the instruction rules over a Dockerfile.
type dfCheck struct {
	c      *collector
	cfg    *Config
	esc    rune
	posOf  func(line int) spec.Pos
	stages []*dfStage
	st     *dfStage
	// prevRun is the flags of the instruction before this one when it was
	// a RUN of the same stage (DS3059), nil otherwise.
	prevRun        []string
	prevRunOK      bool
	prevCount      int
	prevInstalls   bool
	archives       map[string]spec.Pos // COPYed archives by base name (DS3010)
	scripts        []shellScript       // for ShellCheck
	nodes          []*parser.Node
	fallback       bool
	lastUser       *parser.Node // the last USER of the final stage so far (fallback)
	lines          []string
	orderReported  bool
	seenFrom       bool
	lastFrom       spec.Pos
	lastFromAnchor int
	ships          []bool // by stage index: shippingStages
}

// shippingStages reports, for each stage of nodes (the FROMs in order),
// whether it is the last stage or a later FROM names it (hadolint's test
// in DL3009 and DL3060: what a builder stage's layers hold never reaches
// the image unless an image is built FROM it).
func shippingStages(nodes []*parser.Node) []bool {
	var names, bases []string
	for _, n := range nodes {
		if !strings.EqualFold(n.Value, "from") {
			continue
		}
		a := args(n)
		name, base := "", ""
		if len(a) > 0 {
			base = strings.ToLower(a[0])
		}
		if len(a) >= 3 && strings.EqualFold(a[1], "as") {
			name = strings.ToLower(a[2])
		}
		names, bases = append(names, name), append(bases, base)
	}
	ships := make([]bool, len(names))
	for i := range names {
		ships[i] = i == len(names)-1
		for j := i + 1; j < len(names) && !ships[i]; j++ {
			ships[i] = names[i] != "" && bases[j] == names[i] || bases[j] == strconv.Itoa(i)
		}
	}
	return ships
}

// shellScript is one RUN's shell text for ShellCheck, with the Dockerfile
// line its first line is on.
type shellScript struct {
	text   string
	line   int // Dockerfile line of the script's first line
	anchor int
	pos    func(line int) spec.Pos
	shell  string // sh, bash, ...: the shell that reads it ("" the stage's)
}

// checkInstructions runs the instruction rules on a Dockerfile's text.
// posOf maps a line of src to the position findings get.
// With fallback (a Dockerfile dockstage could not import, so its spec
// rules do not run), the rules that port hadolint's DL3002, DL3006, DL3007,
// DL3009, DL3015, DL3020 and DL3042 run here instead.
func checkInstructions(c *collector, src []byte, posOf func(line int) spec.Pos, fallback bool) *dfCheck {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil
	}
	d := &dfCheck{c: c, cfg: c.cfg, esc: res.EscapeToken, posOf: posOf, archives: map[string]spec.Pos{}, nodes: res.AST.Children, fallback: fallback,
		lines: strings.Split(string(src), "\n"), ships: shippingStages(res.AST.Children)}
	for _, n := range res.AST.Children {
		d.node(n)
	}
	d.finish()
	return d
}

func (d *dfCheck) add(id string, n *parser.Node, msg string) {
	d.addAt(id, "", d.posOf(n.StartLine), n, msg)
}

// addWord is add at the first place on n's lines where word stands as a
// word of its own (after the keyword), so the finding points at what it is
// about; without a word, or where the lines do not hold it (a spec's
// rendered lines), at the instruction.
func (d *dfCheck) addWord(id string, n *parser.Node, msg string, word ...string) {
	p := d.posOf(n.StartLine)
	if len(word) > 0 && word[0] != "" {
		if line, col := d.wordAt(n, word[0]); line > 0 {
			if q := d.posOf(line); q.Line == line {
				p, p.Col = q, col
			}
		}
	}
	d.addAt(id, "", p, n, msg)
}

// wordAt returns the line and column of the first place on n's lines
// where word stands as a word (0, 0 when none does).
func (d *dfCheck) wordAt(n *parser.Node, word string) (int, int) {
	re, err := regexp.Compile(`(^|[\s"'(;&|=/])` + regexp.QuoteMeta(word) + `($|[\s"');&|=@:])`)
	if err != nil {
		return 0, 0
	}
	for l := n.StartLine; l <= n.EndLine && l-1 < len(d.lines); l++ {
		text := d.lines[l-1]
		from := 0
		if l == n.StartLine {
			if m := runKeywordRE().FindStringIndex(text); m != nil {
				from = m[1]
			}
		}
		if m := re.FindStringSubmatchIndex(text[from:]); m != nil {
			return l, from + m[3] + 1
		}
	}
	return 0, 0
}

func (d *dfCheck) addAt(id, alias string, p spec.Pos, n *parser.Node, msg string) {
	r, ok := LookupRule(id)
	if !ok {
		panic("lint: unknown rule " + id)
	}
	anchor := d.posOf(n.StartLine).Line
	d.c.addAlias(r, alias, p, anchor, msg)
}

// args returns the values of an instruction's arguments.
func args(n *parser.Node) []string {
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out
}

func flagValue(n *parser.Node, name string) (string, bool) {
	for _, f := range n.Flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

func (d *dfCheck) node(n *parser.Node) {
	kw := strings.ToLower(n.Value)
	if !d.seenFrom && kw != "from" && kw != "arg" && !d.orderReported {
		d.orderReported = true
		d.add(RuleInstructionOrder, n, fmt.Sprintf("the Dockerfile begins with %s; the first instruction must be FROM (or ARG before FROM)", strings.ToUpper(kw)))
	}
	wasRun := d.prevRunOK
	prevFlags := d.prevRun
	d.prevRunOK, d.prevRun = false, nil
	if kw == "from" {
		d.from(n)
		return
	}
	if d.st == nil {
		return
	}
	switch kw {
	case "workdir":
		d.st.workdir = true
	case "user":
		d.lastUser = n
		d.user(n)
	case "shell":
		a := args(n)
		d.st.pipefail, d.st.shell = false, ""
		if len(a) > 0 {
			base := strings.ToLower(path.Base(strings.ReplaceAll(a[0], "\\", "/")))
			d.st.shell = base
			d.st.pipefail = (base == "bash" || base == "zsh" || base == "ash") && pipefailOption(a[1:])
			d.st.nonPOSIX = strings.HasPrefix(base, "pwsh") || strings.HasPrefix(base, "powershell") || strings.HasPrefix(base, "cmd")
		}
	case "expose":
		d.expose(n)
	case "copy", "add":
		d.copy(n, kw)
		if kw == "add" && d.fallback {
			d.addLocal(n)
		}
	case "onbuild":
		if n.Next != nil && len(n.Next.Children) > 0 {
			if t := strings.ToLower(n.Next.Children[0].Value); t == "onbuild" || t == "from" || t == "maintainer" {
				d.add(RuleOnbuildTrigger, n, fmt.Sprintf("ONBUILD %s is not allowed: every build FROM this image fails", strings.ToUpper(t)))
			} else if t == "run" {
				// The trigger runs in every child build: the RUN rules
				// read it as they read a RUN, at the ONBUILD's lines,
				// with the ones the spec rules cover of a RUN (DS004,
				// DS005, DS006: the spec holds no trigger's commands).
				trig := *n.Next.Children[0]
				trig.StartLine, trig.EndLine = n.StartLine, n.EndLine
				fallback, ships := d.fallback, d.st.ships
				d.fallback, d.st.ships = true, true // it runs in an image built FROM this one
				d.run(&trig)
				d.fallback, d.st.ships = fallback, ships
			}
		}
	case "env":
		d.env(n)
	case "label":
		d.label(n)
	case "healthcheck":
		d.st.health = true
	case "run":
		// As hadolint: RUNs of one command each (hadolint's count is
		// ShellCheck's, which visits a simple command and its redirect
		// wrapper, so two per command: its "at most 2" is one command),
		// with the same flags; comments between them do not count.
		// A RUN that installs dependencies followed by one that does not is
		// split for caching, as the standard layout does.
		count, installs := d.run(n)
		if wasRun && equalStrings(prevFlags, n.Flags) && count <= 1 && d.prevCount <= 1 && (!d.prevInstalls || installs) {
			d.add(RuleConsecutiveRun, n, "this RUN follows another short RUN with the same options; each makes a layer")
		} else {
			d.prevCount, d.prevInstalls = count, installs
		}
		d.prevRunOK, d.prevRun = true, n.Flags
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (d *dfCheck) from(n *parser.Node) {
	d.seenFrom = true
	a := args(n)
	st := &dfStage{from: d.posOf(n.StartLine), labels: map[string]string{}, labelAt: map[string]spec.Pos{}}
	if k := len(d.stages); k < len(d.ships) {
		st.ships = d.ships[k]
	}
	d.lastFrom, d.lastFromAnchor = st.from, n.StartLine
	if len(a) >= 3 && strings.EqualFold(a[1], "as") {
		st.name = strings.ToLower(a[2])
	}
	if len(a) > 0 {
		img := strings.ToLower(a[0])
		st.windows = windowsImageRE().MatchString(img)
		for _, p := range d.stages {
			if p.name != "" && p.name == img {
				st.workdir, st.pipefail, st.shell, st.nonPOSIX, st.windows, st.health = p.workdir, p.pipefail, p.shell, p.nonPOSIX, p.windows, p.health
				for k, v := range p.labels {
					st.labels[k] = v
				}
			}
		}
		d.trusted(n, a[0], "FROM ")
		if d.fallback {
			d.baseTag(n, a[0])
		}
	}
	d.lastUser = nil
	d.stages = append(d.stages, st)
	d.st = st
}

// trusted reports an image from a registry outside the config's trusted
// registries (DS3026, hadolint DL3026): a base image (what "FROM "), the
// image of a COPY --from, or that of a RUN --mount's from=. An earlier
// stage, a stage index, scratch and a reference with a variable are not
// images to check. A trusted registry is a domain, "*", "*.suffix" or
// "prefix*" (hadolint's matchRegistry); docker.io or hub.docker.com
// trusts Docker Hub's images.
func (d *dfCheck) trusted(n *parser.Node, img, what string) {
	if d.cfg == nil || len(d.cfg.TrustedRegistries) == 0 || img == "" || strings.Contains(img, "$") || strings.EqualFold(img, "scratch") {
		return
	}
	if _, err := strconv.Atoi(img); err == nil && what != "FROM " {
		return // a stage index
	}
	for _, p := range d.stages {
		if p.name != "" && p.name == strings.ToLower(img) {
			return
		}
	}
	named, err := reference.ParseNormalizedNamed(img)
	if err != nil {
		return
	}
	domain := reference.Domain(named)
	for _, t := range d.cfg.TrustedRegistries {
		if trustedRegistry(t, domain) {
			return
		}
	}
	d.add(RuleTrustedRegistry, n, fmt.Sprintf("%s%s comes from %s, which is not a trusted registry (%s)", what, img, domain, strings.Join(d.cfg.TrustedRegistries, ", ")))
}

// trustedRegistry reports whether the trusted registry pattern t admits
// domain (hadolint's matchRegistry, with docker.io and hub.docker.com
// both naming Docker Hub).
func trustedRegistry(t, domain string) bool {
	switch {
	case t == "*" || t == domain:
		return true
	case t == "hub.docker.com":
		return domain == "docker.io"
	case strings.HasPrefix(t, "*"):
		return strings.HasSuffix(domain, t[1:])
	case strings.HasSuffix(t, "*"):
		return strings.HasPrefix(domain, t[:len(t)-1])
	}
	return false
}

// unquote is the word w without its quotes (syntax.UnquoteWord; w itself
// when it does not read).
func (d *dfCheck) unquote(w string) string {
	if u, err := syntax.UnquoteWord(w, d.esc); err == nil {
		return u
	}
	return w
}

// user reports a USER whose user part is a name, not a numeric id
// (hadolint DL3066); one that holds a variable is left alone.
func (d *dfCheck) user(n *parser.Node) {
	a := args(n)
	if len(a) == 0 {
		return
	}
	uid, _, _ := strings.Cut(d.unquote(a[0]), ":")
	if uid == "" || strings.Contains(uid, "$") || strings.Trim(uid, "0123456789") == "" {
		return
	}
	d.addWord(RuleUserName, n, fmt.Sprintf("USER %s names the user %s, not its numeric id", a[0], uid), a[0])
}

func (d *dfCheck) expose(n *parser.Node) {
	for _, a := range args(n) {
		port, _, _ := strings.Cut(a, "/")
		if strings.Contains(port, "$") {
			continue
		}
		if i := strings.LastIndexByte(port, ':'); i >= 0 {
			port = port[i+1:] // host:container is BuildKit's ExposeInvalidFormat
		}
		for _, p := range strings.SplitN(port, "-", 2) {
			if v, err := strconv.Atoi(p); err == nil && (v < 0 || v > 65535) {
				d.addWord(RulePortRange, n, fmt.Sprintf("EXPOSE %s: %d is not a port (0-65535)", a, v), a)
			}
		}
	}
}

var tarRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$`)
})

// windowsDir reports a Windows destination directory: a drive-letter path
// ending in a backslash (C:\\app\\ as written, C:\app\ once expanded),
// which a Windows build takes as a directory as it takes a trailing /.
func windowsDir(dest string) bool {
	return len(dest) > 2 && dest[1] == ':' && strings.HasSuffix(dest, `\`) &&
		(dest[0]|0x20 >= 'a' && dest[0]|0x20 <= 'z')
}

func (d *dfCheck) copy(n *parser.Node, kw string) {
	a := args(n)
	if len(a) < 2 || len(n.Heredocs) > 0 {
		return
	}
	for i := range a {
		a[i] = d.unquote(a[i]) // COPY a "b c/": the paths as BuildKit reads them
	}
	srcs, dest := a[:len(a)-1], a[len(a)-1]
	from, hasFrom := flagValue(n, "from")
	if hasFrom {
		d.trusted(n, d.unquote(from), strings.ToUpper(kw)+" --from=")
	}
	if len(srcs) > 1 && !strings.HasSuffix(dest, "/") && !windowsDir(dest) && !strings.Contains(dest, "$") {
		d.add(RuleCopyDestSlash, n, fmt.Sprintf("%s of %d sources to %s: the destination must end with /", strings.ToUpper(kw), len(srcs), dest))
	}
	if hasFrom && d.st.name != "" && strings.EqualFold(from, d.st.name) {
		d.add(RuleCopyFromSelf, n, fmt.Sprintf("COPY --from=%s is inside stage %s itself", from, from))
	}
	if hasFrom && d.unquote(dest) == "/" && slices.ContainsFunc(srcs, func(s string) bool { return d.unquote(s) == "/" }) {
		d.add(RuleCopyRootFS, n, fmt.Sprintf("%s --from=%s / /: the whole filesystem of %s", strings.ToUpper(kw), from, from))
	}
	if kw == "copy" && !d.st.workdir && !path.IsAbs(dest) && !strings.HasPrefix(dest, "$") && !strings.HasPrefix(dest, "~") && !winAbsRE().MatchString(dest) {
		d.addWord(RuleCopyRelativeDest, n, fmt.Sprintf("COPY to the relative destination %s in a stage without WORKDIR", dest), dest)
	}
	if kw == "copy" && !hasFrom {
		for _, s := range srcs {
			if s := strings.Trim(s, `"'`); tarRE().MatchString(s) {
				d.archives[archiveBase(s)] = d.posOf(n.StartLine)
				if dest := strings.Trim(dest, `"'`); !strings.HasSuffix(dest, "/") && tarRE().MatchString(dest) {
					d.archives[archiveBase(dest)] = d.posOf(n.StartLine) // copied under another name
				}
			}
		}
	}
}

var (
	winAbsRE       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z]:[\\/]`) })
	windowsImageRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`windows|servercore|nanoserver|ltsc20`) })
)

var envRefRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`) })

// pairs returns the key-value pairs of an ENV or LABEL: the parser gives
// key, value and, for the KEY=value form, an "=" node after them. Quotes
// around a key are removed.
func pairs(n *parser.Node) [][2]string {
	var out [][2]string
	for k := n.Next; k != nil && k.Next != nil; k = k.Next.Next {
		key := k.Value
		if len(key) >= 2 && (key[0] == '"' || key[0] == '\'') && key[len(key)-1] == key[0] {
			key = key[1 : len(key)-1]
		}
		out = append(out, [2]string{key, k.Next.Value})
		if k.Next.Next != nil && k.Next.Next.Value == "=" {
			k = k.Next
		}
	}
	return out
}

func (d *dfCheck) env(n *parser.Node) {
	defined := map[string]string{} // key: its value in this ENV
	for _, kv := range pairs(n) {
		k, v := kv[0], kv[1]
		for _, m := range envRefRE().FindAllStringSubmatch(v, -1) {
			if val, ok := defined[m[1]]; ok {
				at := len(d.c.out)
				d.addWord(RuleEnvSelfRef, n, fmt.Sprintf("ENV %s=%s refers to %s, which the same ENV sets: it gets the value from before this instruction", k, v, m[1]), k)
				if len(d.c.out) > at {
					d.c.out[at].Fix = fmt.Sprintf("set %s in an ENV of its own before this one: ENV %s=%s, then ENV %s=%s", m[1], m[1], val, k, v)
				}
			}
		}
		defined[k] = v
	}
}

// ---- labels ----

var (
	labelKeyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]([a-z0-9.-]*[a-z0-9])?$`) })
	scCodeRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^SC\d{4}$`) })
	labelTypes = sync.OnceValue(func() map[string]*regexp.Regexp {
		return map[string]*regexp.Regexp{"text": nil, "url": regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/]+`), "semver": regexp.MustCompile(`^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`), "hash": regexp.MustCompile(`^[0-9a-f]{7,40}$`), "rfc3339": regexp.MustCompile(`^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$`), "spdx": nil /* spdxexp */, "email": regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)}
	})
	labelRuleOf = map[string]string{"url": RuleLabelURL, "semver": RuleLabelSemver, "hash": RuleLabelHash, "rfc3339": RuleLabelTime, "spdx": RuleLabelSPDX, "email": RuleLabelEmail}
)

func (d *dfCheck) label(n *parser.Node) {
	for _, kv := range pairs(n) {
		k, v := kv[0], strings.Trim(kv[1], `"'`)
		if !strings.Contains(k, "$") && (!labelKeyRE().MatchString(k) || strings.Contains(k, "..") || strings.Contains(k, "--") ||
			strings.HasPrefix(k, "com.docker.") || strings.HasPrefix(k, "io.docker.") || strings.HasPrefix(k, "org.dockerproject.")) {
			d.addWord(RuleLabelKey, n, fmt.Sprintf("LABEL key %q is not a valid label key", k), k)
		}
		d.st.labels[k] = v
		d.st.labelAt[k] = d.posOf(n.StartLine)
		if d.cfg == nil || len(d.cfg.LabelSchema) == 0 || strings.Contains(v, "$") {
			continue
		}
		t, inSchema := d.cfg.LabelSchema[k]
		switch {
		case !inSchema:
			d.add(RuleLabelExtra, n, fmt.Sprintf("LABEL %s is not in the label schema (strict-labels)", k))
		case v == "":
			d.add(RuleLabelEmpty, n, fmt.Sprintf("LABEL %s is empty", k))
		case t == "spdx" && !validSPDX(v):
			d.add(RuleLabelSPDX, n, fmt.Sprintf("LABEL %s=%q is not an SPDX license expression", k, v))
		case labelTypes()[t] != nil && !labelTypes()[t].MatchString(v):
			d.add(labelRuleOf[t], n, fmt.Sprintf("LABEL %s=%q is not a valid %s", k, v, t))
		}
	}
}

// validSPDX reports whether v is an SPDX license expression whose
// identifiers are on the SPDX license list (go-spdx's spdxexp, as hadolint
// DL3054 checks against the list).
func validSPDX(v string) bool {
	ok, _ := spdxexp.ValidateLicenses([]string{v})
	return ok
}

// finish runs the rules that look at the whole file.
func (d *dfCheck) finish() {
	if d.cfg != nil && len(d.cfg.LabelSchema) > 0 && len(d.stages) > 0 {
		st := d.stages[len(d.stages)-1]
		for _, k := range sortedKeys(d.cfg.LabelSchema) {
			if _, ok := st.labels[k]; !ok {
				d.c.addID(RuleLabelMissing, st.from, st.from.Line, fmt.Sprintf("the final stage has no label %s, which the label schema requires", k))
			}
		}
	}
	if d.fallback && d.lastUser != nil {
		if a := args(d.lastUser); len(a) > 0 && isRootUser(a[0]) {
			d.addAt(RuleProdRoot, "DL3002", d.posOf(d.lastUser.StartLine), d.lastUser, "the final stage runs as root: USER "+a[0]+" is its last USER")
		}
	}
	if len(d.stages) > 0 && !d.stages[len(d.stages)-1].health { // its own or one it is built FROM (hadolint DL3057)
		d.c.addID(RuleNoHealthcheck, d.lastFrom, d.lastFrom.Line, "the final stage has no HEALTHCHECK")
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// runScripts returns what a RUN runs as shell scripts: its shell-form text
// (or exec args) and those of its heredocs the shell reads (RUN <<EOF, RUN
// bash <<EOF), each with the Dockerfile line it starts on.
func (d *dfCheck) runScripts(n *parser.Node) (scripts []runshell.Script, texts []shellScript) {
	var cmdText string
	if n.Attributes["json"] {
		scripts = append(scripts, runshell.Exec(args(n)))
	} else if n.Next != nil {
		cmdText = n.Next.Value
		scripts = append(scripts, runshell.Parse(cmdText, d.esc))
		if len(n.Heredocs) == 0 {
			texts = append(texts, shellScript{text: physicalScript(d.lines, n.StartLine, n.EndLine, d.esc), line: n.StartLine})
		}
	}
	if len(n.Heredocs) > 0 {
		// Only heredocs fed to a shell are shell: RUN <<EOF, RUN bash <<EOF,
		// RUN sh -e <<EOF; not RUN python3 <<EOF.
		var rest []string
		for _, f := range strings.Fields(cmdText) {
			if !strings.HasPrefix(f, "<<") {
				rest = append(rest, f)
			}
		}
		isShell := len(rest) == 0 || runshell.IsShell(rest[0])
		for _, f := range rest[min(1, len(rest)):] {
			isShell = isShell && strings.HasPrefix(f, "-")
		}
		sh := "" // the stage's shell
		if len(rest) > 0 {
			sh = path.Base(rest[0])
		}
		line := n.StartLine + 1
		for _, h := range n.Heredocs {
			hsh, ok := sh, isShell
			if len(rest) == 0 {
				// RUN <<EOF with a #! line: BuildKit runs the body as a
				// file, so the interpreter the line names reads it.
				hsh, ok = shebangShell(h.Content)
			}
			if ok {
				scripts = append(scripts, runshell.Parse(h.Content, '\\'))
				texts = append(texts, shellScript{text: strings.ReplaceAll(h.Content, "\r\n", "\n"), line: line, shell: hsh})
			}
			line += strings.Count(h.Content, "\n") + 1
		}
	}
	return scripts, texts
}

// shebangShell returns the shell a heredoc body's #! line names ("" and
// true without one: the stage's shell reads it; false when it names
// another interpreter, such as python3).
func shebangShell(body string) (string, bool) {
	first, _, _ := strings.Cut(strings.TrimLeft(body, "\n"), "\n")
	if !strings.HasPrefix(first, "#!") {
		return "", true
	}
	f := strings.Fields(strings.TrimPrefix(first, "#!"))
	if len(f) > 1 && path.Base(f[0]) == "env" {
		f = f[1:]
		for len(f) > 1 && strings.HasPrefix(f[0], "-") {
			f = f[1:] // env -S bash -e
		}
	}
	if len(f) == 0 || !runshell.IsShell(f[0]) {
		return "", false
	}
	return path.Base(f[0]), true
}

// baseTag reports an untagged or latest base image (fallback DS002).
func (d *dfCheck) baseTag(n *parser.Node, img string) {
	if strings.Contains(img, "$") || strings.EqualFold(img, "scratch") {
		return
	}
	for _, p := range d.stages {
		if p.name == strings.ToLower(img) {
			return
		}
	}
	named, err := reference.ParseNormalizedNamed(img)
	if err != nil {
		return
	}
	if _, ok := named.(reference.Digested); ok {
		return
	}
	p := d.posOf(n.StartLine)
	switch t, ok := named.(reference.Tagged); {
	case !ok:
		d.c.addFixed(RuleBaseUnpinned, "DL3006", p, p.Line, fmt.Sprintf("FROM %s has no tag, so it builds on whatever :latest is today", img), pinHint(named))
	case t.Tag() == "latest":
		d.c.addFixed(RuleBaseUnpinned, "DL3007", p, p.Line, fmt.Sprintf("FROM %s uses the tag latest, which moves", img), pinHint(named))
	}
}

// addLocal reports ADD of local files that are not archives (fallback
// DS008).
func (d *dfCheck) addLocal(n *parser.Node) {
	a := args(n)
	if len(a) < 2 || len(n.Heredocs) > 0 {
		return
	}
	for _, f := range n.Flags {
		if strings.HasPrefix(f, "--checksum") || strings.HasPrefix(f, "--unpack") || strings.HasPrefix(f, "--keep-git-dir") {
			return
		}
	}
	if !localFiles(a[:len(a)-1], d.esc) {
		return
	}
	d.addWord(RuleAddForCopy, n, fmt.Sprintf("ADD %s: local files that are not archives; COPY does the same", strings.Join(a[:len(a)-1], " ")), a[0])
}

// pipefailOption reports whether a SHELL's arguments set -o pipefail: an
// option word holding o (-o, -eo, -euxo) followed by pipefail, as
// hadolint's DL4006 reads them. /bin/sh (dash) has no pipefail there: hadolint
// counts it for bash, zsh and ash only.
func pipefailOption(args []string) bool {
	for i := 0; i+1 < len(args); i++ {
		if o := args[i]; len(o) > 1 && o[0] == '-' && o[1] != '-' && strings.ContainsRune(o, 'o') && args[i+1] == "pipefail" {
			return true
		}
	}
	return false
}

// archiveBase is the file name of an archive path, after its last / or \
// (a Windows stage's build\app.tar.gz is app.tar.gz; hadolint DL3010
// splits at both in any stage).
func archiveBase(p string) string {
	return p[strings.LastIndexAny(p, `/\`)+1:]
}
