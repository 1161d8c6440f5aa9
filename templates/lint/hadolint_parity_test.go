package lint

// TestHadolintParity measures how far dockstage lint agrees with
// hadolint's own rule tests. It is skipped unless HADOLINT_REPO names a
// checkout of hadolint or its git directory (nothing of hadolint is kept in
// this repository: the cases are read from the checkout each run):
//
//	HADOLINT_REPO=/path/to/hadolint go test -run TestHadolintParity -v ./templates/lint
//
// It reads every ruleCatches, ruleCatchesNot, onBuildRuleCatches and
// onBuildRuleCatchesNot case of test/Hadolint/Rule/DL*Spec.hs (Haskell string
// literals with their escapes and gaps, Text.unlines lists, names bound with
// let), prepends FROM debian:bookworm to a case without FROM (hadolint's
// rules run on fragments; FROM scratch when the case sets trusted
// registries, so only its own images are judged), wraps each RUN in ONBUILD for the onBuild cases,
// and lints it with File (every rule on, the off-by-default ones included,
// and the case's allowedRegistries/labelSchema/strictLabels config). A case
// agrees when a finding whose rule ID or alias is the DL ID appears
// (catches) or does not (catchesNot). Cases it cannot read or whose config
// it cannot map are counted as skipped; the cases in
// hadolintKnownDifferences are where dockstage deliberately differs.
//
// It logs per rule the cases, agreed, missed (false negatives), extra
// (false positives) and known, and the overall agreement. It fails on a
// crash or when a rule agrees on fewer cases than its floor in
// testdata/hadolint-parity-floor.txt; -update rewrites the floor from the
// measured numbers.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// hadolintKnownDifferences: rule, a piece of the case's text that tells it
// apart, and why dockstage keeps its own answer.
var hadolintKnownDifferences = []struct{ rule, text, reason string }{
	{"DL3042", "PIP_NO_CACHE_DIR=0", pipFalsy},
	{"DL3042", "PIP_NO_CACHE_DIR=off", pipFalsy},
	{"DL3042", "PIP_NO_CACHE_DIR=no", pipFalsy},
	{"DL3042", "PIP_NO_CACHE_DIR=false", pipFalsy},
	// BuildKit splits a shell-form COPY at blanks, quotes or not: the
	// double quote "C:\Program opens is never closed and the COPY does not
	// build (DS000), where hadolint reads one quoted destination.
	{"DL3010", `COPY build\foo\bar.tar.gz "C:\Program Files\Foo"`, "BuildKit refuses this COPY: its shell form splits \"C:\\Program Files\\Foo\" at the blank (DS000)"},
	{"DL3000", "WORKDIR ${work}", workdirBuildKit},
	{"DL3000", `WORKDIR "${dir}"`, workdirBuildKit},
	{"DL3000", `WORKDIR 'C:\'`, workdirBuildKit},
	{"DL3000", "WORKDIR C:/", workdirBuildKit},
	{"DL3000", `WORKDIR "C:/"`, workdirBuildKit},
	{"DL3048", "LABEL invalid$character=", "BuildKit expands a variable in a LABEL key ($character unset: the key is invalid), so dockstage checks only keys with no variable"},
	{"DL3002", "FROM scratch\nUSER foo", "the production image runs as foo, the last USER of the final stage: a USER root in a builder stage does not reach it, so dockstage reports nothing"},
	{"DL3002", "USER foo\nFROM scratch", "the final stage FROM scratch sets no USER, so its image runs as root (a USER in another stage does not carry over): dockstage reports it"},
	{"DL3045", `c:\system32\blubb.sh`, backslashLinux},
	{"DL3045", `d:\mypath\blubb.sh`, backslashLinux},
	{"DL3025", "HEALTHCHECK CMD foobar", "BuildKit's JSONArgsRecommended is about OS signals reaching the container's main process (CMD, ENTRYPOINT); a health check command is not that process, and BuildKit does not flag it"},
	{"DL3022", "COPY --from=build foo .", buildkitRefuses},
	{"DL3022", "COPY --from=0 bar .", buildkitRefuses},
	{"DL3009", "RUN --mount=type=cache,target=/var/lib/apt \\\n", "a cache mount at /var/lib/apt holds /var/lib/apt/lists, so the lists are not in the layer: dockstage reports nothing (hadolint wants a mount at /var/cache/apt too, which holds no lists)"},
	{"DL3028", "--use-system-libraries true", "gem install takes no value after --use-system-libraries, so gem installs a gem named true, unpinned: dockstage reports it (hadolint reads true as the flag's value)"},
}

const workdirBuildKit = "DL3000 is BuildKit's build check WorkdirRelativePath, which docker build itself prints: it reads the path after expansion (an unset variable leaves it relative) and on a Linux stage (debian), where C:/ is relative"

const backslashLinux = "with the default escape character BuildKit reads \\s as s, so on this Linux stage (debian) the destination is c:system32blubb.sh, a relative path: dockstage reports it with the path BuildKit copies to (a Windows stage sets # escape=`)"

const buildkitRefuses = "BuildKit refuses the file (a stage copied from before it is defined, or from itself): dockstage reports BuildKit's own error as DS000, the build failure it is"

const pipFalsy = "pip turns its cache off for any boolean value of PIP_NO_CACHE_DIR, false and 0 included (kept for backwards compatibility), so the install keeps no cache: dockstage reports nothing (hadolint takes a false value as the cache on)"

type parityCase struct {
	rule    string
	catches bool
	onbuild bool
	src     string
	cfg     *Config
	line    int
}

type parityCount struct{ cases, agreed, missed, extra, known int }

func TestHadolintParity(t *testing.T) {
	repo := os.Getenv("HADOLINT_REPO")
	if repo == "" {
		t.Skip("HADOLINT_REPO is not set (a checkout or git directory of hadolint)")
	}
	files, err := hadolintSpecs(repo)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]*parityCount{}
	skipped := map[string]int{}
	var total parityCount
	for _, f := range files {
		cases, skip := parseHadolintSpec(f.text)
		for why, n := range skip {
			skipped[why] += n
		}
		for _, c := range cases {
			pc := counts[c.rule]
			if pc == nil {
				pc = &parityCount{}
				counts[c.rule] = pc
			}
			pc.cases++
			total.cases++
			found := parityLint(t, c)
			agree := found == c.catches
			known := ""
			if !agree {
				for _, k := range hadolintKnownDifferences {
					if k.rule == c.rule && strings.Contains(c.src, k.text) {
						known = k.reason
					}
				}
			}
			switch {
			case agree:
				pc.agreed++
				total.agreed++
			case known != "":
				pc.known++
				total.known++
			case c.catches:
				pc.missed++
				total.missed++
				t.Logf("%s:%d: missed %s (onbuild=%v):\n%s", f.name, c.line, c.rule, c.onbuild, c.src)
			default:
				pc.extra++
				total.extra++
				t.Logf("%s:%d: extra %s (onbuild=%v):\n%s", f.name, c.line, c.rule, c.onbuild, c.src)
			}
		}
	}
	rules := make([]string, 0, len(counts))
	for r := range counts {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	var b strings.Builder
	fmt.Fprintf(&b, "%-7s %5s %6s %6s %5s %5s\n", "rule", "cases", "agreed", "missed", "extra", "known")
	for _, r := range rules {
		c := counts[r]
		fmt.Fprintf(&b, "%-7s %5d %6d %6d %5d %5d\n", r, c.cases, c.agreed, c.missed, c.extra, c.known)
	}
	t.Logf("per rule:\n%s", b.String())
	t.Logf("overall: %d cases, %d agreed (%.1f%%), %d missed, %d extra, %d known differences; skipped: %v",
		total.cases, total.agreed, 100*float64(total.agreed)/float64(max(total.cases, 1)), total.missed, total.extra, total.known, skipped)

	floorFile := filepath.Join("testdata", "hadolint-parity-floor.txt")
	if *update {
		var fb strings.Builder
		fb.WriteString("# rule agreed: the fewest cases of hadolint's tests each rule must agree on (TestHadolintParity -update rewrites it)\n")
		for _, r := range rules {
			fmt.Fprintf(&fb, "%s %d\n", r, counts[r].agreed)
		}
		if err := os.WriteFile(floorFile, []byte(fb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(floorFile)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) != 2 || strings.HasPrefix(l, "#") {
			continue
		}
		floor, _ := strconv.Atoi(f[1])
		got := 0
		if c := counts[f[0]]; c != nil {
			got = c.agreed
		}
		if got < floor {
			t.Errorf("%s agrees with hadolint on %d cases, fewer than its floor %d", f[0], got, floor)
		}
	}
}

// parityLint lints the case and says whether a finding of its rule came.
func parityLint(t *testing.T, c parityCase) (found bool) {
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: lint panicked on\n%s\n%v", c.rule, c.src, r)
		}
	}()
	for _, f := range File("Dockerfile", []byte(c.src), Options{Config: c.cfg, Kind: KindDockerfile}) {
		if strings.EqualFold(f.Alias, c.rule) || strings.EqualFold(f.Rule, c.rule) {
			return true
		}
		if f.Alias == "" {
			if r, ok := LookupRule(f.Rule); ok {
				for _, a := range r.Aliases {
					if strings.EqualFold(a, c.rule) {
						return true
					}
				}
			}
		}
	}
	return false
}

type hadolintSpec struct{ name, text string }

// hadolintSpecs reads test/Hadolint/Rule/DL*Spec.hs from a work tree, or
// from HEAD of a git directory.
func hadolintSpecs(repo string) ([]hadolintSpec, error) {
	var out []hadolintSpec
	dir := filepath.Join(repo, "test", "Hadolint", "Rule")
	if names, err := filepath.Glob(filepath.Join(dir, "DL*Spec.hs")); err == nil && len(names) > 0 {
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				return nil, err
			}
			out = append(out, hadolintSpec{filepath.Base(n), string(b)})
		}
		return out, nil
	}
	ls, err := exec.Command("git", "--git-dir", repo, "ls-tree", "--name-only", "HEAD", "test/Hadolint/Rule/").Output()
	if err != nil {
		return nil, fmt.Errorf("HADOLINT_REPO=%s: neither a checkout nor a git directory of hadolint: %v", repo, err)
	}
	for _, n := range strings.Fields(string(ls)) {
		base := filepath.Base(n)
		if !strings.HasPrefix(base, "DL") || !strings.HasSuffix(base, "Spec.hs") {
			continue
		}
		b, err := exec.Command("git", "--git-dir", repo, "show", "HEAD:"+n).Output()
		if err != nil {
			return nil, err
		}
		out = append(out, hadolintSpec{base, string(b)})
	}
	return out, nil
}

var (
	caseRe   = regexp.MustCompile(`\b(ruleCatches|ruleCatchesNot|onBuildRuleCatches|onBuildRuleCatchesNot)\s+"(DL\d{4})"`)
	configRe = regexp.MustCompile(`\?config\s*=`)
)

// parseHadolintSpec returns the cases of one spec file and, by reason, how
// many it skipped.
func parseHadolintSpec(src string) ([]parityCase, map[string]int) {
	var out []parityCase
	skipped := map[string]int{}
	for _, m := range caseRe.FindAllStringSubmatchIndex(src, -1) {
		kind, rule := src[m[2]:m[3]], src[m[4]:m[5]]
		line := strings.Count(src[:m[0]], "\n") + 1
		cfg, ok := parityConfig(src, m[0])
		if !ok {
			skipped["config"]++
			continue
		}
		text, ok := hsExpr(src, m[1])
		if !ok {
			skipped["unreadable"]++
			continue
		}
		onbuild := strings.HasPrefix(kind, "onBuild")
		if onbuild {
			text = wrapOnBuild(text)
		}
		if !hasFrom(text) {
			base := "debian:bookworm"
			if len(cfg.TrustedRegistries) > 0 {
				base = "scratch" // from no registry: the case's own images are what DL3026 judges
			}
			text = "FROM " + base + "\n" + text
		}
		out = append(out, parityCase{rule: rule, catches: !strings.HasSuffix(kind, "Not"), onbuild: onbuild, src: text, cfg: cfg, line: line})
	}
	return out, skipped
}

func hasFrom(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], "FROM") {
			return true
		}
	}
	return false
}

// wrapOnBuild puts each RUN instruction in an ONBUILD, as hadolint's
// onBuild helpers do.
func wrapOnBuild(text string) string {
	lines := strings.Split(text, "\n")
	cont := false
	for i, l := range lines {
		if f := strings.Fields(l); !cont && len(f) > 0 && strings.EqualFold(f[0], "RUN") {
			lines[i] = "ONBUILD " + strings.TrimLeft(l, " \t")
		}
		cont = strings.HasSuffix(strings.TrimRight(l, " \t"), "\\")
	}
	return strings.Join(lines, "\n")
}

var (
	registriesRe = regexp.MustCompile(`allowedRegistries\s*=\s*\[([^\]]*)\]`)
	labelPairRe  = regexp.MustCompile(`\("([^"]*)",\s*(?:Rule\.)?(\w+)\)`)
	labelTypeOf  = map[string]string{"RawText": "text", "Url": "url", "SemVer": "semver", "GitHash": "hash", "Rfc3339": "rfc3339", "Spdx": "spdx", "Email": "email"}
)

// parityConfig is the config in force at pos (the last ?config binding
// before it): every rule on, plus what it sets; false when it sets
// something the test cannot map.
func parityConfig(src string, pos int) (*Config, bool) {
	c := &Config{}
	for _, r := range allRules {
		if r.Off {
			c.Enable = append(c.Enable, r.ID)
		}
	}
	locs := configRe.FindAllStringIndex(src[:pos], -1)
	if len(locs) > 0 {
		body := src[locs[len(locs)-1][1]:]
		if end := strings.Index(body, "\n\n"); end >= 0 {
			body = body[:end]
		}
		body = strings.TrimSpace(body)
		if !strings.HasPrefix(body, "def") {
			return nil, false
		}
		rest := strings.TrimSpace(strings.TrimPrefix(body, "def"))
		if strings.HasPrefix(rest, "{") {
			end := strings.Index(rest, "}")
			if end < 0 {
				return nil, false
			}
			rec := rest[:end]
			known := 0
			if m := registriesRe.FindStringSubmatch(rec); m != nil {
				for _, s := range strings.Split(m[1], ",") {
					c.TrustedRegistries = append(c.TrustedRegistries, strings.Trim(strings.TrimSpace(s), `"`))
				}
				known++
			}
			if strings.Contains(rec, "labelSchema") {
				c.LabelSchema = map[string]string{}
				for _, m := range labelPairRe.FindAllStringSubmatch(rec, -1) {
					t, ok := labelTypeOf[m[2]]
					if !ok {
						return nil, false
					}
					c.LabelSchema[m[1]] = t
				}
				known++
			}
			if strings.Contains(rec, "strictLabels = True") {
				c.StrictLabels = true
				known++
			}
			if known != strings.Count(rec, "=")-strings.Count(rec, "==") {
				return nil, false
			}
		}
	}
	return c.compile(), true
}

// hsExpr reads the Haskell expression at pos that gives a case's text: a
// string literal, Text.unlines of a list of them, or a name bound to one
// of these earlier in the file.
func hsExpr(src string, pos int) (string, bool) {
	i := skipSpace(src, pos)
	for i < len(src) && (src[i] == '$' || src[i] == '(') {
		i = skipSpace(src, i+1)
	}
	rest := src[i:]
	switch {
	case strings.HasPrefix(rest, `"`):
		s, end, ok := hsString(src, i)
		if !ok {
			return "", false
		}
		if j := skipSpace(src, end); strings.HasPrefix(src[j:], "<>") {
			return "", false // a concatenation: not read
		}
		return s, true
	case strings.HasPrefix(rest, "Text.unlines"):
		j := skipSpace(src, i+len("Text.unlines"))
		for j < len(src) && (src[j] == '$' || src[j] == '(') {
			j = skipSpace(src, j+1)
		}
		var items []string
		if j < len(src) && src[j] == '[' {
			var ok bool
			items, ok = hsList(src, j)
			if !ok {
				return "", false
			}
		} else {
			name := identAt(src, j)
			if name == "" {
				return "", false
			}
			at, ok := bindingOf(src, name, i)
			if !ok || at >= len(src) || src[at] != '[' {
				return "", false
			}
			if items, ok = hsList(src, at); !ok {
				return "", false
			}
		}
		return strings.Join(items, "\n") + "\n", true
	}
	name := identAt(src, i)
	if name == "" {
		return "", false
	}
	at, ok := bindingOf(src, name, i)
	if !ok {
		return "", false
	}
	return hsExpr(src, at)
}

func skipSpace(src string, i int) int {
	for i < len(src) && strings.ContainsRune(" \t\r\n", rune(src[i])) {
		i++
	}
	return i
}

func identAt(src string, i int) string {
	j := i
	for j < len(src) && (src[j] == '_' || src[j] == '\'' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || j > i && src[j] >= '0' && src[j] <= '9') {
		j++
	}
	return src[i:j]
}

// bindingOf finds the last `name =` before pos and returns where its value
// starts.
func bindingOf(src, name string, pos int) (int, bool) {
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\s*=[^=]`)
	locs := re.FindAllStringIndex(src[:pos], -1)
	if len(locs) == 0 {
		return 0, false
	}
	return skipSpace(src, locs[len(locs)-1][1]-1), true
}

// hsList reads a list of string literals starting at the '['.
func hsList(src string, i int) ([]string, bool) {
	var out []string
	i = skipSpace(src, i+1)
	for i < len(src) {
		if src[i] == ']' {
			return out, true
		}
		if src[i] != '"' {
			return nil, false
		}
		s, end, ok := hsString(src, i)
		if !ok {
			return nil, false
		}
		out = append(out, s)
		i = skipSpace(src, end)
		if i < len(src) && src[i] == ',' {
			i = skipSpace(src, i+1)
		}
	}
	return nil, false
}

var hsAscii = map[string]rune{"NUL": 0, "SOH": 1, "STX": 2, "ETX": 3, "EOT": 4, "ENQ": 5, "ACK": 6, "BEL": 7, "BS": 8, "HT": 9, "LF": 10, "VT": 11, "FF": 12, "CR": 13, "SO": 14, "SI": 15, "DEL": 127, "ESC": 27, "SP": 32}

// hsString decodes the Haskell string literal whose opening quote is at i:
// it returns the text and the index after the closing quote.
func hsString(src string, i int) (string, int, bool) {
	var b strings.Builder
	i++
	for i < len(src) {
		ch := src[i]
		switch {
		case ch == '"':
			return b.String(), i + 1, true
		case ch == '\n':
			return "", 0, false
		case ch != '\\':
			b.WriteByte(ch)
			i++
			continue
		}
		i++ // the backslash
		if i >= len(src) {
			return "", 0, false
		}
		e := src[i]
		switch {
		case strings.ContainsRune(" \t\r\n", rune(e)): // a gap: \ whitespace \
			j := skipSpace(src, i)
			if j >= len(src) || src[j] != '\\' {
				return "", 0, false
			}
			i = j + 1
		case e == '&':
			i++
		case e >= '0' && e <= '9', e == 'x', e == 'o':
			base, j := 10, i
			if e == 'x' {
				base, j = 16, i+1
			} else if e == 'o' {
				base, j = 8, i+1
			}
			k := j
			for k < len(src) && strings.ContainsRune(map[int]string{8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}[base], rune(src[k])) {
				k++
			}
			n, err := strconv.ParseInt(src[j:k], base, 32)
			if err != nil {
				return "", 0, false
			}
			b.WriteRune(rune(n))
			i = k
		case e == '^' && i+1 < len(src):
			b.WriteByte(src[i+1] - '@')
			i += 2
		default:
			if r, ok := map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', '"': '"', '\'': '\'', 'a': 7, 'b': 8, 'f': 12, 'v': 11}[e]; ok {
				b.WriteByte(r)
				i++
				continue
			}
			matched := false
			for _, n := range []int{3, 2} { // SOH before SO
				if r, ok := hsAscii[src[i:min(i+n, len(src))]]; ok {
					b.WriteRune(r)
					i += n
					matched = true
					break
				}
			}
			if !matched {
				return "", 0, false
			}
		}
	}
	return "", 0, false
}
