package migrate

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	"github.com/dockstage/dockstage/transpile/shell"
)

// The slim phase: when the build's output is known with confidence (a Go
// binary, a Rust release binary, a .NET publish directory, a Java jar
// that CMD runs), prod starts from a runtime image, a build arg, and gets
// the artifact through COPY --from; the toolchain stays in the build
// stages. Prove checks the build as the prod stage it replaced (the one
// --keep-prod-base keeps).

// StageBuild is the stage that runs the build steps after the tests when
// prod starts from a runtime image.
const StageBuild = "build"

// RuntimeArg is the build arg naming prod's runtime image.
const RuntimeArg = "RUNTIME_IMAGE"

// ChangeSlimProd: prod starts from a runtime image with only the build's
// artifact, not from the toolchain image.
const ChangeSlimProd = "slim-prod"

// slimPlan is a slim prod: the stages that replace prod, and the prod
// stage they replace (FROM src), which Prove compares.
type slimPlan struct {
	kept         *spec.Stage
	build, prod  *spec.Stage
	arg          string
	defaultImage string
	// ports are compose's port mappings when prod listens elsewhere than
	// the original (a site on nginx); nil for the EXPOSEd ports.
	ports []string
	// runs: prod is a runtime image receiving the file the original's
	// command ran (a binary, a jar, a .NET assembly), which the proof
	// looks for (runs.go); not a site on nginx or a Node prod that starts
	// from the original image again.
	runs bool
}

// binDirs are directories in the default PATH of a runtime image.
var binDirs = map[string]bool{"/usr/local/bin": true, "/usr/bin": true, "/bin": true, "/usr/local/sbin": true, "/usr/sbin": true, "/go/bin": true, "/usr/local/cargo/bin": true}

// stdPath are the directories of the default PATH of a runtime image.
var stdPath = map[string]bool{"/usr/local/bin": true, "/usr/bin": true, "/bin": true, "/usr/local/sbin": true, "/usr/sbin": true, "/sbin": true}

// runtimeDirs are directories of a project an app commonly reads at run
// time; copied to prod next to the binary when the context has them.
var runtimeDirs = []string{"templates", "static", "public", "views", "assets", "migrations", "config", "locales", "web"}

var (
	toolchainRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(^|/)(golang|rust|maven|gradle|openjdk|eclipse-temurin|amazoncorretto|sdk)(:|$)|jdk`)
	})
	javaVersionRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:temurin-|jdk-?|openjdk:|temurin:|corretto:|java)(\d+)`)
	})
	dotnetSdkRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(mcr\.microsoft\.com/dotnet)/sdk:(.+)$`) })
)

// runtimeImage is the default runtime image for an artifact built on
// image, with what it is; "" when there is none to trust.
func runtimeImage(out ecosystem.Output, image string) (string, string) {
	alpine := strings.Contains(image, "alpine")
	switch out.Ecosystem {
	case ecosystem.Go, ecosystem.Rust:
		switch {
		case out.Static:
			return "gcr.io/distroless/static-debian12:nonroot", "distroless static (no shell, no C library; CA certificates, tzdata and a nonroot user 65532 included)"
		case alpine:
			return "alpine:3.20", "alpine (musl, like the toolchain image)"
		case out.Ecosystem == ecosystem.Rust && !strings.Contains(image, "bookworm") && !strings.HasPrefix(image, "rust:1"):
			return "", ""
		}
		return "debian:bookworm-slim", "debian slim (the C library the binary links; no CA certificates of its own: they are copied from the toolchain image)"
	case ecosystem.DotNet:
		if m := dotnetSdkRE().FindStringSubmatch(image); m != nil {
			return m[1] + "/aspnet:" + m[2], "the ASP.NET Core runtime of the same version (it holds the .NET runtime too; use " + m[1] + "/runtime:" + m[2] + " for a console app)"
		}
	case ecosystem.Java:
		if m := javaVersionRE().FindStringSubmatch(image); m != nil {
			return "eclipse-temurin:" + m[1] + "-jre", "a JRE of the same Java version"
		}
	}
	return "", ""
}

// slimProd plans a slim prod from the steps assembled for prod (FROM
// src); nil, with a note saying why, when the artifact is not known with
// confidence.
func (m *migrator) slimProd(scope, prod []spec.Step, kept *spec.Stage) *slimPlan {
	if m.opts.KeepProdBase {
		m.notes = append(m.notes, Note{Msg: "--keep-prod-base: prod stays on the original image (FROM src), toolchain included"})
		return nil
	}
	why := func(format string, args ...any) *slimPlan {
		if m.compiled() || m.servesSite() {
			m.notes = append(m.notes, Note{Msg: "prod stays on src, toolchain included: " + fmt.Sprintf(format, args...)})
		}
		return nil
	}
	// What the steps leave: the working directory, the environment, the
	// user, the artifact and the command that runs it.
	env := map[string]string{}
	var envSteps []spec.Step
	envWhy := "" // a binary's prod needs the environment; a site's does not
	wd, user, userLine := "", "", 0
	var art ecosystem.Output
	artAt, artLine := "", 0
	var entry, cmd *spec.Command
	entryLine := 0
	javaBuild := false
	var sourceDests []string // where COPY . put the whole context
	var placed []spec.Copy   // context files a COPY put outside the WORKDIR
	for i, it := range m.items {
		s := it.step
		if it.execForm != nil {
			s = *it.execForm
		}
		switch s.Keyword() {
		case "WORKDIR":
			w := *s.Workdir
			if strings.Contains(w, "$") {
				return why("WORKDIR %s uses a variable", w)
			}
			if path.IsAbs(w) || wd == "" {
				wd = path.Join("/", w)
			} else {
				wd = path.Join(wd, w)
			}
		case "ENV":
			for _, kv := range s.Env {
				if kv.Value != nil {
					if strings.Contains(*kv.Value, "$") {
						envWhy = "ENV " + kv.Key + " uses a variable"
						continue
					}
					env[kv.Key] = *kv.Value
				}
			}
			if i < m.srcEnd && !it.toProd {
				envSteps = append(envSteps, s)
			}
		case "USER":
			user, userLine = *s.User, it.line
		case "ENTRYPOINT":
			entry, cmd, entryLine = s.Entrypoint, nil, it.line
		case "CMD":
			cmd, entryLine = s.Cmd, it.line
		case "HEALTHCHECK":
			return why("line %d has a HEALTHCHECK, whose command the runtime image may not have", it.line)
		case "ONBUILD", "SHELL", "VOLUME":
			return why("line %d: %s", it.line, s.Keyword())
		}
		if copiesContext(s) {
			if d := s.Copy; d != nil && !strings.Contains(d.Dest, "$") {
				sourceDests = append(sourceDests, path.Join(wd, d.Dest))
				if path.IsAbs(d.Dest) {
					sourceDests[len(sourceDests)-1] = path.Clean(d.Dest)
				}
			}
		}
		for _, c := range placedFiles(s, wd, m.ctx) {
			if !m.laterRunNames(i, c.Dest) {
				placed = append(placed, c)
			}
		}
		if it.run == nil || it.test {
			continue
		}
		cwd := wd
		segs, infos := it.run.segs, it.run.infos
		if len(segs) == 0 && s.Run != nil && len(s.Run.Mounts) > 0 && len(s.Run.Heredocs) == 0 && !s.Run.Command.Exec {
			// a RUN that bind-mounts the context (docker init's go build)
			// is not classified, but its build output is still known
			segs, infos = shell.Parse(s.Run.Command.Shell, m.orig.Escape()).Commands, nil
		}
		for k, seg := range segs {
			v := seg.Values()
			if len(v) == 2 && v[0] == "cd" && seg.Plain() && !strings.Contains(v[1], "$") {
				cwd = path.Join(cwd, v[1])
				if path.IsAbs(v[1]) {
					cwd = path.Clean(v[1])
				}
				continue
			}
			if info := infoAt(infos, k); info.Tool == "maven" || info.Tool == "gradle" || len(v) > 1 && (path.Base(v[0]) == "mvn" || path.Base(v[0]) == "gradle" || path.Base(v[0]) == "gradlew" || path.Base(v[0]) == "mvnw") {
				javaBuild = true
			}
			if len(v) == 3 && (v[0] == "cp" || v[0] == "mv") && artAt != "" && seg.Plain() && !strings.ContainsAny(v[1]+v[2], "$*?") {
				// cp target/release/app /usr/local/bin/: the artifact moves
				abs := func(p string) string {
					if path.IsAbs(p) {
						return path.Clean(p)
					}
					return path.Join(cwd, p)
				}
				if abs(v[1]) == artAt {
					if strings.HasSuffix(v[2], "/") || v[2] == "." {
						artAt = path.Join(abs(v[2]), path.Base(artAt))
					} else {
						artAt = abs(v[2])
					}
				}
				continue
			}
			if o, ok := ecosystem.BuildOutput(seg, env, m.ctx); ok {
				art, artLine = o, it.line
				artAt = o.Path
				if !path.IsAbs(artAt) {
					if cwd == "" {
						return why("`%s` runs in the base image's working directory (no WORKDIR)", o.What)
					}
					artAt = path.Join(cwd, artAt)
				}
			}
		}
		if t := mountOver(s.Run, cwd, artAt); t != "" && artLine == it.line {
			return why("line %d leaves %s under its --mount target %s, which is not in the image", it.line, artAt, t)
		}
	}
	argv, ok := entryArgs(entry, cmd)
	if !ok {
		return why("no CMD or ENTRYPOINT in exec form (a runtime image may have no shell)")
	}
	if site, ok := ecosystem.ServedSite(argv, m.ctx); ok && artAt == "" && !javaBuild {
		return m.slimSite(scope, prod, kept, site, siteFacts{wd: wd, user: user, userLine: userLine, entryLine: entryLine, sourceDests: sourceDests})
	}
	if dev, ok := ecosystem.SiteDevServer(argv, m.ctx); ok && artAt == "" {
		m.notes = append(m.notes, Note{Line: entryLine, Msg: "prod stays on src, its toolchain included: `" + dev + "` is the site tool's own server, which serves from a directory its configuration may change, so which directory holds the site is not known with confidence; to serve the site on nginx, build it and serve the output directory with serve -s DIR (migrate then moves it to nginx), or copy DIR into an nginx stage"})
		return nil
	}
	if m.devBuild != nil && artAt == "" && !javaBuild {
		return m.slimNode(scope, prod, kept, argv, wd)
	}
	if envWhy != "" {
		return why("%s", envWhy)
	}
	resolve := func(p string) string {
		if path.IsAbs(p) {
			return path.Clean(p)
		}
		return path.Join(wd, p)
	}
	runs := false
	switch {
	case artAt != "" && (art.Ecosystem == ecosystem.Go || art.Ecosystem == ecosystem.Rust):
		a := argv[0]
		runs = strings.Contains(a, "/") && resolve(a) == artAt || !strings.Contains(a, "/") && binDirs[path.Dir(artAt)] && path.Base(artAt) == a
	case artAt != "" && art.Ecosystem == ecosystem.DotNet:
		runs = argv[0] == "dotnet" && len(argv) > 1 && strings.HasSuffix(argv[1], ".dll") && strings.HasPrefix(resolve(argv[1]), artAt+"/") ||
			strings.Contains(argv[0], "/") && strings.HasPrefix(resolve(argv[0]), artAt+"/")
	case javaBuild && path.Base(argv[0]) == "java":
		for k := 1; k+1 < len(argv); k++ {
			if argv[k] == "-jar" && strings.HasSuffix(argv[k+1], ".jar") && !strings.ContainsAny(argv[k+1], "*$") {
				art, artLine = ecosystem.Output{Ecosystem: ecosystem.Java, Path: argv[k+1], What: "the build of the jar CMD runs"}, entryLine
				artAt = resolve(argv[k+1])
				runs = wd != "" || path.IsAbs(argv[k+1])
			}
		}
	}
	if artAt == "" {
		return why("no build step with a known output (go build -o, cargo build --release, dotnet publish -o, a jar that CMD runs)")
	}
	if !runs {
		return why("the command prod runs (%s) is not the build's output %s", strings.Join(argv, " "), artAt)
	}
	namedUser := user != "" && !numericUser(user) && user != "root" && user != "nonroot" && !strings.HasPrefix(user, "nonroot:")
	if namedUser && strings.Contains(user, "$") {
		return why("USER %s (line %d) uses a variable", user, userLine)
	}
	image, kind := runtimeImage(art, m.expandFrom())
	if image == "" {
		return why("no runtime image is known to match %s", m.expandFrom())
	}
	argName := m.runtimeArg()
	// The stages: build (the build steps after the tests), prod on the
	// runtime image.
	plan, config := m.buildStage(scope, prod, kept, argName, image)
	if needsArgs(config) {
		return why("the prod configuration expands a variable")
	}
	from := plan.from()
	var steps []spec.Step
	note := func(s spec.Step, c string) spec.Step { s.Comment = []string{c}; return s }
	if wd != "" {
		w := wd
		steps = append(steps, note(spec.Step{Workdir: &w, Pos: m.final.Pos}, "dockstage migrate: prod starts from the runtime image with only what runs"))
	}
	for _, s := range envSteps {
		s.Comment = nil
		steps = append(steps, s)
	}
	dest := artAt
	if art.Dir {
		dest += "/"
	}
	if a := argv[0]; (art.Ecosystem == ecosystem.Go || art.Ecosystem == ecosystem.Rust) && !strings.Contains(a, "/") && !stdPath[path.Dir(artAt)] {
		// found through the toolchain image's PATH (/go/bin): prod's PATH
		// has /usr/local/bin
		dest = path.Join("/usr/local/bin", a)
	}
	steps = append(steps, spec.Step{Copy: &spec.Copy{From: from, Src: []string{artAt}, Dest: dest}, Pos: m.final.Pos})
	var copied []string
	if art.Ecosystem == ecosystem.Go || art.Ecosystem == ecosystem.Rust {
		if strings.HasPrefix(image, "debian") {
			steps = append(steps, spec.Step{Copy: &spec.Copy{From: from, Src: []string{"/etc/ssl/certs/ca-certificates.crt"}, Dest: "/etc/ssl/certs/"}, Pos: m.final.Pos})
		}
		if m.sourceCopy < len(m.items) && wd != "" {
			if sc := m.items[m.sourceCopy].step.Copy; sc != nil && len(sc.Src) == 1 && (sc.Src[0] == "." || sc.Src[0] == "./") && resolve(sc.Dest) == wd {
				for _, d := range runtimeDirs {
					if m.ctx.HasDir(d) {
						copied = append(copied, d+"/")
						steps = append(steps, spec.Step{Copy: &spec.Copy{From: from, Src: []string{path.Join(wd, d)}, Dest: path.Join(wd, d) + "/"}, Pos: m.final.Pos})
					}
				}
			}
		}
	}
	for _, c := range placed {
		// a configuration file the original put in place for run time
		c.From = from
		copied = append(copied, c.Dest)
		steps = append(steps, spec.Step{Copy: &c, Pos: m.final.Pos})
	}
	if namedUser {
		// the user the build created: its passwd and group entries
		steps = append(steps, spec.Step{Copy: &spec.Copy{From: from, Src: []string{"/etc/passwd", "/etc/group"}, Dest: "/etc/"}, Pos: m.final.Pos})
	}
	hasUser := false
	for _, s := range config {
		hasUser = hasUser || s.User != nil
	}
	if user != "" && !hasUser {
		u := user
		steps = append(steps, spec.Step{User: &u, Pos: m.final.Pos})
	}
	steps = append(steps, config...)
	plan.prod = &spec.Stage{Name: StageProd, From: "${" + argName + "}", Steps: steps, Pos: m.final.Pos}
	plan.runs = true

	caveats := []string{
		"files the app reads at run time from the source tree are not in prod unless copied" + map[bool]string{true: " (copied: " + strings.Join(copied, ", ") + ")", false: ""}[len(copied) > 0] + "; add a COPY --from=" + from + " for each",
	}
	if strings.Contains(image, "distroless") {
		caveats = append(caveats, "no shell and no package manager in a distroless image: `docker exec sh` and shell-form commands do not work there")
	} else {
		caveats = append(caveats, "the runtime image has a shell and a package manager but none of the build tools of "+m.expandFrom())
	}
	switch {
	case user == "" && strings.Contains(image, ":nonroot"):
		caveats = append(caveats, "the original ran as root; the nonroot image runs as uid 65532, which cannot bind ports below 1024 or write root-owned paths")
	case user == "":
		caveats = append(caveats, "prod runs as root, as the original did; add a USER with a numeric uid")
	case namedUser:
		caveats = append(caveats, fmt.Sprintf("USER %s (line %d) is a user of the build stages: prod gets their /etc/passwd and /etc/group (the runtime image's own entries give way to them), not the user's home directory", user, userLine))
	default:
		caveats = append(caveats, "USER "+user+" is kept; a uid needs no passwd entry to run, but then HOME is /")
	}
	if art.Ecosystem == ecosystem.Go && !art.Static && !strings.Contains(image, "alpine") {
		caveats = append(caveats, "the binary was built with cgo possible (CGO_ENABLED not 0), so it may link the C library: debian slim has it; with CGO_ENABLED=0 the distroless static image would do")
	}
	if art.Ecosystem == ecosystem.Rust && !art.Static {
		caveats = append(caveats, "the runtime image must have the C library version the toolchain image linked against (same Debian release)")
	}
	if art.Ecosystem == ecosystem.Java {
		caveats = append(caveats, "only the jar is copied: a thin jar that needs target/lib or the dependency directory needs them copied too")
	}
	m.changes = append(m.changes, Change{
		Kind:    ChangeSlimProd,
		Summary: "prod starts from a runtime image with only the build's output",
		Lines:   []int{m.final.Pos.Line, artLine},
		Detail: fmt.Sprintf("`%s` builds %s, which the command prod runs; prod now starts FROM ${%s} (default %s: %s) and receives %s through COPY --from=%s, so the toolchain, the source and the build caches stay in the build stages. Change the runtime image with --build-arg %s=IMAGE, or keep prod on the original image with --keep-prod-base. The proof compares the build as the prod it replaces (FROM src, the same steps); the artifact is the file that build leaves.",
			art.What, artAt, argName, image, kind, artAt, from, argName),
		Caveats: caveats,
	})
	return plan
}

// runtimeArg is the name of the build arg of prod's runtime image: one
// the original does not declare.
func (m *migrator) runtimeArg() string {
	for _, kv := range m.orig.Args {
		if kv.Key == RuntimeArg {
			return "DOCKSTAGE_" + RuntimeArg
		}
	}
	return RuntimeArg
}

// buildStage splits prod (the steps of the prod stage FROM src) into the
// build stage (the build steps after the tests, with the ENV and ARG they
// see) and prod's configuration; the plan has the build stage when there
// are build steps.
func (m *migrator) buildStage(scope, prod []spec.Step, kept *spec.Stage, arg, image string) (*slimPlan, []spec.Step) {
	var buildSteps, config []spec.Step
	for _, s := range prod {
		switch {
		case s.Env != nil || s.Arg != nil:
			buildSteps = append(buildSteps, s)
			config = append(config, s)
		case isConfig(s) && s.Workdir == nil:
			config = append(config, s)
		default:
			buildSteps = append(buildSteps, s)
		}
	}
	hasBuild := false
	for _, s := range buildSteps {
		hasBuild = hasBuild || !isConfig(s)
	}
	plan := &slimPlan{arg: arg, defaultImage: image, kept: kept}
	if hasBuild {
		from := StageBuild
		for _, n := range []string{StageBuild, "builder", "dockstage-build"} {
			from = n
			if m.orig.StageIndex(n, len(m.orig.Stages)) < 0 && m.orig.StageRef(n, len(m.orig.Stages)) < 0 {
				break
			}
		}
		plan.build = &spec.Stage{Name: from, From: StageSrc, Steps: carry(scope, buildSteps), Pos: m.final.Pos}
	}
	return plan, config
}

// from is the stage prod copies the artifact from.
func (p *slimPlan) from() string {
	if p.build != nil {
		return p.build.Name
	}
	return StageSrc
}

// compiled reports whether the migration found a compiled ecosystem, for
// which a note says why prod keeps the toolchain.
func (m *migrator) compiled() bool {
	if !toolchainRE().MatchString(m.expandFrom()) {
		return false // prod already starts from a runtime image
	}
	for _, e := range m.ecos.List() {
		switch ecosystem.Ecosystem(e.Name) {
		case ecosystem.Go, ecosystem.Rust, ecosystem.DotNet, ecosystem.Java:
			return true
		}
	}
	return false
}

// entryArgs is the command line prod runs, when it is in exec form.
func entryArgs(entry, cmd *spec.Command) ([]string, bool) {
	var argv []string
	if entry != nil {
		if !entry.Exec {
			return nil, false
		}
		argv = append(argv, entry.Args...)
	}
	if cmd != nil && (entry == nil || len(argv) > 0) {
		if !cmd.Exec {
			return nil, false
		}
		argv = append(argv, cmd.Args...)
	}
	return argv, len(argv) > 0
}

func numericUser(u string) bool {
	for _, r := range u {
		if (r < '0' || r > '9') && r != ':' {
			return false
		}
	}
	return u != ""
}

// unslim returns migrated with the slim prod replaced by the prod it
// replaced, for the proof; an issue when migrated's prod (or build) stage
// is not the one the plan made.
func (p *slimPlan) unslim(migrated *spec.Spec, esc rune) (*spec.Spec, []string) {
	var issues []string
	same := func(a, b *spec.Stage) bool {
		if a == nil || b == nil || a.From != b.From || len(a.Steps) != len(b.Steps) {
			return false
		}
		for i := range a.Steps {
			if normText(a.Steps[i], esc) != normText(b.Steps[i], esc) {
				return false
			}
		}
		return true
	}
	out := *migrated
	out.Stages = nil
	buildName := ""
	if p.build != nil {
		buildName = p.build.Name
	}
	for _, st := range migrated.Stages {
		switch {
		case st.Name == StageProd:
			if !same(st, p.prod) {
				issues = append(issues, "the prod stage is not the slim prod the report names")
			}
			out.Stages = append(out.Stages, p.kept)
		case buildName != "" && st.Name == buildName:
			if !same(st, p.build) {
				issues = append(issues, "the "+buildName+" stage is not the one the report names")
			}
		default:
			out.Stages = append(out.Stages, st)
		}
	}
	out.Args = nil
	for _, kv := range migrated.Args {
		if kv.Key != p.arg {
			out.Args = append(out.Args, kv)
		}
	}
	return &out, issues
}

// infoAt is the classification of a RUN's k-th command; the zero one when
// the RUN was not classified.
func infoAt(infos []ecosystem.Classified, k int) ecosystem.Classified {
	if k < len(infos) {
		return infos[k]
	}
	return ecosystem.Classified{}
}

// mountOver is the target of a mount of r that p (a path the RUN writes,
// cwd its directory) lies under: what a RUN writes there is not in the
// image.
func mountOver(r *spec.Run, cwd, p string) string {
	if r == nil || p == "" {
		return ""
	}
	for _, mt := range r.Mounts {
		t := mt.Target
		if t == "" || strings.Contains(t, "$") {
			continue
		}
		if !path.IsAbs(t) {
			t = path.Join("/", cwd, t)
		}
		t = path.Clean(t)
		if p == t || strings.HasPrefix(p, strings.TrimSuffix(t, "/")+"/") {
			return t
		}
	}
	return ""
}

// placedFiles are the copies from the build stage that give prod what a
// COPY from the build context (s) put outside the working directory wd
// (a configuration file in /etc): each path it wrote, to the same path,
// with its --chown and --chmod; none for a source the context ctx does
// not show to be a file or a directory.
func placedFiles(s spec.Step, wd string, ctx *ecosystem.BuildContext) []spec.Copy {
	c := s.Copy
	if c == nil || c.From != "" || copiesContext(s) || len(c.Heredocs) > 0 || c.Parents || len(c.Exclude) > 0 || strings.ContainsAny(c.Dest, "$*?[") {
		return nil
	}
	dest := c.Dest
	if !path.IsAbs(dest) {
		if wd == "" {
			return nil
		}
		dest = path.Join(wd, dest)
	}
	dest = path.Clean(dest)
	if wd != "" && (dest == wd || strings.HasPrefix(dest, wd+"/")) || dest == "/" || dest == "/tmp" || strings.HasPrefix(dest, "/tmp/") {
		return nil // the source tree: the caveat names it
	}
	var out []spec.Copy
	for _, src := range c.Src {
		if strings.ContainsAny(src, "$*?[") || strings.Contains(src, "://") {
			return nil
		}
		to := dest
		switch {
		case ctx.HasDir(strings.TrimPrefix(src, "/")):
			// a directory's contents go into dest
		case !ctx.HasFile(strings.TrimPrefix(src, "/")):
			return nil
		case len(c.Src) > 1 || strings.HasSuffix(c.Dest, "/"):
			to = path.Join(dest, path.Base(src))
		}
		out = append(out, spec.Copy{Src: []string{to}, Dest: to, Chown: c.Chown, Chmod: c.Chmod})
	}
	return out
}

// laterRunNames reports whether a RUN after item i names p or its base
// name: a file a build step uses (an install script, a patch) is set-up,
// which the RUN may remove, not a file the app reads at run time.
func (m *migrator) laterRunNames(i int, p string) bool {
	for _, it := range m.items[i+1:] {
		if r := it.step.Run; r != nil && (strings.Contains(stepText(it.step), path.Base(p)) || strings.Contains(r.Command.Shell, p)) {
			return true
		}
	}
	return false
}
