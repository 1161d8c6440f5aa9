package migrate

import (
	"fmt"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// The production dependencies phase: when the install (npm, yarn, pnpm,
// bun, poetry, uv) brings the development dependencies and nothing but the
// checks needs them, the prod chain installs the production dependencies
// only and the test stage installs the rest.

// ChangeProdDeps: the install of the prod build leaves the development
// dependencies out; the test stage installs them.
const ChangeProdDeps = "prod-deps"

// devDepsNote begins the notes on an install that brings the development
// dependencies into prod.
const devDepsNote = "the install brings the development dependencies into prod"

// prodDeps rewrites the dependency install of the prod chain with its
// production-only flag (ecosystem.Classified.ProdFlag) when every other
// build step of the chain is a copy or a check: then only the checks,
// in the test stage, used the development dependencies.
func (m *migrator) prodDeps() {
	var target *item
	var flag string
	var writes []string
	prodEnv := false
	for i, it := range m.items {
		if e := it.step.Env; e != nil {
			for _, kv := range e {
				prodEnv = prodEnv || kv.Key == "NODE_ENV" && kv.Value != nil && *kv.Value == "production"
			}
		}
		if c := contextCopy(it.step); c != nil && target != nil && it != target {
			for _, d := range writes {
				if m.ctx.Has(d) && ecosystem.CopiedBy(d, c.Src) {
					m.notes = append(m.notes, Note{Line: target.line, Msg: fmt.Sprintf(devDepsNote+": the build context holds %s, which the copy of line %d lays over what the install writes there, so prod would hold the local packages whatever the install leaves out; add %s to .dockerignore and migrate again", d, it.line, d)})
					return
				}
			}
		}
		if it.test || it.run == nil || it.toProd {
			continue
		}
		for _, info := range it.run.infos {
			if info.Role == ecosystem.RoleInstall && info.ProdFlag != "" && target == nil && !prodEnv {
				if it.rewritten != nil || it.step.Run.Command.Exec || len(it.run.segs) != 1 {
					m.notes = append(m.notes, Note{Line: it.line, Msg: devDepsNote + ": it is not a RUN of the install alone, so it is left as it is"})
					return
				}
				target, flag, writes = it, info.ProdFlag, info.Writes
			}
		}
		if target != nil && it != target && i >= m.srcStart {
			for k, info := range it.run.infos {
				v := it.run.segs[k].Values()
				prune := len(v) > 1 && v[0] == "npm" && v[1] == "prune"
				if info.Role != ecosystem.RoleNeutral && info.Role != ecosystem.RoleTest && !prune {
					if buildScript(v) && onlyChecksBut(it.run, k) {
						m.devBuild = &devBuild{install: target, flag: flag, build: it}
					}
					m.notes = append(m.notes, Note{Line: target.line, Msg: fmt.Sprintf(devDepsNote+": line %d (%s) may need them, so prod keeps them; a build stage would hold them instead", it.line, m.describeLine(it.line))})
					return
				}
			}
		}
	}
	if target == nil {
		return
	}
	run := *target.step.Run
	seg := target.run.segs[0]
	text := run.Command.Shell
	run.Command.Shell = text[:seg.End()] + " " + flag + text[seg.End():]
	rw := target.step
	rw.Run = &run
	rw.Comment = append(append([]string(nil), target.step.Comment...), "dockstage migrate: "+flag+" added; the test stage installs the development dependencies")
	target.rewritten = &rw
	target.note = "rewritten: " + flag
	if m.hasTests() {
		orig := *target.step.Run
		m.testPrep = append(m.testPrep, spec.Step{Run: &orig, Pos: target.step.Pos, Comment: []string{"dockstage migrate: the development dependencies, for the checks (prod has the production ones only)"}})
	}
	m.changes = append(m.changes, Change{
		Kind:    ChangeProdDeps,
		Summary: "prod installs the production dependencies only",
		Lines:   []int{target.line},
		Detail: fmt.Sprintf("`%s` installed the development dependencies too, which only the checks use; the prod build now runs it with %s%s.",
			segText(text, seg), flag, map[bool]string{true: " and the test stage runs the full install before the checks", false: ""}[m.hasTests()]),
		Caveats: []string{"a package the app requires at run time but the manifest lists as a development dependency is no longer in prod: move it to the main dependencies"},
		removed: []spec.Step{target.step},
		added:   []spec.Step{rw},
	})
}

// hasTests reports whether the test stage has steps.
func (m *migrator) hasTests() bool {
	for _, it := range m.items {
		if it.test || it.testRun != nil {
			return true
		}
	}
	return false
}

// devBuild is a node build that needs the development dependencies (npm
// run build after a full install): slimnode.go may give prod the
// production dependencies and the build's output.
type devBuild struct {
	install, build *item
	flag           string
}

// buildScript reports whether v runs the package's build script (npm run
// build, yarn build, pnpm build, pnpm run build, bun run build).
func buildScript(v []string) bool {
	switch {
	case len(v) == 3 && (v[0] == "npm" || v[0] == "pnpm" || v[0] == "yarn" || v[0] == "bun") && (v[1] == "run" || v[1] == "run-script") && v[2] == "build":
		return true
	case len(v) == 2 && (v[0] == "yarn" || v[0] == "pnpm") && v[1] == "build":
		return true
	}
	return false
}

// onlyChecksBut reports whether every command of a RUN but the k-th is a
// check (which the split moved to the test stage).
func onlyChecksBut(r *runInfo, k int) bool {
	for i, info := range r.infos {
		if i != k && info.Role != ecosystem.RoleTest {
			return false
		}
	}
	return true
}
