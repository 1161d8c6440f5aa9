package lint

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"gopkg.in/yaml.v3"
)

// Compose lints a compose file: compose-go loads and validates it offline
// (templates.VerifyCompose: schema and normalisation, no interpolation,
// environment or file access), and each error becomes a DS000 finding at
// the line of the key it names, where the message names one.
func Compose(file string, src []byte, opt Options) []Finding {
	c := newCollector(file, opt.Config, src, true)
	err := templates.VerifyCompose(file, src)
	if err == nil {
		return c.findings()
	}
	var doc yaml.Node
	_ = yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc)
	for _, msg := range splitComposeErrors(err.Error()) {
		c.addID(RuleInvalid, composePos(file, &doc, msg), 0, msg)
	}
	return c.findings()
}

// splitComposeErrors splits compose-go's multi-error text ("decoding
// failed due to the following error(s):\n\n'a' ...\n'b' ...") into one
// message per error.
func splitComposeErrors(msg string) []string {
	_, rest, ok := strings.Cut(msg, "error(s):")
	if !ok {
		return []string{msg}
	}
	var out []string
	for _, l := range strings.Split(rest, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return []string{msg}
	}
	return out
}

var (
	yamlLineRE     = regexp.MustCompile(`line (\d+)(?:, column (\d+))?`)
	validatingRE   = regexp.MustCompile(`^validating [^:]*: (\S*)\s*(.*)$`)
	quotedPathRE   = regexp.MustCompile(`^'([^']*)'`)
	additionalRE   = regexp.MustCompile(`additional propert(?:y|ies) '([^']+)'`)
	serviceQuoteRE = regexp.MustCompile(`service "([^"]+)"`)
)

// composePos finds where a compose-go error points: a YAML syntax error's
// line, or the key named by a validation path (services.web.ports.0,
// 'services[web].ports[0]'), down to an unknown key the message names.
// Unknown: line 1.
func composePos(file string, doc *yaml.Node, msg string) spec.Pos {
	p := spec.Pos{File: file, Line: 1, Col: 1}
	if strings.Contains(msg, "yaml:") {
		if m := yamlLineRE.FindAllStringSubmatch(msg, -1); m != nil {
			last := m[len(m)-1]
			p.Line, _ = strconv.Atoi(last[1])
			if last[2] != "" {
				p.Col, _ = strconv.Atoi(last[2])
			}
			return p
		}
	}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return p
	}
	var segs []string
	rest := msg
	if m := validatingRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" && !strings.Contains(m[1], "additional") {
			segs = strings.Split(m[1], ".")
		}
		rest = m[2]
	} else if m := quotedPathRE.FindStringSubmatch(msg); m != nil {
		r := strings.NewReplacer("[", ".", "]", "")
		segs = strings.Split(r.Replace(m[1]), ".")
	} else if m := serviceQuoteRE.FindStringSubmatch(msg); m != nil {
		segs = []string{"services", m[1]}
	}
	n, key := walkYAML(root, segs)
	if m := additionalRE.FindStringSubmatch(rest + " " + msg); m != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == m[1] {
				key = n.Content[i]
			}
		}
	}
	if key != nil {
		p.Line, p.Col = key.Line, key.Column
	}
	return p
}

// walkYAML follows path segments (mapping keys, sequence indices) from n as
// far as they go; it returns the node reached and the key node naming it
// (nil at the root).
func walkYAML(n *yaml.Node, segs []string) (node, key *yaml.Node) {
	node = n
	for _, s := range segs {
		if s == "" {
			continue
		}
		switch node.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(node.Content); i += 2 {
				if node.Content[i].Value == s {
					key, node, found = node.Content[i], node.Content[i+1], true
					break
				}
			}
			if !found {
				return node, key
			}
		case yaml.SequenceNode:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(node.Content) {
				return node, key
			}
			node = node.Content[i]
			key = node
		default:
			return node, key
		}
	}
	return node, key
}
