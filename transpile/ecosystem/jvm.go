package ecosystem

import (
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/dockstage/dockstage/transpile/shell"
)

// Java projects (Maven, Gradle): detection from their files and what mvn
// goals and gradle tasks do.

var (
	xmlTagRE = func(tag string) *regexp.Regexp {
		return regexp.MustCompile(`<` + tag + `>\s*([^<]+?)\s*</` + tag + `>`)
	}
	artifactIDRE = sync.OnceValue(func() *regexp.Regexp { return xmlTagRE("artifactId") })
	springPortRE = sync.OnceValue(func() []*regexp.Regexp {
		return []*regexp.Regexp{regexp.MustCompile(`(?m)^\s*server\.port\s*[=:]\s*(\d{2,5})`), regexp.MustCompile(`(?m)^\s*port:\s*(\d{2,5})`)}
	})
	gradleNameRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`rootProject\.name\s*=\s*["']([^"']+)["']`) })
	springConfigs = []string{"src/main/resources/application.properties", "src/main/resources/application.yml", "src/main/resources/application.yaml"}
)

func (p *project) java(r *Result, forced bool) {
	var build string
	if r.Manager == Gradle {
		build = "build.gradle"
		if p.has("build.gradle.kts") {
			build = "build.gradle.kts"
		}
		p.manifest(r, build, "Gradle build", true)
		for _, f := range []string{"settings.gradle", "settings.gradle.kts", "gradle.properties"} {
			p.manifest(r, f, "Gradle settings", false)
		}
		if p.has("gradlew") && p.isDir("gradle") {
			r.Wrapper = true
			r.note("gradlew", "the Gradle wrapper: the preset copies gradlew and gradle/ and runs ./gradlew")
		} else {
			p.manifest(r, "gradle/libs.versions.toml", "Gradle version catalog", false)
		}
		for _, f := range []string{"settings.gradle", "settings.gradle.kts"} {
			if m := gradleNameRE().FindSubmatch(p.read(f)); m != nil {
				r.Name = string(m[1])
			}
		}
	} else {
		build = "pom.xml"
		p.manifest(r, build, "Maven project", true)
		if p.has("mvnw") && p.isDir(".mvn") {
			r.Wrapper = true
			r.note("mvnw", "the Maven wrapper (the preset uses the image's mvn)")
		}
		// The project's own artifactId follows </parent> when there is a parent.
		pom := string(p.read("pom.xml"))
		if i := strings.Index(pom, "</parent>"); i >= 0 {
			pom = pom[i:]
		}
		if m := artifactIDRE().FindStringSubmatch(pom); m != nil {
			r.Name = m[1]
		}
		if strings.Contains(pom, "<modules>") {
			r.note("pom.xml", "a multi-module build: the preset copies only the root pom.xml before resolving dependencies")
		}
	}
	r.Binary = or(r.Name, "app")
	b := string(p.read(build))
	if strings.Contains(b, "spring-boot") || strings.Contains(b, "org.springframework.boot") {
		r.Framework = "spring-boot"
		r.note(build, "Spring Boot")
		if strings.Contains(b, "spring-boot-starter-actuator") {
			r.HealthPath = "/actuator/health"
			r.note(build, "Spring Boot actuator: health at /actuator/health")
		}
	}
	p.setPort(r, springConfigs, springPortRE(), 8080, "the Java servers' usual default")
}

// mavenValueFlags are mvn flags that take a value in the next word.
var mavenValueFlags = map[string]bool{
	"-f": true, "--file": true, "-s": true, "--settings": true, "-gs": true, "--global-settings": true,
	"-P": true, "--activate-profiles": true, "-pl": true, "--projects": true, "-T": true, "--threads": true,
	"-rf": true, "--resume-from": true, "-t": true, "--toolchains": true, "-l": true, "--log-file": true,
	"-D": true, "--define": true, "-b": true, "--builder": true,
}

var mavenSkipRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-D(skipTests|maven\.test\.skip)(=true)?$`) })

func classifyMaven(args []string, ws []shell.Word, ctx *BuildContext) Classified {
	info := Classified{Ecosystem: "java", Tool: "maven", What: strings.Join(args, " ")}
	var goals []string
	skip := false
	settings := ""
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case mavenValueFlags[a]:
			if i+1 < len(args) {
				if a == "-s" || a == "--settings" {
					settings = args[i+1]
				}
				if a == "-f" || a == "--file" {
					if path.Clean(args[i+1]) != "pom.xml" {
						settings = "\x00" // another pom: not a single-module build we can reason about
					}
				}
			}
			i++
		case mavenSkipRE().MatchString(a):
			skip = true
		case strings.HasPrefix(a, "-"):
		default:
			goals = append(goals, a)
		}
	}
	if len(goals) == 0 {
		return Classified{}
	}
	only := func(allowed ...string) bool { return allAmong(goals, allowed...) }
	switch {
	case only("dependency:go-offline", "dependency:resolve", "dependency:resolve-plugins", "dependency:tree"):
		info.Role = RoleInstall
		info.Need = []string{"pom.xml"}
		info.Maybe = []string{".mvn"}
		if strings.HasPrefix(args[0], ".") || strings.Contains(args[0], "/") {
			info.Need = append(info.Need, path.Clean(args[0]))
		}
		switch {
		case settings == "\x00":
			info.Unsafe = "the build reads a pom other than pom.xml"
		case settings != "":
			info.Need = append(info.Need, settings)
		}
		for _, f := range ctx.Files() {
			if path.Base(f) == "pom.xml" && f != "pom.xml" && info.Unsafe == "" {
				info.Unsafe = "the project has module poms (" + f + "); a multi-module install reads them all"
			}
		}
		return info
	case only("clean", "test", "surefire:test", "jacoco:report"):
		if HasWord(goals, "test", "surefire:test") && !skip {
			info.Role = RoleTest
			return info
		}
	case !skip && (HasWord(goals, "package", "verify", "install", "deploy")):
		info.Role = RoleImplicitTest
		info.SkipFlag = "-DskipTests"
		goal := "test"
		if HasWord(goals, "verify", "install", "deploy") {
			goal = "verify"
		}
		info.TestCmd = replaceTasks(ws, mavenValueFlags, goal)
		return info
	}
	return Classified{}
}

// replaceTasks writes a mvn or gradle command line with its goals or
// tasks replaced by task, in the place of the first one; options stay as
// written, an excluded task (-x) goes.
func replaceTasks(ws []shell.Word, valueFlags map[string]bool, task string) string {
	out := []string{ws[0].Raw}
	done := false
	for i := 1; i < len(ws); i++ {
		a := ws[i].Value
		switch {
		case a == "-x" || a == "--exclude-task":
			i++
		case valueFlags[a]:
			out = append(out, ws[i].Raw)
			if i+1 < len(ws) {
				i++
				out = append(out, ws[i].Raw)
			}
		case strings.HasPrefix(a, "-"):
			out = append(out, ws[i].Raw)
		case !done:
			out = append(out, task)
			done = true
		}
	}
	return strings.Join(out, " ")
}

var gradleValueFlags = map[string]bool{
	"-x": true, "--exclude-task": true, "-p": true, "--project-dir": true, "-b": true, "--build-file": true,
	"-c": true, "--settings-file": true, "-g": true, "--gradle-user-home": true, "-I": true, "--init-script": true,
	"--max-workers": true, "--console": true, "--warning-mode": true,
}

func classifyGradle(args []string, ws []shell.Word, ctx *BuildContext) Classified {
	info := Classified{Ecosystem: "java", Tool: "gradle", What: strings.Join(args, " ")}
	var tasks []string
	excluded := map[string]bool{}
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case gradleValueFlags[a]:
			if i+1 < len(args) {
				if a == "-x" || a == "--exclude-task" {
					excluded[strings.TrimPrefix(args[i+1], ":")] = true
				}
			}
			i++
		case strings.HasPrefix(a, "-"):
		default:
			tasks = append(tasks, strings.TrimPrefix(a, ":"))
		}
	}
	if len(tasks) == 0 {
		return Classified{}
	}
	allIn := func(allowed ...string) bool { return allAmong(tasks, allowed...) }
	switch {
	case allIn("dependencies", "androidDependencies", "buildEnvironment"):
		info.Role = RoleInstall
		info.Need = []string{}
		for _, f := range []string{"build.gradle", "build.gradle.kts"} {
			if ctx.HasFile(f) {
				info.Need = append(info.Need, f)
			}
		}
		if len(info.Need) == 0 {
			info.Need = []string{"build.gradle"}
		}
		info.Maybe = []string{"settings.gradle", "settings.gradle.kts", "gradle.properties", "gradle", "gradlew"}
		info.Writes = []string{".gradle", "build"}
		if ctx.Has("buildSrc") {
			info.Unsafe = "buildSrc/ is part of the build scripts and lives in the source"
		}
		for _, f := range ctx.Files() {
			if b := path.Base(f); (b == "build.gradle" || b == "build.gradle.kts") && strings.Contains(f, "/") && info.Unsafe == "" {
				info.Unsafe = "the project has subproject build files (" + f + ")"
			}
		}
		return info
	case allIn("clean", "test", "check") && (HasWord(tasks, "test", "check")):
		info.Role = RoleTest
		return info
	case HasWord(tasks, "build") && !excluded["test"] && !excluded["check"]:
		info.Role = RoleImplicitTest
		info.SkipFlag = "-x test"
		info.TestCmd = replaceTasks(ws, gradleValueFlags, "test")
		return info
	}
	return Classified{}
}
