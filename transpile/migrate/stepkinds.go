package migrate

import (
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	"github.com/dockstage/dockstage/transpile/shell"
)

// The step kinds phase: which steps are image configuration, which COPYs
// bring dependency manifests or the source, and what a RUN does
// (classifyRun, from its simple commands).

// isConfig reports whether a step only sets the image configuration:
// every instruction but COPY, ADD and RUN.
func isConfig(s spec.Step) bool {
	switch s.Keyword() {
	case "", "COPY", "ADD", "RUN":
		return false
	}
	return true
}

// contextCopy returns the COPY or ADD of a step when it copies from the
// build context (no --from, no URL, no heredoc).
func contextCopy(s spec.Step) *spec.Copy {
	c := s.Copy
	if c == nil {
		c = s.Add
	}
	if c == nil || c.From != "" || len(c.Heredocs) > 0 {
		return nil
	}
	for _, src := range c.Src {
		if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
			return nil
		}
	}
	return c
}

func isSourceCopy(s spec.Step) bool {
	c := contextCopy(s)
	if c == nil {
		return false
	}
	for _, src := range c.Src {
		if !ecosystem.IsManifest(src) {
			return true
		}
	}
	return false
}

// copiesContext reports whether a step copies the whole build context
// (COPY . DEST).
func copiesContext(s spec.Step) bool {
	c := contextCopy(s)
	if c == nil {
		return false
	}
	for _, src := range c.Src {
		if src == "." || src == "./" || src == "*" {
			return true
		}
	}
	return false
}

func (m *migrator) classifyRun(s spec.Step) *runInfo {
	r := s.Run
	ri := &runInfo{}
	if len(r.Heredocs) > 0 {
		return ri
	}
	for _, mt := range r.Mounts {
		if (mt.Type == "" || mt.Type == "bind") && mt.From == "" {
			return ri // reads the build context
		}
	}
	if r.Command.Exec {
		ri.segs = shell.Exec(r.Command.Args).Commands
	} else {
		ri.segs = shell.Parse(r.Command.Shell, m.orig.Escape()).Commands
	}
	count := map[ecosystem.Role]int{}
	house := 0
	for k, seg := range ri.segs {
		info := ecosystem.Classify(seg, m.ctx)
		if k > 0 && ri.infos[k-1].Role == ecosystem.RoleTest && seg.After == shell.OpOr && isTrueish(seg) {
			info = ecosystem.Classified{Role: ecosystem.RoleNeutral} // CHECK || true
		} else if c, ok := maskedCheck(ri.segs, k); ok {
			info = c
		}
		ri.infos = append(ri.infos, info)
		count[info.Role]++
		if info.Housekeeping {
			house++
		}
	}
	if count[ecosystem.RoleTestDeps] > 0 && house > 0 && count[ecosystem.RoleTestDeps]+count[ecosystem.RoleNeutral]+house == len(ri.segs) {
		// apt-get update && apt-get install python3-pytest && rm -rf /var/lib/apt/lists/*
		count[ecosystem.RoleOther] -= house
		count[ecosystem.RoleNeutral] += house
	}
	n := len(ri.segs)
	switch {
	case n == 0:
	case count[ecosystem.RoleTest] > 0 && count[ecosystem.RoleTest]+count[ecosystem.RoleTestDeps]+count[ecosystem.RoleNeutral] == n:
		ri.class = runTest
	case count[ecosystem.RoleTest] > 0:
		ri.class = runMixedTest
	case count[ecosystem.RoleImplicitTest] > 0:
		ri.class = runImplicitTest
	case count[ecosystem.RoleInstall] > 0 && count[ecosystem.RoleInstall]+count[ecosystem.RoleToolSetup]+count[ecosystem.RoleNeutral] == n:
		ri.class = runInstall
	case count[ecosystem.RoleTestDeps] > 0 && count[ecosystem.RoleTestDeps]+count[ecosystem.RoleNeutral] == n:
		ri.class = runTestDeps
	case count[ecosystem.RoleToolSetup] > 0 && count[ecosystem.RoleToolSetup]+count[ecosystem.RoleNeutral] == n:
		ri.class = runToolSetup
	case count[ecosystem.RoleNeutral] == n:
		ri.class = runNeutral
	}
	return ri
}

// maskedCheck classifies a check whose failure is ignored (flake8 . ||
// true) or whose output is redirected (go test ./... > test.log): a
// command that is plain but for these is the check it runs.
func maskedCheck(segs []shell.Command, k int) (ecosystem.Classified, bool) {
	seg := segs[k]
	probe := seg
	if seg.Op == shell.OpOr {
		if k+1 >= len(segs) || !isTrueish(segs[k+1]) {
			return ecosystem.Classified{}, false
		}
		probe.Op = shell.OpEnd
	}
	// a check whose output goes to a file or /dev/null is still a check
	probe.Redirected = false
	if !probe.Plain() || len(seg.Args()) == 0 || probe.Op == seg.Op && !seg.Redirected {
		return ecosystem.Classified{}, false
	}
	c := ecosystem.ClassifyArgs(seg.Values(), nil)
	return c, c.Role == ecosystem.RoleTest
}

// isTrueish reports whether a command always succeeds: true, :, exit 0
// or an echo, and ends its list or is joined on by && or ;.
func isTrueish(seg shell.Command) bool {
	v := seg.Values()
	if seg.Place != 0 || seg.Redirected || len(v) == 0 || seg.Op == shell.OpOr || seg.Op == shell.OpPipe {
		return false
	}
	return v[0] == "true" || v[0] == ":" || v[0] == "echo" || len(v) == 2 && v[0] == "exit" && v[1] == "0"
}
