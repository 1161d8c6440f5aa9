package lint
import (
	"testing"
	"github.com/dockstage/dockstage/templates"
)
func TestProbeCompose(t *testing.T) {
	for _, c := range []string{
		"services:\n  web:\n    image: x\n    ports:\n      - \"99999:80\"\n",
		"services:\n  web:\n    image: x\n    build:\n      context: .\n      targt: prod\n",
		"services:\n  web:\n    image: x\n    restart: sometimes\n",
		"services:\n  web:\n    image: [x\n",
		"services:\n  web:\n    imag: x\n",
		"servics:\n  web:\n    image: x\n",
		"services:\n  web:\n    image: x\n    environment: 3\n",
		"services:\n  web:\n    depends_on: [db]\n    image: x\n",
	} {
		t.Logf("%v", templates.VerifyCompose("compose.yaml", []byte(c)))
	}
}
