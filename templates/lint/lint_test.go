package lint

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

var update = flag.Bool("update", false, "rewrite the golden files (findings.txt, RULES.md)")

// lintCase lints the one input file of a golden folder: Dockerfile,
// dockstage.yaml or compose.yaml. A .dockerignore in the folder marks the
// build context as having one (else it has none); a .dockstage-lint.yaml
// there is the config.
func lintCase(t *testing.T, dir string) []Finding {
	t.Helper()
	var name string
	for _, n := range []string{"Dockerfile", "dockstage.yaml", "compose.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			name = n
		}
	}
	if name == "" {
		t.Fatalf("%s: no Dockerfile, dockstage.yaml or compose.yaml", dir)
	}
	src, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Context: &BuildContext{}}
	if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); err == nil {
		opt.Context.Dockerignore = true
	}
	if cfg, err := os.ReadFile(filepath.Join(dir, ConfigFile)); err == nil {
		opt.Config, err = ParseConfig(ConfigFile, cfg)
		if err != nil {
			t.Fatal(err)
		}
	}
	return File(name, src, opt)
}

func textOf(t *testing.T, fs []Finding, opt TextOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteText(&b, fs, opt); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestGolden lints each folder under testdata/{dockerfile,spec,compose}
// and compares the findings (without fix hints) with findings.txt;
// -update rewrites them. Folders named clean-* must have no findings.
func TestGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*/*")
	if len(dirs) < 20 {
		t.Fatalf("found %d golden folders, want at least 20", len(dirs))
	}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		t.Run(filepath.ToSlash(dir[len("testdata/"):]), func(t *testing.T) {
			got := textOf(t, lintCase(t, dir), TextOptions{NoFix: true})
			golden := filepath.Join(dir, "findings.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("findings differ from %s (go test -update rewrites it)\n--- got\n%s--- want\n%s", golden, got, want)
			}
			if strings.HasPrefix(filepath.Base(dir), "clean-") && got != "" {
				t.Errorf("a clean-* case has findings:\n%s", got)
			}
		})
	}
}

// seedWriteUp is the seed write-up (the French text dockstage's layout comes
// from), kept verbatim in the repository.
const seedWriteUp = "../../examples/seed/write-up.md"

// seedDockerfiles returns the ```Dockerfile blocks of the seed write-up,
// verbatim, in order.
func seedDockerfiles(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(seedWriteUp)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	s := string(b)
	const open = "```Dockerfile\n"
	for {
		i := strings.Index(s, open)
		if i < 0 {
			return blocks
		}
		s = s[i+len(open):]
		j := strings.Index(s, "```")
		if j < 0 {
			t.Fatalf("%s: unclosed Dockerfile block", seedWriteUp)
		}
		blocks = append(blocks, s[:j])
		s = s[j:]
	}
}

// TestSeedDockerfileIsVerbatim checks that the golden copies of the seed's
// Dockerfiles are the write-up's Dockerfile blocks byte for byte.
func TestSeedDockerfileIsVerbatim(t *testing.T) {
	seeds := seedDockerfiles(t)
	copies := []string{"testdata/dockerfile/seed-flask/Dockerfile", "testdata/dockerfile/seed-static/Dockerfile"}
	if len(seeds) != len(copies) {
		t.Fatalf("%s has %d Dockerfile blocks, want %d", seedWriteUp, len(seeds), len(copies))
	}
	for i, p := range copies {
		copy, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if string(copy) != seeds[i] {
			t.Errorf("%s is not Dockerfile block %d of %s verbatim", p, i+1, seedWriteUp)
		}
	}
}

// TestSeedDockerfile is the first check, run on the seed's
// Dockerfile verbatim: BuildKit's FromAsCasing, LegacyKeyValueFormat and
// JSONArgsRecommended on the right lines, and the root-user finding.
func TestSeedDockerfile(t *testing.T) {
	src := seedDockerfiles(t)[0]
	fs := Dockerfile("Dockerfile", []byte(src), Options{})
	lines := strings.Split(src, "\n")
	at := map[string][]int{}
	for _, f := range fs {
		at[f.Rule] = append(at[f.Rule], f.Pos.Line)
	}
	want := map[string][]int{
		"FromAsCasing":         {17, 21, 27}, // FROM base as src, FROM src as test, FROM src as prod
		"LegacyKeyValueFormat": {11, 12, 13}, // ENV LANG en_US.UTF-8, ...
		"JSONArgsRecommended":  {28},         // ENTRYPOINT FLASK_APP=... flask run
		RuleProdRoot:           {27},         // the prod stage sets no USER
	}
	for rule, lns := range want {
		if got := at[rule]; !equalInts(got, lns) {
			t.Errorf("%s on lines %v, want %v", rule, got, lns)
		}
	}
	// The lines say what the rules are about.
	for _, l := range want["FromAsCasing"] {
		if !strings.Contains(lines[l-1], " as ") {
			t.Errorf("line %d is %q, not a FROM ... as ...", l, lines[l-1])
		}
	}
	for _, l := range want["LegacyKeyValueFormat"] {
		if !strings.HasPrefix(lines[l-1], "ENV ") || strings.Contains(lines[l-1], "=") {
			t.Errorf("line %d is %q, not a legacy ENV", l, lines[l-1])
		}
	}
	if !strings.HasPrefix(lines[27], "ENTRYPOINT FLASK_APP=") {
		t.Errorf("line 28 is %q", lines[27])
	}
	for _, f := range fs {
		if f.Rule == RuleProdRoot && (!strings.Contains(f.Msg, "prod") || !strings.Contains(f.Fix, "USER")) {
			t.Errorf("root finding %q (fix %q) should name prod and say to set USER", f.Msg, f.Fix)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const apiKeySpec = `version: 1
name: svc
stages:
  base:
    from: python:3.12-slim
  test:
    from: base
    steps:
      - run: python -m pytest
  prod:
    from: base
    steps:
      - user: "10001"
      - env: {API_KEY: s3cr3t}
      - cmd: [python, app.py]
`

// TestSpecSecretInEnv is the second check: a spec whose prod
// stage sets ENV API_KEY=... is flagged at that line with the
// secret-mount hint, once (BuildKit's SecretsUsedInArgOrEnv on the same
// instruction is folded into it).
func TestSpecSecretInEnv(t *testing.T) {
	fs := Spec("dockstage.yaml", []byte(apiKeySpec), Options{})
	if len(fs) != 1 {
		t.Fatalf("want exactly one finding, got:\n%s", textOf(t, fs, TextOptions{}))
	}
	f := fs[0]
	if f.Rule != RuleSecretArgEnv || f.Pos.Line != 14 || f.Pos.Col != 15 || f.Severity != Warning {
		t.Errorf("got %s %s at %d:%d, want DS003 warning at 14:15 (the API_KEY key)", f.Rule, f.Severity, f.Pos.Line, f.Pos.Col)
	}
	if !strings.Contains(f.Msg, "API_KEY") || !strings.Contains(f.Fix, "--mount=type=secret") || !strings.Contains(f.Fix, "mounts: [{type: secret") {
		t.Errorf("message %q / fix %q should name API_KEY and give the secret mount, for Dockerfile and spec", f.Msg, f.Fix)
	}
	// With DS003 off, BuildKit's own check still reports it, mapped to
	// the spec step.
	cfg, err := ParseConfig("c.yaml", []byte("disable: [DS003]\n"))
	if err != nil {
		t.Fatal(err)
	}
	fs = Spec("dockstage.yaml", []byte(apiKeySpec), Options{Config: cfg})
	if len(fs) != 1 || fs[0].Rule != "SecretsUsedInArgOrEnv" || fs[0].Pos.Line != 14 || !strings.Contains(fs[0].Msg, "rendered Dockerfile line") {
		t.Errorf("with DS003 disabled, want BuildKit's SecretsUsedInArgOrEnv at line 14, got:\n%s", textOf(t, fs, TextOptions{}))
	}
}

func TestSecretNames(t *testing.T) {
	for name, want := range map[string]bool{
		"API_KEY": true, "apiKey": true, "GITHUB_TOKEN": true, "DB_PASSWORD": true, "PASSWORD": true,
		"AWS_SECRET_ACCESS_KEY": true, "client_secret": true, "NPM_AUTH_TOKEN": true, "PRIVATE_KEY": true,
		"SSH_KEY": true, "KEY": true, "DBPASSWORD": true, "SECRET_MESSAGE": true,
		"PUBLIC_KEY": false, "SSH_KEY_PATH": false, "TOKEN_URL": false, "NODE_ENV": false, "KEYCLOAK_HOST": false,
		"PYTHON_VERSION": false, "NPM_CONFIG_REGISTRY": false, "GOPROXY": false, "MONKEY": false, "AWS_ACCESS_KEY_ID": true, "AWS_REGION": false,
		"PASSWORD_FILE": false, "KEY_NAME": false, "LANG": false,
	} {
		if got := isSecretName(name); got != want {
			t.Errorf("isSecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestDependencyInstalls(t *testing.T) {
	for text, want := range map[string]bool{
		"pip install -r requirements.txt":             true,
		"pip3 install --no-cache-dir -r req.txt":      true,
		"python -m pip install -r requirements.txt":   true,
		"npm ci --omit=dev":                           true,
		"npm install":                                 true,
		"npm install express":                         false,
		"yarn":                                        true,
		"yarn install --frozen-lockfile":              true,
		"yarn run build":                              false,
		"go mod download":                             true,
		"go build ./...":                              false,
		"bundle install":                              true,
		"pip install .":                               false,
		"cargo fetch":                                 true,
		"FOO=1 npm ci":                                true,
		"echo hi && DEBIAN_FRONTEND=x sudo npm ci -q": true,
		`sh -c "cd app && npm ci"`:                    true,
		`echo "npm ci"`:                               false,
		"poetry install --no-root":                    true,
		"mvn -B dependency:go-offline":                true,
		"gradle dependencies":                         true,
		"dotnet restore":                              true,
		"pnpm i":                                      true,
		"pip2 install -r requirements.txt":            true,
		"pip install -r requirements-dev.txt":         true,
		"pip install pytest":                          false,
		"pipenv install requests":                     false,
	} {
		got := false
		for _, words := range runCommands(&spec.Run{Command: spec.Command{Shell: text}}, '\\') {
			got = got || ecosystem.ClassifyArgs(words, nil).FromManifests()
		}
		if got != want {
			t.Errorf("%q: dependency install = %v, want %v", text, got, want)
		}
	}
}

func TestRunCommands(t *testing.T) {
	for _, c := range []struct {
		run  spec.Run
		want string // commands joined by " ; ", words by " "
	}{
		{spec.Run{Command: spec.Command{Shell: "apt-get update && \\\n  # note\n  apt-get install -y \"curl\""}}, "apt-get update ; apt-get install -y curl"},
		{spec.Run{Command: spec.Command{Exec: true, Args: []string{"sh", "-c", "pip install -r r.txt | tee log"}}}, "sh -c pip install -r r.txt | tee log ; pip install -r r.txt ; tee log"},
		{spec.Run{Command: spec.Command{Shell: "<<EOT"}, Heredocs: []spec.Heredoc{{Body: "if true; then\n  sudo npm ci\nfi\n"}}}, "<<EOT ; true ; npm ci"},
		{spec.Run{Command: spec.Command{Shell: "echo \"unclosed && FOO=1 npm ci"}}, "echo \"unclosed ; npm ci"},
	} {
		var got []string
		for _, words := range runCommands(&c.run, '\\') {
			got = append(got, strings.Join(words, " "))
		}
		if g := strings.Join(got, " ; "); g != c.want {
			t.Errorf("runCommands(%+v) = %q, want %q", c.run, g, c.want)
		}
	}
}

func TestDetectKind(t *testing.T) {
	for _, c := range []struct {
		name, content string
		want          Kind
	}{
		{"Dockerfile", "FROM x", KindDockerfile},
		{"build/Dockerfile.prod", "FROM x", KindDockerfile},
		{"api.Dockerfile", "FROM x", KindDockerfile},
		{"Containerfile", "FROM x", KindDockerfile},
		{"dockstage.yaml", "version: 1", KindSpec},
		{"svc/api.dockstage.yml", "version: 1", KindSpec},
		{"compose.yaml", "services: {}", KindCompose},
		{"compose.dev.yaml", "services: {}", KindCompose},
		{"docker-compose.yml", "services: {}", KindCompose},
		{"docker-compose.override.yml", "services: {}", KindCompose},
		{"stack.yaml", "services:\n  web: {image: x}\n", KindCompose},
		{"build.yaml", "version: 1\nname: x\nstages:\n", KindSpec},
		{"-", "version: 1\nstages:\n  a: {from: x}\n", KindSpec},
		{"-", "services:\n  a: {image: x}\n", KindCompose},
		{"-", "FROM alpine\n", KindDockerfile},
	} {
		if got := DetectKind(c.name, []byte(c.content)); got != c.want {
			t.Errorf("DetectKind(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestSuppressionAndConfig covers the ways to silence a rule.
func TestSuppressionAndConfig(t *testing.T) {
	const df = "FROM alpine:3.20 AS test\nFROM alpine:3.20 AS prod\nUSER 10001\n%sCMD echo hi\n"
	count := func(fs []Finding, rule string) int {
		n := 0
		for _, f := range fs {
			if f.Rule == rule {
				n++
			}
		}
		return n
	}
	lint := func(src string, cfg *Config) []Finding {
		return Dockerfile("Dockerfile", []byte(src), Options{Config: cfg})
	}
	plain := strings.Replace(df, "%s", "", 1)
	if n := count(lint(plain, nil), "JSONArgsRecommended"); n != 1 {
		t.Fatalf("JSONArgsRecommended reported %d times without suppression, want 1", n)
	}
	for _, c := range []struct{ name, comment string }{
		{"line above", "# dockstage:ignore=JSONArgsRecommended\n"},
		{"in a list", "# dockstage:ignore=DS001,jsonargsrecommended because the shell is wanted\n"},
		{"in the comment block", "# dockstage:ignore=JSONArgsRecommended\n# the shell form is deliberate\n"},
	} {
		src := strings.Replace(df, "%s", c.comment, 1)
		if n := count(lint(src, nil), "JSONArgsRecommended"); n != 0 {
			t.Errorf("%s: suppressed rule still reported", c.name)
		}
	}
	src := strings.Replace(df, "%s", "# dockstage:ignore=FromAsCasing\n", 1)
	if n := count(lint(src, nil), "JSONArgsRecommended"); n != 1 {
		t.Errorf("a suppression of another rule silenced JSONArgsRecommended")
	}
	src = strings.Replace(df, "%s", "# dockstage:ignore=JSONArgsRecommended\n\n", 1)
	if n := count(lint(src, nil), "JSONArgsRecommended"); n != 1 {
		t.Errorf("a suppression separated by an empty line should not apply")
	}

	cfg, err := ParseConfig("c.yaml", []byte("disable: [JSONArgsRecommended]\nseverity: {DS002: error}\n"))
	if err != nil {
		t.Fatal(err)
	}
	fs := lint("FROM alpine AS test\nFROM alpine AS prod\nUSER 1\nCMD x\n", cfg)
	if count(fs, "JSONArgsRecommended") != 0 {
		t.Errorf("disabled rule reported")
	}
	for _, f := range fs {
		if f.Rule == RuleBaseUnpinned && f.Severity != Error {
			t.Errorf("DS002 severity %v, want error from the config", f.Severity)
		}
	}
	if count(lint("FROM alpine:3.20 AS test\nFROM alpine:3.20 AS prod\nUSER 1\n", nil), RuleBaseNoDigest) != 0 {
		t.Errorf("DS014 is off by default")
	}
	on, _ := ParseConfig("c.yaml", []byte("enable: [DS014]\n"))
	if count(lint("FROM alpine:3.20 AS test\nFROM alpine:3.20 AS prod\nUSER 1\n", on), RuleBaseNoDigest) != 2 {
		t.Errorf("enabled DS014 should report both FROMs")
	}
}

func TestCheckDirective(t *testing.T) {
	const body = "FROM alpine:3.20 AS base\nFROM base as test\nFROM base AS prod\nCMD echo hi\n"
	fs := Dockerfile("Dockerfile", []byte("# check=skip=JSONArgsRecommended,DS001\n"+body), Options{})
	for _, f := range fs {
		if f.Rule == "JSONArgsRecommended" || f.Rule == RuleProdRoot {
			t.Errorf("skipped rule %s reported", f.Rule)
		}
	}
	fs = Dockerfile("Dockerfile", []byte("# check=error=true\n"+body), Options{})
	var rules []string
	for _, f := range fs {
		rules = append(rules, f.Rule)
		switch {
		case f.Rule == "FromAsCasing" || f.Rule == "JSONArgsRecommended":
			if f.Severity != Error {
				t.Errorf("%s is %v; error=true makes build checks errors", f.Rule, f.Severity)
			}
		case f.Rule == RuleProdRoot:
			if f.Severity != Warning {
				t.Errorf("error=true changed dockstage's DS001 to %v", f.Severity)
			}
		case f.Rule == RuleInvalid:
			t.Errorf("error=true's 'lint violation' error leaked as %s: %s", f.Rule, f.Msg)
		}
	}
	if strings.Join(rules, " ") != "FromAsCasing DS001 JSONArgsRecommended" {
		t.Errorf("rules = %v", rules)
	}
	// A spec's check directive reaches BuildKit through the rendered file.
	spec := strings.Replace(apiKeySpec, "stages:", "directives: {check: \"skip=SecretsUsedInArgOrEnv,DS003\"}\nstages:", 1)
	if fs := Spec("dockstage.yaml", []byte(spec), Options{}); len(fs) != 0 {
		t.Errorf("spec check directive not honoured:\n%s", textOf(t, fs, TextOptions{}))
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"disable: [DS01]\n", `c.yaml:1:11: unknown rule "DS01" (did you mean DS001?)`},
		{"disabel: [DS001]\n", `c.yaml:1:1: unknown key "disabel" (did you mean disable?)`},
		{"severity: {DS001: fatal}\n", `c.yaml:1:19: severity.DS001: unknown severity "fatal"`},
		{"disable: [DS000]\n", "DS000 cannot be disabled"},
		{"enable: DS014\n", "enable: expected a list of rule IDs"},
		{"- a\n", "a lint config is a mapping"},
		{"disable:\n\t- DS001\n", "c.yaml:2:1: a tab indents this line"},
		{"disable:\n  - \"DS001\n", `c.yaml:2:5: the string quoted with " here is not closed`},
	} {
		_, err := ParseConfig("c.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseConfig(%q) = %v, want %q", c.src, err, c.want)
		}
	}
	if _, err := ParseHadolintConfig(".hadolint.yaml", []byte("ignored:\n\t- DL3008\n")); err == nil || !strings.Contains(err.Error(), ".hadolint.yaml:2:1: a tab indents") {
		t.Errorf("hadolint config with a tab: %v", err)
	}
	cfg, err := ParseConfig("c.yaml", []byte("# nothing\n"))
	if err != nil || cfg == nil {
		t.Errorf("an empty config: %v", err)
	}
}

// TestSpecPositions checks that BuildKit findings on the rendered
// Dockerfile land on the spec lines they come from, and that a YAML
// comment suppresses them there.
func TestSpecPositions(t *testing.T) {
	const src = `version: 1
name: svc
stages:
  base: {from: "alpine:3.20"}
  test: {from: base}
  prod:
    from: base
    steps:
      - user: "1"
      - maintainer: me
      - workdir: app
      - cmd: echo hi  # dockstage:ignore=JSONArgsRecommended
`
	fs := Spec("s.yaml", []byte(src), Options{})
	got := map[string]int{}
	for _, f := range fs {
		got[f.Rule] = f.Pos.Line
	}
	want := map[string]int{"MaintainerDeprecated": 10, "WorkdirRelativePath": 11}
	if len(got) != len(want) {
		t.Errorf("findings:\n%s", textOf(t, fs, TextOptions{}))
	}
	for r, l := range want {
		if got[r] != l {
			t.Errorf("%s at line %d, want %d", r, got[r], l)
		}
	}
}

func TestInvalidInputs(t *testing.T) {
	for _, c := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"Dockerfile", "FROM alpine\nFORM x\n", 2, "unknown instruction"},
		{"Dockerfile", "", 1, "empty"},
		{"Dockerfile", "RUN x\n", 1, ""},
		{"dockstage.yaml", "version: 1\nname: x\nstages:\n  a: {from: alpine, stepz: []}\n", 4, `did you mean "steps"`},
		{"dockstage.yaml", "version: 1\nname: x\nstages:\n  a: {from: \"UPPER:case\"}\n", 4, "image reference"},
		{"compose.yaml", "services:\n  web:\n    image: x\n    buld: {}\n", 4, "buld"},
		{"compose.yaml", "services:\n  web:\n    image: [x\n", 3, "yaml"},
		{"compose.yaml", "services:\n  web:\n    image: x\n    environment: 3\n", 4, "mapping"},
		{"compose.yaml", "services:\n  web:\n    image: x\n    ports:\n      - 99999:80\n", 5, ""},
	} {
		all := File(c.name, []byte(c.src), Options{})
		var fs []Finding // the DS000 findings first (other rules may report too)
		for _, f := range all {
			if f.Rule == RuleInvalid {
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 || fs[0].Rule != RuleInvalid || fs[0].Severity != Error {
			t.Errorf("%s %q: want a DS000 error, got:\n%s", c.name, c.src, textOf(t, all, TextOptions{}))
			continue
		}
		if fs[0].Pos.Line != c.line || !strings.Contains(fs[0].Msg, c.msg) {
			t.Errorf("%s %q: got %d: %s, want line %d with %q", c.name, c.src, fs[0].Pos.Line, fs[0].Msg, c.line, c.msg)
		}
	}
}

// TestHadolintCompat: pragmas, the global pragma, .hadolint.yaml and
// --ignore's WithIgnored name rules by their hadolint IDs.
func TestHadolintCompat(t *testing.T) {
	src := []byte("FROM debian:12\n# hadolint ignore=DL3008\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nRUN cd /tmp && sudo true\n")
	rules := func(fs []Finding) string {
		var ids []string
		for _, f := range fs {
			ids = append(ids, f.Rule+"/"+f.Alias)
		}
		return strings.Join(ids, " ")
	}
	got := rules(Dockerfile("Dockerfile", src, Options{}))
	if strings.Contains(got, "DS3008") || !strings.Contains(got, "DS3003/DL3003") || !strings.Contains(got, "DS3004/DL3004") {
		t.Errorf("pragma: %s", got)
	}
	global := append([]byte("# hadolint global ignore=DL3003\n"), src...)
	if got := rules(Dockerfile("Dockerfile", global, Options{})); strings.Contains(got, "DS3003") {
		t.Errorf("global pragma: %s", got)
	}
	cfg, err := ParseHadolintConfig(".hadolint.yaml", []byte("ignored: [DL3004, SC2086]\noverride:\n  error: [DL3003]\nfailure-threshold: style\ntrustedRegistries: [registry.example]\n"))
	if err != nil {
		t.Fatal(err)
	}
	fs := Dockerfile("Dockerfile", src, Options{Config: cfg})
	got = rules(fs)
	if strings.Contains(got, "DS3004") || !strings.Contains(got, "DS3026/DL3026") || cfg.FailOn != "info" {
		t.Errorf(".hadolint.yaml: %s", got)
	}
	for _, f := range fs {
		if f.Rule == RuleCd && f.Severity != Error {
			t.Errorf("override.error: %v", f.Severity)
		}
	}
	if got := rules(Dockerfile("Dockerfile", src, Options{Config: (*Config)(nil).WithIgnored([]string{"DL3003"})})); strings.Contains(got, "DS3003") {
		t.Errorf("--ignore: %s", got)
	}
	if _, err := ParseHadolintConfig(".hadolint.yaml", []byte("ignord: [DL3008]\n")); err == nil || !strings.Contains(err.Error(), "did you mean ignored") {
		t.Errorf("unknown key: %v", err)
	}
}

// TestShellCheck: with shellcheck on PATH, SC findings land on the
// Dockerfile line and column they are on, heredoc lines included.
func TestShellCheck(t *testing.T) {
	sc := FindShellCheck()
	if sc == nil {
		t.Skip("shellcheck is not on PATH")
	}
	src := []byte("FROM alpine:3.19\nRUN echo start && \\\n    echo $(ls)\nRUN <<EOF\nset -e\nrm -rf $DIR/\nEOF\n")
	var got []string
	for _, f := range Dockerfile("Dockerfile", src, Options{ShellCheck: sc}) {
		if f.Rule == RuleShellCheck {
			got = append(got, fmt.Sprintf("%d:%d %s", f.Pos.Line, f.Pos.Col, f.Alias))
		}
	}
	s := strings.Join(got, " ")
	if !strings.Contains(s, "3:10 SC2046") || !strings.Contains(s, "6:") {
		t.Errorf("ShellCheck findings: %s", s)
	}
	// An error at the end of the script (SC1072 of an unterminated quote)
	// stays on the RUN's last line, not the next instruction's.
	src = []byte("FROM debian:12-slim\nRUN echo \"a\nUSER nobody\n")
	got = nil
	for _, f := range Dockerfile("Dockerfile", src, Options{ShellCheck: sc}) {
		if f.Rule == RuleShellCheck || f.Rule == RuleShellSyntax {
			got = append(got, fmt.Sprintf("%d:%d %s%s", f.Pos.Line, f.Pos.Col, f.Rule, f.Alias))
		}
	}
	if s := strings.Join(got, " "); !strings.Contains(s, "2:12 DS4100SC1072") || !strings.Contains(s, "2:10 DS016") || strings.Contains(s, "3:") {
		t.Errorf("unterminated quote: %s", s)
	}
	// Flags on continued lines, and heredocs fed to another interpreter,
	// are not shell.
	src = []byte("FROM alpine:3.19\nRUN --mount=type=cache,target=/a \\\n    --mount=type=tmpfs,target=/b \\\n    echo ok\nRUN <<PY python3\nimport sys; print(sys.argv)\nPY\n")
	for _, f := range Dockerfile("Dockerfile", src, Options{ShellCheck: sc}) {
		if f.Rule == RuleShellCheck {
			t.Errorf("no ShellCheck finding expected: %d: %s", f.Pos.Line, f.Msg)
		}
	}
	// A heredoc is read by the shell that runs it: RUN <<EOF bash, a #!
	// line naming bash (BuildKit runs such a body as a file), none for a
	// #! line naming python3; a plain heredoc is POSIX sh.
	src = []byte("FROM debian:12\nRUN <<EOT bash\nset -euo pipefail\n[[ -d /tmp ]]\nEOT\nRUN <<EOT\n#!/usr/bin/env bash\nset -o pipefail\nEOT\n" +
		"RUN <<EOT\n#!/usr/bin/env python3\nprint([[ 1 ]])\nEOT\nRUN <<EOT\n[[ -d /tmp ]]\nEOT\nUSER 1000\n")
	got = nil
	for _, f := range Dockerfile("Dockerfile", src, Options{ShellCheck: sc}) {
		if f.Rule == RuleShellCheck {
			got = append(got, fmt.Sprintf("%d:%s", f.Pos.Line, f.Alias))
		}
	}
	if s := strings.Join(got, " "); s != "15:SC3010" {
		t.Errorf("heredoc shells: got %q, want only 15:SC3010 (the plain heredoc)", s)
	}
}

// TestCIFormats: checkstyle, gitlab and github output.
func TestCIFormats(t *testing.T) {
	fs := Dockerfile("Dockerfile", []byte("FROM debian:12\nRUN cd /tmp\n"), Options{})
	for format, want := range map[string]string{
		"checkstyle": `<error line="2" column="5" severity="warning"`,
		"gitlab":     `"check_name": "DS3003 (DL3003)"`,
		"github":     "::warning file=Dockerfile,line=2,col=5,title=DS3003 (DL3003)::",
	} {
		var b bytes.Buffer
		if err := Write(&b, format, fs, "test", TextOptions{}); err != nil || !strings.Contains(b.String(), want) {
			t.Errorf("%s: %v\n%s", format, err, b.String())
		}
	}
}

// BenchmarkLintDockerfile lints every Dockerfile of the goldens here and
// of the import corpus (transpile/testdata), in-process, without ShellCheck;
// it reports files/s.
func BenchmarkLintDockerfile(b *testing.B) {
	var srcs [][]byte
	for _, root := range []string{"testdata", "../../transpile/testdata"} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			n := filepath.Base(p)
			if err == nil && !d.IsDir() && (strings.HasPrefix(n, "Dockerfile") || strings.HasSuffix(n, ".Dockerfile") || n == "Containerfile") {
				if src, err := os.ReadFile(p); err == nil {
					srcs = append(srcs, src)
				}
			}
			return nil
		})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, src := range srcs {
			Dockerfile("Dockerfile", src, Options{})
		}
	}
	b.ReportMetric(float64(len(srcs)*b.N)/b.Elapsed().Seconds(), "files/s")
}

// TestComposeMessages: compose values get dockstage's messages.
func TestComposeMessages(t *testing.T) {
	fs := Compose("compose.yaml", []byte("services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"8080:99999\"\n"), Options{})
	if len(fs) != 1 || fs[0].Pos.Line != 5 || !strings.Contains(fs[0].Msg, `"8080:99999" is not a port mapping: 99999 is not a port`) {
		t.Errorf("got %+v", fs)
	}
}

// TestComposeUnknownKeys: an unknown compose key is named at its line,
// with the key the compose schema most likely means.
func TestComposeUnknownKeys(t *testing.T) {
	for _, c := range []struct{ src, want, fix string }{
		{"services:\n  web:\n    image: x\n    enviroment: {A: b}\n", "4:5: services.web: unknown key enviroment; did you mean environment?", "rename enviroment to environment"},
		{"services:\n  web:\n    image: x\n    build: {contxt: .}\n", "4:13: services.web.build: unknown key contxt; did you mean context?", "rename contxt to context"},
		{"services:\n  web:\n    image: x\nvolumez: {}\n", "4:1: unknown top-level key volumez; did you mean volumes?", "rename volumez to volumes"},
	} {
		fs := Compose("compose.yaml", []byte(c.src), Options{})
		if len(fs) != 1 || fmt.Sprintf("%d:%d: %s", fs[0].Pos.Line, fs[0].Pos.Col, fs[0].Msg) != c.want || fs[0].Fix != c.fix {
			t.Errorf("%q: got %+v, want %s (fix: %s)", c.src, fs, c.want, c.fix)
		}
	}
}

// TestIgnoreAll: "all" turns off every rule but DS000, in --ignore, in
// both config files and in the suppression comments.
func TestIgnoreAll(t *testing.T) {
	src := []byte("FROM ubuntu\nMAINTAINER me\nRUN apt-get update && apt-get install -y curl\nRUN cd /x\nCMD echo hi\n")
	if n := len(Dockerfile("Dockerfile", src, Options{})); n < 5 {
		t.Fatalf("the test file should have findings, has %d", n)
	}
	own, err := ParseConfig(".dockstage-lint.yaml", []byte("disable: [all]\n"))
	if err != nil {
		t.Fatal(err)
	}
	had, err := ParseHadolintConfig(".hadolint.yaml", []byte("ignored: [All]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]*Config{"--ignore all": (*Config)(nil).WithIgnored([]string{"ALL"}), ".dockstage-lint.yaml": own, ".hadolint.yaml": had} {
		if fs := Dockerfile("Dockerfile", src, Options{Config: cfg}); len(fs) != 0 {
			t.Errorf("%s: %v", name, fs)
		}
		if fs := Dockerfile("Dockerfile", []byte("FROM ubuntu\nFRM x\n"), Options{Config: cfg}); len(fs) == 0 || fs[0].Rule != RuleInvalid {
			t.Errorf("%s: an invalid file is still DS000: %v", name, fs)
		}
	}
	for _, bad := range []string{"enable: [all]\n", "severity: {all: error}\n"} {
		if _, err := ParseConfig(".dockstage-lint.yaml", []byte(bad)); err == nil {
			t.Errorf("%q: want an error (all only disables)", bad)
		}
	}
	global := append([]byte("# hadolint global ignore=all\n"), src...)
	if fs := Dockerfile("Dockerfile", global, Options{}); len(fs) != 0 {
		t.Errorf("global ignore=all: %v", fs)
	}
	inline := []byte("FROM ubuntu:24.04\nUSER 1\n# dockstage:ignore=all\nRUN apt-get update && apt-get install -y curl\n")
	if fs := Dockerfile("Dockerfile", inline, Options{}); len(fs) != 0 {
		t.Errorf("dockstage:ignore=all: %v", fs)
	}
}

// TestSpecInvalidFix: an invalid spec's DS000 findings each carry a fix
// for what their message says, not one text for all.
func TestSpecInvalidFix(t *testing.T) {
	src := "version: 1\nname: app\nstages:\n  prod:\n    from: alpine:3.20\n    steps:\n      - expose: [\"abc\"]\n      - healthcheck: {cmd: [curl, x], interval: 5}\n"
	want := map[string]string{
		"port must be":      "EXPOSE a port number",
		"missing key":       "add the key the message names",
		"unknown key":       "dockstage schema prints every field",
		"is not a duration": "write durations with a unit",
	}
	fs := Spec("dockstage.yaml", []byte(src), Options{})
	seen := 0
	for _, f := range fs {
		for m, fix := range want {
			if strings.Contains(f.Msg, m) {
				seen++
				if f.Rule != RuleInvalid || !strings.Contains(f.Fix, fix) {
					t.Errorf("%s %q: fix %q, want it to hold %q", f.Rule, f.Msg, f.Fix, fix)
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("want %d DS000 findings, one per message, got:\n%s", len(want), textOf(t, fs, TextOptions{}))
	}
}

// TestWindowsRootFix: DS001 on a servercore stage gives the Windows fix.
func TestWindowsRootFix(t *testing.T) {
	src, err := os.ReadFile("testdata/dockerfile/windows-servercore-admin/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	fs := Dockerfile("Dockerfile", src, Options{})
	if len(fs) != 1 || fs[0].Rule != RuleProdRoot || !strings.Contains(fs[0].Fix, "USER ContainerUser") {
		t.Errorf("want one DS001 with the ContainerUser fix, got:\n%s", textOf(t, fs, TextOptions{}))
	}
}

// TestEnvSelfRefFix: DS3044's fix names the user's own keys and values.
func TestEnvSelfRefFix(t *testing.T) {
	fs := Dockerfile("Dockerfile", []byte("FROM alpine\nENV A=1 B=\"two words\" C=$A\nUSER 1000\n"), Options{})
	for _, f := range fs {
		if f.Rule == RuleEnvSelfRef {
			if want := "ENV A=1, then ENV C=$A"; !strings.Contains(f.Fix, want) {
				t.Errorf("fix %q, want it to hold %q", f.Fix, want)
			}
			return
		}
	}
	t.Errorf("no DS3044 finding:\n%s", textOf(t, fs, TextOptions{}))
}
