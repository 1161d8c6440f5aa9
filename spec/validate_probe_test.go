package spec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec/syntax"
)

// TestProbesOneParse checks that a valid spec's probes all pass in the one
// batched parse, so that validation parses one synthetic Dockerfile per spec.
func TestProbesOneParse(t *testing.T) {
	files, _ := filepath.Glob("../examples/*/dockstage.yaml")
	files = append(files, "testdata/good/flask-like.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Load(f, data)
		if err != nil {
			t.Fatal(err)
		}
		v := &validator{s: s, escape: '\\'}
		v.validate()
		if len(v.errs) > 0 {
			t.Fatalf("%s: %v", f, v.errs)
		}
		if len(v.probes) > 0 && !v.batchPasses() { // none: every text reads as written (readsAsWritten)
			t.Errorf("%s: %d probes, the batched parse does not pass", f, len(v.probes))
		}
	}
}

var writtenKeywords = []string{"RUN", "WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER", "CMD"}

// checkReadsAsWritten checks readsAsWritten against the probe it stands
// for: text it passes must read back with BuildKit's parser as written,
// alone and batched between other probes.
func checkReadsAsWritten(t *testing.T, keyword, text string, esc rune) {
	t.Helper()
	if !readsAsWritten(keyword, text, esc) {
		return
	}
	v := &validator{escape: esc}
	pr := probe{keyword: keyword, text: text}
	if reason := v.probeReason(pr); reason != "" {
		t.Fatalf("readsAsWritten(%q, %q, %q) is true, the probe says: %s", keyword, text, esc, reason)
	}
	v.probes = []probe{{keyword: "RUN", text: "a"}, pr, {keyword: "USER", text: "b"}}
	if !v.batchPasses() {
		t.Fatalf("readsAsWritten(%q, %q, %q) is true, the batched probe fails", keyword, text, esc)
	}
}

var writtenSeeds = []string{"[echo, not, json]", "['single', 'quotes']", "[\"unterminated\"", "[ ]", "[\"curl\", -f]", "[foo", " [ \"a\", 'b' ]", "[1, 2]", "[\"a\"] x", "[\"a\"]\u00a0", "[\"a\"] \\", "[\"a\",\\\n\"b\"]", "make", "  echo a  ", "--x", " -x", "[\"a\"]", "a \\", "a \\ ", "a`", "cat <<EOF", "a\nb", "\u00a0x", "x\v", "#x", "é", "\\", "a\\b", "$HOME", strings.Repeat("x", maxWritten),
	"a \\\n  b", "a \\\n# c\n  b", "a \\\n\n  b", "a \\\n  b \\", "\\\n--x", "\\\n[1]", "a <\\\n<EOF", "a \\\n\v# c", "a `\n b", "a\n b", "a \\\n \\\n", "a \\\n\t#x \\\n b"}

func TestReadsAsWritten(t *testing.T) {
	for _, kw := range writtenKeywords {
		for _, s := range writtenSeeds {
			checkReadsAsWritten(t, kw, s, '\\')
			checkReadsAsWritten(t, kw, s, '`')
		}
	}
	for text, want := range map[string]bool{"a \\\n  b": true, "a \\\n# c\n  b": true, "a <\\\n<EOF": false, "\\\n--x": false, "a \\\n  b \\": false, "a \\\n\v# c": false, "make": true, " -x": false, "[1]": false, "a \\": false, "a <<X": false, "a\nb": false, "": false, "\u00a0x": false} {
		if got := readsAsWritten("RUN", text, '\\'); got != want {
			t.Errorf("readsAsWritten(RUN, %q) = %v, want %v", text, got, want)
		}
	}
	if readsAsWritten("CMD", "make", '\\') {
		t.Error("readsAsWritten decides for CMD, whose text it has no rule for")
	}
}

// FuzzReadsAsWritten checks the no-parse rule against BuildKit's parser on
// any text.
func FuzzReadsAsWritten(f *testing.F) {
	for i := range writtenKeywords {
		for _, s := range writtenSeeds {
			f.Add(uint8(i), s, false)
			f.Add(uint8(i), s, true)
		}
	}
	f.Fuzz(func(t *testing.T, k uint8, text string, backtick bool) {
		esc := '\\'
		if backtick {
			esc = '`'
		}
		checkReadsAsWritten(t, writtenKeywords[int(k)%len(writtenKeywords)], text, esc)
	})
}

// FuzzBatchProbes checks that the batched probe parse passes only probes
// that each pass when parsed on their own (probeReason), two texts with a
// heredoc body each.
func FuzzBatchProbes(f *testing.F) {
	f.Add("cat <<EOF", "hi", "echo \\", "", false)
	f.Add("a <<A", "A", "b <<B", "x\nB", false)
	f.Add("make", "", "make `", "", true)
	for _, s := range writtenSeeds {
		f.Add(s, "", s, "", false)
	}
	f.Fuzz(func(t *testing.T, text1, body1, text2, body2 string, backtick bool) {
		v := &validator{s: &Spec{}, escape: '\\'}
		if backtick {
			v.escape = '`'
		}
		for _, p := range []struct{ text, body string }{{text1, body1}, {text2, body2}} {
			var docs []Heredoc
			if names := syntax.HeredocNames(p.text); len(names) > 0 {
				docs = []Heredoc{{Name: names[0], Body: p.body}}
			}
			v.probes = append(v.probes, probe{keyword: "RUN", text: p.text, docs: docs})
		}
		if !v.batchPasses() {
			return
		}
		for _, pr := range v.probes {
			if reason := v.probeReason(pr); reason != "" {
				t.Fatalf("the batch passes %q (docs %v), alone it does not: %s", pr.text, pr.docs, reason)
			}
		}
	})
}

// reusedHeredocLexer is one lexer for every check, as a validator reuses
// its own across commands.
var reusedHeredocLexer = heredocLexer()

// checkHeredocsReadAsWritten checks heredocsReadAsWritten against the
// probe it stands for: a command and bodies it passes must read back with
// BuildKit's parser as written, alone and batched between other probes.
func checkHeredocsReadAsWritten(t *testing.T, text string, docs []Heredoc, esc rune) {
	t.Helper()
	if !heredocsReadAsWritten(text, docs, esc, reusedHeredocLexer) {
		return
	}
	v := &validator{escape: esc}
	pr := probe{keyword: "RUN", text: text, docs: docs}
	if reason := v.probeReason(pr); reason != "" {
		t.Fatalf("heredocsReadAsWritten(%q, %q, %q) is true, the probe says: %s", text, docs, esc, reason)
	}
	v.probes = []probe{{keyword: "RUN", text: "a <<A", docs: []Heredoc{{Name: "A", Body: "x"}}}, pr, {keyword: "USER", text: "b"}}
	if !v.batchPasses() {
		t.Fatalf("heredocsReadAsWritten(%q, %q, %q) is true, the batched probe fails", text, docs, esc)
	}
}

// heredocSeeds are commands and bodies for the heredoc rule: the openers
// of the import corpus and texts around the rule's edges.
var heredocSeeds = []struct{ text, body1, body2 string }{
	{"<<EOF", "echo hi\n", ""},
	{"cat <<EOF > /etc/x", "a\nb", ""},
	{"cat <<-EOF > /etc/motd", "\tEOF x\n\t\tline", ""},
	{"cat <<-'LIT' >/usr/local/bin/greet && chmod +x /usr/local/bin/greet", "#!/bin/sh\necho $1", ""},
	{"<<setup.sh-v1 sh", "set -e", ""},
	{"<<SETUP_PY <<REQ_TXT python3 -c 'import sys; print(sys.argv)' && cat /dev/null", "print(1)", "flask"},
	{"python3 - <<PY && cat > /etc/app.conf <<'CONF'", "print(1)\n", "k=v\n"},
	{"cat <<A > /a && cat <<B > /b", "a", "b"},
	{"<<\"QUOTED\" sh", "echo $HOME", ""},
	{"<<'EOT' bash", "", ""},
	{"echo '<<EOF'", "x", ""},
	{"echo \"<<EOF\"", "x", ""},
	{"echo a<<EOF", "x", ""},
	{"cat <<EOF", "EOF", ""},
	{"cat <<-EOF", "\t\tEOF", ""},
	{"cat <<EOF", "EOF\r", ""},
	{"cat <<EOF", "\tEOF", ""},
	{"cat <<EOF \\", "x", ""},
	{"cat \\\n <<EOF", "x", ""},
	{"cat \\\n# c\n <<EOF", "x", ""},
	{"--x <<EOF", "x", ""},
	{"[\"a\"] <<EOF", "x", ""},
	{"cat <<EOF\\\n", "x", ""},
	{"cat <<E\\OF", "x", ""},
	{"cat <<'EOF", "x", ""},
	{"cat 3<<EOF", "x", ""},
	{"cat <<EOF <<EOF", "x", "y"},
	{"cat <<B <<A", "x", "y"},
	{"cat << EOF", "x", ""},
	{"cat <<$X", "x", ""},
	{"cat <<EOF", "a\x00", ""},
	{"cat <<EOF", "\n\n", ""},
	{"cat <<EOF`", "x", ""},
	{"cat <<E`OF", "x", ""},
}

// heredocDocs gives the names the spec's rule finds in text (at most
// two) the bodies body1 and body2, as a spec's heredocs list does.
func heredocDocs(text, body1, body2 string) []Heredoc {
	var docs []Heredoc
	for i, n := range syntax.HeredocNames(text) {
		if i == 2 {
			break
		}
		docs = append(docs, Heredoc{Name: n, Body: []string{body1, body2}[i]})
	}
	return docs
}

func TestHeredocsReadAsWritten(t *testing.T) {
	for _, sd := range heredocSeeds {
		for _, esc := range []rune{'\\', '`'} {
			checkHeredocsReadAsWritten(t, sd.text, heredocDocs(sd.text, sd.body1, sd.body2), esc)
		}
	}
	for _, c := range []struct {
		text, body1, body2 string
		want               bool
	}{
		{"<<EOF", "echo hi\n", "", true},
		{"cat <<-'LIT' >/x && chmod +x /x", "#!/bin/sh", "", true},
		{"<<SETUP_PY <<REQ_TXT python3 -c 'x'", "print(1)", "flask", true},
		{"cat \\\n <<EOF", "x", "", true},
		{"echo '<<EOF'", "x", "", false}, // BuildKit opens no heredoc inside quotes
		{"cat <<EOF", "EOF", "", false},
		{"cat <<EOF", "\tEOF", "", false},
		{"--x <<EOF", "x", "", false},
		{"cat <<EOF \\", "x", "", false},
	} {
		if got := heredocsReadAsWritten(c.text, heredocDocs(c.text, c.body1, c.body2), '\\', heredocLexer()); got != c.want {
			t.Errorf("heredocsReadAsWritten(%q) = %v, want %v", c.text, got, c.want)
		}
	}
	if heredocsReadAsWritten("cat <<A <<B", []Heredoc{{Name: "B"}, {Name: "A"}}, '\\', heredocLexer()) {
		t.Error("heredocsReadAsWritten passes bodies out of BuildKit's order")
	}
}

// FuzzHeredocsReadAsWritten checks the no-parse heredoc rule against
// BuildKit's parser on any command and bodies: with the names the spec's
// rule finds (as a valid spec holds them), and with a name of the fuzzer's.
func FuzzHeredocsReadAsWritten(f *testing.F) {
	for _, sd := range heredocSeeds {
		f.Add(sd.text, sd.body1, sd.body2, "", false)
		f.Add(sd.text, sd.body1, sd.body2, "EOF", true)
	}
	f.Fuzz(func(t *testing.T, text, body1, body2, name string, backtick bool) {
		esc := '\\'
		if backtick {
			esc = '`'
		}
		docs := heredocDocs(text, body1, body2)
		checkHeredocsReadAsWritten(t, text, docs, esc)
		if name != "" {
			checkHeredocsReadAsWritten(t, text, []Heredoc{{Name: name, Body: body1}}, esc)
		}
	})
}

var plainWordsSeeds = []string{"", "RUN <<EOF", "RUN cat << EOF > /x", "RUN <<-  EOF", "RUN <<< EOF", "RUN <<<< EOF", "a\u00a0b", "a\u2003 b\t", "x<<\r\tY z", "<", "a < b", "é<<É", "  lead  trail  ", "a\vb\fc", "RUN 'x'", "\ufeffa"}

// checkPlainWords checks plainWords against the heredoc lexer's
// ProcessWords.
func checkPlainWords(t *testing.T, line string) {
	t.Helper()
	got, ok := plainWords(line)
	if !ok {
		return
	}
	want, err := heredocLexer().ProcessWords(line, noEnv{})
	if err != nil || len(got) != len(want) || len(got) > 0 && !reflect.DeepEqual(got, want) {
		t.Fatalf("plainWords(%q) = %q; the lexer reads %q, %v", line, got, want, err)
	}
}

func TestPlainWords(t *testing.T) {
	for _, s := range plainWordsSeeds {
		checkPlainWords(t, s)
	}
}

// FuzzPlainWords checks plainWords against the lexer on any line.
func FuzzPlainWords(f *testing.F) {
	for _, s := range plainWordsSeeds {
		f.Add(s)
	}
	f.Fuzz(checkPlainWords)
}
