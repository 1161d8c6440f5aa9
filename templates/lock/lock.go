// Package lock pins the images a spec builds from: it collects every image
// reference of a spec (stage FROM, COPY --from and RUN --mount from= images,
// build args expanded with their defaults), resolves each to its digest in
// its registry (go-containerregistry, the user's Docker credentials), keeps
// the result in dockstage.lock beside the spec and turns a lock into the
// pins transpile.ForwardWith writes into the Dockerfile.
//
// It may import spec, spec/syntax and transpile (for the pin options); it
// never prints or exits. Registry access happens only in Resolver.
package lock

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	"gopkg.in/yaml.v3"
)

// FileName is the lock file's name, beside the spec.
const FileName = "dockstage.lock"

// header opens every lock file dockstage writes.
const header = "# dockstage.lock: the image digests `dockstage lock` resolved for the spec beside it.\n" +
	"# Review changes like code; `dockstage lock --update` moves them. Do not edit by hand.\n"

// Path is the lock file of the spec at specPath.
func Path(specPath string) string {
	if specPath == "-" {
		return FileName
	}
	return filepath.Join(filepath.Dir(specPath), FileName)
}

// File is a lock file: one Image per image reference the spec builds from,
// sorted by Ref, and one Layout per git layout repository and ref the spec
// extends.
type File struct {
	// Version is the lock format version (1).
	Version int     `yaml:"version"`
	Images  []Image `yaml:"images"`
	// Layouts are the commits of the spec's git layouts (spec/layout),
	// sorted by URL and ref: render reads each at its commit, offline
	// when the cache has it.
	Layouts []Layout `yaml:"layouts,omitempty"`
}

// Layout is one git layout repository at a ref, resolved to a commit.
type Layout struct {
	// URL is the repository as the spec's extends writes it.
	URL string `yaml:"url"`
	// Ref is the tag, branch or commit the spec names.
	Ref string `yaml:"ref"`
	// Commit is the commit Ref resolved to.
	Commit string `yaml:"commit"`
	// Resolved is when Ref was resolved (UTC).
	Resolved time.Time `yaml:"resolved"`
}

// Key is the layout's key, as layout.GitSource.Key writes it: URL@REF.
func (l Layout) Key() string { return l.URL + "@" + l.Ref }

// LayoutPins returns the commits of f's layouts by Key (nil for no lock),
// the pins layout.Options takes.
func (f *File) LayoutPins() map[string]string {
	if f == nil {
		return nil
	}
	out := map[string]string{}
	for _, l := range f.Layouts {
		out[l.Key()] = l.Commit
	}
	return out
}

// Image is one resolved image reference.
type Image struct {
	// Ref is the reference as the spec builds from it, build args
	// expanded with their defaults (python:3.12-slim): the lock's key.
	Ref string `yaml:"ref"`
	// Repository is the fully qualified repository, as
	// go-containerregistry names it (index.docker.io/library/python).
	Repository string `yaml:"repository"`
	// Tag is the tag Ref names ("latest" when it names none).
	Tag string `yaml:"tag"`
	// Digest is the digest the registry reports for the tag: the index
	// digest of a multi-platform image, else the manifest digest.
	Digest string `yaml:"digest"`
	// Platforms are the per-platform manifest digests, sorted by platform.
	Platforms []Platform `yaml:"platforms,omitempty"`
	// Resolved is when the digest was resolved (UTC).
	Resolved time.Time `yaml:"resolved"`
}

// Platform is one platform's manifest of an image.
type Platform struct {
	// Platform is os/arch[/variant], e.g. linux/arm64/v8.
	Platform string `yaml:"platform"`
	Digest   string `yaml:"digest"`
}

// Pinned is the reference the Dockerfile builds from: Ref@Digest, the tag
// kept readable (the form Renovate and Dependabot understand).
func (im Image) Pinned() string { return im.Ref + "@" + im.Digest }

// Find returns the locked image of ref, or nil.
func (f *File) Find(ref string) *Image {
	if f == nil {
		return nil
	}
	i := sort.Search(len(f.Images), func(i int) bool { return f.Images[i].Ref >= ref })
	if i < len(f.Images) && f.Images[i].Ref == ref {
		return &f.Images[i]
	}
	return nil
}

// Unpin returns the reference a pinned value stands for: ref when value is
// the Pinned form (ref@digest) of one of f's images, the form render
// writes from the lock; ok is false for any other value (a digest the
// lock does not hold is the user's own pin).
func (f *File) Unpin(value string) (ref string, ok bool) {
	r, d, found := strings.Cut(value, "@")
	if im := f.Find(r); found && im != nil && im.Digest == d {
		return r, true
	}
	return "", false
}

// Sort orders the images by Ref and each image's platforms by platform.
func (f *File) Sort() {
	sort.Slice(f.Images, func(i, j int) bool { return f.Images[i].Ref < f.Images[j].Ref })
	sort.Slice(f.Layouts, func(i, j int) bool { return f.Layouts[i].Key() < f.Layouts[j].Key() })
	for _, im := range f.Images {
		sort.Slice(im.Platforms, func(i, j int) bool { return im.Platforms[i].Platform < im.Platforms[j].Platform })
	}
}

// Marshal returns the lock file's text: the header, then stable YAML
// (images sorted by ref, platforms by platform, times in UTC seconds).
func Marshal(f *File) ([]byte, error) {
	c := File{Version: 1, Images: make([]Image, len(f.Images)), Layouts: make([]Layout, len(f.Layouts))}
	for i, l := range f.Layouts {
		l.Resolved = l.Resolved.UTC().Truncate(time.Second)
		c.Layouts[i] = l
	}
	for i, im := range f.Images {
		im.Platforms = append([]Platform(nil), im.Platforms...)
		im.Resolved = im.Resolved.UTC().Truncate(time.Second)
		c.Images[i] = im
	}
	c.Sort()
	if c.Images == nil {
		c.Images = []Image{}
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Parse reads a lock file. name is the file's name in errors, which carry
// name:line:col and list every problem at once: unknown keys, a version
// other than 1, an entry without a valid ref or digest, a ref given twice.
func Parse(name string, data []byte) (*File, error) {
	var f File
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %v; run dockstage lock to write it again", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %v; run dockstage lock to write it again", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var errs []string
	errf := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s:%d:%d: %s", name, n.Line, n.Column, fmt.Sprintf(format, args...)))
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if f.Version != 1 {
		errf(doc, "version %d: this dockstage reads lock version 1; run dockstage lock to write it again", f.Version)
	}
	items := entryNodes(doc)
	seen := map[string]bool{}
	for i, im := range f.Images {
		n := doc
		if i < len(items) {
			n = items[i]
		}
		if _, err := reference.ParseNormalizedNamed(im.Ref); err != nil {
			errf(n, "ref %q is not an image reference: %v", im.Ref, err)
		}
		if seen[im.Ref] {
			errf(n, "ref %q is locked twice; run dockstage lock to write the file again", im.Ref)
		}
		seen[im.Ref] = true
		if _, err := digest.Parse(im.Digest); err != nil {
			errf(n, "ref %q: digest %q: %v; run dockstage lock --update --image %s", im.Ref, im.Digest, err, im.Ref)
		}
		for _, p := range im.Platforms {
			if _, err := digest.Parse(p.Digest); err != nil {
				errf(n, "ref %q: platform %s: digest %q: %v", im.Ref, p.Platform, p.Digest, err)
			}
		}
	}
	seenLayout := map[string]bool{}
	for _, l := range f.Layouts {
		if !commitRE.MatchString(l.Commit) {
			errf(doc, "layout %s: commit %q is not a commit id; run dockstage lock --update", l.Key(), l.Commit)
		}
		if seenLayout[l.Key()] {
			errf(doc, "layout %s is locked twice; run dockstage lock to write the file again", l.Key())
		}
		seenLayout[l.Key()] = true
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	f.Sort()
	return &f, nil
}

// commitRE is a git commit id (SHA-1 or SHA-256, full length).
var commitRE = regexp.MustCompile(`^(?:[0-9a-f]{40}|[0-9a-f]{64})$`)

// entryNodes returns the nodes of the images sequence, for positions.
func entryNodes(doc *yaml.Node) []*yaml.Node {
	if doc.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == "images" && doc.Content[i+1].Kind == yaml.SequenceNode {
			return doc.Content[i+1].Content
		}
	}
	return nil
}
