package workspace

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates/lint"
	"github.com/dockstage/dockstage/templates/lock"
)

// LintOptions are what `dockstage lint` asks of Lint.
type LintOptions struct {
	// Config is a lint config file used for every file; "" looks for
	// lint.ConfigFiles (.dockstage-lint.yaml, .hadolint.yaml, .hadolint.yml)
	// beside each file, the first found in that order.
	Config string
	// Kind reads every file as this kind (lint.KindDetect: from its name
	// and content).
	Kind lint.Kind
	// Ignore lists rules not to run: dockstage IDs, hadolint IDs (DL3008)
	// or ShellCheck codes.
	Ignore []string
	// FailOn is the lowest severity that fails the run: error, warning,
	// info or none; "" takes a config's failure-threshold (hadolint), else
	// warning.
	FailOn string
	// Stdin is read for the file "-".
	Stdin io.Reader
}

// LintResult is the outcome of a lint run.
type LintResult struct {
	// Findings of every file, in file order, each file's sorted.
	Findings []lint.Finding
	// Files is the number of files linted.
	Files int
	// FailOn is the severity that fails the run (0: none does).
	FailOn lint.Severity
	// Notes say what the run could not do (ShellCheck missing from PATH).
	Notes []string
}

// Lint lints files (a Dockerfile, spec or compose file each; "-" is
// LintOptions.Stdin, at most once) with each file's config. It returns an
// error for bad options, an unreadable file or a config that does not
// parse; findings, including invalid files (lint.RuleInvalid), are values.
func Lint(files []string, opts LintOptions) (*LintResult, error) {
	res := &LintResult{Files: len(files)}
	var err error
	if res.FailOn, err = ParseFailOn(opts.FailOn); err != nil {
		return nil, err
	}
	if err = lint.CheckIDs(opts.Ignore); err != nil {
		return nil, err
	}
	var fixed *lint.Config
	if opts.Config != "" {
		if fixed, err = loadLintConfig(opts.Config); err != nil {
			return nil, err
		}
	}
	git := gitCache(nil) // one cache for every spec linted
	shellcheck := lint.FindShellCheck()
	if shellcheck == nil && !slices.ContainsFunc(opts.Ignore, func(id string) bool {
		return strings.EqualFold(id, "all") || strings.EqualFold(id, lint.RuleShellCheck)
	}) {
		res.Notes = append(res.Notes, "shellcheck is not on PATH; the ShellCheck rule (DS4100) is skipped")
	}
	configs := map[string]*lint.Config{}
	var perFile [][]lint.Finding
	var names []string
	stdinUsed := false
	for _, file := range files {
		var data []byte
		if file == "-" {
			if stdinUsed {
				return nil, errors.New("standard input (-) can be linted only once")
			}
			stdinUsed = true
			data, err = io.ReadAll(opts.Stdin)
		} else {
			data, err = os.ReadFile(file)
		}
		if err != nil {
			return nil, err
		}
		cfg := fixed
		if cfg == nil && file != "-" {
			if cfg, err = dirConfig(configs, filepath.Dir(file)); err != nil {
				return nil, err
			}
		}
		if cfg != nil && cfg.FailOn != "" && opts.FailOn == "" {
			res.FailOn, _ = ParseFailOn(cfg.FailOn) // hadolint's failure-threshold
		}
		o := lint.Options{Config: cfg.WithIgnored(opts.Ignore), Kind: opts.Kind, ShellCheck: shellcheck}
		o.Layouts.Git = git
		if file != "-" {
			o.Exists = fileExists
			if lf, err := loadLock(lock.Path(file)); err == nil {
				o.Layouts.Pins = lf.LayoutPins() // git layouts at their locked commits
			}
		}
		names = append(names, DisplayName(file))
		perFile = append(perFile, lint.File(DisplayName(file), data, o))
	}
	res.Findings = throughLayouts(names, perFile)
	return res, nil
}

// throughLayouts joins the findings of each linted file (names[i]'s are
// perFile[i]) in file order, a finding in another file (a layout a spec
// extends) said once, where it first shows, with the specs it applies
// through in Finding.Via and at the end of its message ("; through
// a/dockstage.yaml, b/dockstage.yaml"): the same rule at the same place
// with the same message, found through several specs, is one finding. A
// finding that depends on a spec's params is at the spec's with: entry
// (lint's ParamValue), so it stays one per spec.
func throughLayouts(names []string, perFile [][]lint.Finding) []lint.Finding {
	type key struct {
		rule, msg, alias string
		sev              lint.Severity
		pos              spec.Pos
	}
	var out []lint.Finding
	at := map[key]int{}
	for i, fs := range perFile {
		for _, f := range fs {
			if f.Pos.File == names[i] || f.Pos.File == "" {
				out = append(out, f)
				continue
			}
			k := key{f.Rule, f.Msg, f.Alias, f.Severity, f.Pos}
			if j, ok := at[k]; ok {
				if !slices.Contains(out[j].Via, names[i]) {
					out[j].Via = append(out[j].Via, names[i])
				}
				continue
			}
			at[k] = len(out)
			f.Via = []string{names[i]}
			out = append(out, f)
		}
	}
	for _, j := range at {
		out[j].Msg += "; through " + strings.Join(out[j].Via, ", ")
	}
	return out
}

// Summary counts the findings by severity ("N error(s), N warning(s), N
// info in N file(s)"), the files that are invalid (a lint.RuleInvalid
// finding, counted once per file however many it has) and the
// findings at or above FailOn.
func (r *LintResult) Summary() (summary string, invalid, failing int) {
	counts := map[lint.Severity]int{}
	invalidFiles := map[string]bool{}
	for _, f := range r.Findings {
		counts[f.Severity]++
		if f.Rule == lint.RuleInvalid && !invalidFiles[f.Pos.File] {
			invalidFiles[f.Pos.File] = true
			invalid++
		}
		if r.FailOn > 0 && f.Severity >= r.FailOn {
			failing++
		}
	}
	summary = fmt.Sprintf("%d error(s), %d warning(s), %d info in %d file(s)", counts[lint.Error], counts[lint.Warning], counts[lint.Info], r.Files)
	return summary, invalid, failing
}

// ParseFailOn reads a --fail-on value: error, warning, info, or none (0);
// "" is warning.
func ParseFailOn(s string) (lint.Severity, error) {
	if s == "" {
		return lint.Warning, nil
	}
	if strings.EqualFold(s, "none") {
		return 0, nil
	}
	sev, err := lint.ParseSeverity(s)
	if err != nil {
		return 0, fmt.Errorf("--fail-on %q: use error, warning, info or none", s)
	}
	return sev, nil
}

// dirConfig is the config beside the files of dir (nil for none), read
// once per directory.
func dirConfig(cache map[string]*lint.Config, dir string) (*lint.Config, error) {
	if c, ok := cache[dir]; ok {
		return c, nil
	}
	var cfg *lint.Config
	for _, n := range lint.ConfigFiles {
		if p := filepath.Join(dir, n); fileExists(p) {
			c, err := loadLintConfig(p)
			if err != nil {
				return nil, err
			}
			cfg = c
			break
		}
	}
	cache[dir] = cfg
	return cfg, nil
}

func loadLintConfig(path string) (*lint.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return lint.ParseConfigFile(path, data)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
