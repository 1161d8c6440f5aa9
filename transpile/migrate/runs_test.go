package migrate

import (
	"strings"
	"testing"

	"github.com/dockstage/dockstage/spec"
)

func TestRunsIssues(t *testing.T) {
	wd := func(w string) spec.Step { return spec.Step{Workdir: &w} }
	cp := func(from, src, dest string) spec.Step {
		return spec.Step{Copy: &spec.Copy{From: from, Src: []string{src}, Dest: dest}}
	}
	entry := func(args ...string) spec.Step {
		return spec.Step{Entrypoint: &spec.Command{Exec: true, Args: args}}
	}
	orig := func(w string, args ...string) *spec.Stage {
		return &spec.Stage{Steps: []spec.Step{wd(w), entry(args...)}}
	}
	for _, c := range []struct {
		name string
		prod []spec.Step
		orig *spec.Stage
		want string // a part of the issue; "" for none
	}{
		{"jar copied to the interpreter's name", []spec.Step{wd("/app"), cp("src", "/app/app.jar", "/usr/local/bin/java"), entry("java", "-jar", "/app/app.jar")},
			orig("/app", "java", "-jar", "/app/app.jar"), "runs /app/app.jar, which no COPY --from puts in prod"},
		{"jar where the command runs it", []spec.Step{wd("/app"), cp("src", "/app/app.jar", "/app/app.jar"), entry("java", "-jar", "/app/app.jar")},
			orig("/app", "java", "-jar", "/app/app.jar"), ""},
		{"relative jar, same WORKDIR", []spec.Step{wd("/app"), cp("build", "/app/target/x.jar", "/app/target/x.jar"), entry("java", "-jar", "target/x.jar")},
			orig("/app", "java", "-jar", "target/x.jar"), ""},
		{"relative jar, other WORKDIR", []spec.Step{wd("/srv"), cp("build", "/app/target/x.jar", "/app/target/x.jar"), entry("java", "-jar", "target/x.jar")},
			orig("/app", "java", "-jar", "target/x.jar"), "runs /srv/target/x.jar"},
		{"relative jar, no WORKDIR", []spec.Step{cp("build", "/app/target/x.jar", "/app/target/x.jar"), entry("java", "-jar", "target/x.jar")},
			orig("/app", "java", "-jar", "target/x.jar"), "working directory that is not known"},
		{"another jar at the path", []spec.Step{wd("/app"), cp("build", "/app/target/y.jar", "/app/app.jar"), entry("java", "-jar", "/app/app.jar")},
			orig("/app", "java", "-jar", "/app/app.jar"), "copied from /app/target/y.jar, but the original ran /app/app.jar"},
		{"publish directory to dotnet's name", []spec.Step{wd("/app"), cp("src", "/app/out", "/usr/local/bin/dotnet"), entry("dotnet", "out/WebApi.dll")},
			orig("/app", "dotnet", "out/WebApi.dll"), "runs /app/out/WebApi.dll, which no COPY --from"},
		{"publish directory in place", []spec.Step{wd("/app"), cp("src", "/app/out", "/app/out/"), entry("dotnet", "out/WebApi.dll")},
			orig("/app", "dotnet", "out/WebApi.dll"), ""},
		{"publish directory contents", []spec.Step{wd("/app"), cp("build", "/app", "/app/"), entry("dotnet", "Api.dll")},
			orig("/app", "dotnet", "Api.dll"), ""},
		{"binary in PATH", []spec.Step{cp("src", "/go/bin/server", "/usr/local/bin/server"), entry("server")},
			orig("/src", "server"), ""},
		{"binary not in PATH", []spec.Step{cp("src", "/go/bin/server", "/go/bin/server"), entry("server")},
			orig("/src", "server"), "no COPY --from puts in a directory of the default PATH"},
		{"absolute binary", []spec.Step{wd("/src"), cp("src", "/bin/server", "/bin/server"), entry("/bin/server")},
			orig("/src", "/bin/server"), ""},
		{"binary into a directory", []spec.Step{cp("src", "/app/server", "/usr/local/bin/"), entry("/usr/local/bin/server")},
			orig("/app", "/usr/local/bin/server"), "copied from /app/server, but the original ran /usr/local/bin/server"},
		{"shell form", []spec.Step{{Cmd: &spec.Command{Shell: "java -jar app.jar"}}}, orig("/app", "java"), "not in exec form"},
		{"java without -jar", []spec.Step{entry("java", "-cp", "app.jar", "Main")}, orig("/app", "java"), "names no file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(runsIssues(&spec.Stage{Steps: c.prod}, c.orig), "; ")
			if c.want == "" && got != "" || !strings.Contains(got, c.want) {
				t.Errorf("issues %q, want %q", got, c.want)
			}
		})
	}
}

// TestProofFindsMisplacedArtifact: the proof fails when the slim prod's
// COPY puts the artifact elsewhere than where the command runs it (the
// jar copied to /usr/local/bin/java), though prod is the plan's.
func TestProofFindsMisplacedArtifact(t *testing.T) {
	m := runCase(t, "testdata/java-maven-cp-jar")
	prod := stageOf(m.res.Spec, StageProd)
	if prod == nil || m.res.Report.slim == nil || prod != m.res.Report.slim.prod {
		t.Fatal("want a slim prod that is the plan's")
	}
	for _, s := range prod.Steps {
		if s.Copy != nil && s.Copy.From != "" {
			s.Copy.Dest = "/usr/local/bin/java"
		}
	}
	p, err := Prove(m.res.Original, m.res.Spec, m.res.Report)
	if err != nil {
		t.Fatal(err)
	}
	if p.OK() || !strings.Contains(p.String(), "runs /app/app.jar, which no COPY --from puts in prod") {
		t.Errorf("the proof passed a prod without the jar:\n%s", p)
	}
}

// TestBuildUnderMount: a build output the RUN leaves under one of its
// mounts is not in the image, so prod is not slimmed onto it; a bind
// mount of the context elsewhere does not hide it.
func TestBuildUnderMount(t *testing.T) {
	ctx := map[string]string{"go.mod": "module example.com/svc\n", "cmd/server/main.go": "package main\n"}
	res, err := migrateString(t, "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=bin CGO_ENABLED=0 go build -o bin/server ./cmd/server\nCMD [\"/src/bin/server\"]\n", ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.slim != nil || !hasNote(res.Report, "under its --mount target /src/bin") {
		t.Errorf("slim %v, notes %v", res.Report.slim != nil, res.Report.Notes)
	}
	res, err = migrateString(t, "FROM golang:1.22\nWORKDIR /src\nRUN --mount=type=bind,target=. CGO_ENABLED=0 go build -o /bin/server ./cmd/server\nENTRYPOINT [\"/bin/server\"]\n", ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.slim == nil {
		t.Errorf("no slim prod for the bind-mounted build: %v", res.Report.Notes)
	}
}

// TestPlacedFiles: a file the original copied outside the WORKDIR for run
// time (a configuration file in /etc) is copied to the slim prod; one a
// later RUN names (an install script it may remove) or one in /tmp is
// not.
func TestPlacedFiles(t *testing.T) {
	ctx := map[string]string{"go.mod": "module example.com/svc\n", "cmd/server/main.go": "package main\n", "config.yaml": "", "setup.sh": "", "seed.sql": "", "conf/a.conf": ""}
	res, err := migrateString(t, "FROM golang:1.22\nWORKDIR /src\nCOPY config.yaml /etc/app/config.yaml\nCOPY conf/ /etc/conf.d/\nCOPY setup.sh /usr/local/bin/setup.sh\nCOPY seed.sql /tmp/\nRUN setup.sh && rm /usr/local/bin/setup.sh\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /bin/server ./cmd/server\nENTRYPOINT [\"/bin/server\"]\n", ctx)
	if err != nil {
		t.Fatal(err)
	}
	prod := stageOf(res.Spec, StageProd)
	if prod == nil || res.Report.slim == nil {
		t.Fatalf("no slim prod: %v", res.Report.Notes)
	}
	var got []string
	for _, s := range prod.Steps {
		if s.Copy != nil {
			got = append(got, s.Copy.Src[0]+" "+s.Copy.Dest)
		}
	}
	if want := "/bin/server /bin/server; /etc/app/config.yaml /etc/app/config.yaml; /etc/conf.d /etc/conf.d"; strings.Join(got, "; ") != want {
		t.Errorf("prod copies %q, want %q", strings.Join(got, "; "), want)
	}
}
