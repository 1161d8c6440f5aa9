// Package presets holds `dockstage init`'s presets: text/templates that
// write a spec (dockstage.yaml) for a new service from the facts
// transpile/ecosystem detects in its directory (manifests, lockfiles, entry
// point, port), one preset per ecosystem.Kind, and lets a team's preset
// directory replace or add to them. It is layer 7 of the README's Layout:
// of dockstage it imports spec and transpile/ecosystem (templates and
// transpile in its tests, which render every preset).
package presets

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile/ecosystem"
	"github.com/moby/buildkit/util/suggest"
	"gopkg.in/yaml.v3"
)

// Presets are text/templates that write a spec (dockstage.yaml) for
// `dockstage init`: presets/NAME.yaml.tmpl, one per ecosystem.Kind, plus
// shared definitions in presets/_*.tmpl ("header", "node", ...). A team's
// preset directory holds files of the same names; they take precedence.
//
//go:embed *.tmpl
var presetFiles embed.FS

// PresetSuffix ends the file name of a preset template.
const PresetSuffix = ".yaml.tmpl"

// PresetData is what a preset template is executed with: the service name
// and port chosen for the spec, and everything detected in the project
// (the fields and methods of ecosystem.Result: .Manifests, .Lockfiles,
// .CopyFiles, .Framework, .Start, .HasDep "flask", ...).
type PresetData struct {
	// Preset is the name of the preset being rendered.
	Preset string
	// Service is the spec's name: the compose service and image name.
	Service string
	// Port is the TCP port the service listens on (1..65535).
	Port int
	ecosystem.Result
}

// PresetInfo describes one preset.
type PresetInfo struct {
	Name string
	// Description is the text of the template's leading {{/* ... */}}
	// comment.
	Description string
	// Custom is set for a preset read from a team's preset directory.
	Custom bool
}

// UnknownPresetError is returned by RenderPreset for a name no preset has.
type UnknownPresetError struct {
	Name string
	// Known lists the preset names, sorted.
	Known []string
	// Suggestion is the closest known name, or "".
	Suggestion string
}

func (e *UnknownPresetError) Error() string {
	msg := fmt.Sprintf("unknown preset %q", e.Name)
	if e.Suggestion != "" {
		msg += fmt.Sprintf("; did you mean %q?", e.Suggestion)
	}
	return msg + " (presets: " + strings.Join(e.Known, ", ") + ")"
}

var descRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*\{\{-?\s*/\*\s*((?s:.*?))\s*\*/\s*-?\}\}`) })

// Presets lists the embedded presets and those of dir (a team's preset
// directory; nil for none), sorted by name; a preset of dir replaces the
// embedded one of the same name.
func Presets(dir fs.FS) ([]PresetInfo, error) {
	byName := map[string]PresetInfo{}
	add := func(fsys fs.FS, root string, custom bool) error {
		ents, err := fs.ReadDir(fsys, root)
		if err != nil {
			return err
		}
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || !strings.HasSuffix(n, PresetSuffix) || strings.HasPrefix(n, "_") {
				continue
			}
			b, err := fs.ReadFile(fsys, path.Join(root, n))
			if err != nil {
				return err
			}
			info := PresetInfo{Name: strings.TrimSuffix(n, PresetSuffix), Custom: custom}
			if m := descRE().FindSubmatch(b); m != nil {
				info.Description = strings.Join(strings.Fields(string(m[1])), " ")
			}
			byName[info.Name] = info
		}
		return nil
	}
	if err := add(presetFiles, ".", false); err != nil {
		return nil, err
	}
	if dir != nil {
		if err := add(dir, ".", true); err != nil {
			return nil, err
		}
	}
	out := make([]PresetInfo, 0, len(byName))
	for _, p := range byName {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// FindPreset checks that a preset exists (in dir or embedded); it returns
// an *UnknownPresetError listing the presets otherwise.
func FindPreset(name string, dir fs.FS) (PresetInfo, error) {
	all, err := Presets(dir)
	if err != nil {
		return PresetInfo{}, err
	}
	var names []string
	for _, p := range all {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	e := &UnknownPresetError{Name: name, Known: names}
	for _, n := range names { // "python", "nod" -> "python-pip", "node-npm"
		if e.Suggestion == "" && name != "" && strings.HasPrefix(n, name) {
			e.Suggestion = n
		}
	}
	if s, ok := suggest.Search(name, names, false); ok && e.Suggestion == "" {
		e.Suggestion = s
	}
	return PresetInfo{}, e
}

// RenderPreset executes the preset name with data and returns the spec
// text. The template is NAME.yaml.tmpl from dir when dir has it (dir may be
// nil), else the embedded one; the shared _*.tmpl definitions of both are
// available (dir's win). It does not load or validate the result: callers
// run spec.Load and spec.Validate on it.
func RenderPreset(name string, data PresetData, dir fs.FS) ([]byte, error) {
	if _, err := FindPreset(name, dir); err != nil {
		return nil, err
	}
	t := template.New(name + PresetSuffix).Funcs(presetFuncs).Option("missingkey=error")
	parse := func(fsys fs.FS, file string) error {
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			return err
		}
		if _, err := t.New(path.Base(file)).Parse(string(b)); err != nil {
			return err
		}
		return nil
	}
	shared, _ := fs.Glob(presetFiles, "_*.tmpl")
	for _, f := range shared {
		if err := parse(presetFiles, f); err != nil {
			return nil, fmt.Errorf("embedded %s: %w", f, err)
		}
	}
	file, fsys := name+PresetSuffix, fs.FS(presetFiles)
	if dir != nil {
		teamShared, _ := fs.Glob(dir, "_*.tmpl")
		for _, f := range teamShared {
			if err := parse(dir, f); err != nil {
				return nil, err
			}
		}
		if _, err := fs.Stat(dir, name+PresetSuffix); err == nil {
			file, fsys = name+PresetSuffix, dir
		}
	}
	if err := parse(fsys, file); err != nil {
		return nil, err
	}
	if data.Preset == "" {
		data.Preset = name
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name+PresetSuffix, data); err != nil {
		return nil, err
	}
	// Trailing spaces and runs of blank lines left by template actions.
	out := regexp.MustCompile(`(?m)[ \t]+$`).ReplaceAll(buf.Bytes(), nil)
	out = regexp.MustCompile(`\n{3,}`).ReplaceAll(out, []byte("\n\n"))
	return append(bytes.TrimRight(out, "\n"), '\n'), nil
}

// plainRE matches strings that may stay unquoted in YAML, block or flow.
var plainRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_./-][A-Za-z0-9_./:=@+-]*$`) })

// yamlScalar writes s as a YAML scalar that reads back as the string s:
// plain when that is unambiguous, double-quoted otherwise.
func yamlScalar(s string) string {
	if plainRE().MatchString(s) && !strings.HasSuffix(s, ":") {
		var v any
		if yaml.Unmarshal([]byte(s), &v) == nil {
			if str, ok := v.(string); ok && str == s {
				return s
			}
		}
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == ' ' || (unicode.IsPrint(r) && r != utf8.RuneError):
			b.WriteRune(r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			fmt.Fprintf(&b, `\U%08X`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// dirFiles are files copied to one destination directory.
type dirFiles struct {
	Dest  string
	Files []string
}

var presetFuncs = template.FuncMap{
	// q writes a string as a YAML scalar.
	"q": yamlScalar,
	// flow writes a list of strings as a YAML flow sequence: [a, "b c"].
	"flow": func(ss []string) string {
		q := make([]string, len(ss))
		for i, s := range ss {
			q[i] = yamlScalar(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	},
	"list": func(ss ...string) []string { return ss },
	"concat": func(ls ...[]string) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l...)
		}
		return out
	},
	"has": func(l []string, s string) bool {
		for _, x := range l {
			if x == s {
				return true
			}
		}
		return false
	},
	"str":        strconv.Itoa,
	"contains":   strings.Contains,
	"hasPrefix":  strings.HasPrefix,
	"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
	"base":       path.Base,
	"dir":        path.Dir,
	// byDir groups files by their directory, each group copied to that
	// directory (relative to the WORKDIR), in order of first appearance.
	"byDir": func(files []string) []dirFiles {
		var out []dirFiles
		idx := map[string]int{}
		for _, f := range files {
			d := path.Dir(f)
			dest := "./"
			if d != "." {
				dest = d + "/"
			}
			i, ok := idx[dest]
			if !ok {
				i = len(out)
				idx[dest] = i
				out = append(out, dirFiles{Dest: dest})
			}
			out[i].Files = append(out[i].Files, f)
		}
		return out
	},
	// comment makes text safe on one comment line.
	"comment": func(s string) string {
		return strings.Map(func(r rune) rune {
			if r != ' ' && (!unicode.IsPrint(r) || r == utf8.RuneError) {
				return '?'
			}
			return r
		}, s)
	},
	"schemaComment": func() string { return spec.SchemaComment },
	// siteImage is the nginx image static sites are served from (migrate's too).
	"siteImage": func() string { return ecosystem.SiteImage },
	// fail stops the render with a message (a preset that cannot handle
	// what was detected).
	"fail": func(msg string) (string, error) { return "", errors.New(msg) },
}
