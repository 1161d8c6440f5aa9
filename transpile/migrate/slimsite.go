package migrate

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
)

// The slim prod of a static site: a single-stage Dockerfile whose command
// is a static file server (serve, http-server, python -m http.server,
// ecosystem.ServedSite) serving a directory the build leaves (npm run
// build into dist/, hugo into public/, or a copy) gets a prod on nginx
// that receives that directory through COPY --from; the node or python
// toolchain, the source and the dependencies stay in the build stages.

// SiteImage is the default runtime image of a static site's prod: the one
// `dockstage init`'s static preset writes too.
const SiteImage = ecosystem.SiteImage

// siteRoot is where the nginx image's default server configuration
// (/etc/nginx/conf.d/default.conf) serves files from, on port 80.
const (
	siteRoot = "/usr/share/nginx/html"
	sitePort = 80
)

// siteFacts are what the steps leave that a site's prod depends on.
type siteFacts struct {
	wd          string
	user        string
	userLine    int
	entryLine   int
	sourceDests []string
}

// slimSite plans prod on nginx for the site the command serves; nil, with
// a note saying why, when the directory is not known with confidence.
func (m *migrator) slimSite(scope, prod []spec.Step, kept *spec.Stage, site ecosystem.Served, f siteFacts) *slimPlan {
	why := func(format string, args ...any) *slimPlan {
		m.notes = append(m.notes, Note{Line: f.entryLine, Msg: "prod stays on src, its toolchain included: `" + site.What + "` serves a static site, but " + fmt.Sprintf(format, args...)})
		return nil
	}
	dir := site.Dir
	switch {
	case strings.ContainsAny(dir, "*?[$"):
		return why("the directory %s is a pattern or a variable", dir)
	case !path.IsAbs(dir) && f.wd == "":
		return why("it runs in the base image's working directory (no WORKDIR), so which directory it serves is not known")
	case !path.IsAbs(dir):
		dir = path.Join(f.wd, dir)
	default:
		dir = path.Clean(dir)
	}
	for _, d := range f.sourceDests {
		if d == dir || strings.HasPrefix(d, strings.TrimSuffix(dir, "/")+"/") || dir == "/" {
			return why("it serves %s, where the whole build context was copied: which of those files are the site is not known (serve the build's output directory, such as dist/)", dir)
		}
	}
	argName := m.runtimeArg()
	plan, config := m.buildStage(scope, prod, kept, argName, SiteImage)
	from := plan.from()
	// prod: the site, the labels; nginx's image has its own command,
	// stop signal and user.
	copySite := spec.Step{Copy: &spec.Copy{From: from, Src: []string{dir + "/"}, Dest: siteRoot + "/"}, Pos: m.final.Pos,
		Comment: []string{"dockstage migrate: prod serves the site's files on nginx (its default server: port " + strconv.Itoa(sitePort) + ", root " + siteRoot + ")"}}
	steps := []spec.Step{copySite}
	var dropped []string
	seen := map[string]bool{}
	for _, s := range config {
		switch kw := s.Keyword(); kw {
		case "LABEL":
			steps = append(steps, s)
		case "EXPOSE", "CMD", "ENTRYPOINT", "USER":
		default:
			if !seen[kw] {
				seen[kw] = true
				dropped = append(dropped, kw)
			}
		}
	}
	port := strconv.Itoa(sitePort)
	steps = append(steps, spec.Step{Expose: []string{port}, Pos: m.final.Pos})
	plan.prod = &spec.Stage{Name: StageProd, From: "${" + argName + "}", Steps: steps, Pos: m.final.Pos}
	plan.ports = []string{strconv.Itoa(site.Port) + ":" + port}
	for i, it := range m.items {
		if i < m.srcEnd && !it.toProd {
			continue
		}
		switch kw := it.step.Keyword(); {
		case kw == "CMD" || kw == "ENTRYPOINT" || kw == "EXPOSE":
			it.note = "replaced: nginx serves the site"
		case isConfig(it.step) && kw != "LABEL":
			it.note = "not in prod: it configured the original's server"
		}
	}
	// The dependencies stay in the build stages: what the install brings
	// into prod no longer matters.
	notes := m.notes[:0]
	for _, n := range m.notes {
		if !strings.HasPrefix(n.Msg, devDepsNote) {
			notes = append(notes, n)
		}
	}
	m.notes = notes

	caveats := []string{
		fmt.Sprintf("nginx serves the files with the runtime image's default server configuration (/etc/nginx/conf.d/default.conf: root %s, index.html), not %s's; compression, caching headers and directory listings differ; to change them, COPY a server block to /etc/nginx/conf.d/default.conf in prod", siteRoot, site.Server),
		fmt.Sprintf("the container listens on port %d (nginx's), not %d: compose.yaml publishes %d:%d, so the host port is the same, but `docker run -p %d:%d` becomes `-p %d:%d` and whatever reached the container on %d (another container, a health check, a proxy) must use %d", sitePort, site.Port, site.Port, sitePort, site.Port, site.Port, site.Port, sitePort, site.Port, sitePort),
	}
	if site.SPA {
		caveats = append(caveats, "`"+site.What+"` answered an unknown path with index.html (a single-page app's routes); nginx's default server answers 404 there: COPY a server block with `location / { try_files $uri $uri/ /index.html; }` to /etc/nginx/conf.d/default.conf")
	}
	switch {
	case f.user == "":
		caveats = append(caveats, "the original ran as root; nginx's master process runs as root and its workers as the image's user nginx")
	default:
		caveats = append(caveats, fmt.Sprintf("USER %s (line %d) is not carried: it is a user of the build stages, and nginx's image runs its master process as root and its workers as user nginx; to run it all as a non-root user, listen on a port above 1024, move the pid and temp paths to writable places and add USER 101", f.user, f.userLine))
	}
	if len(dropped) > 0 {
		list := strings.Join(dropped, ", ")
		if n := len(dropped); n > 1 {
			list = strings.Join(dropped[:n-1], ", ") + " and " + dropped[n-1]
		}
		caveats = append(caveats, "prod leaves out the original's "+list+": it configured the server the original ran, not nginx")
	}
	caveats = append(caveats, "only "+dir+"/ is served: a file the original served from elsewhere, or one its server generated, is not in prod")
	m.changes = append(m.changes, Change{
		Kind:    ChangeSlimProd,
		Summary: "prod serves the static site on nginx with only the site's files",
		Lines:   []int{m.final.Pos.Line, f.entryLine},
		Detail: fmt.Sprintf("`%s` serves %s, which the build leaves; prod now starts FROM ${%s} (default %s: nginx, which serves %s on port %d) and receives %s through COPY --from=%s, so the toolchain, the source and the dependencies stay in the build stages. Change the runtime image with --build-arg %s=IMAGE, or keep prod on the original image and server with --keep-prod-base. The proof compares the build as the prod it replaces (FROM src, the same steps); the site is the directory that build leaves.",
			site.What, dir, argName, SiteImage, siteRoot, sitePort, dir, from, argName),
		Caveats: caveats,
	})
	return plan
}

// servesSite reports whether the command prod runs is a static file
// server, for which a note says why prod keeps the toolchain.
func (m *migrator) servesSite() bool {
	var entry, cmd *spec.Command
	for _, it := range m.items {
		s := it.step
		if it.execForm != nil {
			s = *it.execForm
		}
		switch {
		case s.Entrypoint != nil:
			entry, cmd = s.Entrypoint, nil
		case s.Cmd != nil:
			cmd = s.Cmd
		}
	}
	argv, ok := entryArgs(entry, cmd)
	if ok {
		_, ok = ecosystem.ServedSite(argv, m.ctx)
	}
	return ok
}
