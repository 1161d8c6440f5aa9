package migrate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// The assemble phase: the stages base, src, test and prod as a spec, and
// the .dockerignore change the rendered files bring.

// contextChange names the files the rendered .dockerignore would keep out
// of the build: transpile.Forward derives its patterns from the spec, and
// they go in front of the user's own. Every read of the context by the
// original build counts (transpile.ContextReads: COPY and ADD sources, RUN
// bind mounts), the same reads the patterns are derived from. fo is the
// migrated spec forwarded.
func (m *migrator) contextChange(fo *transpile.Output) {
	if !m.ctx.Known() || fo.Dockerignore == nil {
		return
	}
	reads := transpile.ContextReads(m.orig)
	var sources []string
	for _, r := range reads {
		sources = append(sources, r.Path)
	}
	gone := m.ctx.Narrowed(fo.Dockerignore.Patterns, sources)
	if len(gone) == 0 {
		return
	}
	var affected []int
	copies, mounts := false, false
	for _, r := range reads {
		for _, g := range gone {
			if ecosystem.CopiedBy(strings.TrimSuffix(g, "/"), []string{r.Path}) {
				if !slices.Contains(affected, r.Pos.Line) {
					affected = append(affected, r.Pos.Line)
				}
				copies, mounts = copies || !r.Mount, mounts || r.Mount
				break
			}
		}
	}
	slices.Sort(affected)
	list := gone
	more := ""
	if len(list) > 12 {
		more = fmt.Sprintf(" and %d more", len(list)-12)
		list = list[:12]
	}
	names, them := strings.Join(list, ", ")+more, "them"
	if len(gone) == 1 {
		them = "it"
	} else if more == "" {
		names = strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
	}
	var effects []string
	if copies {
		effects = append(effects, "the copy no longer puts "+them+" in the image")
	}
	if mounts {
		effects = append(effects, "the RUN bind mount of the context no longer shows "+them+" to its command")
	}
	caveat := "this holds where the .dockerignore is read: in the build context's root, for a Dockerfile built with that context that has no Dockerfile.dockerignore of its own beside it"
	if m.opts.IgnoreFile != "" {
		caveat = "the block is written to " + m.opts.IgnoreFile + ", followed by the patterns of the context's own .dockerignore; BuildKit reads it instead of the context's .dockerignore when it builds the Dockerfile beside it (as compose.yaml and docker-bake.hcl do), not for another Dockerfile built with that context"
	}
	caveats := []string{caveat}
	if m.opts.IgnorePending {
		caveats = append(caveats, "it is not written yet: the rendered files wait with the original Dockerfile (see \"not written yet\"), and until they are written the build context is as it was")
	}
	summary := "files kept out of the image by the new .dockerignore"
	if !copies {
		summary = "files kept out of the build's bind mounts by the new .dockerignore"
	} else if mounts {
		summary = "files kept out of the image and the build's bind mounts by the new .dockerignore"
	}
	m.changes = append(m.changes, Change{
		Kind:    ChangeContextNarrowed,
		Summary: summary,
		Lines:   affected,
		Detail: fmt.Sprintf("the .dockerignore that dockstage renders from the spec (its block goes in front of your own patterns) keeps %s out of the build context, so %s: version control, local env files (often secrets) and dockstage's own files have no place there. To keep one, name it in a COPY%s or re-include it below the block (!NAME).",
			names, strings.Join(effects, ", and "), map[bool]string{true: " or a bind mount's source"}[mounts]),
		Caveats: caveats,
	})
}

// Assembling the spec

// needsArgs reports whether steps see build args: a RUN gets them in its
// environment, any other step only through a $ expansion.
func needsArgs(steps []spec.Step) bool {
	for _, s := range steps {
		if kw := s.Keyword(); kw == "RUN" || kw != "ONBUILD" && strings.Contains(stepText(s), "$") {
			return true
		}
	}
	return false
}

func argSteps(steps []spec.Step) []spec.Step {
	var out []spec.Step
	for _, s := range steps {
		if s.Arg != nil {
			a := s
			a.Comment = nil
			out = append(out, a)
		}
	}
	return out
}

// carry prefixes steps with the build args in scope when they need them.
func carry(scope, steps []spec.Step) []spec.Step {
	if len(scope) == 0 || !needsArgs(steps) {
		return steps
	}
	c := append([]spec.Step(nil), scope...)
	c[0].Comment = []string{"dockstage migrate: build args of the stages above (an ARG's scope ends with its stage)"}
	return append(c, steps...)
}

func (m *migrator) assemble() (*spec.Spec, error) {
	o := m.orig
	out := &spec.Spec{
		Version: o.Version, Name: o.Name, Directives: o.Directives, Comment: o.Comment, Args: o.Args,
		TrailingComment: o.TrailingComment, Pos: o.Pos,
	}
	out.Stages = append(out.Stages, o.Stages[:len(o.Stages)-1]...)
	var base, src, test, prod, toProd []spec.Step
	var wbase, wsrc []spec.Step // the wheels stage's chain
	for i, it := range m.items {
		switch {
		case it.toProd:
			s := it.step
			if it.execForm != nil {
				s = *it.execForm
			}
			toProd = append(toProd, s)
		case i < m.srcStart:
			if !it.dropped {
				base = append(base, it.stepOrRewritten())
			}
			wbase = append(wbase, m.wheelStep(it))
		case it.blockMove:
		case it.test:
			test = append(test, it.step)
		case i >= m.srcEnd:
			s := it.step
			if it.execForm != nil {
				s = *it.execForm
			}
			prod = append(prod, s)
		default:
			s := it.step
			if it.rewritten != nil {
				s = *it.rewritten
			}
			if it.testRun != nil {
				test = append(test, *it.testRun)
			}
			if !it.dropped {
				src = append(src, s)
			}
			wsrc = append(wsrc, m.wheelStep(it))
		}
	}
	if len(m.manifestCopies) > 0 {
		base = append(base, m.manifestCopies...)
		wbase = append(wbase, m.manifestCopies...)
		for _, it := range m.items {
			if it.blockMove {
				base = append(base, it.stepOrRewritten())
				wbase = append(wbase, m.wheelStep(it))
			}
		}
	}
	if len(test) > 0 {
		test = append(append([]spec.Step(nil), m.testPrep...), test...)
	}
	prod = append(append(append([]spec.Step(nil), m.prodPrep...), toProd...), prod...)
	scopeBase := argSteps(base)
	scopeSrc := append(append([]spec.Step(nil), scopeBase...), argSteps(src)...)
	f := m.final
	if m.wheelsPlan != nil {
		out.Stages = append(out.Stages, m.wheelsStage(append(wbase, wsrc...)))
	}
	out.Stages = append(out.Stages,
		&spec.Stage{Name: StageBase, Comment: f.Comment, From: f.From, Platform: f.Platform, Steps: base, Pos: f.Pos, FromPos: f.FromPos},
		&spec.Stage{Name: StageSrc, From: StageBase, Steps: carry(scopeBase, src), Pos: f.Pos},
	)
	if len(test) > 0 {
		out.Stages = append(out.Stages, &spec.Stage{Name: StageTest, From: StageSrc, Steps: carry(scopeSrc, test), Pos: f.Pos})
	}
	prodStage := &spec.Stage{Name: StageProd, From: StageSrc, Steps: carry(scopeSrc, prod), Pos: f.Pos}
	m.baseSteps = base
	if plan := m.slimProd(scopeSrc, prod, prodStage); plan != nil {
		m.slim = plan
		if plan.build != nil {
			out.Stages = append(out.Stages, plan.build)
		}
		prodStage = plan.prod
		if plan.arg != "" {
			img := plan.defaultImage
			out.Args = append(append(spec.KVList(nil), out.Args...), spec.KV{Key: plan.arg, Value: &img, Pos: f.Pos})
		}
	}
	out.Stages = append(out.Stages, prodStage)
	out.Dockerignore = true         // the report says what the block keeps out (contextChange)
	for _, st := range out.Stages { // steps moved between stages: a new layout, no imported blank lines
		for i := range st.Steps {
			st.Steps[i].BlankBefore = false
		}
	}
	out.Compose = &spec.Compose{Ports: m.ports()}
	if m.slim != nil && m.slim.ports != nil {
		out.Compose.Ports = m.slim.ports
	}
	if n := f.Name; n != "" && !f.Anonymous && !strings.EqualFold(n, StageProd) {
		m.changes = append(m.changes, Change{
			Kind:    ChangeStageRenamed,
			Summary: fmt.Sprintf("stage %s is now prod", n),
			Lines:   []int{f.Pos.Line},
			Detail:  fmt.Sprintf("the last stage was named %s; its build is now the prod target (its first steps are base's), so `docker build --target %s` and the compose, bake or CI files that name target %s no longer find it: use --target prod.", n, n, n),
		})
	}
	return out, nil
}

// canonicalPorts writes a port or a range of ports in plain decimal
// ("+010" is port 10 for BuildKit).
func canonicalPorts(p string) (string, bool) {
	lo, hi, isRange := strings.Cut(p, "-")
	var out []string
	for _, n := range []string{lo, hi}[:map[bool]int{false: 1, true: 2}[isRange]] {
		x, err := strconv.Atoi(n)
		if err != nil || x < 1 || x > 65535 {
			return "", false
		}
		out = append(out, strconv.Itoa(x))
	}
	return strings.Join(out, "-"), true
}

// ports maps the EXPOSEd ports to compose port mappings on the same host
// port.
func (m *migrator) ports() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range m.items {
		for _, e := range it.step.Expose {
			if strings.Contains(e, "$") {
				m.notes = append(m.notes, Note{Line: it.line, Msg: fmt.Sprintf("EXPOSE %s uses a variable; compose.yaml does not publish it", e)})
				continue
			}
			port, proto, _ := strings.Cut(strings.ToLower(e), "/")
			port, ok := canonicalPorts(port)
			if !ok {
				m.notes = append(m.notes, Note{Line: it.line, Msg: fmt.Sprintf("EXPOSE %s: compose.yaml does not publish it (not a port or a range of ports)", e)})
				continue
			}
			mapping := port + ":" + port
			if proto != "" && proto != "tcp" {
				mapping += "/" + proto
			}
			if !seen[mapping] {
				seen[mapping] = true
				out = append(out, mapping)
			}
		}
	}
	return out
}

// stepOrRewritten is the step as the prod chain has it.
func (it *item) stepOrRewritten() spec.Step {
	if it.rewritten != nil {
		return *it.rewritten
	}
	return it.step
}
