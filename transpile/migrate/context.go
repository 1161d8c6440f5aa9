package migrate

import (
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Limits of the build-context scan: migrate looks for manifests and
// ecosystem markers, not at every file of a large repository.
const (
	contextMaxDepth   = 4
	contextMaxEntries = 20000
	contextMaxRead    = 1 << 20 // bytes read from one manifest
)

// heavyDirs are directories migrate notes but does not descend into: tool
// output and dependency trees.
var heavyDirs = map[string]bool{
	".git": true, "node_modules": true, "vendor": true, "target": true, "bin": true, "obj": true,
	".venv": true, "venv": true, "dist": true, "build": true, ".gradle": true, ".bundle": true,
	"__pycache__": true,
}

// buildContext is what migrate knows of the build context: the files and
// directories the builder would send (after .dockerignore), up to a depth.
type buildContext struct {
	fsys  fs.FS
	known bool
	files map[string]bool // slash-separated paths
	dirs  map[string]bool
	// truncated is set when the scan hit contextMaxEntries.
	truncated bool
	ignore    []ignorePattern
	cache     map[string]string // files read
}

// loadContext scans fsys (nil: the context is unknown).
func loadContext(fsys fs.FS) *buildContext {
	c := &buildContext{fsys: fsys, files: map[string]bool{}, dirs: map[string]bool{}}
	if fsys == nil {
		return c
	}
	c.known = true
	if b, err := fs.ReadFile(fsys, ".dockerignore"); err == nil {
		c.ignore = parseDockerignore(string(b))
	}
	n := 0
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return nil
		}
		if n++; n > contextMaxEntries {
			c.truncated = true
			return fs.SkipAll
		}
		if c.ignored(p) {
			if d.IsDir() && !c.hasNegations() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			c.dirs[p] = true
			if heavyDirs[d.Name()] || strings.Count(p, "/")+1 >= contextMaxDepth {
				return fs.SkipDir
			}
			return nil
		}
		c.files[p] = true
		return nil
	})
	return c
}

// hasFile reports whether the context sends the file p.
func (c *buildContext) hasFile(p string) bool { return c.files[path.Clean(p)] }

// hasDir reports whether the context sends the directory p.
func (c *buildContext) hasDir(p string) bool { return c.dirs[path.Clean(p)] }

// has reports whether p is a file or directory of the context.
func (c *buildContext) has(p string) bool { return c.hasFile(p) || c.hasDir(p) }

// read returns the content of a context file (at most contextMaxRead bytes).
func (c *buildContext) read(p string) (string, bool) {
	if !c.hasFile(p) {
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

// sortedFiles lists the context's files in order.
func (c *buildContext) sortedFiles() []string {
	out := make([]string, 0, len(c.files))
	for f := range c.files {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// matching lists the context files (at the top level when top is set)
// whose base name matches the glob pattern.
func (c *buildContext) matching(pattern string, top bool) []string {
	var out []string
	for _, f := range c.sortedFiles() {
		if top && strings.Contains(f, "/") {
			continue
		}
		if ok, _ := path.Match(pattern, path.Base(f)); ok {
			out = append(out, f)
		}
	}
	return out
}

// ignorePattern is one .dockerignore line.
type ignorePattern struct {
	re     *regexp.Regexp
	negate bool
}

// parseDockerignore reads .dockerignore patterns with the rules of
// moby/patternmatcher: `#` comments, `!` exceptions, a leading `/` and `./`
// dropped, `**` any number of directories, `*` and `?` within one path
// element; a pattern matching a directory excludes what it holds.
func parseDockerignore(text string) []ignorePattern {
	var out []ignorePattern
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		neg := false
		if strings.HasPrefix(l, "!") {
			neg = true
			l = strings.TrimSpace(l[1:])
		}
		l = path.Clean(strings.TrimPrefix(l, "/"))
		if l == "." {
			l = "**"
		}
		re, err := regexp.Compile("^" + globRegexp(l) + "$")
		if err != nil {
			continue
		}
		out = append(out, ignorePattern{re: re, negate: neg})
	}
	return out
}

func globRegexp(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '*' && i+1 < len(p) && p[i+1] == '*':
			i++
			if i+1 < len(p) && p[i+1] == '/' {
				i++
				b.WriteString("(.*/)?")
			} else {
				b.WriteString(".*")
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(p[i : i+j+1])
			i += j
		case c == '\\' && i+1 < len(p):
			i++
			b.WriteString(regexp.QuoteMeta(string(p[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

func (c *buildContext) hasNegations() bool {
	for _, p := range c.ignore {
		if p.negate {
			return true
		}
	}
	return false
}

// ignored reports whether .dockerignore excludes p: the last pattern that
// matches p or one of its parent directories decides.
func (c *buildContext) ignored(p string) bool {
	if len(c.ignore) == 0 {
		return false
	}
	excluded := false
	parents := []string{p}
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		parents = append(parents, d)
	}
	for _, pat := range c.ignore {
		for _, q := range parents {
			if pat.re.MatchString(q) {
				excluded = !pat.negate
				break
			}
		}
	}
	return excluded
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

// narrowed lists the context entries that the context sends now but would
// not send with the generated patterns in front of the user's, among those
// under one of the copied sources; a directory stands for what it holds.
func (c *buildContext) narrowed(generated []string, sources []string) []string {
	user := ""
	if b, err := fs.ReadFile(c.fsys, ".dockerignore"); err == nil {
		user = userIgnore(string(b))
	}
	after := &buildContext{ignore: parseDockerignore(strings.Join(generated, "\n") + "\n" + user)}
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
		if !after.ignored(p) || !copiedBy(p, sources) {
			continue
		}
		out = append(out, e)
		if strings.HasSuffix(e, "/") {
			lastDir = p
		}
	}
	return out
}

// copiedBy reports whether a COPY of one of sources sends p.
func copiedBy(p string, sources []string) bool {
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
