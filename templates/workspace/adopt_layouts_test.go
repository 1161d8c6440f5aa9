package workspace

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// layoutSpec extends teamLayout (layouts_test.go), with a comment, a
// steps_patch and compose that adoption must keep.
const layoutSpec = `version: 1
name: svc
# the team's layout
extends:
  - layout: ../layouts/service.yaml
    with: {port: 9000}
stages:
  prod:
    steps_patch:
      # the mode
      - before: cmd
        steps: [{env: {MODE: svc}}]
compose: {ports: ["9000:9000"]}
`

// adoptLayoutFixture renders layoutSpec over teamLayout, applies edit to
// the Dockerfile and returns the spec's and the Dockerfile's paths.
func adoptLayoutFixture(t *testing.T, edit func(string) string) (sp, df string) {
	t.Helper()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "layouts/service.yaml"), teamLayout)
	sp, df = filepath.Join(root, "svc/dockstage.yaml"), filepath.Join(root, "svc/Dockerfile")
	writeFile(t, sp, layoutSpec)
	renderAll(t, Options{}, sp)
	writeFile(t, df, edit(readFile(t, df)))
	return sp, df
}

// TestAdoptOverLayout: each hand edit of a Dockerfile rendered over a
// layout is written into the spec as the least override (the spec's
// lines below "stages:" or the new keys; the rest of the spec as it was),
// and check passes afterwards.
func TestAdoptOverLayout(t *testing.T) {
	const head = "version: 1\nname: svc\n# the team's layout\nextends:\n  - layout: ../layouts/service.yaml\n    with: {port: 9000}\n"
	const ownPatch = "  prod:\n    steps_patch:\n      # the mode\n      - before: cmd\n        steps: [{env: {MODE: svc}}]\n"
	const tail = "compose: {ports: [\"9000:9000\"]}\n"
	for _, tc := range []struct{ name, old, new, want string }{
		// A step next to a step with an id joins the spec's patch entry.
		{"insert", "CMD [", "RUN true\nCMD [", head + "stages:\n  prod:\n    steps_patch:\n      # the mode\n      - before: cmd\n        steps: [{env: {MODE: svc}}, {run: \"true\"}]\n" + tail},
		// A changed step with an id: replace it, the spec's entry kept.
		{"replace", "USER 10001", "USER 10002", head + "stages:\n  prod:\n    steps_patch:\n      - replace: user\n        steps:\n          - user: \"10002\"\n      # the mode\n      - before: cmd\n        steps: [{env: {MODE: svc}}]\n" + tail},
		{"remove", "USER 10001\n", "", head + "stages:\n  prod:\n    steps_patch:\n      - remove: user\n      # the mode\n      - before: cmd\n        steps: [{env: {MODE: svc}}]\n" + tail},
		// A stage the spec did not override gets an override.
		{"other stage", "WORKDIR /srv", "WORKDIR /app", head + "stages:\n  base:\n    steps_patch:\n      - replace: workdir\n        steps:\n          - workdir: /app\n" + ownPatch + tail},
		// A changed step without an id: the stage's steps whole.
		{"no id", "EXPOSE 9000", "EXPOSE 9000 9001", head + "stages:\n  prod:\n    steps:\n      - user: \"10001\"\n      - expose: [\"9000\", \"9001\"]\n      - env: {MODE: svc}\n      - cmd: [sleep, infinity]\n" + tail},
		// Args as keys: a changed one, a new one.
		{"arg", "ARG DEBIAN=debian:bookworm-slim", "ARG DEBIAN=debian:trixie-slim", head + "args:\n  DEBIAN: 'debian:trixie-slim'\nstages:\n" + ownPatch + tail},
		{"new arg", "ARG DEBIAN=debian:bookworm-slim", "ARG DEBIAN=debian:bookworm-slim\nARG X=1", head + "args:\n  X: \"1\"\nstages:\n" + ownPatch + tail},
		// A new stage before prod, which the spec lists.
		{"new stage", "FROM base AS prod", "FROM alpine AS tools\nRUN true\n\nFROM base AS prod", head + "stages:\n  tools:\n    from: alpine\n    steps:\n      - run: \"true\"\n" + ownPatch + tail},
		// A new stage before base, which the spec did not list: listed as {}.
		{"new first stage", "FROM ${DEBIAN} AS base", "FROM alpine AS tools\nRUN true\n\nFROM ${DEBIAN} AS base", head + "stages:\n  tools:\n    from: alpine\n    steps:\n      - run: \"true\"\n  base: {}\n" + ownPatch + tail},
		// Another key of a layout's stage: that key.
		{"from", "FROM base AS prod", "FROM alpine:3.20 AS prod", head + "stages:\n  prod:\n    from: alpine:3.20\n    steps_patch:\n      # the mode\n      - before: cmd\n        steps: [{env: {MODE: svc}}]\n" + tail},
		// The spec's own step changed: its patch entry changes.
		{"own step", "ENV MODE=svc", "ENV MODE=other", head + "stages:\n  prod:\n    steps_patch:\n      # the mode\n      - before: cmd\n        steps: [{env: {MODE: other}}]\n" + tail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp, df := adoptLayoutFixture(t, func(s string) string { return strings.Replace(s, tc.old, tc.new, 1) })
			res, err := adopt(t, sp, df)
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Spec) != tc.want {
				t.Errorf("adopted spec:\n%s\nwant:\n%s", res.Spec, tc.want)
			}
			apply(t, res.Plan)
			if cr, err := Check(context.Background(), []string{sp}, CheckOptions{}); err != nil || cr.Drifted != 0 || cr.Invalid != 0 {
				t.Errorf("check after adopting: %v\n%s", err, cr.Text())
			}
		})
	}
}

// TestAdoptOverLayoutRefuses: what a spec cannot say over its layout is
// reported at the layout's line, and nothing is written.
func TestAdoptOverLayoutRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(string) string
		want string // after the layout file's name
	}{
		{"removed stage", func(s string) string {
			s = strings.Replace(s, "FROM ${DEBIAN} AS base\nWORKDIR /srv\n", "", 1)
			return strings.Replace(s, "FROM base AS prod", "FROM ${DEBIAN} AS prod\nWORKDIR /srv", 1)
		}, ":5:3: the edit of DF removes stage base, which the layout defines; a spec cannot remove a layout's stage"},
		{"removed arg", func(s string) string {
			s = strings.Replace(s, "ARG DEBIAN=debian:bookworm-slim\n", "", 1)
			return strings.Replace(s, "FROM ${DEBIAN} AS base", "FROM debian:bookworm-slim AS base", 1)
		}, ":3:8: the edit of DF removes args.DEBIAN, which the layout sets; a spec cannot remove a layout's value"},
		// Only another with value gives it: suggested, not overridden.
		{"param", func(s string) string { return strings.Replace(s, "EXPOSE 9000", "EXPOSE 9001", 1) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp, df := adoptLayoutFixture(t, tc.edit)
			if tc.want == "" {
				_, err := adopt(t, sp, df)
				if want := df + ":10: the edit is what the layout renders with another param value: set extends[0].with: {port: 9001} at " + sp + ":5:5 instead, nothing written"; err == nil || !strings.HasPrefix(err.Error(), want) {
					t.Errorf("got %v\nwant %s", err, want)
				}
				return
			}
			_, err := adopt(t, sp, df)
			layoutFile := filepath.ToSlash(filepath.Join(filepath.Dir(sp), "../layouts/service.yaml"))
			tc.want = strings.Replace(tc.want, "DF", df, 1)
			if err == nil || !strings.Contains(err.Error(), "the edit cannot be said over the spec's layouts, nothing written") || !strings.Contains(err.Error(), layoutFile+tc.want) {
				t.Errorf("got %v\nwant %s%s", err, layoutFile, tc.want)
			}
			if got := readFile(t, sp); got != layoutSpec {
				t.Errorf("spec written:\n%s", got)
			}
		})
	}
}

// FuzzAdoptOverLayout: any Dockerfile adopted into layoutSpec over
// teamLayout either fails or keeps extends, with and compose as written.
func FuzzAdoptOverLayout(f *testing.F) {
	f.Add("ARG DEBIAN=debian:bookworm-slim\nFROM ${DEBIAN} AS base\nWORKDIR /app\nFROM base AS prod\nUSER 10002\nEXPOSE 9000\nENV MODE=svc\nCMD [\"sleep\", \"infinity\"]\n")
	f.Add("ARG DEBIAN=debian:bookworm-slim\nFROM alpine AS tools\nFROM ${DEBIAN} AS base\nWORKDIR /srv\nFROM base AS prod\nEXPOSE 9001\nCMD [\"sleep\", \"infinity\"]\n")
	f.Add("FROM scratch\n")
	root := f.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "layouts"), 0o755); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "layouts/service.yaml"), []byte(teamLayout), 0o644); err != nil {
		f.Fatal(err)
	}
	sp := filepath.Join(root, "svc/dockstage.yaml")
	if err := os.MkdirAll(filepath.Dir(sp), 0o755); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(sp, []byte(layoutSpec), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, df string) {
		res, err := Adopt(sp, filepath.Join(root, "svc/Dockerfile"), []byte(df))
		if err != nil {
			return
		}
		for _, want := range []string{"# the team's layout\nextends:\n  - layout: ../layouts/service.yaml\n    with: {port: 9000}\n", "compose: {ports: [\"9000:9000\"]}\n"} {
			if !strings.Contains(string(res.Spec), want) {
				t.Errorf("adopted spec lacks %q:\n%s", want, res.Spec)
			}
		}
	})
}
