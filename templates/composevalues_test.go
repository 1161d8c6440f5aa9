package templates

import (
	"strconv"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
)

// TestComposeValues: a value of any compose field either is a spec error
// or renders compose files that verify (compose-go, variables
// interpolated as compose does when it runs): never an internal error.
func TestComposeValues(t *testing.T) {
	vals := []string{"80", "8080:80", "0.0.0.0:80:80", "[::1]:80:80", "127.0.0.1::80", "80/udp", "80-81:80-81", "1:1/sctp", "${P}:80", "80:${P}", "a", "", "99999", ":80", "80:", "::80"}
	fields := map[string]string{
		"ports": "  ports: [%s]\n", "devports": "  dev:\n    ports: [%s]\n",
		"env": "  environment: {%s: x}\n", "envv": "  environment: {A: %s}\n",
		"args": "  build_args: {%s: x}\n", "service": "  service: %s\n", "image": "  image: %s\n",
		"context": "  context: %s\n", "dockerfile": "  dockerfile: %s\n", "command": "  command: %s\n", "devcommand": "  dev:\n    command: [%s]\n", "vol": "  volumes: [%s]\n", "cmdsh": "  command: %s\n",
	}
	extra := []string{"./${X}:/d", "${X}:/d", "a${b", "${", "$${x}", "${X:?}", "${X:-8080}:80", "${X?e}", "$1", "$ ", "${X-y}", "A B", "a=b", "-x", "x.y", "_a", "1a", "${X}", "é", "A:B", "#x", "x#", "'q'", "\"\"", "~", "null", "true", "[a]", "{}"}
	rendered := map[string]bool{}
	for name, f := range fields {
		for _, v := range append(append([]string{}, vals...), extra...) {
			src := "version: 1\nname: app\nstages:\n  src: {from: alpine}\n  prod: {from: src}\ncompose:\n" + strings.Replace(f, "%s", strconv.Quote(v), 1)
			s, err := spec.Load("d.yaml", []byte(src))
			if err != nil || spec.Validate(s) != nil {
				continue
			}
			out, err := transpile.Forward(s)
			if err != nil {
				continue
			}
			if _, err := Render(out, Options{Source: "d.yaml"}); err != nil {
				t.Errorf("%s=%q: %v", name, v, err)
			}
			rendered[name+"="+v] = true
		}
	}
	// variables compose sets when it runs are fine; text it cannot
	// interpolate is a spec error
	for k, want := range map[string]bool{"ports=${P}:80": true, "ports=${X:-8080}:80": true, "envv=${X}": true, "vol=./${X}:/d": true, "vol=${X}:/d": false, "ports=$${x}": false, "envv=a${b": false, "cmdsh=${": false, "vol=${X}": true} {
		if rendered[k] != want {
			t.Errorf("%s: rendered %v, want %v", k, rendered[k], want)
		}
	}
}
