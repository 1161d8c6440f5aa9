package workspace

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// relocateSpec has relative host paths in its compose volumes, a named
// volume, an absolute path, a home path and an anonymous volume.
const relocateSpec = `version: 1
name: svc
stages:
  src: {from: "debian:bookworm-slim"}
  prod: {from: src, steps: [{cmd: [sleep, infinity]}]}
compose:
  volumes: ["./data:/data:ro", "cache:/cache"]
  dev:
    volumes: ["./:/app", "../shared:/shared", "/srv/x:/x", "~/y:/y", /app/node_modules]
`

// composeVolumes loads a rendered compose file with compose-go as compose
// does, from its own directory (relative paths resolved), and lists each
// volume as TYPE SOURCE TARGET.
func composeVolumes(t *testing.T, dir, name string, content []byte) []string {
	t.Helper()
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, name), Content: content}},
		Environment: types.Mapping{"HOME": "/home/u"},
	}, func(o *loader.Options) { o.SetProjectName("relocate", true) })
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, content)
	}
	var out []string
	for _, s := range p.Services {
		for _, v := range s.Volumes {
			out = append(out, v.Type+" "+v.Source+" "+v.Target)
		}
	}
	return out
}

// TestRenderToOtherDirVolumes: render -o DIR writes the relative host
// paths of the compose volumes relative to DIR, so that they name what
// they named beside the spec (the dev bind mount of the source over /app,
// not DIR's generated files); other volumes are kept as written.
func TestRenderToOtherDirVolumes(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "build", "docker")
	inPlace := map[string][]string{}
	p := render(t, dir, relocateSpec, Options{})
	for _, f := range p.Files {
		if strings.HasPrefix(f.Name, "compose") {
			inPlace[f.Name] = composeVolumes(t, dir, f.Name, f.Content)
		}
	}
	p = render(t, dir, "", Options{OutDir: out})
	want := map[string]string{
		"compose.yaml":     `      - "../../data:/data:ro"` + "\n" + `      - "cache:/cache"`,
		"compose.dev.yaml": `      - "../..:/app"` + "\n" + `      - "../../../shared:/shared"` + "\n" + `      - "/srv/x:/x"` + "\n" + `      - "~/y:/y"` + "\n" + `      - "/app/node_modules"`,
	}
	for _, f := range p.Files {
		w, ok := want[f.Name]
		if !ok {
			continue
		}
		if !strings.Contains(string(f.Content), "    volumes:\n"+w+"\n") {
			t.Errorf("%s volumes, want\n%s\nin:\n%s", f.Name, w, f.Content)
		}
		if got := composeVolumes(t, out, f.Name, f.Content); !reflect.DeepEqual(got, inPlace[f.Name]) {
			t.Errorf("%s in %s mounts %q, beside the spec %q", f.Name, out, got, inPlace[f.Name])
		}
		delete(want, f.Name)
	}
	if len(want) > 0 {
		t.Errorf("not rendered: %v", want)
	}
}

// TestRenderToOtherDirContext: a compose.context other than "." is
// relative to the spec's directory too, and the Dockerfile it names, when
// it is the rendered one, becomes DIR's.
func TestRenderToOtherDirContext(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "proj")
	spec := strings.Replace(relocateSpec, "compose:\n", "compose:\n  context: ..\n  dockerfile: "+filepath.Base(dir)+"/Dockerfile\n", 1)
	out := filepath.Join(dir, "out")
	p := render(t, dir, spec, Options{OutDir: out})
	for _, f := range p.Files {
		if f.Name == "compose.yaml" && !strings.Contains(string(f.Content), "      context: \"../..\"\n      dockerfile: proj/out/Dockerfile\n") {
			t.Errorf("compose.yaml:\n%s", f.Content)
		}
		if f.Name == "docker-bake.hcl" && (!strings.Contains(string(f.Content), `"../.."`) || !strings.Contains(string(f.Content), `"proj/out/Dockerfile"`)) {
			t.Errorf("docker-bake.hcl:\n%s", f.Content)
		}
	}
}
