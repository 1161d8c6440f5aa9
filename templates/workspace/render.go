package workspace

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/layout"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
)

// Options say where a command writes and whether it may replace files that
// are not dockstage's.
type Options struct {
	// OutDir is the directory the files go to; "" is the spec's directory
	// (the current directory for a spec on standard input).
	OutDir string
	// Force replaces files that dockstage did not generate or that were
	// edited since, and discards edits to .dockerignore's generated block.
	Force bool
	// StdinName names a spec read from standard input in the generated
	// headers ("generated from NAME") and in error positions
	// (NAME:line:col); "" is "<stdin>", since no file of that name
	// exists. A name with a line break is ignored.
	StdinName string
	// Git reads the spec's git layouts; nil is a cache in
	// layout.DefaultCacheDir.
	Git *layout.Git
}

// Render plans the files of the spec at specPath ("-" is standard input):
// the spec is loaded, merged over the layouts it extends (spec/layout, git
// layouts at the commits of dockstage.lock), and transpile.Forward validates it and builds the
// models (with the images of dockstage.lock beside the spec pinned, when
// there is one: lock.Pins), templates renders and verifies every file, and each is planned
// in opts.OutDir. data is the spec's content; nil reads specPath.
//
// When OutDir is not the spec's directory, the build context stays the
// spec's directory: compose and bake point their context back at it and
// name the Dockerfile in OutDir, and the .dockerignore becomes
// Dockerfile.dockerignore, which BuildKit reads beside the Dockerfile
// instead of the context's .dockerignore: a new one carries the context's
// own patterns after the generated block. A spec without `dockerignore:
// true` gets no ignore file at all (rendering leaves the context alone).
//
// Errors: a spec.ErrorList for an unreadable or invalid spec (every error,
// positioned, in the spec or a layout), a *layout.UnreachableError for a
// git layout that cannot be fetched, a *templates.InternalError for a rendered file that does
// not verify. Refusals are not errors: they are in the plan (Plan.Err).
func Render(specPath string, data []byte, opts Options) (*Plan, error) {
	source, specDir := filepath.Base(specPath), filepath.Dir(specPath)
	display := DisplayName(specPath)
	if specPath == "-" {
		source, specDir = display, "."
		if opts.StdinName != "" && !strings.ContainsAny(opts.StdinName, "\r\n") {
			source, display = opts.StdinName, opts.StdinName
		}
	}
	if err := notALayout(specPath, data); err != nil {
		return nil, err
	}
	l, err := loadSpecAs(specPath, display, data, opts.Git, false)
	if err != nil {
		return nil, err
	}
	dir := opts.OutDir
	if dir == "" {
		dir = specDir
	}
	files, err := renderFiles(l.Spec, source, specDir, dir, l.Pins)
	if err != nil {
		return nil, err
	}
	p := &Plan{hints: renderHints}
	for _, w := range l.Warnings {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s: warning: %s", w.Pos, w.Msg))
	}
	p.addAll(dir, files, opts.Force)
	for i := range p.Files {
		if last := &p.Files[i]; last.Kind == Dockerignore && last.Name != ".dockerignore" && last.Decision == Create {
			// BuildKit reads DIR/Dockerfile.dockerignore instead of the
			// context's .dockerignore: carry the context's own patterns.
			user, _, err := ignoreUserPart(contextDir(l.Spec, specDir), dir)
			if err != nil {
				return nil, err
			}
			last.write = append(append([]byte{}, last.Content...), user...)
		}
	}
	return p, nil
}

// contextDir is the build context of sp's compose and bake files written
// in outDir for a spec in specDir: specDir when the spec names none (or
// "."), else the spec's compose.context, which is relative to the spec's
// directory (relocate rewrites it for outDir).
func contextDir(sp *spec.Spec, specDir string) string {
	if sp.Compose == nil || sp.Compose.Context == "" || path.Clean(sp.Compose.Context) == "." {
		return specDir
	}
	if filepath.IsAbs(sp.Compose.Context) {
		return sp.Compose.Context
	}
	return filepath.Join(specDir, filepath.FromSlash(sp.Compose.Context))
}

// ignoreUserPart is what follows the generated block in a new
// Dockerfile.dockerignore of outDir that BuildKit reads instead of the
// .dockerignore of the build context ctxDir: that file's own patterns,
// then, when outDir is inside the context (new to it), a pattern that
// leaves outDir out, so that a COPY of the context does not take the
// rendered files. ctxPatterns reports whether the context had patterns.
func ignoreUserPart(ctxDir, outDir string) (user []byte, ctxPatterns bool, err error) {
	if user, err = contextIgnore(ctxDir); err != nil {
		return nil, false, err
	}
	ctxPatterns = len(user) > 0
	if rel, err := filepath.Rel(absPath(ctxDir), absPath(outDir)); err == nil && rel != "." && filepath.IsLocal(rel) {
		user = append(user, "# dockstage: the generated files, which the build context did not hold\n/"+filepath.ToSlash(rel)+"\n"...)
	}
	return user, ctxPatterns, nil
}

// ignoreName is the name in the output directory of the file that holds
// the generated .dockerignore block, for out's compose and bake files
// (after relocate): .dockerignore when their build context is the output
// directory itself, where the Dockerfile sits at the context's root; else
// <Dockerfile>.dockerignore beside the rendered Dockerfile, which BuildKit
// reads instead of the context's .dockerignore for a Dockerfile away from
// the context's root (the context's own .dockerignore is never read then,
// and one in the output directory is not the context's).
func ignoreName(out *transpile.Output) string {
	ctx := "."
	if out.Bake != nil {
		ctx = out.Bake.Context
	} else if out.Compose != nil {
		ctx = out.Compose.Service.Build.Context
	}
	if path.Clean(filepath.ToSlash(ctx)) == "." {
		return ".dockerignore"
	}
	return "Dockerfile.dockerignore"
}

// contextIgnore returns the user's part of the build context's
// .dockerignore (all of it when it has no generated block), "" when there
// is none.
func contextIgnore(dir string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, ".dockerignore"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	_, user := templates.SplitDockerignore(b)
	return user, nil
}

// DisplayName is how positions and messages name the file at path: "-"
// (standard input) is "<stdin>".
func DisplayName(path string) string {
	if path == "-" {
		return "<stdin>"
	}
	return path
}

// renderFiles renders every file of sp, named for outDir, for a spec in
// specDir, its images pinned by pins (readLock); source is the spec's name
// in the generated headers. transpile.ForwardWith validates the spec (the
// one validation of a render).
func renderFiles(sp *spec.Spec, source, specDir, outDir string, pins transpile.ForwardOptions) ([]File, error) {
	out, err := transpile.ForwardWith(sp, pins)
	if err != nil {
		return nil, err
	}
	return renderModel(out, source, specDir, outDir)
}

// renderModel renders the models of out (templates.Render verifies each
// file), relocated for outDir, into files named for outDir.
func renderModel(out *transpile.Output, source, specDir, outDir string) ([]File, error) {
	if _, err := relocate(out, specDir, outDir); err != nil {
		return nil, err
	}
	rendered, err := templates.Render(out, templates.Options{Source: source})
	if err != nil {
		return nil, err
	}
	files := make([]File, 0, len(rendered))
	for _, f := range rendered {
		pf := File{Name: f.Name, Content: f.Content, Warnings: f.Warnings, Kind: Generated}
		if f.Merge {
			pf.Kind, pf.Name = Dockerignore, ignoreName(out)
		}
		files = append(files, pf)
	}
	return files, nil
}

// relocate rewrites the paths of out's compose and bake files, which the
// spec writes relative to its own directory specDir (where the files go
// when rendered in place), for files written in outDir: the build context
// (".", the spec's directory, or another relative one), the Dockerfile
// when it is the rendered one (now outDir's, as seen from the context),
// and the relative host paths of the compose volumes ("./:/app" bind-mounts
// what it named beside the spec, not outDir). It reports whether outDir is
// another directory than specDir.
func relocate(out *transpile.Output, specDir, outDir string) (bool, error) {
	a, errA := filepath.Abs(specDir)
	b, errB := filepath.Abs(outDir)
	if errA != nil || errB != nil {
		return false, fmt.Errorf("resolving %s and %s: %v %v", specDir, outDir, errA, errB)
	}
	if a == b {
		return false, nil
	}
	// build moves a context and its Dockerfile: ctx is relative to the
	// spec's directory, df to ctx.
	build := func(ctx, df string) (string, string) {
		if !isRelative(ctx) {
			return ctx, df
		}
		abs := filepath.Join(a, filepath.FromSlash(ctx))
		if !filepath.IsAbs(df) && filepath.Join(abs, filepath.FromSlash(df)) == filepath.Join(a, "Dockerfile") {
			df, _ = filepath.Rel(abs, filepath.Join(b, "Dockerfile"))
			df = filepath.ToSlash(df)
		}
		return relFrom(b, abs), df
	}
	for _, c := range []*transpile.ComposeFile{out.Compose, out.DevCompose} {
		if c == nil {
			continue
		}
		c.Service.Build.Context, c.Service.Build.Dockerfile = build(c.Service.Build.Context, c.Service.Build.Dockerfile)
		vols := make([]string, len(c.Service.Volumes))
		for i, v := range c.Service.Volumes {
			vols[i] = v
			if typ, src, _, err := spec.ComposeVolume(v); err == nil && typ == "bind" && isHostPath(src) && strings.HasPrefix(v, src+":") {
				vols[i] = hostPath(relFrom(b, filepath.Join(a, filepath.FromSlash(src)))) + v[len(src):]
			}
		}
		c.Service.Volumes = vols
	}
	if out.Bake != nil {
		out.Bake.Context, out.Bake.Dockerfile = build(out.Bake.Context, out.Bake.Dockerfile)
	}
	return true, nil
}

// isRelative reports whether p is a relative path that names the same
// place only from its own directory: not absolute, no variable, no URL or
// git context (a "name=..." or "scheme://" one), not a named context.
func isRelative(p string) bool {
	return p != "" && !filepath.IsAbs(p) && !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "~") && !strings.ContainsAny(p, "$:")
}

// isHostPath reports whether the source of a compose short-syntax volume
// is a relative host path (compose reads one that starts with "." as a
// path, a bare name as a named volume).
func isHostPath(src string) bool {
	return (src == "." || src == ".." || strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../")) && !strings.Contains(src, "$")
}

// hostPath writes a relative path as compose reads a host path: starting
// with "." ("./sub", not "sub", which is a named volume).
func hostPath(p string) string {
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return p
	}
	return "./" + p
}

// relFrom is abs as seen from dir, with forward slashes ("." for dir
// itself); abs when there is no relative path.
func relFrom(dir, abs string) string {
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}
