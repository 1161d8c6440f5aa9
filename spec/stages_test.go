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
