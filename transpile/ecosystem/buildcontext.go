package ecosystem

import (
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Limits of the build-context scan: it looks for manifests and ecosystem
// markers, not at every file of a large repository.
const (
	contextMaxDepth   = 3       // directories entered below the root
	ContextMaxEntries = 20000   // entries a build-context scan reads at most
	contextMaxRead    = 1 << 20 // bytes read from one manifest
)

// BuildContext is what is known of a build context: the files and
// directories the builder would send (after .dockerignore), down to a
// depth. A nil fs.FS gives an unknown context, which has no files; a nil
// *BuildContext reads as an unknown context too.
type BuildContext struct {
	fsys  fs.FS
	known bool
	files map[string]bool // slash-separated paths
	dirs  map[string]bool
	// truncated is set when the scan hit ContextMaxEntries.
	truncated bool
	ignore    *patternmatcher.PatternMatcher
	cache     map[string]string // files read
}

// ScanContext scans the build context fsys (nil: unknown) with Scan: the
// directories of SkipDirs are noted but not entered, and what the
// context's .dockerignore excludes is left out (matched by
// github.com/moby/patternmatcher, as BuildKit does).
func ScanContext(fsys fs.FS) *BuildContext {
	c := &BuildContext{fsys: fsys, files: map[string]bool{}, dirs: map[string]bool{}}
	if fsys == nil {
		return c
	}
	c.known = true
	if b, err := fs.ReadFile(fsys, ".dockerignore"); err == nil {
		c.ignore = readIgnore(string(b))
	}
	n := 0
	_ = Scan(fsys, ".", ScanOptions{MaxDepth: contextMaxDepth}, func(p string, d fs.DirEntry) error {
		if n++; n > ContextMaxEntries {
			c.truncated = true
			return fs.SkipAll
		}
		if c.Ignored(p) {
			if d.IsDir() && !c.ignore.Exclusions() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			c.dirs[p] = true
		} else {
			c.files[p] = true
		}
		return nil
	})
	return c
}

// readIgnore reads .dockerignore text with moby/patternmatcher's
// ignorefile; a pattern patternmatcher rejects is left out.
func readIgnore(text string) *patternmatcher.PatternMatcher {
	lines, _ := ignorefile.ReadAll(strings.NewReader(text))
	var ok []string
	for _, l := range lines {
		if _, err := patternmatcher.New([]string{l}); err == nil {
			ok = append(ok, l)
		}
	}
	pm, _ := patternmatcher.New(ok)
	return pm
}

// Known reports whether the context was scanned.
func (c *BuildContext) Known() bool { return c != nil && c.known }

// Truncated reports whether the scan stopped at its entry limit, so that
// a file not found may still be there.
func (c *BuildContext) Truncated() bool { return c != nil && c.truncated }

// Ignored reports whether the context's .dockerignore excludes p (a
// slash-separated path): the last pattern matching p or one of its parent
// directories decides.
func (c *BuildContext) Ignored(p string) bool {
	if c == nil || c.ignore == nil {
		return false
	}
	m, err := c.ignore.MatchesOrParentMatches(p)
	return err == nil && m
}

// HasFile reports whether the context sends the file p.
func (c *BuildContext) HasFile(p string) bool { return c != nil && c.files[path.Clean(p)] }

// HasDir reports whether the context sends the directory p.
func (c *BuildContext) HasDir(p string) bool { return c != nil && c.dirs[path.Clean(p)] }

// Has reports whether p is a file or directory of the context.
func (c *BuildContext) Has(p string) bool { return c.HasFile(p) || c.HasDir(p) }

// Read returns the content of a context file (at most its first MiB).
func (c *BuildContext) Read(p string) (string, bool) {
	if !c.HasFile(p) {
		return "", false
	}
	p = path.Clean(p)
	if text, ok := c.cache[p]; ok {
		return text, true
	}
	f, err := c.fsys.Open(p)
	if err != nil {
		return "", false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, contextMaxRead))
	if err != nil {
		return "", false
	}
	if c.cache == nil {
		c.cache = map[string]string{}
	}
	c.cache[p] = string(b)
	return c.cache[p], true
}

// Files lists the context's files, sorted.
func (c *BuildContext) Files() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, len(c.files))
	for f := range c.files {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Matching lists the context files (at the top level when top is set)
// whose base name matches the glob pattern (path.Match).
func (c *BuildContext) Matching(pattern string, top bool) []string {
	var out []string
	for _, f := range c.Files() {
		if top && strings.Contains(f, "/") {
			continue
		}
		if ok, _ := path.Match(pattern, path.Base(f)); ok {
			out = append(out, f)
		}
	}
	return out
}

// generatedBlockEnd starts the line that ends dockstage's block in
// .dockerignore (templates.IgnoreEnd); what follows is the user's.
const generatedBlockEnd = "# dockstage:end"

// userIgnore is the user's part of an existing .dockerignore: all of it, or
// what follows dockstage's generated block.
func userIgnore(text string) string {
	if i := strings.Index(text, "\n"+generatedBlockEnd); i >= 0 || strings.HasPrefix(text, generatedBlockEnd) {
		rest := text[i+1:]
		if j := strings.IndexByte(rest, '\n'); j >= 0 {
			return rest[j+1:]
		}
		return ""
	}
	return text
}

// Narrowed lists the context entries that the context sends now but would
// not send with the generated .dockerignore patterns in front of the
// user's own, among those under one of the copied sources (COPY source
// paths or globs); a directory, listed as "NAME/", stands for what it
// holds.
func (c *BuildContext) Narrowed(generated []string, sources []string) []string {
	user := ""
	if b, err := fs.ReadFile(c.fsys, ".dockerignore"); err == nil {
		user = userIgnore(string(b))
	}
	after := &BuildContext{ignore: readIgnore(strings.Join(generated, "\n") + "\n" + user)}
	var entries []string
	for f := range c.files {
		entries = append(entries, f)
	}
	for d := range c.dirs {
		entries = append(entries, d+"/")
	}
	sort.Strings(entries)
	var out []string
	var lastDir string
	for _, e := range entries {
		p := strings.TrimSuffix(e, "/")
		if lastDir != "" && strings.HasPrefix(p, lastDir+"/") {
			continue
		}
		if !after.Ignored(p) || !CopiedBy(p, sources) {
			continue
		}
		out = append(out, e)
		if strings.HasSuffix(e, "/") {
			lastDir = p
		}
	}
	return out
}

// CopiedBy reports whether a COPY of one of sources sends p.
func CopiedBy(p string, sources []string) bool {
	for _, s := range sources {
		s = path.Clean(strings.TrimPrefix(s, "/"))
		if s == "." || p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
		if ok, _ := path.Match(s, p); ok {
			return true
		}
		if ok, _ := path.Match(s, strings.Split(p, "/")[0]); ok {
			return true
		}
	}
	return false
}
