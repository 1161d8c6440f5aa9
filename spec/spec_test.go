package spec

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// loadAndValidate returns every diagnostic for a spec file.
func loadAndValidate(name string, data []byte) (*Spec, error) {
	s, err := Load(name, data)
	return s, Check(s, err)
}

// TestBadSpecs runs every testdata/bad/*.yaml and compares its diagnostics
// with the .err golden beside it.
func TestBadSpecs(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) < 10 {
		t.Fatalf("want at least 10 bad specs, have %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = loadAndValidate(f, data)
			if err == nil {
				t.Fatal("spec loaded and validated; want errors")
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ\n--- got\n%s--- want\n%s", got, want)
			}
			for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
				if !strings.HasPrefix(line, f+":") {
					t.Errorf("diagnostic without file:line:col: %q", line)
				}
			}
		})
	}
}

func TestErrorsCarryPositions(t *testing.T) {
	_, err := loadAndValidate("x.yaml", []byte("version: 1\nname: web\nstges: {}\n"))
	el, ok := err.(ErrorList)
	if !ok || len(el) == 0 {
		t.Fatalf("got %T %v, want ErrorList", err, err)
	}
	e := el[0]
	if e.Pos != (Pos{File: "x.yaml", Line: 3, Col: 1}) {
		t.Errorf("pos = %+v", e.Pos)
	}
	if !strings.Contains(e.Msg, `did you mean "stages"?`) {
		t.Errorf("msg = %q, want a suggestion", e.Msg)
	}
}

// TestMisspelledRequiredKey: a misspelt required key gives one error, the
// unknown key with its "did you mean", not also "missing key"; a key that
// is only missing is still reported.
func TestMisspelledRequiredKey(t *testing.T) {
	src := "version: 1\nname: web\nstages:\n  prod:\n    from: alpine\n    steps:\n" +
		"      - run: {comand: echo hi}\n      - copy: {sorce: [a], dest: /x}\n      - healthcheck: {tst: [curl, x]}\n      - copy: {src: [a]}\n"
	_, err := loadAndValidate("x.yaml", []byte(src))
	el, ok := err.(ErrorList)
	if !ok {
		t.Fatalf("got %T %v, want ErrorList", err, err)
	}
	var got []string
	for _, e := range el {
		got = append(got, fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg))
	}
	want := []string{
		`7:15: stages.prod.steps[0].run: unknown key "comand"; did you mean "command"?`,
		`8:16: stages.prod.steps[1].copy: unknown key "sorce"; did you mean "src"?`,
		`9:23: stages.prod.steps[2].healthcheck: unknown key "tst"; did you mean "test"?`,
		`10:15: stages.prod.steps[3].copy: missing key "dest"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// stripPos zeroes every Pos in a value, so specs compare by content.
func stripPos(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stripPos(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.Type() == posType || f.Type() == posSliceType {
				f.Set(reflect.Zero(f.Type()))
				continue
			}
			stripPos(f)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			stripPos(v.Index(i))
		}
	}
}

// StripPositions is stripPos for tests in this package.
func stripped(s *Spec) *Spec {
	stripPos(reflect.ValueOf(s))
	return s
}

// roundTrip checks that Marshal then Load gives back the same spec and that
// the canonical form is a fixed point.
func roundTrip(t *testing.T, name string, data []byte) {
	t.Helper()
	s, err := loadAndValidate(name, data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := loadAndValidate(name+" (marshalled)", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !reflect.DeepEqual(stripped(s), stripped(s2)) {
		t.Errorf("Marshal/Load changed the spec\n%s", out)
	}
	out2, err := Marshal(s2)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(out2) {
		t.Errorf("canonical form is not a fixed point\n--- first\n%s--- second\n%s", out, out2)
	}
}

// TestQuotedVersion checks that `version: "1"`, quoted as compose files
// quote theirs, reads as version 1, and that a quoted word is still an
// error.
func TestQuotedVersion(t *testing.T) {
	s, err := loadAndValidate("x.yaml", []byte("version: \"1\"\nname: web\nstages:\n  prod: {from: alpine}\n"))
	if err != nil || s.Version != 1 {
		t.Fatalf("version \"1\": got %v, %v", s, err)
	}
	_, err = loadAndValidate("x.yaml", []byte("version: one\nname: web\nstages:\n  prod: {from: alpine}\n"))
	if err == nil || !strings.Contains(err.Error(), "1:10: version: expected an integer, got a string") {
		t.Errorf("version one: got %v", err)
	}
}

func TestRoundTripGood(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	examples, _ := filepath.Glob("../examples/*/dockstage.yaml")
	files = append(files, examples...)
	if len(files) == 0 {
		t.Fatal("no good specs")
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, f, data)
		})
	}
}

func TestShortAndLongFormsAgree(t *testing.T) {
	short := "version: 1\nname: a\nstages:\n  b:\n    from: debian\n    steps:\n      - run: make\n      - copy: {src: x, dest: /y}\n"
	long := "version: 1\nname: a\nstages:\n  b:\n    from: debian\n    steps:\n      - run: {command: make}\n      - copy: {src: [x], dest: /y}\n"
	a, err := loadAndValidate("a", []byte(short))
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadAndValidate("b", []byte(long))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stripped(a), stripped(b)) {
		t.Error("short and long forms decode differently")
	}
}

func TestArgWithoutDefault(t *testing.T) {
	s, err := loadAndValidate("a", []byte("version: 1\nname: a\nargs: {A: , B: \"\", C: x}\nstages: {b: {from: debian}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Args[0].Value != nil || s.Args[1].Value == nil || *s.Args[1].Value != "" || *s.Args[2].Value != "x" {
		t.Errorf("args = %+v", s.Args)
	}
}

func FuzzLoad(f *testing.F) {
	for _, g := range []string{"testdata/good/*.yaml", "testdata/bad/*.yaml", "../examples/*/dockstage.yaml"} {
		files, _ := filepath.Glob(g)
		for _, file := range files {
			b, _ := os.ReadFile(file)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load("fuzz.yaml", data)
		if err != nil {
			if _, ok := err.(ErrorList); !ok {
				t.Fatalf("Load returned %T, want ErrorList", err)
			}
			// Validate runs on what decoded: it must not fail on a part.
			if all := Check(s, err); all == nil {
				t.Fatal("Check dropped the decoding errors")
			}
			return
		}
		if Validate(s) != nil {
			return
		}
		out, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := Load("again.yaml", out)
		if err != nil {
			t.Fatalf("marshalled spec does not load: %v\n%s", err, out)
		}
		if err := Validate(s2); err != nil {
			t.Fatalf("marshalled spec does not validate: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(stripped(s), stripped(s2)) {
			t.Fatalf("Marshal/Load changed the spec\n%s", out)
		}
	})
}

// TestSchemaUpToDate fails when spec/dockstage.schema.json differs from the
// schema generated from the types (run with -update to rewrite it).
func TestSchemaUpToDate(t *testing.T) {
	got, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		os.WriteFile("dockstage.schema.json", got, 0o644)
	}
	want, err := os.ReadFile("dockstage.schema.json")
	if err != nil {
		t.Fatalf("%v (run go test ./spec -update)", err)
	}
	if string(got) != string(want) {
		t.Error("spec/dockstage.schema.json is out of date; run go test ./spec -run TestSchemaUpToDate -update")
	}
}

// TestStageNameRule: stage names follow BuildKit's validStageName,
// `^[a-z][a-z0-9-_.]*$` compared without case, so upper case is accepted
// as BuildKit accepts it (its StageNameCasing check warns); README's
// Validation section says so (trial finding 7).
func TestStageNameRule(t *testing.T) {
	for name, ok := range map[string]bool{
		"prod": true, "Prod": true, "BUILDER": true, "b_1.x-y": true,
		"1a": false, "-a": false, "_a": false, "a b": false, "a/b": false, "Äb": false,
	} {
		src := "version: 1\nname: web\nstages:\n  \"" + name + "\":\n    from: alpine\n"
		_, err := loadAndValidate("x.yaml", []byte(src))
		if (err == nil) != ok {
			t.Errorf("stage %q: err = %v, want accepted = %v", name, err, ok)
		}
	}
}

// TestValidateLayoutKeys: step ids are checked, and the layout keys that
// only a merge uses (params, steps_patch) are errors in a spec read alone.
func TestValidateLayoutKeys(t *testing.T) {
	src := "version: 1\nname: x\nparams: {p: {type: int, default: 1}}\nstages:\n  base:\n    from: alpine\n    steps:\n      - {id: a, run: x}\n      - {id: a, run: y}\n      - {id: 9z, run: z}\n    steps_patch: [{remove: a}]\n"
	s, err := Load("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	err = Validate(s)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`s.yaml:3:10: params.p: only a layout declares params; a spec sets a layout's params with extends[].with`,
		`s.yaml:9:14: stages.base.steps[1].id: "a" names another step of the stage too (at s.yaml:8:14); step ids are unique in a stage`,
		`s.yaml:10:14: stages.base.steps[2].id: "9z" is not a step id; use letters, digits, '-', '_' and '.', starting with a letter`,
		`s.yaml:11:19: stages.base.steps_patch: no layout this spec extends has a stage base whose steps it could patch; write steps instead, or extend a layout that has the stage`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack\n  %s\ngot\n%s", want, err)
		}
	}
}

// A blank line between the items of a block comment list (or after the
// last, above the next key) is a CommentBlank; Marshal writes it back as
// a blank line.
func TestCommentBlankLines(t *testing.T) {
	src := `version: 1
name: app
comment:
  - head

  - more
stages:
  prod:
    from: alpine
    steps:
      - comment:
          - a

          - b

        run: "true"
      - comment:
          - c
          - d
        run: "false"
    trailing_comment:
      - x

      - z
`
	s, err := Load("dockstage.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	B := CommentBlank
	for name, c := range map[string][2][]string{
		"comment":        {s.Comment, {"head", B, "more"}},
		"step comment":   {s.Stages[0].Steps[0].Comment, {"a", B, "b", B}},
		"no blank":       {s.Stages[0].Steps[1].Comment, {"c", "d"}},
		"stage trailing": {s.Stages[0].TrailingComment, {"x", B, "z"}},
	} {
		if !reflect.DeepEqual(c[0], c[1]) {
			t.Errorf("%s: %q, want %q", name, c[0], c[1])
		}
	}
	if p := s.Stages[0].Steps[0].CommentPos; len(p) != 4 || p[2].Line != 14 {
		t.Errorf("step comment positions: %v", p)
	}
	out, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.SplitN(string(out), "\n", 2)[1]; got != src {
		t.Errorf("Marshal:\n%s\nwant:\n%s", got, src)
	}
}

// TestItemComments: the comment above an item of a block list (or above
// dest) is that item's ItemComments entry; Marshal writes it back, and a
// flow list without comments stays flow.
func TestItemComments(t *testing.T) {
	src := `version: 1
name: app
stages:
  prod:
    from: alpine
    steps:
      - copy:
          src:
            - a
            # about b
            # more
            - b
          # the destination
          dest: /d/
      - expose:
          # web
          - "80"
          - "443"
      - cmd:
          - sh
          # flag
          - -c
      - onbuild:
          run:
            - a
            # b
            - b
      - healthcheck:
          test:
            - curl
            # c
            - c
      - volume: [/v]
      - run:
          # after the flags
          command: make
          mounts:
            - {type: bind, target: /src}
            # the cache
            - {type: cache, target: /c}
          network: none
`
	s, err := Load("dockstage.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	st := s.Stages[0].Steps
	for name, c := range map[string][2]any{
		"src":         {st[0].Copy.SrcComment, ItemComments{nil, {"about b", "more"}}},
		"dest":        {st[0].Copy.DestComment, []string{"the destination"}},
		"expose":      {st[1].ExposeComment, ItemComments{{"web"}, nil}},
		"cmd":         {st[2].Cmd.ArgsComment, ItemComments{nil, {"flag"}}},
		"onbuild run": {st[3].OnBuild.Run.Command.ArgsComment, ItemComments{nil, {"b"}}},
		"healthcheck": {st[4].Healthcheck.Test.ArgsComment, ItemComments{nil, {"c"}}},
		"volume":      {st[5].VolumeComment, ItemComments(nil)},
		"run command": {st[6].Run.CommandComment, []string{"after the flags"}},
		"mounts":      {st[6].Run.MountsComment, ItemComments{nil, {"the cache"}}},
	} {
		if !reflect.DeepEqual(c[0], c[1]) {
			t.Errorf("%s: %q, want %q", name, c[0], c[1])
		}
	}
	out, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.SplitN(string(out), "\n", 2)[1]; got != src {
		t.Errorf("Marshal:\n%s\nwant:\n%s", got, src)
	}
	if st[0].WithoutComments().Copy.SrcComment != nil || st[3].WithoutComments().OnBuild.Run.Command.ArgsComment != nil || st[0].Copy.SrcComment == nil {
		t.Errorf("WithoutComments keeps comments, or changes its receiver")
	}

	// A comment line that holds a line break would write an instruction;
	// more entries than items say nothing.
	st[1].ExposeComment = ItemComments{{"ok"}, {"x\nRUN evil"}}
	st[2].Cmd.ArgsComment = ItemComments{nil, nil, {"extra"}}
	err = Validate(s)
	for _, want := range []string{
		`dockstage.yaml:18:13: stages.prod.steps[1].expose[1] comment: '\n' is not allowed here`,
		`stages.prod.steps[2].cmd: 3 comment entries for 2 items`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v\nwant %s", err, want)
		}
	}
}
