package transpile

import (
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// FuzzMaybeDirective checks that BuildKit's DirectiveParser finds no
// directive (and no error) in a line maybeDirective rejects.
func FuzzMaybeDirective(f *testing.F) {
	for _, s := range []string{"# syntax=docker/dockerfile:1", "#escape = `", "# check=skip=all", "# Copyright 2024", "#\tx1=y", "# 1=2", "FROM x", "#", "# a =", "# é=1", "# A\v=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if maybeDirective(line) {
			return
		}
		var dp parser.DirectiveParser
		if d, err := dp.ParseLine([]byte(line)); d != nil || err != nil {
			t.Fatalf("maybeDirective(%q) is false, ParseLine: %v, %v", line, d, err)
		}
	})
}
