package ecosystem

import (
	"io/fs"
	"strings"
)

// SkipDirs are the directories a Scan does not descend into: version
// control, dependency trees, tool output and test data. It is the one skip
// list of dockstage's directory scans (ecosystem detection, migrate's
// build-context scan, `dockstage check`'s search for specs).
var SkipDirs = map[string]bool{
	".git": true, "node_modules": true, "vendor": true, ".venv": true, "venv": true, "target": true,
	"bin": true, "obj": true, "dist": true, "build": true, "__pycache__": true, ".gradle": true,
	".idea": true, ".bundle": true, "testdata": true,
}

// ScanOptions limit a Scan.
type ScanOptions struct {
	// MaxDepth is the depth of the deepest directories a scan enters: the
	// scanned directory's subdirectories have depth 1, theirs 2. With
	// MaxDepth 1 a scan visits the directory's entries and those of its
	// subdirectories. 0 means no limit.
	MaxDepth int
	// SkipHidden skips directories whose name starts with a dot.
	SkipHidden bool
}

// Scan walks the directory dir of fsys in lexical order and calls visit
// with each entry's slash-separated path (relative to fsys's root, as
// fs.WalkDir gives it) and its fs.DirEntry; dir itself is not visited. A
// directory in SkipDirs (or a hidden one, with SkipHidden), or one deeper
// than MaxDepth, is visited but not entered. visit returns fs.SkipDir to leave
// a directory out, fs.SkipAll to stop; any other error stops the scan and
// is returned. Unreadable entries are passed over.
func Scan(fsys fs.FS, dir string, opts ScanOptions, visit func(p string, d fs.DirEntry) error) error {
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		if p == dir {
			return nil
		}
		if err := visit(p, d); err != nil {
			return err
		}
		if d.IsDir() {
			rel := strings.TrimPrefix(p, dir+"/")
			if dir == "." {
				rel = p
			}
			if SkipDirs[d.Name()] || opts.SkipHidden && strings.HasPrefix(d.Name(), ".") ||
				opts.MaxDepth > 0 && strings.Count(rel, "/") >= opts.MaxDepth {
				return fs.SkipDir
			}
		}
		return nil
	})
	if err == fs.SkipAll {
		return nil
	}
	return err
}
