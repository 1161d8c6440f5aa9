package spec

import (
	"reflect"
	"testing"
)

func TestStageReferences(t *testing.T) {
	s := &Spec{Stages: Stages{
		{Name: "base", From: "alpine"},
		{Name: "stage-1", From: "base", Anonymous: true},
		{Name: "Build", From: "BASE", Steps: []Step{{Copy: &Copy{From: "1"}}}},
		{Name: "prod", From: "scratch", Steps: []Step{
			{Copy: &Copy{From: "build"}},
			{Run: &Run{Mounts: []Mount{{From: "0"}, {From: "prod"}, {From: "nginx"}}}},
		}},
	}}
	for _, tt := range []struct {
		ref    string
		before int
		want   int
	}{
		{"base", 1, 0}, {"BASE", 3, 0}, {"base", 0, -1},
		{"stage-1", 3, -1}, // anonymous: no name
		{"1", 3, 1}, {"2", 2, -1}, {"-1", 3, -1},
		{"build", 2, -1}, {"build", 3, 2}, {"nginx", 4, -1},
	} {
		if got := s.StageRef(tt.ref, tt.before); got != tt.want {
			t.Errorf("StageRef(%q, %d) = %d, want %d", tt.ref, tt.before, got, tt.want)
		}
	}
	if got := s.StageIndex("1", 3); got != -1 {
		t.Errorf("StageIndex(\"1\", 3) = %d, want -1 (FROM takes names only)", got)
	}
	if got, want := s.Deps(3), []int{2, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Deps(3) = %v, want %v", got, want)
	}
	if got, want := s.Needs(3), []int{0, 1, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Needs(3) = %v, want %v", got, want)
	}
}

func TestStepKeyword(t *testing.T) {
	w := "/app"
	for _, tt := range []struct {
		step Step
		want string
	}{
		{Step{}, ""},
		{Step{Workdir: &w}, "WORKDIR"},
		{Step{Env: KVList{}}, "ENV"},
		{Step{OnBuild: &Step{Workdir: &w}}, "ONBUILD"},
		{Step{Run: &Run{}, Cmd: &Command{}}, "RUN"},
	} {
		if got := tt.step.Keyword(); got != tt.want {
			t.Errorf("Keyword() = %q, want %q", got, tt.want)
		}
	}
	refs := (&Step{Run: &Run{Mounts: []Mount{{Target: "/x"}, {From: "b"}}}}).References()
	if want := []Reference{{Flag: "RUN --mount from", From: "b"}}; !reflect.DeepEqual(refs, want) {
		t.Errorf("References() = %v, want %v", refs, want)
	}
}

func TestExpandFromAndChain(t *testing.T) {
	str := func(s string) *string { return &s }
	s := &Spec{
		Args: KVList{
			{Key: "DOCKER_VERSION", Value: str("24.0")},
			{Key: "DOCKER_CLI_VERSION", Value: str("${DOCKER_VERSION}")},
			{Key: "VARIANT", Value: str("alpine")},
			{Key: "VARIANT"}, // a repeat without default keeps the value (buildMetaArgs)
			{Key: "FLAVOR", Value: str("base-${TARGETARCH}")},
			{Key: "NODEF"},
			{Key: "LATER", Value: str("${AFTER}")}, // AFTER is declared below: empty here
			{Key: "AFTER", Value: str("x")},
		},
		Stages: Stages{
			{Name: "base-alpine", From: "alpine:3.20"},
			{Name: "build", From: "base-${VARIANT}"},
			{Name: "test", From: "build"},
			{Name: "pick", From: "${FLAVOR}"},
			{Name: "prod", From: "test"},
		},
	}
	for _, tt := range []struct {
		word, want string
		ok         bool
	}{
		{"cli:$DOCKER_CLI_VERSION", "cli:24.0", true},
		{"base-${VARIANT}", "base-alpine", true},
		{"plain", "plain", true},
		{"${FLAVOR}", "", false},       // uses TARGETARCH: known at build time only
		{"x:${NODEF}", "", false},      // no default
		{"x:${TARGETOS}", "", false},   // predefined platform arg
		{"x:${UNDECLARED}", "", false}, // undeclared
		{"x${LATER}", "x", true},
	} {
		got, ok := s.ExpandFrom(tt.word)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ExpandFrom(%q) = %q, %v; want %q, %v", tt.word, got, ok, tt.want, tt.ok)
		}
	}
	if got, want := s.Chain(4), []int{4, 2, 1, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Chain(4) = %v, want %v", got, want)
	}
	if got, want := s.Chain(3), []int{3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Chain(3) = %v, want %v (FROM ${FLAVOR} is known at build time only)", got, want)
	}
	if got, want := s.Deps(1), []int{0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Deps(1) = %v, want %v (FROM base-${VARIANT} is stage 0)", got, want)
	}
	// FROM x AS x is image x: a stage does not see its own name.
	self := &Spec{Stages: Stages{{Name: "scratch", From: "scratch"}}}
	if got := self.FromStage(0); got != -1 {
		t.Errorf("FromStage of FROM scratch AS scratch = %d, want -1", got)
	}
}
