package transpile

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
)

// knownRejections are spec.Validate messages Reverse passes on for a
// Dockerfile BuildKit's parser accepts: the Dockerfile would fail later (at
// build time), or the spec model cannot hold it. Anything else spec.Validate
// says about an imported Dockerfile is a bug in Reverse.
var knownRejections = []string{
	// The Dockerfile fails at build time.
	"is neither an earlier stage nor a valid image reference",
	"which is defined later",
	"names an earlier stage with capitals",
	"a stage cannot be built from itself",
	"--from does not expand build args",
	"port must be a number",
	"unknown protocol",
	"range start is above its end",
	"mount needs a target",
	"only tmpfs mounts take a size",
	"only secret and ssh mounts take required",
	"is not a mount type",
	"; use shared, private or locked",
	"is not a network mode",
	"is not a security mode",
	"stage index",
	"BuildKit needs a numeric owner",
	"the reference ${ is not closed",
	// The spec model cannot hold it (see the package report).
	"ends with the escape character",
	"mount values cannot contain",
	"heredocs (<<NAME) are only allowed in run, copy and add",
	"would end it early",
	"invalid key; keys cannot be empty",
	"is a JSON array and would become exec form",
	"cannot start with",
	"empty value",
	"empty command",
	"a heredoc cannot be the destination",
}

// AddSeeds adds every file the glob patterns match to f's seed corpus
// (exported for the fuzz targets of package transpile_test).
func AddSeeds(f *testing.F, patterns ...string) {
	f.Helper()
	for _, pattern := range patterns {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

func FuzzReverse(f *testing.F) {
	AddSeeds(f, "testdata/import/*/Dockerfile", "testdata/import-negative/*/Dockerfile")
	f.Fuzz(func(t *testing.T, src []byte) {
		_ = checkReverse(t, src)
	})
}

func known(msg string) bool {
	for _, k := range knownRejections {
		if strings.Contains(msg, k) {
			return true
		}
	}
	return false
}

// checkReverse asserts the properties FuzzReverse checks on one input.
func checkReverse(t *testing.T, src []byte) bool {
	t.Helper()
	r := &reverser{file: "Dockerfile", name: "app"}
	s, err := r.run(src)
	for _, w := range r.warns {
		if w.Pos.File != "Dockerfile" || w.Pos.Line < 1 {
			t.Errorf("warning without a position: %v", w)
		}
	}
	if err != nil {
		var el spec.ErrorList
		if !errors.As(err, &el) || len(el) == 0 {
			t.Fatalf("error is not a spec.ErrorList: %T %v", err, err)
		}
		for _, e := range el {
			if e.Pos.File != "Dockerfile" || e.Pos.Line < 1 || strings.Contains(e.Msg, "internal error") ||
				(r.validateFailed && !known(e.Msg)) {
				t.Errorf("%v\nDockerfile:\n%s", e, src)
			}
		}
		if os.Getenv("REVERSE_SHOW_REJECTED") != "" {
			t.Logf("rejected: %v", err)
		}
		return false
	}
	roundTrip(t, s)
	return true
}

// TestReverseGenerated imports Dockerfiles assembled at random (fixed
// seed) from instruction fragments: deeper inputs than byte mutation finds.
func TestReverseGenerated(t *testing.T) {
	words := []string{`plain`, `"a b"`, `'$x y'`, `\$lit`, `${A:-d}`, `$HOME/x`, `a\ b`, `jérôme`, `"q\"uote"`, `"$A"b`, `''`, `C:\dir`}
	frags := []string{
		"RUN echo %w && \\\n    # inside\n    echo %w",
		"RUN --mount=type=cache,target=/c,id=%n --network=none \\\n\techo %w",
		"RUN <<EOF\n\techo %w\nEOF",
		"RUN cat <<-EOT > /f\n\t\tindented %w\n\tEOT",
		"RUN \\\n\n  echo after empty line",
		"ENV K%n=%w \\\n    # moved\n    L%n=%w",
		"ENV LEGACY%n %w %w",
		"LABEL \"l%n\"=%w",
		"ARG A%n B%n=%w",
		"COPY --chown=%w --link %w /dst%n/",
		"COPY [\"%n a\", \"/b c/\"]",
		"COPY <<EOF /f%n\n%w\nEOF",
		"ADD --checksum=sha256:%n --keep-git-dir=false https://example.com/%n.git /src",
		"EXPOSE %n 80/udp 1000-2000/tcp",
		"HEALTHCHECK --interval=5s --retries=%n CMD curl -f %w || exit 1",
		"HEALTHCHECK NONE",
		"ONBUILD RUN echo %w",
		"ONBUILD COPY a /b",
		"CMD [\"a\", \"%n\"]",
		"CMD echo %w \\\n  %w",
		"ENTRYPOINT [x",
		"SHELL [\"/bin/sh\", \"-c\"]",
		"USER %w",
		"WORKDIR /w%n",
		"VOLUME /v%n [\"x\"]",
		"VOLUME [\"/v%n\"]",
		"STOPSIGNAL SIGTERM",
		"MAINTAINER me %n",
		"# comment %w",
		"",
		"   ",
	}
	rng := rand.New(rand.NewSource(1))
	fill := func(f string) string {
		var b strings.Builder
		for i := 0; i < len(f); i++ {
			if f[i] == '%' && i+1 < len(f) {
				switch f[i+1] {
				case 'w':
					b.WriteString(words[rng.Intn(len(words))])
					i++
					continue
				case 'n':
					b.WriteString(strconv.Itoa(rng.Intn(9) + 1))
					i++
					continue
				}
			}
			b.WriteByte(f[i])
		}
		return b.String()
	}
	ok := 0
	const n = 1500
	for i := 0; i < n; i++ {
		var lines []string
		if rng.Intn(4) == 0 {
			lines = append(lines, "# syntax=docker/dockerfile:1")
		}
		if rng.Intn(3) == 0 {
			lines = append(lines, fill("ARG G%n=%w"), "# about the stage")
		}
		for st := 0; st <= rng.Intn(3); st++ {
			from := "FROM alpine:3.20"
			switch rng.Intn(3) {
			case 0:
				from += fmt.Sprintf(" AS s%d", st)
			case 1:
				from = fmt.Sprintf("from --platform=$BUILDPLATFORM alpine as S%d", st)
			}
			lines = append(lines, from)
			for k := 0; k < rng.Intn(8); k++ {
				lines = append(lines, fill(frags[rng.Intn(len(frags))]))
			}
			if st > 0 && rng.Intn(2) == 0 {
				lines = append(lines, fmt.Sprintf("COPY --from=%d /a /b", rng.Intn(st)))
			}
		}
		if rng.Intn(3) == 0 {
			lines = append(lines, "# trailing")
		}
		src := strings.Join(lines, "\n") + "\n"
		if rng.Intn(5) == 0 {
			src = strings.ReplaceAll(src, "\n", "\r\n")
		}
		if checkReverse(t, []byte(src)) {
			ok++
		}
		if t.Failed() {
			return
		}
	}
	// Most generated files are valid; a drop here means Reverse rejects
	// what it should import.
	if ok < n*6/10 {
		t.Errorf("only %d of %d generated Dockerfiles imported", ok, n)
	}
	t.Logf("%d of %d generated Dockerfiles imported", ok, n)
}
