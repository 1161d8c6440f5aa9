package migrate

import (
	"fmt"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// The split phase: give each step of the last stage a role and find the
// source copy and the prod tail; split drives the later phases.

func (m *migrator) split() {
	for _, st := range m.final.Steps {
		it := &item{step: st, line: st.Pos.Line}
		if st.Run != nil {
			it.run = m.classifyRun(st)
			m.runEcosystems(&m.ecos, st)
		}
		m.items = append(m.items, it)
	}
	m.detectEcosystems()
	n := len(m.items)
	m.sourceCopy = n
	for i, it := range m.items {
		if isSourceCopy(it.step) {
			m.sourceCopy = i
			break
		}
	}
	// An early COPY of a few files (patches, a script, a config file)
	// before a later copy of the whole context is set-up, not the source:
	// the installs after it stay in base.
	if m.sourceCopy < n && !copiesContext(m.items[m.sourceCopy].step) {
		for i := m.sourceCopy + 1; i < n; i++ {
			if r := m.items[i].run; r != nil && (r.class == runTest || r.class == runMixedTest || r.class == runImplicitTest) {
				break // tests of the early files: they are the source
			}
			if copiesContext(m.items[i].step) {
				m.sourceCopy = i
				break
			}
		}
	}
	m.prodStart = n
	for m.prodStart > 0 && isConfig(m.items[m.prodStart-1].step) {
		m.prodStart--
	}
	if m.prodStart < m.sourceCopy {
		m.sourceCopy = n // no source copy before the tail: nothing to reorder
	}
	m.srcStart = min(m.sourceCopy, m.prodStart)
	m.moveConfig()
	m.markTests()
	m.reorder()
	m.implicitTests()
	m.prodDeps()
	m.devReqs()
	m.wheels()
	m.srcEnd = m.prodStart
	for i := m.prodStart - 1; i >= m.srcStart; i-- {
		if it := m.items[i]; it.test || it.rewritten != nil {
			m.srcEnd = i + 1
			break
		}
	}
	m.testsOut()
	for _, it := range m.items[m.srcEnd:m.prodStart] {
		if !it.test && !it.blockMove && !it.toProd && it.note == "" {
			it.note = "after the tests: prod builds it"
		}
	}
	m.execForms()
}

func toolOf(info ecosystem.Classified) string {
	if info.Role == ecosystem.RoleTest {
		switch info.Tool {
		case "npm", "yarn", "pnpm", "bun", "go", "cargo", "dotnet", "maven", "gradle", "bundler", "composer", "poetry", "pipenv":
			return info.Tool
		}
		return "" // a check tool (pytest, eslint, make) is not the project's manager
	}
	switch info.Tool {
	case "pytest", "py.test", "unittest", "tox", "nox", "django", "jest", "mocha", "vitest", "node", "corepack", "gem", "rspec", "rake", "rails", "phpunit":
		return ""
	}
	return info.Tool
}

func (m *migrator) detectEcosystems() {
	m.ecos.AddImage(m.expandFrom(), fmt.Sprintf("%s:%d", m.opts.File, m.final.Pos.Line), m.final.From)
	m.builders = m.builderToolchains()
	for _, b := range m.builders {
		for _, e := range b.ecos.List() {
			for _, ev := range e.Evidence {
				m.ecos.Add(ecosystem.Ecosystem(e.Name), e.Tool, ev)
			}
		}
	}
	m.ecos.AddContext(m.ctx)
}

// toolchain is what a stage of the original holds for a test run: the
// ecosystems its image and its RUNs show (FROM an earlier stage, that
// stage's too), and whether it copied the source from the build context.
type toolchain struct {
	ecos   ecosystem.FoundSet
	source bool
}

// runEcosystems notes in set the ecosystems the RUN step s shows.
func (m *migrator) runEcosystems(set *ecosystem.FoundSet, s spec.Step) {
	if s.Run == nil {
		return
	}
	for _, info := range m.classifyRun(s).infos {
		if info.Ecosystem != "" && info.Role != ecosystem.RoleNeutral {
			tool := toolOf(info)
			if info.Role == ecosystem.RoleToolSetup {
				tool = "" // installing poetry with pip does not make pip the tool
			}
			set.Add(info.Ecosystem, tool, fmt.Sprintf("%s:%d: %s", m.opts.File, s.Pos.Line, info.What))
		}
	}
}

// builderToolchains is the toolchain of each stage before the last, in
// order.
func (m *migrator) builderToolchains() []*toolchain {
	stages := m.orig.Stages[:len(m.orig.Stages)-1]
	out := make([]*toolchain, len(stages))
	for i, st := range stages {
		t := &toolchain{}
		if j := m.orig.StageIndex(st.From, i); j >= 0 && j < i {
			for _, e := range out[j].ecos.List() {
				for _, ev := range e.Evidence {
					t.ecos.Add(ecosystem.Ecosystem(e.Name), e.Tool, ev)
				}
			}
			t.source = out[j].source
		} else {
			img := st.From
			if x, ok := m.orig.ExpandFrom(st.From); ok {
				img = x
			}
			t.ecos.AddImage(img, fmt.Sprintf("%s:%d", m.opts.File, st.Pos.Line), st.From)
		}
		for _, s := range st.Steps {
			m.runEcosystems(&t.ecos, s)
			t.source = t.source || isSourceCopy(s)
		}
		out[i] = t
	}
	return out
}

// expandFrom is the last stage's image with the global build args'
// defaults substituted as BuildKit expands FROM (spec.Spec.ExpandFrom); as
// written when it is known only at build time.
func (m *migrator) expandFrom() string {
	if img, ok := m.orig.ExpandFrom(m.final.From); ok {
		return img
	}
	return m.final.From
}

// moveConfig moves ONBUILD (a FROM <stage> would run its triggers) and,
// when an ENTRYPOINT in a later stage would reset a CMD set earlier,
// CMD and ENTRYPOINT from base and src to prod.
func (m *migrator) moveConfig() {
	lastEntrypoint, firstCmd := -1, -1
	for i, it := range m.items {
		switch it.step.Keyword() {
		case "ENTRYPOINT":
			lastEntrypoint = i
		case "CMD":
			if firstCmd < 0 {
				firstCmd = i
			}
		}
	}
	moveCmds := firstCmd >= 0 && firstCmd < m.prodStart && lastEntrypoint > firstCmd
	var lines []int
	var moved []spec.Step
	first := -1
	for i, it := range m.items[:m.prodStart] {
		s := it.step
		kw := s.Keyword()
		if kw != "ONBUILD" && !(moveCmds && (kw == "CMD" || kw == "ENTRYPOINT")) {
			continue
		}
		if first < 0 {
			first = i
		}
		it.toProd = true
		it.note = "moved to prod"
		lines = append(lines, it.line)
	}
	if first >= 0 {
		// A move shows as the moved steps or as the steps they passed.
		for _, it := range m.items[first:m.prodStart] {
			moved = append(moved, it.step)
		}
	}
	m.change(Change{
		Kind:    ChangeConfigMoved,
		Summary: "image configuration moved to the prod stage",
		Lines:   lines,
		Detail:  "ONBUILD triggers would run in the next stage if they stayed in base or src, and an ENTRYPOINT resets a CMD set in an earlier stage; these instructions only set the image configuration, so prod gets them in the same order.",
		moved:   moved,
	})
}

// change records c when it names a line: a phase that moved nothing
// changes nothing.
func (m *migrator) change(c Change) {
	if len(c.Lines) > 0 {
		m.changes = append(m.changes, c)
	}
}
