package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// formatRules are the build checks about how a Dockerfile is written, not
// what it builds: a Dockerfile dockstage renders must never trip them,
// whatever the spec says.
var formatRules = map[string]bool{
	linter.RuleFromAsCasing.Name:                true,
	linter.RuleLegacyKeyValueFormat.Name:        true,
	linter.RuleConsistentInstructionCasing.Name: true,
	linter.RuleNoEmptyContinuation.Name:         true,
}

// knownRenderBugs are import goldens whose spec dockstage cannot render
// yet (reported; the fix is outside this package). They are logged, not
// failed.
var knownRenderBugs = map[string]string{
	"onbuild": "ONBUILD RUN <<EOF: the trigger's heredoc body is not written (forward puts it on the ONBUILD's Sub, the template writes only the instruction's own Heredocs), so the render fails its own verification with 'unterminated heredoc'",
}

// TestImportGoldensRenderClean lints every import golden's spec
// (transpile/testdata/import/*/spec.yaml: Dockerfiles as people write
// them, imported). The Dockerfile dockstage renders from each must trip
// none of the formatting build checks, even where the imported Dockerfile
// did (the seed's `FROM x as y`, legacy `ENV k v`), and must be as valid
// as the Dockerfile it came from (no DS000 the original lacks). Findings
// about content (a root prod stage, shell-form CMD, a stage named in upper
// case) are the spec's and stay.
func TestImportGoldensRenderClean(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/import/*/spec.yaml")
	if len(paths) < 10 {
		t.Skipf("found %d import goldens", len(paths))
	}
	for _, p := range paths {
		dir := filepath.Dir(p)
		name := filepath.Base(dir)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		origInvalid := false
		if df, err := os.ReadFile(filepath.Join(dir, "Dockerfile")); err == nil {
			for _, f := range Dockerfile("Dockerfile", df, Options{}) {
				origInvalid = origInvalid || f.Rule == RuleInvalid
			}
		}
		for _, f := range Spec(p, data, Options{}) {
			switch {
			case formatRules[f.Rule]:
				t.Errorf("%s: rendering trips %s: %s", p, f.Rule, f.Msg)
			case f.Rule == RuleInvalid && strings.Contains(f.Msg, "internal error") && knownRenderBugs[name] != "":
				t.Logf("KNOWN BUG (reported): %s: %s\n  %s", name, knownRenderBugs[name], f.Msg)
			case f.Rule == RuleInvalid && !origInvalid:
				t.Errorf("%s: the rendered Dockerfile is invalid, the imported one was not: %s", p, f.Msg)
			}
		}
	}
}
