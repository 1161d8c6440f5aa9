package migrate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
	"github.com/dockstage/dockstage/transpile"
	"gopkg.in/yaml.v3"
)

// Proof is the comparison of an original Dockerfile's last stage with the
// prod target of its migration.
type Proof struct {
	// Target is the original's last stage, the one `docker build` builds
	// by default.
	Target string
	// Differences are all the differences transpile.CompareSpecs found.
	Differences []transpile.Difference
	// Unexplained are the differences no change of the report names, and
	// what the flattening found (stage boundaries that change the build).
	Unexplained []transpile.Difference
	// Unseen are instructions a change of the report names that the
	// comparison did not find: the report claims more than happened.
	Unseen []string
}

// OK reports whether the migrated prod build is the original build except
// for the report's changes, each of which did happen.
func (p *Proof) OK() bool { return len(p.Unexplained) == 0 && len(p.Unseen) == 0 }

func (p *Proof) String() string {
	var b strings.Builder
	for _, d := range p.Unexplained {
		fmt.Fprintf(&b, "  unexplained: %s\n    A: %s\n    B: %s\n", d, oneLine(d.A), oneLine(d.B))
	}
	for _, u := range p.Unseen {
		fmt.Fprintf(&b, "  named in the report but not found: %s\n", u)
	}
	return b.String()
}

// Summary is the proof as the report shows it.
func (p *Proof) Summary() ProofSummary {
	return ProofSummary{Target: StageProd, Differences: len(p.Differences), Accounted: p.OK()}
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " | ") }

// Prove compares the original's last stage with the migrated prod target
// and accounts for every difference with the changes of rep.
//
// The migrated prod chain (base -> src -> prod, each FROM the one before)
// is flattened into one stage with the steps in order, which builds the
// same image provided nothing depends on the stage boundaries; flatten
// checks those that do, each reported as an unexplained difference:
//   - build args: an ARG's scope ends with its stage, so a later stage that
//     runs a command or expands a variable must declare the args in scope
//     again, identically, at its head (those declarations are dropped);
//   - ONBUILD in base or src would run in the next stage;
//   - an ENTRYPOINT resets the CMD unless its own stage set one before it;
//   - FROM --platform on a later stage.
//
// Then transpile.CompareSpecs (the `dockstage diff` rules) compares the
// flattened spec with the original for the original's last stage. A
// difference is accounted for when a change of rep removed that
// instruction from the prod build, added it, or moved it (the same
// instruction only in A and only in B). A change that names an instruction
// the comparison did not find is Unseen.
//
// The wheels stage (wheels.go) is left out, after checking it is the one
// the report names: the prod chain's install reads it through a bind
// mount, the change the report names.
//
// A slim prod (a runtime image receiving the build's output, see
// slim.go) is compared as the prod stage it replaced, FROM src with the
// same steps, after checking that migrated's prod and build stages are
// the ones the report names, and (for a runtime image receiving a binary,
// a jar or a .NET assembly) that the file prod's command runs is where
// the command looks for it in prod, resolved against prod's WORKDIR,
// copied from the path the original's command ran (runs.go).
//
// migrated may be the spec Migrate returned or the import of its rendered
// Dockerfile. Errors: migrated has no prod stage.
func Prove(original, migrated *spec.Spec, rep *Report) (*Proof, error) {
	var slimIssues []string
	var slimProd *spec.Stage
	if rep != nil && rep.slim != nil {
		if i := migrated.StageIndex(StageProd, len(migrated.Stages)); i >= 0 && rep.slim.runs {
			slimProd = migrated.Stages[i]
		}
		migrated, slimIssues = rep.slim.unslim(migrated, original.Escape())
	}
	if rep != nil && rep.wheels != nil {
		var is []string
		migrated, is = rep.wheels.unwheel(migrated, original.Escape())
		slimIssues = append(slimIssues, is...)
	}
	flat, issues, err := flatten(original, migrated)
	if err != nil {
		return nil, err
	}
	if slimProd != nil {
		slimIssues = append(slimIssues, runsIssues(slimProd, flat.Stages[len(flat.Stages)-1])...)
	}
	for _, s := range slimIssues {
		issues = append(issues, transpile.Difference{Msg: s})
	}
	target := original.Stages[len(original.Stages)-1].Name
	diffs, err := transpile.CompareSpecs(original, flat, target)
	if err != nil {
		return nil, err
	}
	p := &Proof{Target: target, Differences: diffs, Unexplained: issues}
	p.account(rep, original.Escape())
	return p, nil
}

// flatten returns original's builder stages followed by migrated's prod
// chain joined into one stage named like original's last stage.
func flatten(original, migrated *spec.Spec) (*spec.Spec, []transpile.Difference, error) {
	cur := migrated.StageIndex(StageProd, len(migrated.Stages))
	if cur < 0 {
		return nil, nil, errors.New("the migrated spec has no prod stage")
	}
	// prod's FROM chain (spec.Spec.Chain) through the standard stages,
	// base first.
	var chain []*spec.Stage
	for k, j := range migrated.Chain(cur) {
		if k > 0 && !isStandard(migrated.Stages[j].Name) {
			break
		}
		chain = append([]*spec.Stage{migrated.Stages[j]}, chain...)
	}
	last := original.Stages[len(original.Stages)-1]
	target := last.Name
	if target == "" {
		target = "stage-0"
	}
	var issues []transpile.Difference
	issue := func(line int, format string, args ...any) {
		issues = append(issues, transpile.Difference{Target: target, LineB: line, Msg: "stage boundary: " + fmt.Sprintf(format, args...)})
	}
	final := &spec.Stage{Name: last.Name, Anonymous: last.Anonymous, From: chain[0].From, Platform: chain[0].Platform, Pos: chain[0].Pos}
	var scope []spec.Step
	cmdSet := false
	for k, st := range chain {
		steps := st.Steps
		if k > 0 {
			if st.Platform != "" {
				issue(st.Pos.Line, "stage %s sets FROM --platform", st.Name)
			}
			if len(scope) > 0 {
				if hasPrefixArgs(steps, scope) {
					steps = steps[len(scope):]
				} else if needsArgs(steps) {
					issue(st.Pos.Line, "stage %s does not declare again the build args in scope (%s)", st.Name, argNames(scope))
				}
			}
		}
		cmdInStage := false
		for _, s := range steps {
			switch s.Keyword() {
			case "CMD":
				cmdSet, cmdInStage = true, true
			case "ENTRYPOINT":
				if k > 0 && cmdSet && !cmdInStage {
					issue(s.Pos.Line, "the ENTRYPOINT in stage %s resets the CMD set in an earlier stage", st.Name)
				}
			case "ONBUILD":
				if k < len(chain)-1 {
					issue(s.Pos.Line, "ONBUILD in stage %s runs in the next stage", st.Name)
				}
			case "ARG":
				scope = append(scope, argSteps([]spec.Step{s})...)
			}
			final.Steps = append(final.Steps, s)
		}
	}
	flat := &spec.Spec{Version: migrated.Version, Name: migrated.Name, Directives: migrated.Directives, Args: migrated.Args, Pos: migrated.Pos}
	for _, st := range migrated.Stages {
		if !isStandard(st.Name) {
			flat.Stages = append(flat.Stages, st)
		}
	}
	flat.Stages = append(flat.Stages, final)
	return flat, issues, nil
}

func hasPrefixArgs(steps, scope []spec.Step) bool {
	if len(steps) < len(scope) {
		return false
	}
	for i, a := range scope {
		if steps[i].Arg == nil || !sameKVs(steps[i].Arg, a.Arg) {
			return false
		}
	}
	return true
}

func sameKVs(a, b spec.KVList) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || (a[i].Value == nil) != (b[i].Value == nil) || a[i].Value != nil && *a[i].Value != *b[i].Value {
			return false
		}
	}
	return true
}

func argNames(scope []spec.Step) string {
	var names []string
	for _, s := range scope {
		for _, kv := range s.Arg {
			names = append(names, kv.Key)
		}
	}
	return strings.Join(names, ", ")
}

// stepText is a step as YAML, to look for expansions in it.
func stepText(s spec.Step) string {
	s.Comment = nil
	b, err := yaml.Marshal(s)
	if err != nil {
		return ""
	}
	return string(b)
}

// normText normalises a step the way transpile.CompareSpecs does, by
// comparing a one-step stage with an empty one in a Dockerfile with the
// escape character esc.
func normText(s spec.Step, esc rune) string {
	var dir *spec.Directives
	if esc != syntax.DefaultEscape {
		dir = &spec.Directives{Escape: string(esc)}
	}
	one := &spec.Spec{Version: spec.Version, Name: "x", Directives: dir, Stages: spec.Stages{{Name: "x", From: "scratch", Steps: []spec.Step{s}}}}
	none := &spec.Spec{Version: spec.Version, Name: "x", Directives: dir, Stages: spec.Stages{{Name: "x", From: "scratch"}}}
	d, err := transpile.CompareSpecs(one, none, "x")
	if err != nil || len(d) != 1 {
		return stepText(s)
	}
	return d[0].A
}

type sideDiff struct {
	text string
	d    transpile.Difference
	used bool
}

func (p *Proof) account(rep *Report, esc rune) {
	var onlyA, onlyB []*sideDiff
	for _, d := range p.Differences {
		switch d.Msg {
		case "instruction only in A":
			onlyA = append(onlyA, &sideDiff{text: d.A, d: d})
		case "instruction only in B":
			onlyB = append(onlyB, &sideDiff{text: d.B, d: d})
		case "instruction differs":
			a, b := d, d
			a.Msg, a.B, a.LineB = "instruction only in A", "", 0
			b.Msg, b.A, b.LineA = "instruction only in B", "", 0
			onlyA = append(onlyA, &sideDiff{text: d.A, d: a})
			onlyB = append(onlyB, &sideDiff{text: d.B, d: b})
		default:
			p.Unexplained = append(p.Unexplained, d)
		}
	}
	moved := map[string]bool{}
	removed := map[string]int{}
	added := map[string]int{}
	var order []string
	count := func(t string, named map[string]int) {
		if removed[t] == 0 && added[t] == 0 {
			order = append(order, t)
		}
		named[t]++
	}
	if rep != nil {
		for _, c := range rep.Changes {
			for _, s := range c.moved {
				moved[normText(s, esc)] = true
			}
			for _, s := range c.removed {
				count(normText(s, esc), removed)
			}
			for _, s := range c.added {
				count(normText(s, esc), added)
			}
		}
	}
	for _, a := range onlyA {
		if !moved[a.text] {
			continue
		}
		for _, b := range onlyB {
			if !b.used && b.text == a.text {
				a.used, b.used = true, true
				break
			}
		}
	}
	p.explain(onlyA, removed)
	p.explain(onlyB, added)
	for _, t := range order {
		for i := 0; i < removed[t]; i++ {
			p.Unseen = append(p.Unseen, "removed "+oneLine(t))
		}
		for i := 0; i < added[t]; i++ {
			p.Unseen = append(p.Unseen, "added "+oneLine(t))
		}
	}
}

// explain accounts for each unmatched side of a difference with one
// instruction of named (the report's removed or added steps, by their
// normalised text, each used once); the rest are Unexplained.
func (p *Proof) explain(sides []*sideDiff, named map[string]int) {
	for _, x := range sides {
		if x.used {
			continue
		}
		if named[x.text] > 0 {
			named[x.text]--
			continue
		}
		p.Unexplained = append(p.Unexplained, x.d)
	}
}
