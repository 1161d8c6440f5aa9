package transpile

import (
	"sort"
	"strings"

	"github.com/dockstage/dockstage/spec"
)

// Dockerignore is the model of the generated part of .dockerignore.
type Dockerignore struct {
	// AllowList is true when every read of the build context (a local
	// COPY/ADD source, a RUN bind mount's source) is a known path: the file
	// then ignores everything ("*") and re-includes them.
	AllowList bool
	// Patterns in order (re-includes start with "!").
	Patterns []string
}

// generatedFiles are files dockstage writes beside the Dockerfile, and the
// copy of the original Dockerfile migrate's report suggests
// (Dockerfile.orig); no build needs them in its context.
var generatedFiles = []string{"compose.yaml", "compose.dev.yaml", "docker-bake.hcl", "Dockerfile", ".dockerignore", "dockstage.yaml", "migrate-report.txt", "Dockerfile.orig"}

// alwaysIgnored are ignored unless a COPY/ADD names them: version control
// and local env files, which hold secrets.
var alwaysIgnored = []string{".git", ".env", ".env.local", ".env.*.local"}

// forwardDockerignore derives .dockerignore patterns from every read of
// the build context (ContextReads): the local COPY and ADD sources and the
// sources of RUN bind mounts. When every read is a known path it writes an
// allow list; when any takes the whole context (a source "." or a pattern
// at its root, a variable, a bind mount without source) it writes a deny
// list of version control, local env files and dockstage's own outputs. A
// path the build reads is never ignored.
func forwardDockerignore(s *spec.Spec) *Dockerignore {
	var sources []string
	whole := false
	for _, r := range ContextReads(s) {
		if r.Whole() {
			whole = true
			continue
		}
		sources = append(sources, reinclude(r.Path))
	}
	named := map[string]bool{}
	for _, src := range sources {
		named[src] = true
	}
	m := &Dockerignore{}
	if !whole && len(sources) > 0 {
		m.AllowList = true
		m.Patterns = append(m.Patterns, "*")
		sort.Strings(sources)
		seen := map[string]bool{}
		for _, src := range sources {
			if !seen[src] {
				seen[src] = true
				m.Patterns = append(m.Patterns, "!"+src)
			}
		}
		return m
	}
	for _, p := range append(append([]string{}, alwaysIgnored...), generatedFiles...) {
		if !named[p] {
			m.Patterns = append(m.Patterns, p)
		}
	}
	return m
}

// isRemote reports whether an ADD source is a URL or a git repository.
func isRemote(src string) bool {
	for _, p := range []string{"http://", "https://", "git@", "git://", "ssh://"} {
		if strings.HasPrefix(src, p) {
			return true
		}
	}
	return false
}

// Bake is the model of docker-bake.hcl: one target per stage worth
// building on its own, and a default group.
type Bake struct {
	Context    string
	Dockerfile string
	Args       []KeyValue
	Targets    []BakeTarget
	// Default lists the targets of the default group.
	Default []string
}

// BakeTarget is one bake target building a stage.
type BakeTarget struct {
	Name   string
	Target string
	Tags   []string
}

// forwardBake makes a bake target for the test and prod stages (and the
// compose targets), tagged NAME:TARGET, and, when there is no prod stage,
// for the last stage (the Dockerfile's default build; "default-target"
// tagged NAME:latest when it has no name); the default group builds them
// all, so `docker buildx bake` runs the tests and builds prod.
func forwardBake(s *spec.Spec) *Bake {
	b := &Bake{Context: ".", Dockerfile: "Dockerfile"}
	if s.Compose != nil {
		if s.Compose.Context != "" {
			b.Context = s.Compose.Context
		}
		if s.Compose.Dockerfile != "" {
			b.Dockerfile = s.Compose.Dockerfile
		}
		b.Args = kvs(s.Compose.BuildArgs)
	}
	want := []string{"test", spec.DefaultTarget}
	if s.Compose != nil && s.Compose.Target != "" {
		want = append(want, s.Compose.Target)
	}
	seen := map[string]bool{}
	for _, w := range want {
		for _, st := range s.Stages {
			if st.Anonymous || !strings.EqualFold(st.Name, w) || seen[strings.ToLower(st.Name)] {
				continue
			}
			seen[strings.ToLower(st.Name)] = true
			name := strings.ToLower(st.Name)
			b.Targets = append(b.Targets, BakeTarget{Name: name, Target: st.Name, Tags: []string{s.Name + ":" + name}})
			b.Default = append(b.Default, name)
		}
	}
	// With no prod stage, the default build of the Dockerfile is its last
	// stage: it is a target too (an imported file's final stage, often
	// unnamed), after the test stage.
	if last := s.Stages[len(s.Stages)-1]; !seen[strings.ToLower(spec.DefaultTarget)] && (last.Anonymous || !seen[strings.ToLower(last.Name)]) {
		t := BakeTarget{Name: "default-target", Tags: []string{s.Name + ":latest"}}
		if !last.Anonymous {
			t.Name = strings.ToLower(last.Name)
			t.Target = last.Name
			t.Tags = []string{s.Name + ":" + t.Name}
		}
		b.Targets = append(b.Targets, t)
		b.Default = append(b.Default, t.Name)
	}
	return b
}
