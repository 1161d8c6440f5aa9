package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/moby/buildkit/util/suggest"
	"gopkg.in/yaml.v3"
)

// ConfigFile is the name of the lint config file looked for beside a linted
// file.
const ConfigFile = ".dockstage-lint.yaml"

// Config changes which rules run and how severe their findings are. The
// zero Config (or nil) runs every rule that is on by default at its
// default severity.
//
// The file form (.dockstage-lint.yaml):
//
//	disable: [DS011, JSONArgsRecommended]   # rules not to run
//	enable: [DS014]                          # rules that are off by default
//	severity: {DS007: error, DS004: warning} # severity overrides
type Config struct {
	// Disable lists rule IDs not to run; "all" (any case) turns off every
	// rule but DS000 (an invalid file is still an error).
	Disable []string `yaml:"disable"`
	// Enable lists rule IDs to run that are off by default.
	Enable []string `yaml:"enable"`
	// Severity overrides rules' default severities: info, warning, error.
	Severity map[string]string `yaml:"severity"`

	// From hadolint's config (.hadolint.yaml): the registries base
	// images may come from (DS3026 runs when set), the labels every stage
	// must carry with their types (DS3049-DS3058 run when set), whether
	// other labels are findings (DS3050), the lowest severity that fails
	// the run (failure-threshold, for the command), and whether inline
	// pragmas are ignored (disable-ignore-pragma).
	TrustedRegistries []string
	LabelSchema       map[string]string
	StrictLabels      bool
	FailOn            string
	NoInlineIgnores   bool

	disabled   map[string]bool
	disableAll bool // Disable names "all"
	enabled    map[string]bool
	severity   map[string]Severity
}

// ParseConfig reads a config file. Unknown keys, unknown rule IDs (with a
// "did you mean") and unknown severities are errors with file:line:col,
// returned together as a spec.ErrorList.
func ParseConfig(file string, data []byte) (*Config, error) {
	var errs spec.ErrorList
	pos := func(n *yaml.Node) spec.Pos { return spec.Pos{File: file, Line: n.Line, Col: n.Column} }
	root, empty, err := configRoot(file, data, "a lint config is a mapping with disable, enable and severity")
	if err != nil {
		return nil, err
	}
	c := &Config{}
	if empty {
		return c.compile(), nil
	}
	checkRule := func(n *yaml.Node, all bool) (string, bool) {
		if n.Kind != yaml.ScalarNode {
			errs.Add(pos(n), "expected a rule ID")
			return "", false
		}
		if all && strings.EqualFold(n.Value, "all") {
			return "all", true
		}
		r, ok := LookupRule(n.Value)
		if !ok {
			msg := fmt.Sprintf("unknown rule %q", n.Value)
			if s, ok := suggest.Search(n.Value, ruleIDs(), false); ok {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			errs.Add(pos(n), "%s; see dockstage lint --list-rules", msg)
			return "", false
		}
		return r.ID, true
	}
	list := func(n *yaml.Node, key string) []string {
		if n.Kind != yaml.SequenceNode {
			errs.Add(pos(n), "%s: expected a list of rule IDs", key)
			return nil
		}
		var out []string
		for _, item := range n.Content {
			if id, ok := checkRule(item, key == "disable"); ok {
				out = append(out, id)
			}
		}
		return out
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			errs.Add(pos(k), "%s: duplicate key", k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "disable":
			c.Disable = list(v, k.Value)
		case "enable":
			c.Enable = list(v, k.Value)
		case "severity":
			if v.Kind != yaml.MappingNode {
				errs.Add(pos(v), "severity: expected a mapping of rule ID to info, warning or error")
				continue
			}
			c.Severity = map[string]string{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				id, ok := checkRule(v.Content[j], false)
				if _, err := ParseSeverity(v.Content[j+1].Value); err != nil {
					errs.Add(pos(v.Content[j+1]), "severity.%s: %v", v.Content[j].Value, err)
					continue
				}
				if ok {
					if r, _ := LookupRule(id); r.Fixed {
						errs.Add(pos(v.Content[j]), "severity.%s: this rule's severity cannot be changed", id)
						continue
					}
					c.Severity[id] = v.Content[j+1].Value
				}
			}
		default:
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if s, ok := suggest.Search(k.Value, []string{"disable", "enable", "severity"}, false); ok {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			errs.Add(pos(k), "%s; a lint config has disable, enable and severity", msg)
		}
	}
	for _, id := range c.Disable {
		if r, _ := LookupRule(id); r.Fixed {
			errs.Add(spec.Pos{File: file, Line: 1}, "disable: %s cannot be disabled", id)
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return c.compile(), nil
}

// compile fills the lookup maps from the exported fields.
func (c *Config) compile() *Config {
	c.disabled, c.enabled, c.severity = map[string]bool{}, map[string]bool{}, map[string]Severity{}
	c.disableAll = false
	for _, id := range c.Disable {
		if strings.EqualFold(id, "all") {
			c.disableAll = true
			continue
		}
		if r, ok := LookupRule(id); ok && !r.Fixed {
			if len(r.Aliases) > 1 && !strings.EqualFold(id, r.ID) {
				c.disabled[strings.ToUpper(id)] = true // DL3006 only, not all of DS002
			} else {
				c.disabled[r.ID] = true
			}
		} else if !ok {
			c.disabled[strings.ToUpper(id)] = true // an SC code
		}
	}
	for _, id := range c.Enable {
		if r, ok := LookupRule(id); ok {
			c.enabled[r.ID] = true
		}
	}
	ids := make([]string, 0, len(c.Severity))
	for id := range c.Severity {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		sev, err := ParseSeverity(c.Severity[id])
		if err != nil {
			continue
		}
		if r, ok := LookupRule(id); ok && !r.Fixed {
			if len(r.Aliases) > 1 && !strings.EqualFold(id, r.ID) {
				c.severity[strings.ToUpper(id)] = sev
			} else {
				c.severity[r.ID] = sev
			}
			if r.Off {
				c.enabled[r.ID] = true // hadolint's override turns a rule on
			}
		} else if !ok {
			c.severity[strings.ToUpper(id)] = sev
		}
	}
	if len(c.TrustedRegistries) > 0 {
		c.enabled[RuleTrustedRegistry] = true
	}
	if len(c.LabelSchema) > 0 {
		for _, id := range []string{RuleLabelMissing, RuleLabelEmpty, RuleLabelURL, RuleLabelTime, RuleLabelSPDX, RuleLabelHash, RuleLabelSemver, RuleLabelEmail} {
			c.enabled[id] = true
		}
		if c.StrictLabels {
			c.enabled[RuleLabelExtra] = true
		}
	}
	return c
}

// ignored reports whether c disables the findings of r with this alias
// only (an SC code, or one of the hadolint IDs a rule covers).
func (c *Config) ignored(r Rule, alias string) bool {
	return c != nil && alias != "" && c.disabled[strings.ToUpper(alias)]
}

// WithIgnored returns a copy of c (nil: the defaults) that also disables
// the rules ids name (rule IDs, hadolint IDs, SC codes, or "all" for every
// rule but DS000), as --ignore does.
func (c *Config) WithIgnored(ids []string) *Config {
	if len(ids) == 0 {
		return c
	}
	cp := Config{}
	if c != nil {
		cp = *c
	}
	cp.Disable = append(append([]string(nil), cp.Disable...), ids...)
	return cp.compile()
}

// compiled returns a copy of c with its lookup maps filled (nil for nil).
func (c *Config) compiled() *Config {
	if c == nil {
		return nil
	}
	cp := *c
	return cp.compile()
}

// runs reports whether rule r runs under c (c may be nil).
func (c *Config) runs(r Rule) bool {
	if r.Fixed {
		return true
	}
	if c == nil {
		return !r.Off
	}
	if c.disableAll || c.disabled[r.ID] {
		return false
	}
	return !r.Off || c.enabled[r.ID]
}

// severityOf returns the severity under c of r's findings with alias.
func (c *Config) severityOf(r Rule, alias string) Severity {
	if c != nil {
		if s, ok := c.severity[strings.ToUpper(alias)]; ok && alias != "" {
			return s
		}
		if s, ok := c.severity[r.ID]; ok {
			return s
		}
	}
	return r.Severity
}

// inline reports whether suppression comments count (hadolint's
// disable-ignore-pragma turns them off).
func (c *Config) inline() bool { return c == nil || !c.NoInlineIgnores }

// CheckIDs returns an error naming every ID of ids (an --ignore list)
// that is no rule ID, alias (DL3008), ShellCheck code (SC2086) or "all",
// with a "did you mean" where one is close.
func CheckIDs(ids []string) error {
	var bad []string
	for _, id := range ids {
		if _, ok := LookupRule(id); ok || strings.EqualFold(id, "all") || isSCCode(id) {
			continue
		}
		msg := fmt.Sprintf("%q", id)
		if s, ok := suggest.Search(id, ruleIDs(), false); ok {
			if r, ok := LookupRule(s); ok {
				s = r.ID
			}
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		bad = append(bad, msg)
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("--ignore: unknown rule %s; dockstage lint --list-rules prints every rule", strings.Join(bad, ", "))
}

// isSCCode reports whether id is a ShellCheck code: SC and four digits.
func isSCCode(id string) bool {
	if len(id) != 6 || !strings.EqualFold(id[:2], "SC") {
		return false
	}
	for _, r := range id[2:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// yamlSyntaxError is a config file's YAML syntax error at the line and
// column of the mistake, in the words the spec loader gives it (a tab in
// the indentation, an unclosed quote): spec.Load, which meets the same
// yaml.v3 error first, is the one home of that explanation.
func yamlSyntaxError(file string, data []byte, err error) error {
	_, lerr := spec.Load(file, data)
	var el spec.ErrorList
	if errors.As(lerr, &el) && len(el) > 0 && el[0].Pos.Line > 0 {
		return el[:1]
	}
	return spec.ErrorList{{Pos: spec.Pos{File: file, Line: 1, Col: 1}, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
}

// configRoot decodes a config file's YAML and returns its top mapping:
// empty is true for an empty file or a null document; a syntax error is
// positioned (yamlSyntaxError), a top value that is not a mapping is an
// error at it saying notMapping.
func configRoot(file string, data []byte, notMapping string) (root *yaml.Node, empty bool, err error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true, nil
		}
		return nil, false, yamlSyntaxError(file, data, err)
	}
	root = &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, true, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, false, spec.ErrorList{{Pos: spec.Pos{File: file, Line: root.Line, Col: root.Column}, Msg: notMapping}}
	}
	return root, false, nil
}
