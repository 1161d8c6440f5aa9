package ecosystem

import (
	"reflect"
	"strings"
	"testing"
)

// A pip install that reads runtime and test requirements in one command
// names the test ones (DevManifests), and an install of the project with
// extras names the test and development ones (DevExtras): migrate splits
// the first and notes both (trial finding 3).
func TestPipTestRequirements(t *testing.T) {
	for _, tc := range []struct {
		cmd          string
		role         Role
		dev, extras  []string
		testManifest []string
	}{
		{cmd: "pip install -r requirements.txt -r requirements-test.txt", role: RoleInstall, dev: []string{"requirements-test.txt"}},
		{cmd: "pip install --no-cache-dir -rrequirements.txt --requirement=requirements/dev.txt", role: RoleInstall, dev: []string{"requirements/dev.txt"}},
		{cmd: "pip install -r requirements.txt", role: RoleInstall},
		{cmd: "pip install -r requirements-dev.txt", role: RoleTestDeps, testManifest: []string{"requirements-dev.txt"}},
		{cmd: "pip install .[test,docs,dev]", role: RoleOther, extras: []string{"test", "dev"}},
		{cmd: "pip install -e .[testing]", role: RoleOther, extras: []string{"testing"}},
		{cmd: "pip install --editable=.[ci]", role: RoleOther, extras: []string{"ci"}},
		{cmd: "pip install .[postgres]", role: RoleOther},
		{cmd: "pip install .", role: RoleOther},
	} {
		got := ClassifyArgs(strings.Fields(tc.cmd), nil)
		if got.Role != tc.role || !reflect.DeepEqual(got.DevManifests, tc.dev) || !reflect.DeepEqual(got.DevExtras, tc.extras) || !reflect.DeepEqual(got.TestManifests, tc.testManifest) {
			t.Errorf("%s: role %v, DevManifests %q, DevExtras %q, TestManifests %q; want %v, %q, %q, %q",
				tc.cmd, got.Role, got.DevManifests, got.DevExtras, got.TestManifests, tc.role, tc.dev, tc.extras, tc.testManifest)
		}
	}
}
