package format

import (
	"os"
	"testing"
)

// BenchmarkFormat formats the fmt goldens' inputs (33 files; set
// FMT_CORPUS to a directory to format every Dockerfile under it instead):
// files/s is the figure to compare side by side with other formatters run
// on the same files.
func BenchmarkFormat(b *testing.B) {
	roots := []string{"testdata"}
	if c := os.Getenv("FMT_CORPUS"); c != "" {
		roots = []string{c}
	}
	var srcs [][]byte
	var names []string
	for _, f := range corpusFiles(b, roots...) {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Format(f, src); err != nil {
			continue // not a valid Dockerfile: not timed
		}
		srcs, names = append(srcs, src), append(names, f)
	}
	size := 0
	for _, s := range srcs {
		size += len(s)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for i, src := range srcs {
			if _, err := Format(names[i], src); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(srcs)*b.N)/b.Elapsed().Seconds(), "files/s")
}
