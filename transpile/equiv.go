package transpile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
	"gopkg.in/yaml.v3"
)

// Difference is one way two Dockerfiles build differently for a target.
// LineA and LineB are 1-based lines in each file, 0 where the instruction
// exists only in the other file.
type Difference struct {
	// Target is the target the difference was found for (Compare: the
	// first of Targets).
	Target string `json:"target"`
	// Targets are every target the difference affects (filled by
	// Compare, which reports a difference once).
	Targets []string `json:"targets,omitempty"`
	// Stage names the stage the instruction is in (spec.StageTitle; "A
	// (in B: B)" for a renamed stage); empty for what is not in a stage.
	Stage string `json:"stage,omitempty"`
	LineA int    `json:"line_a,omitempty"`
	LineB int    `json:"line_b,omitempty"`
	// EndA and EndB are the last lines of the instructions (Compare),
	// after continuations and heredocs.
	EndA, EndB int `json:"-"`
	// A and B are the normalised instructions (empty when missing).
	A   string `json:"-"`
	B   string `json:"-"`
	Msg string `json:"message"`
	// SourceA and SourceB are the instruction's lines in each Dockerfile
	// as written (Compare; empty where missing).
	SourceA string `json:"source_a,omitempty"`
	SourceB string `json:"source_b,omitempty"`
	// MarkedA and MarkedB are SourceA and SourceB with the words that
	// changed marked [-old-] in A and {+new+} in B, as git diff
	// --word-diff=plain marks them (both empty unless both sources are
	// there).
	MarkedA string `json:"marked_a,omitempty"`
	MarkedB string `json:"marked_b,omitempty"`
	// Fields name what changed in an instruction that differs, by the
	// spec's field names (chown, command, env, from...).
	Fields []string `json:"fields,omitempty"`
	// Note explains a difference further (Compare --strict: the same
	// image config with a different history).
	Note string `json:"note,omitempty"`

	linesA, linesB []int
}

func (d Difference) String() string {
	return fmt.Sprintf("target %s: %s (A line %d, B line %d)", d.Target, d.Msg, d.LineA, d.LineB)
}

// CompareBuilds reports whether Dockerfiles a and b are the same build for
// target (every target both define, and the default last stage, when
// target is empty). Both are imported with Reverse; a build is the chain of
// stages the target depends on (its FROM chain, COPY --from and mount
// sources, transitively), each a sequence of typed instructions, compared
// after normalising what does not change the build: layout, comments,
// instruction keyword case, quoting that does not change a value, the
// spelling of flag aliases, and stage names (compared by their place in the
// dependency chain; a named target only one file has is paired with its
// renamed counterpart: renamedTargets). Errors are those of Reverse.
func CompareBuilds(fileA string, a []byte, fileB string, b []byte, target string) ([]Difference, error) {
	sa, sb, err := reverseBoth(fileA, a, fileB, b)
	if err != nil {
		return nil, err
	}
	return CompareSpecs(sa, sb, target)
}

// reverseBoth imports the two Dockerfiles a comparison reads.
func reverseBoth(fileA string, a []byte, fileB string, b []byte) (*spec.Spec, *spec.Spec, error) {
	sa, _, err := Reverse(fileA, a, ReverseOptions{})
	if err != nil {
		return nil, nil, err
	}
	sb, _, err := Reverse(fileB, b, ReverseOptions{})
	return sa, sb, err
}

// CompareSpecs is CompareBuilds on specs (for example a spec and the import
// of its render).
func CompareSpecs(sa, sb *spec.Spec, target string) ([]Difference, error) {
	return compareSpecs(sa, sb, target, false)
}

// compareSpecs is CompareSpecs; config compares each run of ENV and LABEL
// instructions as the image config it makes (configRun).
func compareSpecs(sa, sb *spec.Spec, target string, config bool) ([]Difference, error) {
	var targets []string
	if target != "" {
		ia, ib := findStage(sa, target), findStage(sb, target)
		switch {
		case ia < 0 && ib < 0:
			return nil, fmt.Errorf("%s and %s: no stage named %q; %s", sa.Pos.File, sb.Pos.File, target, stageList(sa, sb))
		case ia < 0 || ib < 0:
			// The target is renamed in one file: compare it with the stage
			// it pairs with there (renamedTargets' pairing).
			pairs, _, _ := stagePairs(sa, sb, commonTargets(sa, sb), config)
			for i, j := range pairs {
				if i == ia || j == ib {
					return compareTarget(sa, sb, strings.ToLower(sa.Stages[i].Name), strings.ToLower(sb.Stages[j].Name), config), nil
				}
			}
			missing := sb
			if ia < 0 {
				missing = sa
			}
			return nil, fmt.Errorf("%s: no stage named %q, and none of its stages pairs with it (by its place in a chain both files have, or by the same build); %s", missing.Pos.File, target, stageList(sa, sb))
		}
		targets = []string{target}
	} else {
		targets = commonTargets(sa, sb)
	}
	var diffs []Difference
	for _, t := range targets {
		if t == defaultTarget && target == "" {
			if d, ok := otherDefault(sa, sb); ok {
				diffs = append(diffs, d)
				continue
			}
		}
		diffs = append(diffs, compareTarget(sa, sb, t, t, config)...)
	}
	if target == "" {
		diffs = append(diffs, renamedTargets(sa, sb, targets, config)...)
	}
	return diffs, nil
}

// renamedTargets compares the named stages that only one file has (a
// stage renamed, AS build to AS compile, with its references) with the
// stage of the other file they pair with: first the stage at the same
// place in the chain of a target both files have (the default last stage
// included), then a stage whose whole build is the same. A stage that
// pairs with none exists in one file only.
func renamedTargets(sa, sb *spec.Spec, common []string, config bool) []Difference {
	pairs, onlyA, onlyB := stagePairs(sa, sb, common, config)
	var diffs []Difference
	for _, i := range sortedKeys(pairs) {
		na, nb := strings.ToLower(sa.Stages[i].Name), strings.ToLower(sb.Stages[pairs[i]].Name)
		diffs = append(diffs, compareTarget(sa, sb, na, nb, config)...)
	}
	for _, i := range sortedKeys(onlyA) {
		st := sa.Stages[i]
		diffs = append(diffs, Difference{Target: strings.ToLower(st.Name), LineA: st.Pos.Line, A: "FROM " + st.From + " AS " + st.Name, Msg: "stage exists only in A", Stage: sa.StageTitle(i), linesA: []int{st.Pos.Line}})
	}
	for _, j := range sortedKeys(onlyB) {
		st := sb.Stages[j]
		diffs = append(diffs, Difference{Target: strings.ToLower(st.Name), LineB: st.Pos.Line, B: "FROM " + st.From + " AS " + st.Name, Msg: "stage exists only in B", Stage: sb.StageTitle(j), linesB: []int{st.Pos.Line}})
	}
	return diffs
}

// stagePairs pairs the named stages only one file has, as renamedTargets
// describes: pairs maps a stage of A to its stage of B; onlyA and onlyB
// are the stages left without a pair.
func stagePairs(sa, sb *spec.Spec, common []string, config bool) (pairs map[int]int, onlyA, onlyB map[int]bool) {
	only := func(s, other *spec.Spec) map[int]bool {
		m := map[int]bool{}
		for i, st := range s.Stages {
			if !st.Anonymous && findStage(other, st.Name) < 0 {
				m[i] = true
			}
		}
		return m
	}
	onlyA, onlyB = only(sa, sb), only(sb, sa)
	pairs = map[int]int{} // stage of A -> stage of B
	pair := func(i, j int) {
		if onlyA[i] && onlyB[j] {
			pairs[i] = j
			delete(onlyA, i)
			delete(onlyB, j)
		}
	}
	for _, t := range common {
		ca, cb := sa.Needs(findStage(sa, t)), sb.Needs(findStage(sb, t))
		if len(ca) == len(cb) {
			for p := range ca {
				pair(ca[p], cb[p])
			}
		}
	}
	for _, i := range sortedKeys(onlyA) {
		for _, j := range sortedKeys(onlyB) {
			if ba, _ := targetBuild(sa, sa.Stages[i].Name, config); ba != nil {
				if bb, _ := targetBuild(sb, sb.Stages[j].Name, config); bb != nil && sameBuild(ba, bb) {
					pair(i, j)
					break
				}
			}
		}
	}
	return pairs, onlyA, onlyB
}

// argLines are the lines of the global ARG instructions (each once).
func argLines(s *spec.Spec) []int {
	var out []int
	for _, kv := range s.Args {
		if l := kv.Pos.Line; l > 0 && (len(out) == 0 || out[len(out)-1] != l) {
			out = append(out, l)
		}
	}
	return out
}

func first(lines []int) int {
	if len(lines) == 0 {
		return 0
	}
	return lines[0]
}

// otherDefault reports that the last stages, which a build without
// --target makes, are different named stages: A's last stage is a stage
// B has elsewhere, or B's one A has.
func otherDefault(sa, sb *spec.Spec) (Difference, bool) {
	la, lb := sa.Stages[len(sa.Stages)-1], sb.Stages[len(sb.Stages)-1]
	if la.Anonymous || lb.Anonymous || strings.EqualFold(la.Name, lb.Name) || findStage(sb, la.Name) < 0 && findStage(sa, lb.Name) < 0 {
		return Difference{}, false
	}
	return Difference{Target: defaultTarget, LineA: la.Pos.Line, LineB: lb.Pos.Line, A: "FROM " + la.From + " AS " + la.Name, B: "FROM " + lb.From + " AS " + lb.Name,
		Msg:    fmt.Sprintf("the default target (the last stage) is %s in A, %s in B", la.Name, lb.Name),
		linesA: []int{la.Pos.Line}, linesB: []int{lb.Pos.Line}}, true
}

// sameBuild reports whether two builds have the same instructions,
// wherever they stand in their files.
func sameBuild(a, b *build) bool {
	if a.args != b.args || len(a.stages) != len(b.stages) {
		return false
	}
	for i := range a.stages {
		if len(a.stages[i]) != len(b.stages[i]) {
			return false
		}
		for k := range a.stages[i] {
			if a.stages[i][k].text != b.stages[i][k].text {
				return false
			}
		}
	}
	return true
}

func sortedKeys[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// defaultTarget names the last stage, which a build without --target builds.
const defaultTarget = ""

// commonTargets are the default target and the stage names both files
// have (renamedTargets pairs the others).
func commonTargets(sa, sb *spec.Spec) []string {
	out := []string{defaultTarget}
	seen := map[string]bool{}
	for _, st := range sa.Stages {
		n := strings.ToLower(st.Name)
		if st.Anonymous || seen[n] || findStage(sb, n) < 0 || sb.Stages[findStage(sb, n)].Anonymous {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	sort.Strings(out[1:])
	return out
}

// findStage resolves a build target: the last stage for defaultTarget,
// else a stage index or a stage name, anonymous stages' generated names
// included (a target is not a stage reference: spec.Spec.StageRef).
func findStage(s *spec.Spec, name string) int {
	if name == defaultTarget {
		return len(s.Stages) - 1
	}
	if n, err := strconv.Atoi(name); err == nil && n >= 0 && n < len(s.Stages) {
		return n
	}
	for i, st := range s.Stages {
		if strings.EqualFold(st.Name, name) {
			return i
		}
	}
	return -1
}

// normStep is one normalised instruction with its line (lines: the first
// line of each instruction it stands for, several for a configRun).
type normStep struct {
	line  int
	lines []int
	text  string
}

// build is the normalised build of one target: its stages in dependency
// order, each as a header ("FROM ...") and steps, with stage references
// replaced by their place in this order.
type build struct {
	args   string
	stages [][]normStep
	// titles name each stage for people (spec.StageTitle); named says
	// which stages have a name.
	titles []string
	named  []bool
}

func targetBuild(s *spec.Spec, target string, config bool) (*build, bool) {
	idx := findStage(s, target)
	if idx < 0 {
		return nil, false
	}
	order := map[int]int{} // stage index -> place in the chain
	chain := s.Needs(idx)
	for p, i := range chain {
		order[i] = p
	}
	// ref names the stage a reference made in stage `in` resolves to by its
	// place in the chain.
	ref := func(j int, name string) string {
		if p, ok := order[j]; ok && j >= 0 {
			return "stage#" + strconv.Itoa(p)
		}
		return name
	}
	b := &build{args: normArgs(s)}
	esc := s.Escape()
	for _, i := range chain {
		st := s.Stages[i]
		from := "FROM " + ref(s.StageIndex(st.From, i), st.From)
		if st.Platform != "" {
			from += " --platform=" + st.Platform
		}
		steps := []normStep{{line: st.Pos.Line, lines: []int{st.Pos.Line}, text: from}}
		for k := 0; k < len(st.Steps); k++ {
			step := st.Steps[k]
			if n := configRun(st.Steps[k:]); config && n > 0 {
				steps = append(steps, configStep(st.Steps[k:k+n]))
				k += n - 1
				continue
			}
			steps = append(steps, normStep{line: step.Pos.Line, lines: []int{step.Pos.Line}, text: normalizeStep(step, func(name string) string { return ref(s.StageRef(name, i), name) }, esc)})
		}
		b.stages = append(b.stages, steps)
		b.titles = append(b.titles, s.StageTitle(i))
		b.named = append(b.named, !st.Anonymous)
	}
	return b, true
}

func normArgs(s *spec.Spec) string {
	var parts []string
	for _, kv := range s.Args {
		v := "<unset>"
		if kv.Value != nil {
			v = "=" + syntax.JoinValue(*kv.Value, s.Escape())
		}
		parts = append(parts, kv.Key+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// normalizeStep renders a step as canonical YAML without comments, with
// shell text joined (continuations and comment lines removed, as BuildKit
// reads it) and stage references replaced.
func normalizeStep(step spec.Step, ref func(string) string, esc rune) string {
	step = step.WithoutComments()
	switch step.Keyword() {
	case "COPY":
		c := *step.Copy
		if c.From != "" {
			c.From = ref(c.From)
		}
		step.Copy = &c
	case "RUN":
		r := *step.Run
		r.Command = joinCommand(r.Command, esc)
		r.Mounts = append([]spec.Mount(nil), r.Mounts...)
		for i := range r.Mounts {
			if r.Mounts[i].From != "" {
				r.Mounts[i].From = ref(r.Mounts[i].From)
			}
			if r.Mounts[i].Type == "bind" {
				r.Mounts[i].Type = ""
			}
		}
		step.Run = &r
	case "CMD":
		c := joinCommand(*step.Cmd, esc)
		step.Cmd = &c
	case "ENTRYPOINT":
		c := joinCommand(*step.Entrypoint, esc)
		step.Entrypoint = &c
	case "HEALTHCHECK":
		if step.Healthcheck.Test != nil {
			h := *step.Healthcheck
			t := joinCommand(*h.Test, esc)
			h.Test = &t
			step.Healthcheck = &h
		}
	case "ENV":
		step.Env = joinKVs(step.Env, esc)
	case "LABEL":
		step.Label = joinKVs(step.Label, esc)
	case "ARG":
		step.Arg = joinKVs(step.Arg, esc)
	case "EXPOSE":
		exp := make([]string, len(step.Expose))
		for i, e := range step.Expose {
			exp[i] = strings.ToLower(e)
		}
		step.Expose = exp
	}
	out, err := yaml.Marshal(step)
	if err != nil {
		return fmt.Sprintf("%#v", step)
	}
	return strings.TrimSpace(string(out))
}

// joinKVs is l with each value's lines joined as BuildKit's parser joins
// them (syntax.JoinValue).
func joinKVs(l spec.KVList, esc rune) spec.KVList {
	out := make(spec.KVList, len(l))
	for i, kv := range l {
		if kv.Value != nil {
			v := syntax.JoinValue(*kv.Value, esc)
			kv.Value = &v
		}
		out[i] = kv
	}
	return out
}

// joinCommand joins a shell-form command's physical lines as BuildKit's
// parser does: the escape character at a line end and the newline go,
// comment lines and blank lines inside the continuation go.
func joinCommand(c spec.Command, esc rune) spec.Command {
	if c.Exec {
		return c
	}
	if !strings.Contains(c.Shell, "\n") {
		c.Shell = collapseBlanks(c.Shell)
		return c
	}
	lines := strings.Split(strings.ReplaceAll(c.Shell, "\r\n", "\n"), "\n")
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			t := strings.TrimLeft(l, " \t")
			if strings.HasPrefix(t, "#") || t == "" {
				continue
			}
		}
		if i < len(lines)-1 {
			l, _ = syntax.TrimContinuation(l, esc)
		}
		b.WriteString(l)
	}
	c.Shell = collapseBlanks(b.String())
	return c
}

// collapseBlanks turns each run of spaces and tabs outside quotes into one
// space and trims the ends: the shell splits words the same either way.
func collapseBlanks(s string) string {
	var b strings.Builder
	var quote rune
	blank := false
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote && (quote == '\'' || i == 0 || s[i-1] != '\\') {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == ' ' || r == '\t':
			blank = true
			continue
		}
		if blank && b.Len() > 0 {
			b.WriteByte(' ')
		}
		blank = false
		b.WriteRune(r)
	}
	return b.String()
}

// compareTarget compares the build of target ta in sa with that of tb in
// sb (the same name, or a renamed stage's pair).
func compareTarget(sa, sb *spec.Spec, ta, tb string, config bool) []Difference {
	name := ta
	if name == defaultTarget {
		name = "(default: last stage)"
	} else if tb != ta {
		name = ta + " (in B: " + tb + ")"
	}
	ba, okA := targetBuild(sa, ta, config)
	bb, okB := targetBuild(sb, tb, config)
	switch {
	case !okA && !okB:
		return nil
	case !okA:
		return []Difference{{Target: name, Msg: "stage exists only in B"}}
	case !okB:
		return []Difference{{Target: name, Msg: "stage exists only in A"}}
	}
	var diffs []Difference
	if ba.args != bb.args {
		la, lb := argLines(sa), argLines(sb)
		diffs = append(diffs, Difference{Target: name, LineA: first(la), LineB: first(lb), A: ba.args, B: bb.args, Msg: "build args before FROM differ", linesA: la, linesB: lb})
	}
	if len(ba.stages) != len(bb.stages) {
		heads := func(b *build) (string, int) {
			return strings.Join(b.titles, "\n"), b.stages[0][0].line
		}
		ha, la := heads(ba)
		hb, lb := heads(bb)
		diffs = append(diffs, Difference{Target: name, LineA: la, LineB: lb, A: ha, B: hb, Msg: fmt.Sprintf("A builds %d stages for this target, B builds %d", len(ba.stages), len(bb.stages)), linesA: []int{la}, linesB: []int{lb}})
	}
	for i := 0; i < len(ba.stages) && i < len(bb.stages); i++ {
		stage := ba.titles[i]
		if ba.named[i] && bb.named[i] && !strings.EqualFold(bb.titles[i], stage) {
			stage += " (in B: " + bb.titles[i] + ")"
		}
		for _, d := range diffSteps(name, ba.stages[i], bb.stages[i]) {
			d.Stage = stage
			diffs = append(diffs, d)
		}
	}
	return diffs
}

// diffSteps aligns two instruction sequences (longest common subsequence)
// and reports what differs.
func diffSteps(target string, a, b []normStep) []Difference {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i].text == b[j].text {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var diffs []Difference
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i].text == b[j].text:
			i++
			j++
		case i < n && j < m && lcs[i+1][j+1] == lcs[i][j]:
			// Neither is kept: a changed instruction.
			diffs = append(diffs, Difference{Target: target, LineA: a[i].line, LineB: b[j].line, A: a[i].text, B: b[j].text, Msg: "instruction differs", linesA: a[i].lines, linesB: b[j].lines})
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			diffs = append(diffs, Difference{Target: target, LineB: b[j].line, B: b[j].text, Msg: "instruction only in B", linesB: b[j].lines})
			j++
		default:
			diffs = append(diffs, Difference{Target: target, LineA: a[i].line, A: a[i].text, Msg: "instruction only in A", linesA: a[i].lines})
			i++
		}
	}
	return diffs
}

// stageList names the stages of both files, for an error about a
// target: "stages of A: x, y; of B: x, z".
func stageList(sa, sb *spec.Spec) string {
	names := func(s *spec.Spec) string {
		var out []string
		for _, st := range s.Stages {
			out = append(out, st.Name)
		}
		return strings.Join(out, ", ")
	}
	return fmt.Sprintf("the stages of %s are %s; of %s, %s", sa.Pos.File, names(sa), sb.Pos.File, names(sb))
}
