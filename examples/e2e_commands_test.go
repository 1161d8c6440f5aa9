//go:build e2e

// End-to-end proofs of the dockstage commands on a real Docker engine, next to the examples'
// own (e2e_test.go, whose TestMain, helpers and prod check these reuse):
//
//   - TestDockstageImage: the repository's own Dockerfile builds prod, and the image runs
//     `version` and `check` on the examples, bind-mounted read-only; its test target (go vet and
//     the unit tests) passes.
//   - TestInit: `dockstage init --yes` on an example's sources alone writes a Dockerfile whose
//     test target passes and whose prod target serves HTTP as a non-root user.
//   - TestMigrate: `dockstage migrate` of a single-stage Dockerfile (examples/migrate: Python,
//     Node, Go, Rust and a static site): the original and the migrated prod both serve the same
//     answer, their sizes side by side, the migrated test target runs the tests (and fails on a
//     failing one, while prod still builds).
//   - TestBake: `docker buildx bake` of an example's docker-bake.hcl builds test and prod
//     (skipped when docker buildx is not installed).
package examples

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// the examples init is proven on, and the migrate examples (examples/migrate/NAME)
var (
	initExamples    = []string{"python-flask", "node-express", "go-service", "static-site"}
	migrateExamples = []string{"python-flask", "node-express", "node-build", "go-service", "rust-service", "static-site"}
)

// the build args init's Dockerfiles need here, where only build-images.sh's images exist: init
// follows go.mod's go line (go 1.24) and the local golang image is the host toolchain's; the
// static preset serves from nginx:1.28-alpine and the local nginx is nginx:1.22 (Debian, so its
// healthcheck takes the bash branch)
var initBuildArgs = map[string][]string{
	"go-service":  {"--build-arg", "GO_IMAGE=golang:" + hostGoMinor() + "-bookworm"},
	"static-site": {"--build-arg", "NGINX_IMAGE=nginx:1.22"},
}

// hostGoMinor is the major.minor of the Go that built the tests: the one build-images.sh makes
// golang:<major.minor>-bookworm from.
func hostGoMinor() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// the files dockstage writes for an example; init starts without them
var generatedFiles = []string{"dockstage.yaml", "Dockerfile", "compose.yaml", "compose.dev.yaml", "docker-bake.hcl", ".dockerignore"}

var cli struct {
	once sync.Once
	path string
	err  error
	out  string
}

// dockstageCLI builds the dockstage command once per run (from the module root) and returns
// its path.
func dockstageCLI(t *testing.T) string {
	t.Helper()
	cli.once.Do(func() {
		cli.path = filepath.Join(e2e.tmp, "dockstage")
		cli.out, cli.err = run(moduleRoot(t), "go", "build", "-o", cli.path, "./cmd/dockstage")
	})
	if cli.err != nil {
		t.Fatalf("go build ./cmd/dockstage: %v\n%s", cli.err, tail(cli.out, 30))
	}
	return cli.path
}

// moduleRoot is the repository root (the tests run in examples/).
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod in %s: %v", root, err)
	}
	return root
}

// (issue 7) dockstage's own image: prod builds from the repository root, `version` runs,
// `check` passes on the examples bind-mounted read-only, and the test target passes.
func TestDockstageImage(t *testing.T) {
	t.Parallel()
	startUnit(t, "dockstage-image")
	root := moduleRoot(t)
	ex := newExample(t, "dockstage", root, "")
	for _, s := range []string{"base", "src", "test", "prod"} {
		if !ex.hasStage(s) {
			t.Fatalf("the root Dockerfile has no %q stage (stages: %v)", s, ex.stages)
		}
	}
	t.Cleanup(func() { ex.removeImages(t) })
	ex.runSteps(t, []step{
		{"prod", func(t *testing.T) { ex.mustBuild(t, root, "prod") }},
		{"version", func(t *testing.T) {
			out := mustRun(t, "", dockerBin, "run", "--rm", ex.images["prod"], "version")
			if !strings.Contains(out, "dockstage ") {
				t.Fatalf("docker run IMAGE version printed %q, want \"dockstage \"", out)
			}
			t.Logf("docker run IMAGE version: %s", firstLine(out))
		}},
		{"check", func(t *testing.T) {
			image := ex.images["prod"]
			user := strings.TrimSpace(mustRun(t, "", dockerBin, "image", "inspect", "-f", "{{.Config.User}}", image))
			// read-only: check only reads; the image's user (not root) must be able to read the
			// files, which the repository's modes (0644/0755) allow
			args := []string{"run", "--rm", "-v", filepath.Join(root, "examples") + ":/work:ro", image, "check", "/work"}
			out, err := run("", dockerBin, args...)
			if err != nil && strings.Contains(strings.ToLower(out), "permission denied") {
				uid := strconv.Itoa(os.Getuid()) + ":" + strconv.Itoa(os.Getgid())
				t.Logf("the image's user %s cannot read the bind mount (%s); running check as the host user %s", user, firstLine(out), uid)
				args = append([]string{"run", "--rm", "--user", uid}, args[2:]...)
				out, err = run("", dockerBin, args...)
			}
			if err != nil {
				t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, tail(out, 30))
			}
			t.Logf("docker run -v examples:/work:ro IMAGE check /work (user %s): %s", user, firstLine(out))
		}},
		// go vet and the module's unit tests: about a minute with the build cache prod left in the
		// go-build cache mount (so after prod, not beside it)
		{"test-target", func(t *testing.T) {
			out := ex.mustBuild(t, root, "test")
			t.Logf("the test target passed:\n%s", stepOutput(out, `\[test `, 12))
		}},
	})
}

// (issue 7) init on an example's sources (none of dockstage's files): the Dockerfile it writes
// builds test and prod, and prod serves on the port it EXPOSEs, as a non-root user.
func TestInit(t *testing.T) {
	t.Parallel()
	parallelUnits(t, "init", initExamples, func(t *testing.T, name string) {
		orig := newExample(t, name, mustAbs(t, name), "")
		dir := copyExample(t, orig.dir)
		for _, f := range generatedFiles {
			if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		out := mustRun(t, "", dockstageCLI(t), "init", dir, "--yes")
		t.Logf("dockstage init %s --yes:\n%s", name, tail(out, 20))

		ex := newExample(t, "init-"+name, dir, "")
		ex.buildArgs = initBuildArgs[name]
		ex.checkLayout(t)
		if ex.port != orig.port {
			t.Errorf("init's prod EXPOSEs %s, the example's %s", ex.port, orig.port)
		}
		t.Cleanup(func() { ex.removeImages(t) })
		ex.runSteps(t, []step{
			{"test-target", func(t *testing.T) { ex.mustBuild(t, dir, "test") }},
			{"prod", ex.testProd},
		})
	})
}

// (issue 5) migrate of a single-stage Dockerfile: the original and the migrated prod both
// serve HTTP; their sizes side by side; the migrated test target passes, and fails on a
// failing test while prod still builds.
func TestMigrate(t *testing.T) {
	t.Parallel()
	parallelUnits(t, "migrate", migrateExamples, func(t *testing.T, name string) {
		ctx := mustAbs(t, filepath.Join("migrate", name))
		out := filepath.Join(t.TempDir(), name)
		report := mustRun(t, "", dockstageCLI(t), "migrate", filepath.Join(ctx, "Dockerfile"), "-o", out)
		t.Logf("dockstage migrate %s:\n%s", name, tail(report, 20))

		// the migrated Dockerfile, built with the original context
		ex := newExample(t, "migrate-"+name, ctx, filepath.Join(out, "Dockerfile"))
		ex.buildArgs = migrateBuildArgs[name]
		ex.checkLayout(t)
		// the original: the same context, its own Dockerfile, no target; its port is the one
		// it EXPOSEs (a site's migrated prod listens on nginx's)
		orig, err := os.ReadFile(filepath.Join(ctx, "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		oldPort := ex.port
		if m := exposeLineRE.FindSubmatch(orig); m != nil {
			oldPort = string(m[1])
		}
		old := &example{name: ex.name, dir: ctx, lang: ex.lang, port: oldPort, images: ex.images, pending: ex.pending}
		t.Cleanup(func() { ex.removeImages(t) })
		// the original shares only its base image with the migrated stages: it and the migrated
		// prod build while the test target does
		old.prebuild(t, ctx, "", "old")
		ex.prebuild(t, ctx, "prod", "prod")
		ex.runSteps(t, []step{
			{"test-target", func(t *testing.T) {
				out := ex.mustBuild(t, ctx, "test")
				t.Logf("migrated test target passed; its test run:\n%s", stepOutput(out, `\[test `, 10))
				ex.failingTestCopy(t, true)
			}},
			{"original", func(t *testing.T) {
				old.mustBuildAs(t, ctx, "", "old")
				old.checkServes(t, "old", false)
			}},
			{"prod", func(t *testing.T) {
				if why := migrateRootProd[name]; why != "" {
					ex.mustBuild(t, ctx, "prod")
					ex.checkServes(t, "prod", false)
					t.Logf("prod may run as root: %s", why)
					return
				}
				ex.testProd(t)
			}},
			{"same-response", func(t *testing.T) {
				if ex.images["old"] == "" || ex.images["prod"] == "" {
					t.Skip("the original or the migrated prod image was not built")
				}
				a, b := servedBody(t, old, "old"), servedBody(t, ex, "prod")
				if a != b {
					t.Errorf("the original answers %q, the migrated prod %q", firstLine(a), firstLine(b))
				}
			}},
			{"prod-holds-only-what-runs", func(t *testing.T) {
				if check := migrateAbsent[name]; check != "" {
					if ex.images["prod"] == "" {
						t.Skip("the migrated prod image was not built")
					}
					if out, err := run("", dockerBin, "run", "--rm", "--entrypoint", "sh", ex.images["prod"], "-c", check); err != nil {
						t.Errorf("the prod image holds what only the build needs (%s): %v\n%s", check, err, tail(out, 10))
					}
				}
				if check := migrateTestOnly[name]; check != "" {
					if ex.images["prod"] == "" || ex.images["test"] == "" {
						t.Skip("the migrated prod or test image was not built")
					}
					if _, err := run("", dockerBin, "run", "--rm", "--entrypoint", "python", ex.images["test"], "-c", check); err != nil {
						t.Errorf("the test image lacks what its tests need (%s): %v", check, err)
					}
					if _, err := run("", dockerBin, "run", "--rm", "--entrypoint", "python", ex.images["prod"], "-c", check); err == nil {
						t.Errorf("the prod image holds a test-only dependency (%s succeeds there)", check)
					}
				}
			}},
			{"sizes", func(t *testing.T) {
				if ex.images["old"] == "" || ex.images["prod"] == "" || ex.images["test"] == "" {
					t.Skip("the original, the migrated prod or test image was not built")
				}
				o, n, ts := imageSize(t, ex.images["old"]), imageSize(t, ex.images["prod"]), imageSize(t, ex.images["test"])
				line := fmt.Sprintf("e2e-size %s original=%.1f prod=%.1f test=%.1f", name, float64(o)/(1<<20), float64(n)/(1<<20), float64(ts)/(1<<20))
				t.Log(line)
				fmt.Println(line)
				switch {
				case migrateCompiled[name] && n*10 > o:
					t.Errorf("the migrated prod of a compiled service is %s, more than 10%% of the original's %s", mib(n), mib(o))
				case !migrateCompiled[name] && n >= o:
					t.Errorf("the migrated prod is %s, not smaller than the original's %s", mib(n), mib(o))
				}
			}},
		})
	})
}

// migrateCompiled: the migrate examples whose prod gets only the build's output on a runtime
// image (at most 10% of the original's size).
var migrateCompiled = map[string]bool{"go-service": true, "rust-service": true}

// migrateBuildArgs: build args of a migrate example's migrated Dockerfile (the site's runtime
// image: the report's default nginx is not one of the images made locally).
var migrateBuildArgs = map[string][]string{"static-site": {"--build-arg", "RUNTIME_IMAGE=nginx:1.22"}}

// migrateRootProd: migrate examples whose prod runs as root, and why (the report's caveat).
var migrateRootProd = map[string]string{"static-site": "prod is nginx, whose master process runs as root and whose workers run as user nginx, as the report's caveat says"}

// migrateAbsent: for a migrate example, a shell test that holds in prod only when what only the
// build or the tests need is not there (the site's toolchain and source, Python's tests and test
// requirements).
var migrateAbsent = map[string]string{
	"static-site":  "test ! -e /app && ! command -v python3 && test -s /usr/share/nginx/html/about.html",
	"python-flask": "test -s /app/app.py && test ! -e /app/tests && test ! -e /app/requirements-dev.txt",
}

// exposeLineRE: the first EXPOSEd port of a Dockerfile.
var exposeLineRE = regexp.MustCompile(`(?im)^\s*EXPOSE\s+(\d+)`)

// migrateTestOnly: for a migrate example, a Python check that succeeds in the test image and
// fails in prod (a test-only dependency, from Debian's packages since PyPI is not reachable).
var migrateTestOnly = map[string]string{"python-flask": "import coverage"}

// servedBody runs the image built for target, publishing ex.port, and returns its answer to
// GET /.
func servedBody(t *testing.T, ex *example, target string) string {
	t.Helper()
	name := "dockstage-e2e-" + ex.name + "-body-" + target + "-" + e2e.runID
	mustRun(t, "", dockerBin, "run", "-d", "--name", name, "-p", "127.0.0.1::"+ex.port, ex.images[target])
	defer func() { _, _ = run("", dockerBin, "rm", "-f", name) }()
	addr := strings.TrimSpace(firstLine(mustRun(t, "", dockerBin, "port", name, ex.port+"/tcp")))
	body, err := waitHTTP("http://"+addr+"/", httpTimeout)
	if err != nil {
		t.Fatalf("%s does not answer on %s: %v", target, addr, err)
	}
	return body
}

// (issue 7) docker buildx bake of an example's docker-bake.hcl builds its default group: the
// test and prod targets.
func TestBake(t *testing.T) {
	t.Parallel()
	if out, err := run("", dockerBin, "buildx", "version"); err != nil {
		t.Skipf("docker buildx is not installed; skipping the bake check (%s)", firstLine(out))
	}
	startUnit(t, "bake")
	const name = "python-flask"
	ex := newExample(t, "bake-"+name, mustAbs(t, name), "")
	t.Cleanup(func() { ex.removeImages(t) })

	var plan struct {
		Group map[string]struct {
			Targets []string `json:"targets"`
		} `json:"group"`
	}
	out := mustRun(t, ex.dir, dockerBin, "buildx", "bake", "-f", "docker-bake.hcl", "--print")
	if i := strings.Index(out, "{"); i < 0 {
		t.Fatalf("docker buildx bake --print printed no JSON:\n%s", tail(out, 30))
	} else if err := json.Unmarshal([]byte(out[i:]), &plan); err != nil {
		t.Fatalf("docker buildx bake --print: %v\n%s", err, tail(out, 30))
	}
	targets := append([]string(nil), plan.Group["default"].Targets...)
	sort.Strings(targets)
	if strings.Join(targets, " ") != "prod test" {
		t.Fatalf("bake's default group builds %v, want prod and test", targets)
	}

	// unique tags (the file's are shared names), the registries as build args, loaded into the engine
	args := []string{"buildx", "bake", "-f", "docker-bake.hcl", "--progress=plain", "--load"}
	for _, target := range targets {
		args = append(args, "--set", target+".tags="+ex.tag(target))
	}
	for i := 1; i < len(e2e.buildArgs); i += 2 {
		args = append(args, "--set", "*.args."+e2e.buildArgs[i])
	}
	mustRun(t, ex.dir, dockerBin, args...)
	for _, target := range targets {
		mustRun(t, "", dockerBin, "image", "inspect", ex.tag(target))
		t.Logf("bake built %s", ex.tag(target))
	}
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
