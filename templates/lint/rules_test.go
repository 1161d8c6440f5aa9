package lint

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// TestRulesDoc fails when RULES.md is not what RulesMarkdown generates
// from the table; -update (go generate) rewrites it.
func TestRulesDoc(t *testing.T) {
	want := RulesMarkdown()
	if *update {
		if err := os.WriteFile("RULES.md", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("RULES.md")
	if err != nil || string(got) != string(want) {
		t.Errorf("RULES.md is out of date with the rule table; run go generate ./templates/lint")
	}
}

var idRE = regexp.MustCompile(`^DS\d{3,4}$`)

// TestRuleTable checks the table itself: unique IDs, every field filled,
// and every BuildKit rule (of this BuildKit version) present.
func TestRuleTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[strings.ToLower(r.ID)] {
			t.Errorf("%s: duplicate ID", r.ID)
		}
		seen[strings.ToLower(r.ID)] = true
		if r.Name == "" || r.Description == "" || r.Fix == "" || r.Severity < Info || r.Severity > Error {
			t.Errorf("%s: incomplete rule %+v", r.ID, r)
		}
		if r.URL == "" && r.ID != linter.RuleInvalidBaseImagePlatform.Name {
			t.Errorf("%s: no URL", r.ID)
		}
		if r.Source == SourceDockstage && !idRE.MatchString(r.ID) {
			t.Errorf("%s: dockstage rule IDs are DSnnn", r.ID)
		}
		if r.Source == SourceBuildKit && idRE.MatchString(r.ID) {
			t.Errorf("%s: a BuildKit rule with a dockstage ID", r.ID)
		}
	}
	for name := range buildkitFixes {
		if !seen[strings.ToLower(name)] {
			t.Errorf("fix hint for %s, which is not in the table", name)
		}
	}
	// Every rule the code reports is in the table (addID panics otherwise).
	for _, id := range []string{RuleInvalid, RuleProdRoot, RuleBaseUnpinned, RuleSecretArgEnv, RuleAptRecommends, RuleAptLists,
		RulePipCache, RuleSourceBeforeDeps, RuleAddForCopy, RuleCopyAllNoIgnore, RuleUnknownFrom, RuleNoTestStage,
		RuleTestUnrelated, RuleProdFromTest, RuleBaseNoDigest, RuleNotImported} {
		if _, ok := LookupRule(id); !ok {
			t.Errorf("%s: not in the table", id)
		}
	}
}
