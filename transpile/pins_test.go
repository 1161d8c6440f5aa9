package transpile

import (
	"reflect"
	"testing"

	"github.com/dockstage/dockstage/spec"
)

func TestForwardWithPins(t *testing.T) {
	const text = `version: 1
name: svc
args: {IMG: "alpine:3", OTHER: "x"}
stages:
  base:
    from: ${IMG}
  tools:
    from: busybox:1
  prod:
    from: base
    steps:
      - copy: {from: busybox:1, src: [/bin/sh], dest: /sh}
      - copy: {from: tools, src: [/a], dest: /a}
      - run: {command: make, mounts: [{type: bind, from: busybox:1, target: /b}, {type: cache, target: /c}]}
`
	sp, err := spec.Load("dockstage.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	const pin = "busybox:1@sha256:0000000000000000000000000000000000000000000000000000000000000000"
	opts := ForwardOptions{Pins: map[string]string{"busybox:1": pin, "tools": "never"}, ArgPins: map[string]string{"IMG": "alpine:3@sha256:1"}}
	plain, err := Forward(sp)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := spec.Load("dockstage.yaml", []byte(text))
	out, err := ForwardWith(sp, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sp.Stages, before.Stages) {
		t.Error("ForwardWith changed the spec")
	}
	df := out.Dockerfile
	if got := *df.Args[0].KVs[0].Value; got != "alpine:3@sha256:1" {
		t.Errorf("ARG IMG = %q", got)
	}
	if got := *df.Args[1].KVs[0].Value; got != "x" {
		t.Errorf("ARG OTHER = %q", got)
	}
	if df.Stages[0].From.Words[0] != "${IMG}" || df.Stages[1].From.Words[0] != pin || df.Stages[2].From.Words[0] != "base" {
		t.Errorf("FROM words: %v %v %v", df.Stages[0].From.Words, df.Stages[1].From.Words, df.Stages[2].From.Words)
	}
	prod := df.Stages[2].Instructions
	if prod[0].Flags[0].Value != pin || prod[1].Flags[0].Value != "tools" || prod[2].Flags[0].Value != "type=bind,target=/b,from="+pin {
		t.Errorf("COPY/mount flags: %v %v %v", prod[0].Flags, prod[1].Flags, prod[2].Flags)
	}
	if !reflect.DeepEqual(plain, mustForward(t, sp)) {
		t.Error("Forward after ForwardWith differs from before")
	}
}

func mustForward(t *testing.T, sp *spec.Spec) *Output {
	t.Helper()
	out, err := ForwardWith(sp, ForwardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
