package migrate

import (
	"testing"

	"github.com/dockstage/dockstage/transpile/shell"
)

// The split keeps every other word of the pip command as written: the
// prod chain's install drops the test -r arguments, the test stage's the
// runtime ones.
func TestDropReqArgs(t *testing.T) {
	for _, tc := range []struct{ text, prod, test string }{
		{"pip install -r requirements.txt -r requirements-test.txt", "pip install -r requirements.txt", "pip install -r requirements-test.txt"},
		{"pip install --no-cache-dir -r requirements.txt \\\n    -r requirements-dev.txt --upgrade", "pip install --no-cache-dir -r requirements.txt --upgrade", "pip install --no-cache-dir \\\n    -r requirements-dev.txt --upgrade"},
		{"pip install -r requirements.txt \\\n  -r requirements-dev.txt", "pip install -r requirements.txt", "pip install \\\n  -r requirements-dev.txt"},
		{"python -m pip install --requirement=requirements-test.txt -rrequirements.txt", "python -m pip install -rrequirements.txt", "python -m pip install --requirement=requirements-test.txt"},
		{`pip install -r "requirements.txt" -r 'requirements-test.txt'`, `pip install -r "requirements.txt"`, `pip install -r 'requirements-test.txt'`},
	} {
		seg := shell.Parse(tc.text, '\\').Commands[0]
		var dev, run []reqArg
		for _, a := range pipReqArgs(seg) {
			if a.file == "requirements.txt" {
				run = append(run, a)
			} else {
				dev = append(dev, a)
			}
		}
		if len(dev) != 1 || len(run) != 1 {
			t.Fatalf("%q: -r arguments %v, %v", tc.text, run, dev)
		}
		if got := dropArgs(tc.text, seg, dev); got != tc.prod {
			t.Errorf("%q: prod install %q, want %q", tc.text, got, tc.prod)
		}
		if got := dropArgs(tc.text, seg, run); got != tc.test {
			t.Errorf("%q: test install %q, want %q", tc.text, got, tc.test)
		}
	}
}
