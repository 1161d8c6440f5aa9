package syntax

import (
	"reflect"
	"regexp"
	"testing"
)

// heredocNamesRE is HeredocNames' rule as the regular expression it is
// written as.
var heredocNamesRE = regexp.MustCompile(`(?:^|[^<])[0-9]*<<(-?)\s*(["']?)([a-zA-Z_][a-zA-Z0-9_.-]*)(["']?)`)

func heredocNamesByRE(text string) []string {
	var out []string
	for _, m := range heredocNamesRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[3])
	}
	return out
}

var heredocNameSeeds = []string{"", "<<EOF", "cat <<EOF > /x", "<<-EOF", "<<'EOF'", `<<"EOF"`, "3<<EOF", "12<<A", "a<<<EOF", "<<<EOF", "<<A<<B", "<<A1<<B", "<<A 2<<B", "x<<-\t 'N.a-b' y", "<< -x", "<<-\n\"q", "é<<X", "\xff<<X", "<<", "<<_", "<<9", "a<<b<<c", "<<A\"<<B", "<<<<A", "1<<A1<<B<<C", "echo '<<EOF'", "<<A-<<B", "<<\v A"}

func TestHeredocNamesAsExpression(t *testing.T) {
	for _, s := range heredocNameSeeds {
		if got, want := HeredocNames(s), heredocNamesByRE(s); !reflect.DeepEqual(got, want) {
			t.Errorf("HeredocNames(%q) = %q, the expression finds %q", s, got, want)
		}
	}
	if got := HeredocNames("RUN <<A <<-'B' cat 3<<C"); !reflect.DeepEqual(got, []string{"A", "B", "C"}) {
		t.Errorf("HeredocNames = %q", got)
	}
}

// FuzzHeredocNames checks the scan against the expression on any text.
func FuzzHeredocNames(f *testing.F) {
	for _, s := range heredocNameSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := HeredocNames(s), heredocNamesByRE(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("HeredocNames(%q) = %q, the expression finds %q", s, got, want)
		}
	})
}
