package spec

import (
	"strings"
	"testing"

	"github.com/distribution/reference"
)

var imageRefSeeds = []string{
	"alpine", "alpine:3.20", "python:3.12-slim", "golang:1.23@sha256:" + hex64,
	"docker.io/library/node:20", "ghcr.io/org/tool:v1.2.3", "gcr.io/distroless/static-debian12:nonroot",
	"localhost/app", "localhost:5000/app:1", "my_reg.io/app", "a__b/c", "a___b", "a--b-c/d", "a-/b",
	"Alpine", "alpine:", "alpine:-x", "alpine:.x", "/alpine", "alpine/", "a//b", hex64, "alpine@sha256:abc",
	"alpine@sha512:" + hex64 + hex64, "alpine:UPPER_tag", "a.b/c", "a..b", "a._b", "", ":", "@",
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestPlainImageRef checks the shortcut's answers on common and edge shapes.
func TestPlainImageRef(t *testing.T) {
	for ref, want := range map[string]bool{
		"alpine": true, "python:3.12-slim": true, "golang:1.23@sha256:" + hex64: true,
		"ghcr.io/org/tool:v1.2.3": true, "a__b/c": true, "a--b-c/d": true, "alpine:UPPER_tag": true,
		"localhost:5000/app:1": false, "my_reg.io/app": false, "a___b": false, "a-/b": false,
		"Alpine": false, "alpine:": false, "alpine:-x": false, "a//b": false, hex64: false, "": false,
	} {
		if got := plainImageRef(ref); got != want {
			t.Errorf("plainImageRef(%q) = %v, want %v", ref, got, want)
		}
	}
}

// FuzzPlainImageRef checks that whatever plainImageRef accepts,
// reference.ParseNormalizedNamed accepts too, with the same name (up to
// the registry and library/ it adds), tag and digest.
func FuzzPlainImageRef(f *testing.F) {
	for _, s := range imageRefSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainImageRef(s) {
			return
		}
		named, err := reference.ParseNormalizedNamed(s)
		if err != nil {
			t.Fatalf("plainImageRef(%q) is true, ParseNormalizedNamed: %v", s, err)
		}
		name, dig, _ := strings.Cut(s, "@")
		tag := ""
		if i := strings.LastIndexByte(name, ':'); i >= 0 {
			name, tag = name[:i], name[i+1:]
		}
		familiar := name // what FamiliarName gives back: Docker Hub's domain and library/ dropped
		for _, hub := range []string{"docker.io/", "index.docker.io/"} {
			familiar = strings.TrimPrefix(familiar, hub)
		}
		if rest, ok := strings.CutPrefix(familiar, "library/"); ok && !strings.Contains(rest, "/") {
			familiar = rest
		}
		if got := reference.FamiliarName(named); got != familiar {
			t.Errorf("%q: name %q, want %q", s, got, familiar)
		}
		if tagged, ok := named.(reference.Tagged); ok != (tag != "") || ok && tagged.Tag() != tag {
			t.Errorf("%q: tag %v %v", s, ok, tag)
		}
		if d, ok := named.(reference.Digested); ok != (dig != "") || ok && d.Digest().String() != dig {
			t.Errorf("%q: digest %v %v", s, ok, dig)
		}
	})
}
