package spec

import (
	"testing"

	"github.com/distribution/reference"
)

func addImageRefSeeds(f *testing.F) {
	for _, s := range []string{
		"golang:1.22-alpine", "alpine", "docker.io/library/x@sha256:" + sixtyFourHex,
		"ghcr.io/o/r:v1", "localhost/x", "a__b/c--d.e:t", "A/b", "a..b", "a/b:", "a:b:c",
		sixtyFourHex, "x@sha256:" + sixtyFourHex, "host-.io/x", "my_reg.io/x", "a/b@", "a:.x", "a:_x",
	} {
		f.Add(s)
	}
}

const sixtyFourHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestPlainImageRef(t *testing.T) {
	for _, c := range []struct {
		ref  string
		want bool
	}{
		{"golang:1.22-alpine", true},
		{"docker.io/library/x@sha256:" + sixtyFourHex, true},
		{"ghcr.io/o/r:v1", true},
		{"a__b/c--d.e:t", true},
		{sixtyFourHex, false},
		{"A/b", false},
		{"a..b", false},
		{"a/b:", false},
		{"my_reg.io/x", false},
		{"host:5000/x", false}, // left to the full parse
	} {
		if got := plainImageRef(c.ref); got != c.want {
			t.Errorf("plainImageRef(%q) = %v, want %v", c.ref, got, c.want)
		}
	}
}

// FuzzPlainImageRef checks the fast path: every reference plainImageRef
// accepts, reference.ParseNormalizedNamed accepts too.
func FuzzPlainImageRef(f *testing.F) {
	addImageRefSeeds(f)
	f.Fuzz(func(t *testing.T, ref string) {
		if !plainImageRef(ref) {
			return
		}
		if _, err := reference.ParseNormalizedNamed(ref); err != nil {
			t.Fatalf("plainImageRef(%q) is true but ParseNormalizedNamed says %v", ref, err)
		}
	})
}
