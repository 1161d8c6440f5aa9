package lint

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/containerd/platforms"
	"github.com/dockstage/dockstage/transpile"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// offlineResolver is the stand-in image resolver that lets BuildKit's
// dockerfile2llb run without a registry: every image reference resolves to
// the same empty image (no layers, so BuildKit treats it as scratch) whose
// config holds only the default PATH, for the platform asked for (windows
// for an image whose name says it is one). Nothing is fetched.
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	os, arch := "linux", runtime.GOARCH
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		os, arch = opt.ImageOpt.Platform.OS, opt.ImageOpt.Platform.Architecture
	}
	if windowsImageRE().MatchString(strings.ToLower(ref)) {
		// A Windows image (servercore, nanoserver...) has a windows
		// config, as its registry would answer: BuildKit then reads the
		// stage's paths (WORKDIR C:\app) as Windows paths.
		os = "windows"
	}
	cfg := fmt.Sprintf(`{"os":%q,"architecture":%q,"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":[]}}`, os, arch)
	return ref, "", []byte(cfg), nil
}

// buildkitWarning is one build-check finding at Dockerfile lines.
type buildkitWarning struct {
	rule, desc, url, msg string
	line, col            int
}

// buildkitResult is what BuildKit says about a Dockerfile.
type buildkitResult struct {
	warnings []buildkitWarning
	// err is BuildKit's error when it cannot build the file at all (parse
	// errors, invalid references, an invalid check directive), at errLine
	// (0 when BuildKit gives no location).
	err     string
	errLine int
}

// allLLBCaps is every LLB capability this BuildKit knows, as a current
// BuildKit daemon reports them: without a CapSet, dispatching RUN --mount
// options such as required= dereferences nil.
var allLLBCaps = pb.Caps.CapSet(pb.Caps.All())

// runBuildKit runs every BuildKit build check on a Dockerfile, in-process
// and offline: dockerfile2llb.DockerfileLint (the code behind `docker build
// --check`) with the stand-in resolver, the full LLB capability set and a
// SourceMap with a non-nil Definition (DockerfileLint serialises it into
// the results). All stages are checked, not only the default target. The
// `# check=` directive is read by BuildKit itself.
func runBuildKit(file string, src []byte) (res buildkitResult) {
	defer func() {
		// BuildKit is not ours: a panic on odd input becomes an error.
		if p := recover(); p != nil {
			res = buildkitResult{err: fmt.Sprintf("internal error: BuildKit's checks panicked on this file (%v); please report it", p)}
		}
	}()
	if len(bytes.TrimSpace(src)) == 0 {
		return buildkitResult{err: "the Dockerfile is empty; start it with FROM", errLine: 1}
	}
	r, err := dockerfile2llb.DockerfileLint(context.Background(), src, dockerfile2llb.ConvertOpt{
		// The host's platform first (BUILDPLATFORM), then windows: a
		// stage FROM a Windows image is built for it, as a Windows
		// engine builds it (autoDetectPlatform picks the image's).
		Config:       dockerui.Config{BuildPlatforms: []ocispecs.Platform{platforms.DefaultSpec(), {OS: "windows", Architecture: "amd64"}}},
		MetaResolver: offlineResolver{},
		LLBCaps:      &allLLBCaps,
		SourceMap: &llb.SourceMap{
			Filename:   file,
			Language:   "Dockerfile",
			Data:       src,
			Definition: &llb.Definition{},
		},
	})
	if err != nil {
		return buildkitResult{err: err.Error()}
	}
	for _, w := range r.Warnings {
		bw := buildkitWarning{rule: w.RuleName, desc: w.Description, url: w.URL, msg: w.Detail}
		if w.RuleName == linter.RuleUndefinedVar.Name {
			// Offline, the stand-in image has only PATH in its environment.
			bw.msg += " (checked offline: a variable the base image sets is not known here)"
		}
		if w.Location != nil && len(w.Location.Ranges) > 0 && w.Location.Ranges[0].Start != nil {
			bw.line = int(w.Location.Ranges[0].Start.Line)
			bw.col = int(w.Location.Ranges[0].Start.Character) + 1
		}
		if w.RuleName == linter.RuleWorkdirRelativePath.Name && bw.line > 0 && bytes.Contains(lineOf(src, bw.line), []byte("$")) {
			bw.msg += " (checked offline: a variable the base image sets, such as HOME, is not known here)"
		}
		res.warnings = append(res.warnings, bw)
	}
	if r.Error != nil && !strings.HasPrefix(r.Error.Message, "lint violation found for rules") {
		// error=true in the check directive turns warnings into this
		// error; the warnings are reported (as errors) instead.
		res.err = transpile.TrimParseErrorPrefix(r.Error.Message) // the finding has the line
		if len(r.Error.Location.Ranges) > 0 && r.Error.Location.Ranges[0].Start != nil {
			res.errLine = int(r.Error.Location.Ranges[0].Start.Line)
		}
	}
	return res
}

// instructionLines maps each line of a Dockerfile to the first line of the
// instruction it belongs to (heredoc bodies included), from BuildKit's
// parser; lines outside instructions map to themselves. nodes are the
// parsed instructions, nil when the file does not parse.
func instructionLines(src []byte) (start map[int]int, nodes []*parser.Node) {
	start = map[int]int{}
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return start, nil
	}
	for _, n := range res.AST.Children {
		for l := n.StartLine; l <= n.EndLine; l++ { // EndLine counts heredoc bodies
			start[l] = n.StartLine
		}
	}
	return start, res.AST.Children
}

func anchorOf(start map[int]int, line int) int {
	if s, ok := start[line]; ok {
		return s
	}
	return line
}

// lineOf is line n (1-based) of src, nil past its end.
func lineOf(src []byte, n int) []byte {
	for i := 1; len(src) > 0; i++ {
		line, rest, _ := bytes.Cut(src, []byte("\n"))
		if i == n {
			return line
		}
		src = rest
	}
	return nil
}
