package syntax

import (
	"reflect"
	"testing"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]rune{"": '\\', "\\": '\\', "`": '`', "x": '\\'} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	if IsEscape("") || IsEscape("x") || !IsEscape("`") || !IsEscape("\\") {
		t.Error("IsEscape accepts other than \\ and `")
	}
}

func TestTrimContinuation(t *testing.T) {
	for _, tt := range []struct {
		line string
		esc  rune
		want string
		cont bool
	}{
		{`echo a \`, '\\', `echo a `, true},
		{`echo a \  `, '\\', `echo a `, true},
		{`\`, '\\', ``, true},
		{`echo a \\`, '\\', `echo a \\`, false},
		{"echo `", '`', "echo ", true},
		{`echo \`, '`', `echo \`, false},
	} {
		got, cont := TrimContinuation(tt.line, tt.esc)
		if got != tt.want || cont != tt.cont {
			t.Errorf("TrimContinuation(%q, %q) = %q, %v; want %q, %v", tt.line, tt.esc, got, cont, tt.want, tt.cont)
		}
	}
}

func TestHeredocNames(t *testing.T) {
	for in, want := range map[string][]string{
		"cat <<EOF":             {"EOF"},
		"a <<-\"X\" b 3<<'Y_1'": {"X", "Y_1"},
		"echo '<<Q'":            {"Q"}, // the spec's rule: quoted openers count too
		"a << b":                {"b"},
		"no heredoc":            nil,
	} {
		if got := HeredocNames(in); !reflect.DeepEqual(got, want) {
			t.Errorf("HeredocNames(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTrimContinuationMatchesExpression checks the byte scan against
// BuildKit's expression (Continuation), the rule it stands for.
func TestTrimContinuationMatchesExpression(t *testing.T) {
	for _, line := range continuationSeeds {
		for _, esc := range []rune{'\\', '`'} {
			checkTrimContinuation(t, line, esc)
		}
	}
}

var continuationSeeds = []string{"", `\`, "`", `\\`, "``", `a\`, `a\ `, "a\\\t \t", `a\\ `, `\ \`, "a`", "\\`", "`\\", "é\\", "\xff\\", "a\n\\", "\\\n", " ", "a \\ b", `\\\`}

func checkTrimContinuation(t *testing.T, line string, esc rune) {
	t.Helper()
	want, wantCont := regexpTrimContinuation(line, esc)
	got, cont := TrimContinuation(line, esc)
	if got != want || cont != wantCont {
		t.Errorf("TrimContinuation(%q, %q) = %q, %v; the expression gives %q, %v", line, esc, got, cont, want, wantCont)
	}
	if Continues(line, esc) != wantCont {
		t.Errorf("Continues(%q, %q) = %v, want %v", line, esc, !wantCont, wantCont)
	}
}

// FuzzTrimContinuation checks the byte scan against BuildKit's expression
// on any line.
func FuzzTrimContinuation(f *testing.F) {
	addEscapeSeeds(f, continuationSeeds...)
	f.Fuzz(func(t *testing.T, line string, backtick bool) {
		checkTrimContinuation(t, line, fuzzEscape(backtick))
	})
}
