package migrate

import (
	"bytes"
	"errors"
	goflag "flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
)

var update = goflag.Bool("update", false, "rewrite golden files under testdata")

// goldenFiles are the expected outputs in a corpus folder; the rest of the
// folder is the build context.
var goldenFiles = map[string]bool{"dockstage.yaml": true, "Dockerfile.out": true, "report.txt": true}

// hideFS is a file system without some top-level names.
type hideFS struct {
	fs.FS
	hide map[string]bool
}

func (h hideFS) Open(name string) (fs.File, error) {
	if h.hide[name] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return h.FS.Open(name)
}

func (h hideFS) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(h.FS, name)
	if err != nil || name != "." {
		return es, err
	}
	var out []fs.DirEntry
	for _, e := range es {
		if !h.hide[e.Name()] {
			out = append(out, e)
		}
	}
	return out, nil
}

// migrated is one corpus case run through the whole pipeline.
type migrated struct {
	res      *Result
	specYAML []byte
	rendered []byte
	report   []byte
	reimport *spec.Spec
	proof    *Proof
}

func runCase(t *testing.T, dir string) *migrated {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Migrate(src, Options{File: "Dockerfile", Name: filepath.Base(dir), Context: hideFS{os.DirFS(dir), goldenFiles}})
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	m := &migrated{res: res}
	m.specYAML = roundTrip(t, res.Spec)
	out, err := transpile.Forward(res.Spec)
	if err != nil {
		t.Fatalf("Forward: %v", err)
	}
	files, err := templates.Render(out, templates.Options{Source: "dockstage.yaml"})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	m.rendered = files[0].Content
	m.report = res.Report.Text()
	m.reimport, _, err = transpile.Reverse("Dockerfile.out", m.rendered, transpile.ReverseOptions{Name: res.Spec.Name})
	if err != nil {
		t.Fatalf("Reverse of the rendered Dockerfile: %v", err)
	}
	m.proof, err = Prove(res.Original, m.reimport, res.Report)
	if err != nil {
		t.Fatalf("Prove: %v", err)
	}
	return m
}

// roundTrip checks Marshal -> Load -> Validate -> Marshal is a fixed point.
func roundTrip(t *testing.T, s *spec.Spec) []byte {
	t.Helper()
	a, err := spec.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	l, err := spec.Load("dockstage.yaml", a)
	if err != nil {
		t.Fatalf("Load of the marshalled spec: %v\n%s", err, a)
	}
	if err := spec.Validate(l); err != nil {
		t.Fatalf("Validate of the reloaded spec: %v\n%s", err, a)
	}
	b, err := spec.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("Marshal/Load round trip changed the spec:\n%s\n---\n%s", a, b)
	}
	return a
}

func corpus(t *testing.T) []string {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "Dockerfile")); err == nil {
			out = append(out, d)
		}
	}
	if len(out) < 15 {
		t.Fatalf("the corpus has %d cases, want at least 15", len(out))
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, dir := range corpus(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			m := runCase(t, dir)
			for _, g := range []struct {
				name string
				got  []byte
			}{{"dockstage.yaml", m.specYAML}, {"Dockerfile.out", m.rendered}, {"report.txt", m.report}} {
				p := filepath.Join(dir, g.name)
				if *update {
					if err := os.WriteFile(p, g.got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(p)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(g.got, want) {
					t.Errorf("%s differs (run with -update and read the diff):\n--- got\n%s\n--- want\n%s", g.name, g.got, want)
				}
			}
			// The golden spec renders to the golden Dockerfile: a fixed point.
			if !*update {
				b, _ := os.ReadFile(filepath.Join(dir, "dockstage.yaml"))
				s, err := spec.Load("dockstage.yaml", b)
				if err != nil {
					t.Fatal(err)
				}
				out, err := transpile.Forward(s)
				if err != nil {
					t.Fatal(err)
				}
				files, err := templates.Render(out, templates.Options{Source: "dockstage.yaml"})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(files[0].Content, m.rendered) {
					t.Errorf("rendering the golden dockstage.yaml does not give Dockerfile.out")
				}
			}
		})
	}
}

// TestProof is the proof of the issue: for every corpus file, the rendered
// Dockerfile's prod target is the original build except for the changes
// the report names. The differences are computed here again from the
// rendered file, independently of Prove's accounting, and each one must
// match a change of the report by line and kind.
func TestProof(t *testing.T) {
	for _, dir := range corpus(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			m := runCase(t, dir)
			if !m.proof.OK() {
				t.Fatalf("the prod target differs in ways the report does not name:\n%s", m.proof)
			}
			if m.res.Report.Proof.Differences != len(m.proof.Differences) || !m.res.Report.Proof.Accounted {
				t.Errorf("the report's proof (%+v) differs from the proof on the rendered file (%d differences)", m.res.Report.Proof, len(m.proof.Differences))
			}
			// Independent check: join the rendered prod chain, compare with
			// the original, and tie each difference to a change by line.
			back := m.reimport
			if sl := m.res.Report.slim; sl != nil {
				var is []string
				back, is = sl.unslim(back, m.res.Original.Escape())
				if len(is) > 0 {
					t.Fatalf("unslim: %v", is)
				}
			}
			if w := m.res.Report.wheels; w != nil {
				var is []string
				back, is = w.unwheel(back, m.res.Original.Escape())
				if len(is) > 0 {
					t.Fatalf("unwheel: %v", is)
				}
			}
			flat, issues, err := flatten(m.res.Original, back)
			if err != nil || len(issues) > 0 {
				t.Fatalf("flatten: %v %v", err, issues)
			}
			target := m.res.Original.Stages[len(m.res.Original.Stages)-1].Name
			diffs, err := transpile.CompareSpecs(m.res.Original, flat, target)
			if err != nil {
				t.Fatal(err)
			}
			seen := make([]bool, len(m.res.Report.Changes))
			for _, d := range diffs {
				is := m.changesFor(d)
				if len(is) == 0 {
					t.Errorf("difference not named by the report: %s\n  A: %s\n  B: %s", d, oneLine(d.A), oneLine(d.B))
					continue
				}
				for _, i := range is {
					seen[i] = true
				}
			}
			for i, c := range m.res.Report.Changes {
				if !seen[i] && c.Kind != ChangeContextNarrowed && c.Kind != ChangeSlimProd && c.Kind != ChangeStageRenamed {
					t.Errorf("the report names %q (line %s), but no difference shows it", c.Summary, joinInts(c.Lines))
				}
			}
		})
	}
}

// changesFor returns the indexes of the report changes a difference
// belongs to: by the original line of its A side, and by the text of its
// B side (an instruction the change added or moved); none when no change
// names it. Two changes may touch one instruction (a copy moved and
// rewritten).
func (m *migrated) changesFor(d transpile.Difference) []int {
	var out []int
	for i := range m.res.Report.Changes {
		if m.changeNames(i, d) {
			out = append(out, i)
		}
	}
	return out
}

func (m *migrated) changeNames(i int, d transpile.Difference) bool {
	esc := m.res.Original.Escape()
	c := m.res.Report.Changes[i]
	lines := map[int]bool{}
	for _, l := range c.Lines {
		lines[l] = true
	}
	for _, s := range append(append([]spec.Step(nil), c.removed...), c.moved...) {
		lines[s.Pos.Line] = true
	}
	if d.LineA > 0 && lines[d.LineA] {
		return true
	}
	if d.B != "" { // an instruction in B only, or paired with one of A
		for _, s := range append(append([]spec.Step(nil), c.added...), c.moved...) {
			if normText(s, esc) == d.B {
				return true
			}
		}
	}
	return false
}

// TestCorpusInvariants checks what every migration promises.
func TestCorpusInvariants(t *testing.T) {
	for _, dir := range corpus(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			m := runCase(t, dir)
			s := m.res.Spec
			var names []string
			for _, st := range s.Stages {
				names = append(names, st.Name)
			}
			joined := strings.Replace(strings.Join(names, ","), ",build,prod", ",prod", 1)
			if !strings.HasSuffix(joined, "base,src,prod") && !strings.HasSuffix(joined, "base,src,test,prod") {
				t.Errorf("stages %s", joined)
			}
			hasTest := strings.Contains(joined, ",test,")
			testsMoved := false
			for _, c := range m.res.Report.Changes {
				testsMoved = testsMoved || c.Kind == ChangeTestsMoved
			}
			if hasTest != testsMoved {
				t.Errorf("test stage %v but tests moved %v: a test stage exists exactly when the original ran tests", hasTest, testsMoved)
			}
			if !hasTest && m.res.Report.SuggestedTest == nil && !bytes.Contains(m.report, []byte("no test stage")) && !bytes.Contains(m.report, []byte("builder stage")) {
				t.Errorf("no test stage and no suggestion")
			}
			// Every original instruction is in the line map exactly once.
			seen := map[int]int{}
			for _, l := range m.res.Report.Lines {
				if l.Line > 0 {
					seen[l.Line]++
				}
			}
			for _, st := range m.res.Original.Stages {
				if seen[st.Pos.Line] != 1 {
					t.Errorf("FROM line %d appears %d times in the line map", st.Pos.Line, seen[st.Pos.Line])
				}
				for _, step := range st.Steps {
					if seen[step.Pos.Line] != 1 {
						t.Errorf("line %d appears %d times in the line map", step.Pos.Line, seen[step.Pos.Line])
					}
				}
			}
			// The JSON report has the same content.
			if _, err := m.res.Report.JSON(); err != nil {
				t.Fatal(err)
			}
			// compose publishes the EXPOSEd ports.
			var exposed []string
			for _, st := range m.res.Original.Stages[len(m.res.Original.Stages)-1:] {
				for _, step := range st.Steps {
					exposed = append(exposed, step.Expose...)
				}
			}
			if len(s.Compose.Ports) != len(exposed) {
				t.Errorf("compose ports %v for EXPOSE %v", s.Compose.Ports, exposed)
			}
		})
	}
}

// migrateString runs Migrate on an inline Dockerfile and context.
func migrateString(t *testing.T, dockerfile string, files map[string]string) (*Result, error) {
	t.Helper()
	var ctx fs.FS
	if files != nil {
		mfs := fstest.MapFS{}
		for name, body := range files {
			mfs[name] = &fstest.MapFile{Data: []byte(body)}
		}
		ctx = mfs
	}
	res, err := Migrate([]byte(dockerfile), Options{File: "Dockerfile", Context: ctx})
	if err != nil {
		return nil, err
	}
	p, err := Prove(res.Original, res.Spec, res.Report)
	if err != nil || !p.OK() {
		t.Fatalf("proof: %v\n%s", err, p)
	}
	return res, nil
}

func stageOf(s *spec.Spec, name string) *spec.Stage {
	for _, st := range s.Stages {
		if st.Name == name {
			return st
		}
	}
	return nil
}

func hasNote(r *Report, sub string) bool {
	for _, n := range r.Notes {
		if strings.Contains(n.Msg, sub) {
			return true
		}
	}
	return false
}

func hasChange(r *Report, kind string) bool {
	for _, c := range r.Changes {
		if c.Kind == kind {
			return true
		}
	}
	return false
}

func TestReorderRefusals(t *testing.T) {
	const df = "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n"
	lock := `{"lockfileVersion": 3}`
	for _, tc := range []struct {
		name, dockerfile string
		files            map[string]string
		note             string // "" = reordered
	}{
		{"reordered", df, map[string]string{"package.json": `{}`, "package-lock.json": lock}, ""},
		{"no context", df, nil, "no build context"},
		{"no manifest", df, map[string]string{"server.js": ""}, "package.json, which is not in the build context"},
		{"ignored manifest", df, map[string]string{"package.json": `{}`, ".dockerignore": "package.json\n"}, "not in the build context"},
		{"node_modules in context", df, map[string]string{"package.json": `{}`, "node_modules/x/index.js": ""}, "holds node_modules"},
		{"node_modules ignored", df, map[string]string{"package.json": `{}`, "node_modules/x/index.js": "", ".dockerignore": "**/node_modules\n"}, ""},
		{"postinstall", df, map[string]string{"package.json": `{"scripts": {"postinstall": "node x.js"}}`}, `"postinstall" script`},
		{"postinstall ignored", strings.Replace(df, "npm ci", "npm ci --ignore-scripts", 1), map[string]string{"package.json": `{"scripts": {"postinstall": "node x.js"}}`}, ""},
		{"workspaces", df, map[string]string{"package.json": `{"workspaces": ["a"]}`}, "workspaces"},
		{"file dependency", df, map[string]string{"package.json": `{"dependencies": {"lib": "file:./lib"}}`}, "a path in the source"},
		{"no workdir", "FROM node:18\nCOPY . .\nRUN npm ci\n", map[string]string{"package.json": `{}`}, "no WORKDIR"},
		{"other dest", "FROM node:18\nWORKDIR /app\nCOPY . /srv\nRUN npm ci\n", map[string]string{"package.json": `{}`}, "lands in /srv"},
		{"piecewise source", "FROM node:18\nWORKDIR /app\nCOPY src/ ./src/\nRUN npm ci\n", map[string]string{"package.json": `{}`}, "not the whole build context"},
		{"add", "FROM node:18\nWORKDIR /app\nADD . .\nRUN npm ci\n", map[string]string{"package.json": `{}`}, "ADD"},
		{"step between", "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN ./configure\nRUN npm ci\n", map[string]string{"package.json": `{}`}, "runs between the source copy"},
		{"env expanded by the copy", "FROM node:18\nWORKDIR /app\nCOPY --chown=$U . .\nENV U=node\nRUN npm ci\n", map[string]string{"package.json": `{}`}, "expands"},
		{"pip editable", "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n", map[string]string{"requirements.txt": "flask\n-e .\n"}, "reads the source"},
		{"pip include", "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n", map[string]string{"requirements.txt": "-r base.txt\n", "base.txt": "flask\n"}, ""},
		{"go replace", "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download\n", map[string]string{"go.mod": "module x\nreplace y => ./y\n"}, "replaces a module"},
		{"poetry root", "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN poetry install\n", map[string]string{"pyproject.toml": ""}, "--no-root"},
		{"gemspec", "FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nRUN bundle install\n", map[string]string{"Gemfile": "source 'https://rubygems.org'\ngemspec\n"}, "gemspec"},
		{"maven modules", "FROM maven:3\nWORKDIR /app\nCOPY . .\nRUN mvn dependency:go-offline\n", map[string]string{"pom.xml": "", "core/pom.xml": ""}, "module poms"},
		{"cargo fetch", "FROM rust:1\nWORKDIR /app\nCOPY . .\nRUN cargo fetch\n", map[string]string{"Cargo.toml": ""}, "stub targets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := migrateString(t, tc.dockerfile, tc.files)
			if err != nil {
				t.Fatal(err)
			}
			reordered := hasChange(res.Report, ChangeInstallCached)
			if tc.note == "" {
				if !reordered {
					t.Fatalf("not reordered: %v", res.Report.Notes)
				}
				return
			}
			if reordered {
				t.Fatalf("reordered, want refused with %q", tc.note)
			}
			if !hasNote(res.Report, tc.note) {
				t.Fatalf("notes %v lack %q", res.Report.Notes, tc.note)
			}
		})
	}
}

func TestRefusedInputs(t *testing.T) {
	for _, tc := range []struct{ name, dockerfile, want string }{
		{"chained stages", "FROM golang:1.22 AS build\nRUN go build\nFROM build\nCMD [\"/app\"]\n", `builds on stage "build"`},
		{"index reference", "FROM golang:1.22\nRUN go build\nFROM 0\nCMD [\"/app\"]\n", "builds on stage"},
		{"builder named src", "FROM golang:1.22 AS src\nRUN go build\nFROM scratch\nCOPY --from=src /app /app\n", `named "src"`},
		{"invalid Dockerfile", "RUN make\n", "Dockerfile:1"},
		{"already migrated", "FROM debian AS base\nFROM base AS src\nFROM src AS prod\nCMD [\"x\"]\n", "already has dockstage's stages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Migrate([]byte(tc.dockerfile), Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			var ie *InternalError
			if errors.As(err, &ie) {
				t.Fatalf("an input error came back as internal: %v", err)
			}
		})
	}
}

func TestArgsCarried(t *testing.T) {
	res, err := migrateString(t, "FROM debian:bookworm-slim\nARG V=1\nWORKDIR /app\nRUN echo $V\nCOPY . .\nRUN make\nRUN make test-go && go test ./...\nCMD [\"/app/run\"]\n", map[string]string{"Makefile": ""})
	if err != nil {
		t.Fatal(err)
	}
	src := stageOf(res.Spec, StageSrc)
	if src.Steps[0].Arg == nil || src.Steps[0].Arg[0].Key != "V" {
		t.Errorf("src does not declare ARG V again: %+v", src.Steps[0])
	}
	prod := stageOf(res.Spec, StageProd)
	if prod.Steps[0].Arg != nil {
		t.Errorf("prod declares ARG V again although it runs nothing")
	}
	// Without the re-declaration the proof fails.
	broken := *res.Spec
	broken.Stages = append(spec.Stages(nil), res.Spec.Stages...)
	s2 := *src
	s2.Steps = src.Steps[1:]
	broken.Stages[1] = &s2
	p, err := Prove(res.Original, &broken, res.Report)
	if err != nil || p.OK() {
		t.Fatalf("the proof accepts a src stage that lost its build args: %v", err)
	}
}

func TestConfigMoved(t *testing.T) {
	res, err := migrateString(t, "FROM node:18\nWORKDIR /app\nONBUILD RUN echo hi\nCMD [\"start\"]\nCOPY . .\nRUN npm run build\nENTRYPOINT [\"npm\"]\n", map[string]string{"package.json": "{}"})
	if err != nil {
		t.Fatal(err)
	}
	prod := stageOf(res.Spec, StageProd)
	if len(prod.Steps) != 3 || prod.Steps[0].OnBuild == nil || prod.Steps[1].Cmd == nil || prod.Steps[2].Entrypoint == nil {
		t.Fatalf("prod steps: %+v", prod.Steps)
	}
	if !hasChange(res.Report, ChangeConfigMoved) {
		t.Fatal("no config-moved change")
	}
}

func TestExecForm(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		want []string // nil: kept shell form
	}{
		{"python app.py", []string{"python", "app.py"}},
		{"exec gunicorn -b 0.0.0.0:8000 app:app", []string{"gunicorn", "-b", "0.0.0.0:8000", "app:app"}},
		{"node server.js --port $PORT", nil},
		{"./run.sh > /tmp/log", nil},
		{"cd /app && ./run", nil},
		{`echo "hi there"`, nil},
		{"FOO=1 app", nil},
		{"~/bin/app", nil},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			res, err := migrateString(t, "FROM python:3.12\nCMD "+tc.cmd+"\n", nil)
			if err != nil {
				t.Fatal(err)
			}
			c := stageOf(res.Spec, StageProd).Steps[0].Cmd
			if tc.want == nil {
				if c.Exec {
					t.Fatalf("turned to exec form: %q", c.Args)
				}
				return
			}
			if !c.Exec || strings.Join(c.Args, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("got %+v, want %q", c, tc.want)
			}
		})
	}
	res, err := Migrate([]byte("FROM python:3.12\nCMD python app.py\n"), Options{KeepShellForm: true})
	if err != nil || stageOf(res.Spec, StageProd).Steps[0].Cmd.Exec {
		t.Fatalf("--keep-shell-form: %v", err)
	}
}

func TestEcosystemDetection(t *testing.T) {
	for _, tc := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"requirements.txt": ""}, "python/pip"},
		{map[string]string{"pyproject.toml": "[tool.poetry]\n", "poetry.lock": ""}, "python/poetry"},
		{map[string]string{"package.json": "{}", "yarn.lock": ""}, "node/yarn"},
		{map[string]string{"package.json": "{}", "package-lock.json": "{}"}, "node/npm"},
		{map[string]string{"go.mod": ""}, "go/go"},
		{map[string]string{"pom.xml": ""}, "java/maven"},
		{map[string]string{"build.gradle.kts": ""}, "java/gradle"},
		{map[string]string{"Gemfile": ""}, "ruby/bundler"},
		{map[string]string{"composer.json": "{}"}, "php/composer"},
		{map[string]string{"Cargo.toml": ""}, "rust/cargo"},
		{map[string]string{"src/App/App.csproj": ""}, "dotnet/dotnet"},
	} {
		res, err := migrateString(t, "FROM debian:bookworm-slim\nCOPY . /app\n", tc.files)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range res.Report.Ecosystems {
			got = append(got, e.Name+"/"+e.Tool)
		}
		if len(got) == 0 || got[0] != tc.want {
			t.Errorf("%v: ecosystems %v, want %s first", tc.files, got, tc.want)
		}
		if res.Report.SuggestedTest == nil {
			t.Errorf("%v: no test suggestion", tc.files)
		}
	}
}

func TestContextNarrowed(t *testing.T) {
	df := "FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string // "" = no change
	}{
		{"secrets and vcs", map[string]string{"app.py": "", ".env": "X=1", ".git/config": ""}, ".env and .git/"},
		{"already ignored", map[string]string{"app.py": "", ".env": "X=1", ".dockerignore": ".env\n"}, ".dockerignore"},
		{"re-included by the user", map[string]string{"app.py": "", ".env": "X=1", ".dockerignore": "# dockstage:end\n!.env\n!.dockerignore\n"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := migrateString(t, df, tc.files)
			if err != nil {
				t.Fatal(err)
			}
			var got *Change
			for i, c := range res.Report.Changes {
				if c.Kind == ChangeContextNarrowed {
					got = &res.Report.Changes[i]
				}
			}
			switch {
			case tc.want == "" && got != nil:
				t.Fatalf("unexpected change: %s", got.Detail)
			case tc.want != "" && (got == nil || !strings.Contains(got.Detail, "keeps "+tc.want+" out")):
				t.Fatalf("want %q kept out, got %+v", tc.want, got)
			}
		})
	}
}

// TestSuggestionText: the suggested test stage reads as whole sentences,
// for a RUN still to split and for a builder stage to start from.
func TestSuggestionText(t *testing.T) {
	r := &Report{File: "Dockerfile", Stages: []string{"builder", "base", "src", "prod"}, SuggestedTest: &Suggestion{
		Reason:     "the original runs its tests inside a build command (see the notes), so there is no test stage",
		AfterSplit: true, Ecosystem: "go (go)", From: "builder", Steps: []string{"go test ./..."},
	}}
	text := strings.Join(strings.Fields(string(r.Text())), " ")
	want := "so there is no test stage. Once that RUN is split, add this for go (go) between src and prod in dockstage.yaml; it starts from builder, the stage that has the toolchain and the source: test: from: builder steps: - run: go test ./..."
	if !strings.Contains(text, want) {
		t.Errorf("text lacks %q:\n%s", want, r.Text())
	}
}

// TestKeepProdBaseSlims: --keep-prod-base keeps prod on src for every slim
// prod: a compiled binary, a static site, a node build's output.
func TestKeepProdBaseSlims(t *testing.T) {
	for _, dir := range []string{"testdata/rust-crt-static", "testdata/static-node-serve", "testdata/node-build-prune"} {
		src, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		ctx := hideFS{os.DirFS(dir), goldenFiles}
		for _, keep := range []bool{false, true} {
			res, err := Migrate(src, Options{Context: ctx, KeepProdBase: keep})
			if err != nil {
				t.Fatalf("%s: %v", dir, err)
			}
			prod := res.Spec.Stages[len(res.Spec.Stages)-1]
			if onSrc := prod.From == StageSrc; onSrc != keep {
				t.Errorf("%s (keep-prod-base %v): prod is FROM %s", dir, keep, prod.From)
			}
		}
	}
}

// TestProdDepsLocalPackages: the production-only install is not claimed
// when the build context holds node_modules and the source copy lays it
// over what the install writes (prod would hold the local packages, dev
// ones included); a note says to ignore it instead. Without the local
// directory, or with it in .dockerignore, prod gets --omit=dev.
func TestProdDepsLocalPackages(t *testing.T) {
	df := "FROM node:20-bookworm\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\nCOPY . .\nRUN npm test\nCMD [\"npm\", \"start\"]\n"
	pkg := `{"name": "x", "scripts": {"test": "jest"}, "dependencies": {"express": "4"}, "devDependencies": {"jest": "29"}}`
	for _, tc := range []struct {
		name  string
		files map[string]string
		omit  bool
	}{
		{"no local packages", map[string]string{"package.json": pkg, "server.js": ""}, true},
		{"local packages", map[string]string{"package.json": pkg, "server.js": "", "node_modules/jest/index.js": ""}, false},
		{"local packages ignored", map[string]string{"package.json": pkg, "server.js": "", "node_modules/jest/index.js": "", ".dockerignore": "node_modules\n"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := migrateString(t, df, tc.files)
			if err != nil {
				t.Fatal(err)
			}
			omit := false
			for _, c := range res.Report.Changes {
				omit = omit || c.Kind == ChangeProdDeps
			}
			note := false
			for _, n := range res.Report.Notes {
				note = note || strings.Contains(n.Msg, "add node_modules to .dockerignore")
			}
			if omit != tc.omit || note == tc.omit {
				t.Fatalf("prod-deps change %v (want %v), node_modules note %v; notes: %+v", omit, tc.omit, note, res.Report.Notes)
			}
		})
	}
}
