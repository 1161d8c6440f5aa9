package spec

import "testing"

// TestFieldPath checks a path's text, past the parts it holds unfolded too.
func TestFieldPath(t *testing.T) {
	p := pathOf("stages.build").item("steps", 2).dot("onbuild").dot("run").item("mounts", 0)
	for _, c := range []struct {
		p    fieldPath
		want string
	}{
		{pathOf("args"), "args"},
		{pathOf("comment").at(1), "comment[1]"},
		{p, "stages.build.steps[2].onbuild.run.mounts[0]"},
		{p.plus(" comment"), "stages.build.steps[2].onbuild.run.mounts[0] comment"},
		{p.dot("type").item("x", 3).dot("y"), "stages.build.steps[2].onbuild.run.mounts[0].type.x[3].y"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
	if !pathOf("x").dot("env").field("env") || pathOf("x").item("env", 0).field("env") || !pathOf("a.label").field("label") {
		t.Error("field")
	}
}
