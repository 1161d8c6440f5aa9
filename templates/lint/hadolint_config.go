package lint

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/moby/buildkit/util/suggest"
	"gopkg.in/yaml.v3"
)

// ConfigFiles are the config files looked for beside a linted file, in
// order: dockstage's own, then hadolint's.
var ConfigFiles = []string{ConfigFile, ".hadolint.yaml", ".hadolint.yml"}

// ParseConfigFile reads a config file by its name: hadolint's for
// .hadolint.yaml and .hadolint.yml, dockstage's otherwise.
func ParseConfigFile(file string, data []byte) (*Config, error) {
	switch path.Base(strings.ReplaceAll(file, "\\", "/")) {
	case ".hadolint.yaml", ".hadolint.yml":
		return ParseHadolintConfig(file, data)
	}
	return ParseConfig(file, data)
}

// hadolintKeys are the keys of hadolint's config file; the ones dockstage
// has no use for (output format, colour, verbosity) are accepted and
// ignored.
var hadolintKeys = []string{"ignored", "override", "trustedRegistries", "label-schema", "strict-labels",
	"failure-threshold", "disable-ignore-pragma", "no-fail", "no-color", "format", "verbose", "require-labels"}

// hadolintSeverity maps hadolint's severities to dockstage's: style is
// info; "ignore" and "none" disable.
var hadolintSeverity = map[string]string{"error": "error", "warning": "warning", "info": "info", "style": "info"}

// ParseHadolintConfig reads hadolint's config file (.hadolint.yaml):
// ignored, override.{error,warning,info,style}, trustedRegistries,
// label-schema, strict-labels, failure-threshold and
// disable-ignore-pragma. Rule IDs are hadolint's (DL3008, SC2086) or
// dockstage's. Errors come together, at file:line:col.
func ParseHadolintConfig(file string, data []byte) (*Config, error) {
	var errs spec.ErrorList
	pos := func(n *yaml.Node) spec.Pos { return spec.Pos{File: file, Line: n.Line, Col: n.Column} }
	root, empty, err := configRoot(file, data, "a hadolint config is a mapping (ignored, override, trustedRegistries, ...)")
	if err != nil {
		return nil, err
	}
	c := &Config{}
	if empty {
		return c.compile(), nil
	}
	ids := func(n *yaml.Node, key string) []string {
		if n.Kind != yaml.SequenceNode {
			errs.Add(pos(n), "%s: expected a list of rule IDs (DL3008, SC2086)", key)
			return nil
		}
		var out []string
		for _, item := range n.Content {
			id := strings.TrimSpace(item.Value)
			_, known := LookupRule(id)
			switch {
			case item.Kind != yaml.ScalarNode:
				errs.Add(pos(item), "%s: expected a rule ID", key)
			case known || scCodeRE().MatchString(id) || isRetired(id) || key == "ignored" && strings.EqualFold(id, "all"):
				out = append(out, id)
			default:
				msg := fmt.Sprintf("%s: unknown rule %q", key, id)
				if s, ok := suggest.Search(id, ruleIDs(), false); ok {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				errs.Add(pos(item), "%s; see dockstage lint --list-rules", msg)
			}
		}
		return out
	}
	strs := func(n *yaml.Node, key string) []string {
		var out []string
		if n.Kind != yaml.SequenceNode {
			errs.Add(pos(n), "%s: expected a list", key)
			return nil
		}
		for _, item := range n.Content {
			out = append(out, item.Value)
		}
		return out
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "ignored":
			c.Disable = append(c.Disable, ids(v, k.Value)...)
		case "override":
			if v.Kind != yaml.MappingNode {
				errs.Add(pos(v), "override: expected a mapping of error, warning, info or style to a list of rule IDs")
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				sev, ok := hadolintSeverity[v.Content[j].Value]
				if !ok {
					errs.Add(pos(v.Content[j]), "override.%s: use error, warning, info or style", v.Content[j].Value)
					continue
				}
				if c.Severity == nil {
					c.Severity = map[string]string{}
				}
				for _, id := range ids(v.Content[j+1], "override."+v.Content[j].Value) {
					c.Severity[id] = sev
				}
			}
		case "trustedRegistries":
			c.TrustedRegistries = strs(v, k.Value)
		case "label-schema", "require-labels":
			if v.Kind != yaml.MappingNode {
				errs.Add(pos(v), "%s: expected a mapping of label name to type (text, url, semver, hash, rfc3339, spdx, email)", k.Value)
				continue
			}
			c.LabelSchema = map[string]string{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				t := v.Content[j+1].Value
				if _, ok := labelTypes()[t]; !ok {
					errs.Add(pos(v.Content[j+1]), "%s.%s: unknown label type %q; use text, url, semver, hash, rfc3339, spdx or email", k.Value, v.Content[j].Value, t)
				}
				c.LabelSchema[v.Content[j].Value] = t
			}
		case "strict-labels":
			c.StrictLabels = v.Value == "true"
		case "disable-ignore-pragma":
			c.NoInlineIgnores = v.Value == "true"
		case "failure-threshold":
			switch t := strings.ToLower(v.Value); t {
			case "error", "warning", "info":
				c.FailOn = t
			case "style":
				c.FailOn = "info"
			case "ignore", "none":
				c.FailOn = "none"
			default:
				errs.Add(pos(v), "failure-threshold: %q is not a severity; use error, warning, info, style or none", v.Value)
			}
		default:
			known := false
			for _, h := range hadolintKeys {
				known = known || h == k.Value
			}
			if !known {
				msg := fmt.Sprintf("unknown key %q", k.Value)
				if s, ok := suggest.Search(k.Value, hadolintKeys, false); ok {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				errs.Add(pos(k), "%s; hadolint's config has %s", msg, strings.Join(hadolintKeys[:7], ", "))
			}
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return c.compile(), nil
}

func isRetired(id string) bool {
	for _, r := range hadolintRetired {
		if strings.EqualFold(r, id) {
			return true
		}
	}
	return false
}
