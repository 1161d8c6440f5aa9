package transpile

import (
	"reflect"
	"testing"
)

// TestBakeTargets: bake's default group builds the test stage and prod;
// with no prod stage, the Dockerfile's default build (its last stage,
// "default-target" when unnamed) is a target after the test stage.
func TestBakeTargets(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"test and prod", "FROM alpine AS base\nFROM base AS test\nRUN true\nFROM base AS prod\n", []string{"test", "prod"}},
		{"test and an unnamed last stage", "FROM golang AS build\nFROM build AS test\nRUN go test\nFROM alpine\nCOPY --from=build /x /x\n", []string{"test", "default-target"}},
		{"test and a named last stage", "FROM golang AS build\nFROM build AS test\nRUN go test\nFROM alpine AS runtime\n", []string{"test", "runtime"}},
		{"test is the last stage", "FROM golang AS build\nFROM build AS test\nRUN go test\n", []string{"test"}},
		{"one unnamed stage", "FROM alpine\nRUN true\n", []string{"default-target"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, out, _, err := ReverseForward("Dockerfile", []byte(tc.src), ReverseOptions{}, ForwardOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out.Bake.Default, tc.want) {
				t.Errorf("default group %q, want %q", out.Bake.Default, tc.want)
			}
		})
	}
}
