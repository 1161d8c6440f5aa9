package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/moby/buildkit/util/suggest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

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
		plain, fix := composeMessage(&doc, msg)
		n := len(c.out)
		c.addID(RuleInvalid, composePos(file, &doc, msg), 0, plain)
		if len(c.out) > n && fix != "" {
			c.out[n].Fix = fix
		}
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
	yamlLineRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)(?:, column (\d+))?`) })
	validatingRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^validating [^:]*: (\S*)\s*(.*)$`) })
	quotedPathRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^'([^']*)'`) })
	additionalRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`additional propert(?:y|ies) '([^']+)'`) })
	serviceQuoteRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`service "([^"]+)"`) })
)

// composePos finds where a compose-go error points: a YAML syntax error's
// line, or the key named by a validation path (services.web.ports.0,
// 'services[web].ports[0]'), down to an unknown key the message names.
// Unknown: line 1.
func composePos(file string, doc *yaml.Node, msg string) spec.Pos {
	p := spec.Pos{File: file, Line: 1, Col: 1}
	if strings.Contains(msg, "yaml:") {
		if m := yamlLineRE().FindAllStringSubmatch(msg, -1); m != nil {
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
	if m := validatingRE().FindStringSubmatch(msg); m != nil {
		if m[1] != "" && !strings.Contains(m[1], "additional") {
			segs = strings.Split(m[1], ".")
		}
		rest = m[2]
	} else if m := quotedPathRE().FindStringSubmatch(msg); m != nil {
		r := strings.NewReplacer("[", ".", "]", "")
		segs = strings.Split(r.Replace(m[1]), ".")
	} else if m := serviceQuoteRE().FindStringSubmatch(msg); m != nil {
		segs = []string{"services", m[1]}
	}
	n, key := walkYAML(root, segs)
	if m := additionalRE().FindStringSubmatch(rest + " " + msg); m != nil && n.Kind == yaml.MappingNode {
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

var (
	expectedRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^'([^']*)' expected (?:a |an )?(.*?), got "?([a-z]+)"?$`)
	})
	portRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:(?:\[[^\]]+\]|[0-9.]+):)?(?:(\d+)(?:-(\d+))?:)?(\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?$`)
	})
)

// composeMessage says a compose-go error in dockstage's words, with the
// value at fault and what to do; messages it does not know stay as they are
// (without compose-go's "validating FILE:" prefix).
func composeMessage(doc *yaml.Node, msg string) (plain, fix string) {
	if m := validatingRE().FindStringSubmatch(msg); m != nil {
		if a := additionalRE().FindStringSubmatch(m[2]); a != nil && m[1] != "" {
			return unknownComposeKey(m[1], a[1])
		}
		if a := additionalRE().FindStringSubmatch(m[2]); a != nil && m[1] == "" {
			return unknownComposeKey("", a[1]) // a top-level key
		}
		if i := strings.LastIndexByte(m[1], '.'); m[2] == "false schema" && i > 0 {
			// jsonschema's word for a key that additionalProperties: false
			// refuses.
			return unknownComposeKey(m[1][:i], m[1][i+1:])
		}
		words := strings.NewReplacer("must be a array", "must be a list (lines starting with - )", "must be a mapping", "must be a mapping (KEY: value lines)",
			"must be a string", "must be a string (quote it)", "must be a integer", "must be a whole number", "must be a number", "must be a number").Replace(m[2])
		if m[1] == "" || !strings.HasPrefix(words, "must be") {
			return strings.TrimSpace(m[1] + " " + words), ""
		}
		return m[1] + " " + words, fmt.Sprintf("write %s in that form (the compose specification gives the forms of each key)", m[1])
	}
	m := expectedRE().FindStringSubmatch(msg)
	if m == nil {
		return msg, ""
	}
	path := strings.NewReplacer("[", ".", "]", "").Replace(m[1])
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	n, _ := walkYAML(root, strings.Split(path, "."))
	segs := strings.Split(path, ".")
	if len(segs) >= 3 && segs[len(segs)-2] == "ports" && n != nil && n.Kind == yaml.ScalarNode {
		if why := badPort(n.Value); why != "" {
			return fmt.Sprintf("%s: %q is not a port mapping: %s", m[1], n.Value, why),
				`write [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL] with ports from 1 to 65535, as a quoted string ("8080:80", "127.0.0.1:5432:5432/tcp")`
		}
	}
	return fmt.Sprintf("%s is a %s here, but compose expects %s", m[1], m[3], m[2]),
		fmt.Sprintf("write %s as %s (the compose specification gives its form)", m[1], m[2])
}

// badPort says what is wrong with a short-syntax port mapping, or "".
func badPort(v string) string {
	m := portRE().FindStringSubmatch(v)
	if m == nil {
		return "it is not of the form [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]"
	}
	for _, p := range m[1:5] {
		if p == "" {
			continue
		}
		if n, err := strconv.Atoi(p); err != nil || n > 65535 {
			return fmt.Sprintf("%s is not a port (1-65535)", p)
		}
	}
	return "compose-go rejects it"
}

// unknownComposeKey says that the mapping at path (services.web) has no
// key key, with the key the compose specification's schema most likely
// means there (composeKeys), or the way to find it.
func unknownComposeKey(path, key string) (plain, fix string) {
	plain = fmt.Sprintf("%s: unknown key %s", path, key)
	var segs []string
	if path == "" {
		path, plain = "a compose file", fmt.Sprintf("unknown top-level key %s", key)
	} else {
		segs = strings.Split(path, ".")
	}
	keys := composeKeys(segs)
	if m, ok := suggest.Search(key, keys, true); ok {
		return plain + fmt.Sprintf("; did you mean %s?", m), fmt.Sprintf("rename %s to %s", key, m)
	}
	if len(keys) > 0 {
		return plain, fmt.Sprintf("use one of the keys %s may have: %s", path, strings.Join(keys, ", "))
	}
	return plain, fmt.Sprintf("check the spelling of %s; the compose specification lists the keys %s may have", key, path)
}

// composeSchema is compose-go's JSON schema of the compose specification,
// decoded once.
var composeSchema = sync.OnceValue(func() map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(schema.Schema), &m)
	return m
})

// composeKeys returns the keys the compose schema allows in the mapping
// at path (services, web, build): the properties of the schema node the
// path leads to (schemaProps); sorted, nil when the path leads nowhere.
func composeKeys(path []string) []string {
	n := composeSchema()
	for _, seg := range path {
		props, pats := schemaProps(n, 0)
		if c, ok := props[seg]; ok {
			n = c
			continue
		}
		n = nil
		for pat, c := range pats {
			if re, err := regexp.Compile(pat); err == nil && re.MatchString(seg) && !strings.HasPrefix(pat, "^x-") {
				n = c
				break
			}
		}
		if n == nil {
			return nil
		}
	}
	props, _ := schemaProps(n, 0)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// schemaProps collects the properties and pattern properties a schema
// node n allows, through $ref, allOf and the object branches of oneOf and
// anyOf; depth bounds the $ref chains.
func schemaProps(n map[string]any, depth int) (props, pats map[string]map[string]any) {
	props, pats = map[string]map[string]any{}, map[string]map[string]any{}
	if n == nil || depth > 16 {
		return props, pats
	}
	add := func(m map[string]any) {
		p, q := schemaProps(m, depth+1)
		for k, v := range p {
			props[k] = v
		}
		for k, v := range q {
			pats[k] = v
		}
	}
	if ref, ok := n["$ref"].(string); ok {
		sect, name, _ := strings.Cut(strings.TrimPrefix(ref, "#/"), "/")
		defs, _ := composeSchema()[sect].(map[string]any) // $defs, or definitions
		d, _ := defs[name].(map[string]any)
		add(d)
	}
	for field, into := range map[string]map[string]map[string]any{"properties": props, "patternProperties": pats} {
		m, _ := n[field].(map[string]any)
		for k, v := range m {
			if vm, ok := v.(map[string]any); ok {
				into[k] = vm
			}
		}
	}
	for _, alt := range []string{"allOf", "oneOf", "anyOf"} {
		list, _ := n[alt].([]any)
		for _, a := range list {
			if am, ok := a.(map[string]any); ok {
				add(am)
			}
		}
	}
	return props, pats
}
