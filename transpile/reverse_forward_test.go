package transpile

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestReverseForward checks that ReverseForward gives what Reverse then
// Forward give, on every import golden and negative case.
func TestReverseForward(t *testing.T) {
	files, _ := filepath.Glob("testdata/import*/*/Dockerfile")
	if len(files) == 0 {
		t.Fatal("no Dockerfiles under testdata/import*")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, out, warns, err := ReverseForward(f, src, ReverseOptions{}, ForwardOptions{})
		s2, warns2, err2 := Reverse(f, src, ReverseOptions{})
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() || !reflect.DeepEqual(warns, warns2) {
			t.Fatalf("%s: ReverseForward errors %v and warnings %v; Reverse: %v, %v", f, err, warns, err2, warns2)
		}
		if err != nil {
			if s != nil || out != nil {
				t.Errorf("%s: ReverseForward failed and returned a spec or output", f)
			}
			continue
		}
		out2, err := Forward(s2)
		if err != nil {
			t.Fatalf("%s: Forward: %v", f, err)
		}
		if !reflect.DeepEqual(s, s2) || !reflect.DeepEqual(out, out2) {
			t.Errorf("%s: ReverseForward differs from Reverse then Forward", f)
		}
	}
}
