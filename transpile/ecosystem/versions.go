package ecosystem

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// This file reads the runtime version a project pins in its version files,
// for the base image `dockstage init` writes: .python-version, .nvmrc,
// .node-version, package.json engines.node, go.mod's go and toolchain
// lines, rust-toolchain(.toml), global.json's sdk.version.

// Default runtime versions when a project pins none: the current
// long-term-support or stable lines.
const (
	DefaultPython = "3.13"
	DefaultNode   = "24"
	DefaultGo     = "1.26"
	DefaultRust   = "1"
	DefaultDotNet = "8.0"
	DefaultRuby   = "3.3"
)

var (
	majorMinorRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?`) })
	engineRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\d+)(?:\.(\d+|x))?`) })
	goLineRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^go\s+((\d+\.\d+)[0-9A-Za-z.]*)`) })
	toolchainRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^toolchain\s+go((\d+\.\d+)[0-9A-Za-z.]*)`) })
	channelRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*channel\s*=\s*"(\d+\.\d+)(?:\.\d+)?"`) })
	gemRubyRE    = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^\s*ruby\s*\(?\s*(?:["']([~>=<! ]*)\s*(\d+\.\d+(?:\.\d+)?)["']|file:\s*["']\.ruby-version["'])`)
	})
	rubyVersionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:ruby-)?(\d+\.\d+)(\.\d+)?\s*$`) })
	rustPlainRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+\.\d+)(?:\.\d+)?\s*$`) })
)

// versionFromFiles sets r.RuntimeVersion from the project's version
// files, with the file as evidence; it leaves it empty when none pins one.
func (p *project) versionFromFiles(r *Result) {
	set := func(file, v, fact string) {
		r.RuntimeVersion = v
		r.note(file, "%s", fact)
	}
	first := func(name string) string {
		line, _, _ := strings.Cut(strings.TrimSpace(string(p.read(name))), "\n")
		return strings.TrimSpace(line)
	}
	switch r.Ecosystem {
	case Python:
		if m := majorMinorRE().FindStringSubmatch(first(".python-version")); m != nil && m[2] != "" {
			set(".python-version", m[1]+"."+m[2], "Python "+m[1]+"."+m[2]+" pinned")
		}
	case Node, Static:
		for _, f := range []string{".nvmrc", ".node-version"} {
			if m := majorMinorRE().FindStringSubmatch(first(f)); m != nil {
				set(f, m[1], "Node.js "+m[1]+" pinned")
				return
			}
		}
		var pkg struct {
			Engines map[string]any `json:"engines"`
		}
		if json.Unmarshal(p.read("package.json"), &pkg) == nil {
			if s, ok := pkg.Engines["node"].(string); ok {
				if v := engineMajor(s); v != "" {
					set("package.json", v, "engines.node "+s+": Node.js "+v)
				}
			}
		}
	case Go:
		text := string(p.read("go.mod"))
		if m := toolchainRE().FindStringSubmatch(text); m != nil {
			set("go.mod", m[2], "toolchain go"+m[1]+": the golang:"+m[2]+" image")
		} else if m := goLineRE().FindStringSubmatch(text); m != nil {
			set("go.mod", m[2], "go "+m[1]+": the golang:"+m[2]+" image (a newer Go builds it too: --build-arg GO_IMAGE=golang:"+DefaultGo+"-bookworm)")
		} else if p.has("go.mod") {
			r.note("go.mod", "no go or toolchain line: the golang:%s image", DefaultGo)
		}
	case Ruby:
		p.rubyVersion(r, first(".ruby-version"), set)
	case Rust:
		if m := channelRE().FindStringSubmatch(string(p.read("rust-toolchain.toml"))); m != nil {
			set("rust-toolchain.toml", m[1], "Rust "+m[1]+" pinned")
		} else if m := rustPlainRE().FindStringSubmatch(first("rust-toolchain")); m != nil {
			set("rust-toolchain", m[1], "Rust "+m[1]+" pinned")
		}
	case DotNet:
		var g struct {
			Sdk struct {
				Version string `json:"version"`
			} `json:"sdk"`
		}
		if json.Unmarshal(p.read("global.json"), &g) == nil {
			if m := majorMinorRE().FindStringSubmatch(g.Sdk.Version); m != nil && m[2] != "" {
				v := m[1] + "." + m[2]
				switch t := r.RuntimeTarget; {
				case t == "" || t == v:
					set("global.json", v, ".NET SDK "+g.Sdk.Version+": the "+v+" images")
				case newer(t, v):
					set("global.json", v, ".NET SDK "+g.Sdk.Version+": the sdk:"+v+" image, older than the target framework's "+t+", cannot build it (raise global.json's sdk.version)")
				default:
					set("global.json", v, ".NET SDK "+g.Sdk.Version+": the sdk:"+v+" image builds it; the runtime image stays aspnet:"+t+", the target framework's")
				}
				return
			}
		}
		if t := r.RuntimeTarget; t != "" {
			set(r.MainPackage, t, "no global.json pins the SDK: the sdk:"+t+" image, the target framework's")
		}
	}
}

// rubyVersion: Bundler refuses any other Ruby than the one a Gemfile's
// `ruby "3.3.5"` names, so that exact version is the image's (ruby:3.3.5);
// a requirement (`ruby "~> 3.3.0"`) or a .ruby-version (which Bundler does
// not enforce) gives the major.minor line.
func (p *project) rubyVersion(r *Result, dotVersion string, set func(file, v, fact string)) {
	dot := rubyVersionRE().FindStringSubmatch(dotVersion)
	if m := gemRubyRE().FindStringSubmatch(string(p.read("Gemfile"))); m != nil {
		switch {
		case m[2] == "": // ruby file: ".ruby-version"
			if dot == nil {
				r.note("Gemfile", "ruby file: \".ruby-version\", which names no version the preset reads: the ruby:%s image", DefaultRuby)
				return
			}
			r.Manifests = append(r.Manifests, ".ruby-version")
			set(".ruby-version", dot[1]+dot[2], "Ruby "+dot[1]+dot[2]+", which the Gemfile's ruby file: requires exactly (Bundler refuses another): the ruby:"+dot[1]+dot[2]+" image")
			return
		case strings.TrimSpace(m[1]) == "" && strings.Count(m[2], ".") == 2:
			set("Gemfile", m[2], "ruby \""+m[2]+"\": Bundler refuses any other Ruby, so the ruby:"+m[2]+" image (not the "+m[2][:strings.LastIndex(m[2], ".")]+" line)")
			return
		default:
			v := strings.Join(strings.SplitN(m[2], ".", 3)[:2], ".")
			set("Gemfile", v, "ruby \""+strings.TrimSpace(strings.TrimSpace(m[1])+" "+m[2])+"\": the ruby:"+v+" image")
			return
		}
	}
	if dot != nil {
		set(".ruby-version", dot[1], "Ruby "+dot[1]+dot[2]+": the ruby:"+dot[1]+" image (Bundler does not require the patch release)")
	}
}

// engineMajor is the lowest major version a range of engines.node allows
// (">=20", "^18.17", "20.x", "20 || 22"), or "".
func engineMajor(s string) string {
	best := -1
	for _, part := range strings.Split(s, "||") {
		part = strings.TrimSpace(part)
		if strings.HasPrefix(part, "<") {
			continue
		}
		if m := engineRE().FindStringSubmatch(part); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil && (best < 0 || n < best) && n >= 4 {
				best = n
			}
		}
	}
	if best < 0 {
		return ""
	}
	return strconv.Itoa(best)
}

// newer reports whether version a (major.minor) is newer than b.
func newer(a, b string) bool {
	pa, pb := strings.SplitN(a, ".", 2), strings.SplitN(b, ".", 2)
	for i := 0; i < 2 && i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x > y
		}
	}
	return false
}

// Version is the runtime version for the base image: RuntimeVersion, else
// the ecosystem's default.
func (r Result) Version() string {
	if r.RuntimeVersion != "" {
		return r.RuntimeVersion
	}
	switch r.Ecosystem {
	case Python:
		return DefaultPython
	case Node, Static:
		return DefaultNode
	case Go:
		return DefaultGo
	case Rust:
		return DefaultRust
	case DotNet:
		return DefaultDotNet
	case Ruby:
		return DefaultRuby
	}
	return ""
}
