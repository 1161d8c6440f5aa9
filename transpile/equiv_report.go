package transpile

import (
	"bytes"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"gopkg.in/yaml.v3"

	"github.com/dockstage/dockstage/spec"
)

// CompareOptions configure Compare.
type CompareOptions struct {
	// Target compares only this target; empty compares every target both
	// files have, their renamed stages and the default last stage.
	Target string
	// Strict compares layers and history too: ENV and LABEL instructions
	// split or joined differently differ, since each instruction is its
	// own history entry. Without it, each run of consecutive ENV and LABEL
	// instructions compares as the image config it makes (configRun).
	Strict bool
}

// Compare is `dockstage diff`: whether Dockerfiles a and b are the same
// build, as CompareBuilds decides it (stages paired by name, by their
// place in a common target's chain, else by content), with these
// differences: without opt.Strict a run of ENV and LABEL instructions
// compares as its image config; each difference is reported once, with
// Targets listing every target it affects (a change in a stage several
// targets share is one difference); SourceA and SourceB hold the
// instruction's Dockerfile lines with the changed words marked; Fields
// names the fields that changed. With opt.Strict, a difference that only
// the history shows carries a Note saying so. Errors are those of Reverse,
// or opt.Target naming no stage.
func Compare(fileA string, a []byte, fileB string, b []byte, opt CompareOptions) ([]Difference, error) {
	sa, sb, err := reverseBoth(fileA, a, fileB, b)
	if err != nil {
		return nil, err
	}
	diffs, err := compareSpecs(sa, sb, opt.Target, !opt.Strict)
	if err != nil {
		return nil, err
	}
	if opt.Strict {
		loose, _ := compareSpecs(sa, sb, opt.Target, true)
		noteHistory(diffs, loose)
	}
	diffs = joinHistory(dedupe(diffs, sa, sb))
	srcA, srcB := instructionLines(a), instructionLines(b)
	renames := renamedStages(sa, sb)
	for i := range diffs {
		d := &diffs[i]
		d.SourceA, d.EndA = srcA.text(d.linesA)
		d.SourceB, d.EndB = srcB.text(d.linesB)
		if d.SourceA != "" && d.SourceB != "" {
			d.MarkedA, d.MarkedB = markWords(d.SourceA, d.SourceB, renames)
		}
		if d.Msg == "instruction differs" {
			d.Fields = changedFields(d.A, d.B)
		}
	}
	return diffs, nil
}

// configRun returns how many steps at the head of steps make one image
// config change: consecutive ENV and LABEL instructions, the second and
// later using no `$` (a value that expands a variable could see a key an
// earlier one of the run sets, so the split would matter); 0 when the
// first step is neither.
func configRun(steps []spec.Step) int {
	n := 0
	for k := range steps {
		kw := steps[k].Keyword()
		if kw != "ENV" && kw != "LABEL" {
			break
		}
		if k > 0 && (expands(steps[k].Env) || expands(steps[k].Label)) {
			break
		}
		n++
	}
	return n
}

func expands(kvs spec.KVList) bool {
	for _, kv := range kvs {
		if kv.Value != nil && strings.Contains(*kv.Value, "$") {
			return true
		}
	}
	return false
}

// configStep is the image config a configRun makes: the environment and
// labels it sets, later keys replacing earlier ones, sorted by key.
func configStep(run []spec.Step) normStep {
	cfg := struct {
		Env   map[string]string `yaml:"env,omitempty"`
		Label map[string]string `yaml:"label,omitempty"`
	}{map[string]string{}, map[string]string{}}
	st := normStep{line: run[0].Pos.Line}
	for _, step := range run {
		st.lines = append(st.lines, step.Pos.Line)
		for _, kv := range step.Env {
			cfg.Env[kv.Key] = deref(kv.Value)
		}
		for _, kv := range step.Label {
			cfg.Label[kv.Key] = deref(kv.Value)
		}
	}
	out, _ := yaml.Marshal(cfg)
	st.text = strings.TrimSpace(string(out))
	return st
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// historyNote is the Note of a --strict difference the image config
// comparison does not see.
const historyNote = "same image config; the ENV/LABEL instructions are split differently, and each is its own history entry (--strict compares history)"

// noteHistory notes each strict difference in ENV or LABEL whose lines no
// config-level difference (loose) touches.
func noteHistory(strict, loose []Difference) {
	touched := map[[2]int]bool{} // side, line
	for _, d := range loose {
		for _, l := range d.linesA {
			touched[[2]int{0, l}] = true
		}
		for _, l := range d.linesB {
			touched[[2]int{1, l}] = true
		}
	}
	isConfig := func(t string) bool { return t == "" || strings.HasPrefix(t, "env:") || strings.HasPrefix(t, "label:") }
	for i := range strict {
		d := &strict[i]
		if !isConfig(d.A) || !isConfig(d.B) || strings.HasPrefix(d.Msg, "stage") {
			continue
		}
		free := true
		for _, l := range d.linesA {
			free = free && !touched[[2]int{0, l}]
		}
		for _, l := range d.linesB {
			free = free && !touched[[2]int{1, l}]
		}
		if free {
			d.Note = historyNote
		}
	}
}

// joinHistory joins each run of consecutive history-only differences
// (noteHistory) of one stage into one: the ENV/LABEL instructions of both
// files split differently.
func joinHistory(diffs []Difference) []Difference {
	var out []Difference
	for _, d := range diffs {
		if n := len(out); n > 0 && d.Note == historyNote && out[n-1].Note == historyNote && d.Stage == out[n-1].Stage && strings.Join(d.Targets, ",") == strings.Join(out[n-1].Targets, ",") {
			p := &out[n-1]
			p.linesA = append(p.linesA, d.linesA...)
			p.linesB = append(p.linesB, d.linesB...)
			p.LineA = min(nonZero(p.LineA, d.LineA), nonZero(d.LineA, p.LineA))
			p.LineB = min(nonZero(p.LineB, d.LineB), nonZero(d.LineB, p.LineB))
			p.A, p.B = strings.TrimSpace(p.A+"\n"+d.A), strings.TrimSpace(p.B+"\n"+d.B)
			p.Msg = "ENV/LABEL instructions split differently"
			continue
		}
		out = append(out, d)
	}
	return out
}

// nonZero is a, or b when a is 0.
func nonZero(a, b int) int {
	if a == 0 {
		return b
	}
	return a
}

// lastTitle names the last stages as compareTarget names a target: A's
// title, with B's when both are named differently ("prod (in B:
// release)").
func lastTitle(sa, sb *spec.Spec) string {
	la, lb := sa.Stages[len(sa.Stages)-1], sb.Stages[len(sb.Stages)-1]
	t := sa.StageTitle(len(sa.Stages) - 1)
	if !la.Anonymous && !lb.Anonymous && !strings.EqualFold(la.Name, lb.Name) {
		t = strings.ToLower(la.Name) + " (in B: " + strings.ToLower(lb.Name) + ")"
	}
	return t
}

// dedupe merges the differences that are the same instruction pair (the
// same lines, message and texts) found for several targets into one whose
// Targets lists them all, in order of first report. The default target is
// named by its last stage (lastTitle) and "(default)", once.
func dedupe(diffs []Difference, sa, sb *spec.Spec) []Difference {
	type key struct {
		msg, a, b  string
		lineA, lnB int
	}
	last := lastTitle(sa, sb)
	defaultName := last + " (default)"
	index := map[key]int{}
	var out []Difference
	for _, d := range diffs {
		t := d.Target
		if t == defaultTarget || t == "(default: last stage)" || strings.EqualFold(t, last) {
			t = defaultName
		}
		k := key{d.Msg, d.A, d.B, d.LineA, d.LineB}
		if i, ok := index[k]; ok {
			if !contains(out[i].Targets, t) {
				out[i].Targets = append(out[i].Targets, t)
			}
			continue
		}
		index[k] = len(out)
		d.Target = t
		d.Targets = []string{t}
		out = append(out, d)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// renamedStages maps a stage name of A to its renamed pair in B (lower
// case, as stagePairs pairs them), so that markWords does not mark a
// reference to it.
func renamedStages(sa, sb *spec.Spec) map[string]string {
	out := map[string]string{}
	pairs, _, _ := stagePairs(sa, sb, commonTargets(sa, sb), true)
	for i, j := range pairs {
		out[strings.ToLower(sa.Stages[i].Name)] = strings.ToLower(sb.Stages[j].Name)
	}
	return out
}

// sourceLines maps each instruction's first line to its Dockerfile text
// (continuations and heredoc bodies included).
type sourceLines struct {
	lines []string
	end   map[int]int // first line -> last line
}

func instructionLines(src []byte) sourceLines {
	s := sourceLines{lines: strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n"), end: map[int]int{}}
	if res, err := parser.Parse(bytes.NewReader(src)); err == nil {
		for _, n := range res.AST.Children {
			s.end[n.StartLine] = n.EndLine
		}
	}
	return s
}

// text is the source of the instructions starting at starts, joined, and
// the last line of the last one (0 without starts).
func (s sourceLines) text(starts []int) (string, int) {
	var out []string
	last := 0
	for _, l := range starts {
		end, ok := s.end[l]
		if !ok {
			end = l
		}
		for k := l; k <= end && k-1 < len(s.lines) && k > 0; k++ {
			out = append(out, s.lines[k-1])
		}
		last = end
	}
	return strings.Join(out, "\n"), last
}

// markWords marks the words of a that b does not have as [-word-] and the
// words of b that a does not have as {+word+} (an aligned word diff;
// keyword case and references to a renamed stage are not differences).
func markWords(a, b string, renames map[string]string) (string, string) {
	ta, tb := splitWords(a), splitWords(b)
	wa, wb := words(ta), words(tb)
	eq := func(x, y string) bool {
		if strings.EqualFold(x, y) {
			return true
		}
		lx := strings.ToLower(x)
		for na, nb := range renames {
			lx = renameWord(lx, na, nb)
		}
		return lx == strings.ToLower(y)
	}
	n, m := len(wa), len(wb)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if eq(ta[wa[i]], tb[wb[j]]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	keepA, keepB := map[int]bool{}, map[int]bool{}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case eq(ta[wa[i]], tb[wb[j]]):
			keepA[wa[i]], keepB[wb[j]] = true, true
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	ka, kb := changedKeys(ta, keepA), changedKeys(tb, keepB)
	return mark(ta, keepA, kb, "[-", "-]"), mark(tb, keepB, ka, "{+", "+}")
}

// renameWord replaces a stage reference to na in a lower-case word
// (`na`, `--from=na`, `from=na,...`) with nb.
func renameWord(w, na, nb string) string {
	if w == na {
		return nb
	}
	for _, p := range []string{"--from=", "from="} {
		if i := strings.Index(w, p+na); i >= 0 {
			rest := w[i+len(p)+len(na):]
			if rest == "" || rest[0] == ',' {
				return w[:i] + p + nb + rest
			}
		}
	}
	return w
}

// splitWords splits s into runs of blanks and runs of other characters.
func splitWords(s string) []string {
	var out []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || isBlankByte(s[i]) != isBlankByte(s[start]) {
			out = append(out, s[start:i])
			start = i
		}
	}
	return out
}

func isBlankByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// words are the indexes of the non-blank tokens.
func words(tokens []string) []int {
	var out []int
	for i, t := range tokens {
		if !isBlankByte(t[0]) {
			out = append(out, i)
		}
	}
	return out
}

// mark joins tokens, wrapping each run of words not kept (with the
// blanks inside it, never across a line break) in open and close. A
// changed word `key=value` (a flag or an ENV pair) whose key is also in a
// changed word of the other side (other) has only its value marked.
func mark(tokens []string, keep map[int]bool, other map[string]bool, open, close string) string {
	var b strings.Builder
	inRun := false
	end := func() {
		if inRun {
			b.WriteString(close)
			inRun = false
		}
	}
	for i, t := range tokens {
		if isBlankByte(t[0]) {
			// A blank continues a run only if the next word is changed too.
			if strings.Contains(t, "\n") || i+1 >= len(tokens) || keep[i+1] || keyOf(tokens[i+1]) != "" && other[keyOf(tokens[i+1])] {
				end()
			}
			b.WriteString(t)
			continue
		}
		switch k := keyOf(t); {
		case keep[i]:
			end()
			b.WriteString(t)
		case k != "" && other[k]:
			end()
			b.WriteString(k + open + t[len(k):] + close)
		default:
			if !inRun {
				b.WriteString(open)
				inRun = true
			}
			b.WriteString(t)
		}
	}
	end()
	return b.String()
}

// keyOf is the `key=` head of a `key=value` word, or "".
func keyOf(w string) string {
	if i := strings.IndexByte(w, '='); i > 0 {
		return w[:i+1]
	}
	return ""
}

// changedKeys are the keyOf heads of the words not kept.
func changedKeys(tokens []string, keep map[int]bool) map[string]bool {
	out := map[string]bool{}
	for i, t := range tokens {
		if !isBlankByte(t[0]) && !keep[i] && keyOf(t) != "" {
			out[keyOf(t)] = true
		}
	}
	return out
}

// changedFields names the fields two normalised instructions differ in:
// the keys under the instruction's keyword (copy: chown, from; run:
// command, mounts; env: the variables) whose values differ, or the
// keywords themselves when the instructions are of different kinds; none
// for instructions of one value (WORKDIR, a plain RUN).
func changedFields(a, b string) []string {
	var ma, mb map[string]any
	if yaml.Unmarshal([]byte(a), &ma) != nil || yaml.Unmarshal([]byte(b), &mb) != nil {
		return nil
	}
	var out []string
	for kw, va := range ma {
		vb, ok := mb[kw]
		if !ok {
			return sortedFields(ma, mb)
		}
		fa, okA := va.(map[string]any)
		fb, okB := vb.(map[string]any)
		if !okA || !okB {
			continue // a one-value instruction: the marked words say it
		}
		for k := range union(fa, fb) {
			if !reflect.DeepEqual(fa[k], fb[k]) {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func sortedFields(ma, mb map[string]any) []string {
	var out []string
	for k := range union(ma, mb) {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func union(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// Where is a difference's place in one file: "file:line", or
// "file:first-last" for instructions over several lines (last 0 or first:
// one line); the file alone when the instruction is missing there.
func Where(file string, first, last int) string {
	switch {
	case first <= 0:
		return file
	case last > first:
		return file + ":" + strconv.Itoa(first) + "-" + strconv.Itoa(last)
	}
	return file + ":" + strconv.Itoa(first)
}
