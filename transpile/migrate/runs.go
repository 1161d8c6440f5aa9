package migrate

import (
	"path"
	"strings"

	"github.com/dockstage/dockstage/spec"
)

// The proof's check of a slim prod's command: the file the command runs
// is in prod where the command looks for it, and it is the file the
// original's command ran. Prove compares the slim prod as the stage it
// replaced, so without this check a COPY --from to the wrong place would
// pass.

// interpreters are commands whose first argument that is not a flag is
// the file they run.
var interpreters = map[string]bool{"node": true, "python": true, "python3": true, "ruby": true, "php": true, "perl": true, "bun": true}

// runTarget is the file a command line runs: the jar of java -jar, the
// assembly of dotnet X.dll, an interpreter's script, else the command
// itself; bare when it is a name looked up in PATH; ok false when the
// file is not known.
func runTarget(argv []string) (file string, bare, ok bool) {
	if len(argv) == 0 {
		return "", false, false
	}
	switch name := path.Base(argv[0]); {
	case name == "java":
		for k := 1; k+1 < len(argv); k++ {
			if argv[k] == "-jar" {
				return argv[k+1], false, true
			}
		}
		return "", false, false
	case name == "dotnet":
		if len(argv) > 1 && strings.HasSuffix(argv[1], ".dll") {
			return argv[1], false, true
		}
		return "", false, false
	case interpreters[name] || strings.HasPrefix(name, "python3"):
		for _, a := range argv[1:] {
			if a == "-m" || a == "-c" || a == "-e" {
				return "", false, false // a module or inline code, not a file
			}
			if !strings.HasPrefix(a, "-") {
				return a, false, true
			}
		}
		return "", false, false
	}
	return argv[0], !strings.Contains(argv[0], "/"), true
}

// stageFacts are the working directory and command line a stage's steps
// leave, in order; wdOK is false when a WORKDIR uses a variable.
func stageFacts(steps []spec.Step) (wd string, wdOK bool, argv []string, argvOK bool) {
	var entry, cmd *spec.Command
	wdOK = true
	for _, s := range steps {
		switch {
		case s.Workdir != nil:
			w := *s.Workdir
			if strings.Contains(w, "$") {
				wdOK = false
			}
			wd = path.Join("/", wd, w)
			if path.IsAbs(w) {
				wd = path.Clean(w)
			}
		case s.Entrypoint != nil:
			entry, cmd = s.Entrypoint, nil
		case s.Cmd != nil:
			cmd = s.Cmd
		}
	}
	argv, argvOK = entryArgs(entry, cmd)
	return wd, wdOK, argv, argvOK
}

// copiedFrom is the path in the source stage of the file a COPY --from
// of prod puts at p (prod's working directory wd at each COPY), and the
// stage; "" when no COPY --from puts anything there. A later COPY wins.
func copiedFrom(prod []spec.Step, p string) (src, stage string) {
	wd := ""
	for _, s := range prod {
		if s.Workdir != nil {
			wd = path.Join("/", wd, *s.Workdir)
			if path.IsAbs(*s.Workdir) {
				wd = path.Clean(*s.Workdir)
			}
		}
		c := s.Copy
		if c == nil || c.From == "" {
			continue
		}
		dest := c.Dest
		if !path.IsAbs(dest) {
			dest = path.Join("/", wd, dest)
		}
		dir := len(c.Src) > 1 || strings.HasSuffix(c.Dest, "/")
		dest = path.Clean(dest)
		for _, from := range c.Src {
			if !path.IsAbs(from) {
				continue
			}
			from = path.Clean(from)
			switch {
			case dir && p == path.Join(dest, path.Base(from)):
				src, stage = from, c.From // a file into a directory
			case !dir && p == dest:
				src, stage = from, c.From // a file to a file
			case strings.HasPrefix(p, strings.TrimSuffix(dest, "/")+"/"):
				src, stage = path.Join(from, strings.TrimPrefix(p, dest)), c.From // a directory's contents
			}
		}
	}
	return src, stage
}

// runsIssues checks that prod (the slim prod stage as migrated has it)
// holds the file its command runs where the command looks for it, and
// that the file is the one the original's command ran: orig is the prod
// stage the slim one replaced, joined with base and src (the original
// build, as the rest of the proof shows).
func runsIssues(prod, orig *spec.Stage) []string {
	pwd, pwdOK, pargv, ok := stageFacts(prod.Steps)
	if !ok {
		return []string{"the slim prod's command is not in exec form: which file it runs is not known"}
	}
	file, bare, ok := runTarget(pargv)
	if !ok {
		return []string{"the slim prod's command (" + strings.Join(pargv, " ") + ") names no file the proof can find"}
	}
	if bare {
		// looked up in PATH: prod must have it in a directory of the
		// default PATH
		for _, d := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
			if src, _ := copiedFrom(prod.Steps, path.Join(d, file)); src != "" {
				return nil
			}
		}
		return []string{"the slim prod runs " + file + ", which no COPY --from puts in a directory of the default PATH"}
	}
	if !path.IsAbs(file) && (pwd == "" || !pwdOK) {
		return []string{"the slim prod runs " + file + ", relative to a working directory that is not known"}
	}
	at := path.Join("/", pwd, file)
	if path.IsAbs(file) {
		at = path.Clean(file)
	}
	src, _ := copiedFrom(prod.Steps, at)
	if src == "" {
		return []string{"the slim prod's command (" + strings.Join(pargv, " ") + ") runs " + at + ", which no COPY --from puts in prod"}
	}
	owd, owdOK, oargv, ok := stageFacts(orig.Steps)
	ofile, obare, ok2 := runTarget(oargv)
	if !ok || !ok2 || obare || !path.IsAbs(ofile) && (owd == "" || !owdOK) {
		return []string{"the original's command does not name the file the slim prod runs"}
	}
	want := path.Join("/", owd, ofile)
	if path.IsAbs(ofile) {
		want = path.Clean(ofile)
	}
	if src != want {
		return []string{"the slim prod runs " + at + ", copied from " + src + ", but the original ran " + want}
	}
	return nil
}
