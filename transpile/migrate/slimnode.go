package migrate

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// The slim prod of a node build that needs the development dependencies
// (a full install, then npm run build): when the command prod runs is
// `node DIR/FILE` (directly or through the start script) and DIR is not
// in the build context (the build writes it), prod starts again from the
// original image with base's steps before the install, installs the
// production dependencies only (the install with its production flag) and
// receives DIR from the build through COPY --from; the full install and
// the source stay in the build stages.

// slimNode plans that prod; nil, with a note saying why, when the build's
// output is not known with confidence.
func (m *migrator) slimNode(scope, prod []spec.Step, kept *spec.Stage, argv []string, wd string) *slimPlan {
	db := m.devBuild
	why := func(format string, args ...any) *slimPlan {
		m.notes = append(m.notes, Note{Line: db.build.line, Msg: "prod keeps the development dependencies: " + fmt.Sprintf(format, args...)})
		return nil
	}
	entry, _, ok := ecosystem.RunsScript(argv, m.ctx)
	if !ok {
		entry = argv
	}
	file := ""
	if len(entry) >= 2 && path.Base(entry[0]) == "node" {
		for _, a := range entry[1:] {
			if !strings.HasPrefix(a, "-") {
				file = a
				break
			}
		}
	}
	file = strings.TrimPrefix(file, "./")
	dir, _, nested := strings.Cut(file, "/")
	switch {
	case file == "" || strings.ContainsAny(file, "$*?"):
		return why("the command prod runs (%s) is not `node FILE`, so which files the build leaves for it is not known", strings.Join(argv, " "))
	case !nested || path.IsAbs(file) || dir == "..":
		return why("the file prod runs (%s) is not in a directory of its own, so the build's output is not known", file)
	case m.ctx.HasDir(dir):
		return why("the file prod runs (%s) is in %s/, which the build context has: it is not only the build's output", file, dir)
	case wd == "":
		return why("the build runs in the base image's working directory (no WORKDIR)")
	}
	// base's steps before the install, then the install with its flag
	k := -1
	for i, s := range m.baseSteps {
		if s.Run != nil && s.Pos.Line == db.install.line {
			k = i
		}
	}
	if k < 0 {
		return why("the install (line %d) runs after the source copy, so prod would need the source to install", db.install.line)
	}
	plan, config := m.buildStage(scope, prod, kept, "", "")
	if needsArgs(config) {
		return why("the prod configuration expands a variable")
	}
	from := plan.from()
	var steps []spec.Step
	for _, s := range m.baseSteps[:k] {
		s.Comment = nil
		steps = append(steps, s)
	}
	if len(steps) > 0 {
		steps[0].Comment = []string{"dockstage migrate: prod starts again from the original image: base's steps, the production dependencies and the build's output"}
	}
	run := *db.install.step.Run
	seg := db.install.run.segs[0]
	text := run.Command.Shell
	run.Command.Shell = text[:seg.End()] + " " + db.flag + text[seg.End():]
	steps = append(steps, spec.Step{Run: &run, Pos: db.install.step.Pos, Comment: []string{"dockstage migrate: the production dependencies only (" + db.flag + ")"}})
	out := path.Join(wd, dir)
	steps = append(steps, spec.Step{Copy: &spec.Copy{From: from, Src: []string{out + "/"}, Dest: out + "/"}, Pos: m.final.Pos, Comment: []string{"dockstage migrate: the build's output"}})
	copied := []string{dir + "/"}
	for _, d := range runtimeDirs {
		if m.ctx.HasDir(d) && d != dir {
			copied = append(copied, d+"/")
			steps = append(steps, spec.Step{Copy: &spec.Copy{From: from, Src: []string{path.Join(wd, d) + "/"}, Dest: path.Join(wd, d) + "/"}, Pos: m.final.Pos})
		}
	}
	steps = append(steps, config...)
	f := m.final
	plan.prod = &spec.Stage{Name: StageProd, From: f.From, Platform: f.Platform, Steps: steps, Pos: f.Pos}
	notes := m.notes[:0]
	for _, n := range m.notes {
		if !strings.HasPrefix(n.Msg, devDepsNote) {
			notes = append(notes, n)
		}
	}
	m.notes = notes
	m.changes = append(m.changes, Change{
		Kind:    ChangeSlimProd,
		Summary: "prod installs the production dependencies only and receives the build's output",
		Lines:   []int{db.install.line, db.build.line},
		Detail: fmt.Sprintf("`%s` (line %d) needs the development dependencies that `%s` (line %d) installs, and prod runs %s from %s/, which that build writes; prod now starts again FROM %s with base's steps before the install, runs the install with %s, and receives %s through COPY --from=%s, so the development dependencies and the source stay in the build stages. Keep prod on src with --keep-prod-base. The proof compares the build as the prod it replaces (FROM src, the same steps).",
			m.describeLine(db.build.line), db.build.line, segText(text, seg), db.install.line, file, out, f.From, db.flag, strings.Join(copied, ", "), from),
		Caveats: []string{
			"files the app reads at run time from the source tree are not in prod unless copied (copied: " + strings.Join(copied, ", ") + "); add a COPY --from=" + from + " for each",
			"a package the app requires at run time but the manifest lists as a development dependency is no longer in prod: move it to the main dependencies",
		},
	})
	return plan
}
