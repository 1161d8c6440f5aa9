package templates_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
)

// benchCorpus reads the import corpus: every Dockerfile under
// transpile/testdata/import (issue 4's benchmark runs over it).
func benchCorpus(b *testing.B) [][]byte {
	b.Helper()
	files, err := filepath.Glob("../transpile/testdata/import/*/Dockerfile")
	if err != nil {
		b.Fatal(err)
	}
	if len(files) == 0 {
		b.Fatal("no Dockerfiles under ../transpile/testdata/import")
	}
	srcs := make([][]byte, len(files))
	for i, f := range files {
		if srcs[i], err = os.ReadFile(f); err != nil {
			b.Fatal(err)
		}
	}
	return srcs
}

// importRender is what `dockstage import` then `dockstage render` do to a
// Dockerfile, in memory: transpile.ReverseForward (Reverse with its
// checks and spec.Validate, then the lowering to models) and the
// Dockerfile render with its own BuildKit verification.
func importRender(b *testing.B, src []byte) {
	_, out, _, err := transpile.ReverseForward("Dockerfile", src, transpile.ReverseOptions{}, transpile.ForwardOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := templates.RenderDockerfile(out.Dockerfile, templates.Options{Source: "dockstage.yaml"}); err != nil {
		b.Fatal(err)
	}
}

// buildkitParse is the floor: BuildKit's own parser.Parse and
// instructions.Parse of the same file, which any import must do once.
func buildkitParse(b *testing.B, src []byte) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := instructions.Parse(res.AST, nil); err != nil {
		b.Fatal(err)
	}
}

func perFile(b *testing.B, d time.Duration, iters, files int) float64 {
	b.Helper()
	return float64(d.Nanoseconds()) / float64(iters*files)
}

// perFileBench times fn on every file of the corpus per op and reports
// ns/file.
func perFileBench(b *testing.B, fn func(*testing.B, []byte)) {
	srcs := benchCorpus(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, src := range srcs {
			fn(b, src)
		}
		n++
	}
	b.ReportMetric(perFile(b, b.Elapsed(), n, len(srcs)), "ns/file")
}

// BenchmarkImportRender times import+render of the whole corpus per op and
// reports ns/file.
func BenchmarkImportRender(b *testing.B) { perFileBench(b, importRender) }

// BenchmarkBuildKitParse times BuildKit's parse of the whole corpus per op
// and reports ns/file.
func BenchmarkBuildKitParse(b *testing.B) { perFileBench(b, buildkitParse) }

// importOnly is transpile.Reverse, the library call of `dockstage import`,
// with everything it verifies (BuildKit's parse of the source, the
// expansion checks, spec.Validate with its probes).
func importOnly(b *testing.B, src []byte) *spec.Spec {
	s, _, err := transpile.Reverse("Dockerfile", src, transpile.ReverseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// marshal is the rest of `dockstage import`: the spec's YAML.
func marshal(b *testing.B, s *spec.Spec) {
	if _, err := spec.Marshal(s); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkImportRenderVsParse times the pipelines on every file inside
// one loop, so that they share the machine's state: BuildKit's parse floor
// (parser.Parse and instructions.Parse), import (transpile.Reverse),
// import+render (transpile.ReverseForward and the Dockerfile render with
// its BuildKit verification) and, apart, the spec's marshalling that
// `dockstage import` adds. It reports each per file and the ratios to the
// floor that issue 14 sets targets for (import/parse <= 1.5,
// import+render/parse <= 3): from the mean times, and from each file's best
// time over the run (min-...), which other processes on a shared machine
// disturb least.
func BenchmarkImportRenderVsParse(b *testing.B) {
	srcs := benchCorpus(b)
	b.ReportAllocs()
	const pipelines = 4 // parse, import, import+render, marshal
	var total [pipelines]time.Duration
	best := make([][pipelines]time.Duration, len(srcs))
	for _, src := range srcs { // warm up: what is built on first use is not timed
		buildkitParse(b, src)
		marshal(b, importOnly(b, src))
		importRender(b, src)
	}
	n := 0
	for b.Loop() {
		for i, src := range srcs {
			var s *spec.Spec
			steps := [pipelines]func(){
				func() { buildkitParse(b, src) },
				func() { s = importOnly(b, src) },
				func() { importRender(b, src) },
				func() { marshal(b, s) },
			}
			for k, step := range steps {
				t0 := time.Now()
				step()
				d := time.Since(t0)
				total[k] += d
				if n == 0 || d < best[i][k] {
					best[i][k] = d
				}
			}
		}
		n++
	}
	var min [pipelines]time.Duration
	for i := range best {
		for k := range min {
			min[k] += best[i][k]
		}
	}
	b.ReportMetric(perFile(b, total[0], n, len(srcs)), "parse-ns/file")
	b.ReportMetric(perFile(b, total[1], n, len(srcs)), "import-ns/file")
	b.ReportMetric(perFile(b, total[2], n, len(srcs)), "import+render-ns/file")
	b.ReportMetric(perFile(b, total[3], n, len(srcs)), "marshal-ns/file")
	b.ReportMetric(float64(total[1])/float64(total[0]), "import/parse")
	b.ReportMetric(float64(total[2])/float64(total[0]), "import+render/parse")
	b.ReportMetric(float64(min[1])/float64(min[0]), "min-import/parse")
	b.ReportMetric(float64(min[2])/float64(min[0]), "min-import+render/parse")
}
