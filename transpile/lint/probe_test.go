package lint
import (
	"os"
	"testing"
	"strings"
	"path/filepath"
)
func TestProbe(t *testing.T) {
	seed, _ := os.ReadFile("/work/shared/seed/000_e2a3a72a61077821.txt")
	s := string(seed)
	i := strings.Index(s, "```Dockerfile\n")
	s = s[i+len("```Dockerfile\n"):]
	s = s[:strings.Index(s, "```")]
	var b strings.Builder
	WriteText(&b, Dockerfile("Dockerfile", []byte(s), Options{Context: &BuildContext{}}), TextOptions{NoFix: true})
	t.Log("\n" + b.String())
	paths, _ := filepath.Glob("../../examples/*/dockstage.yaml")
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		b.Reset()
		WriteText(&b, Spec(p, data, Options{Context: &BuildContext{Dockerignore: true}}), TextOptions{NoFix: true})
		d, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "Dockerfile"))
		WriteText(&b, Dockerfile(filepath.Join(filepath.Dir(p), "Dockerfile"), d, Options{Context: &BuildContext{Dockerignore: true}}), TextOptions{NoFix: true})
		t.Log(p, "\n"+b.String())
	}
}
