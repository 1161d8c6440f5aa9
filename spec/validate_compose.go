package spec

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/distribution/reference"
)

var composePortRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9]+\.[0-9.]+):)?(?:([0-9]+)(?:-([0-9]+))?:)?([0-9]+)(?:-([0-9]+))?(?:/(tcp|udp|sctp))?$`)
})

func (v *validator) compose(c *Compose) {
	p := c.Pos
	v.line(p, pathOf("compose.service"), c.Service)
	if c.Service != "" && !serviceRE().MatchString(c.Service) {
		v.errorf(p, "compose.service: %q is not a valid service name", c.Service)
	}
	v.line(p, pathOf("compose.image"), c.Image)
	if c.Image != "" {
		if _, err := reference.ParseNormalizedNamed(c.Image); err != nil {
			v.errorf(p, "compose.image: %q: %v", c.Image, err)
		}
	}
	v.line(p, pathOf("compose.context"), c.Context)
	v.interpolated(p, pathOf("compose.context"), c.Context)
	v.line(p, pathOf("compose.dockerfile"), c.Dockerfile)
	v.interpolated(p, pathOf("compose.dockerfile"), c.Dockerfile)
	v.target(orPos(c.TargetPos, p), "compose.target", cmp.Or(c.Target, DefaultTarget))
	v.kvs(pathOf("compose.build_args"), c.BuildArgs, true)
	v.interpolatedKVs(pathOf("compose.build_args"), c.BuildArgs)
	v.service(p, c.PortsPos, c.VolumesPos, "compose", c.Ports, c.Environment, c.Volumes, c.Command)
	if d := c.Dev; d != nil {
		v.target(orPos(d.TargetPos, d.Pos), "compose.dev.target", cmp.Or(d.Target, DefaultDevTarget))
		v.service(d.Pos, d.PortsPos, d.VolumesPos, "compose.dev", d.Ports, d.Environment, d.Volumes, d.Command)
	}
}

// service checks what the services of compose.yaml and compose.dev.yaml
// share, under the key prefix: ports, environment, volumes and command.
func (v *validator) service(p, portsPos Pos, volumesPos []Pos, prefix string, ports []string, env KVList, volumes []string, cmd *Command) {
	v.ports(orPos(portsPos, p), prefix+".ports", ports)
	for i, port := range ports {
		v.interpolated(orPos(portsPos, p), pathOf(prefix).item("ports", i), port)
	}
	v.kvs(pathOf(prefix).dot("environment"), env, true)
	v.interpolatedKVs(pathOf(prefix).dot("environment"), env)
	for i, vol := range volumes {
		vp, path := itemPos(volumesPos, i, p), pathOf(prefix).item("volumes", i)
		v.nonEmptyLine(vp, path, vol)
		v.interpolated(vp, path, vol)
		if msg := ComposeVolumeError(vol); msg != "" && strings.TrimSpace(vol) != "" {
			v.errorf(vp, "%s: %q: %s", path, vol, msg)
		}
	}
	if cmd != nil && !cmd.Exec {
		v.line(p, pathOf(prefix).dot("command"), cmd.Shell)
		v.interpolated(orPos(cmd.Pos, p), pathOf(prefix).dot("command"), cmd.Shell)
	}
	if cmd != nil && cmd.Exec {
		for i, a := range cmd.Args {
			v.interpolated(orPos(cmd.Pos, p), pathOf(prefix).item("command", i), a)
		}
	}
}

func orPos(p, def Pos) Pos {
	if p.IsValid() {
		return p
	}
	return def
}

func (v *validator) target(p Pos, path, t string) {
	if t == "" {
		return
	}
	for _, st := range v.s.Stages {
		if strings.EqualFold(st.Name, t) {
			return
		}
	}
	names := make([]string, len(v.s.Stages))
	for i, st := range v.s.Stages {
		names[i] = st.Name
	}
	v.errorf(p, "%s: no stage named %q to build; stages are %s (set %s)", path, t, strings.Join(names, ", "), path)
}

func (v *validator) ports(p Pos, path string, ports []string) {
	for _, port := range ports {
		written := port
		if strings.Contains(port, "$") {
			// checked as compose reads it when it runs: with its
			// variables set (interpolated reports one it cannot read)
			var err error
			if port, err = template.Substitute(port, func(string) (string, bool) { return "1", true }); err != nil {
				continue
			}
		}
		m := composePortRE().FindStringSubmatch(port)
		if m == nil {
			v.errorf(p, "%s: %q is not a port mapping; write CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, optionally /tcp or /udp", path, written)
			continue
		}
		for _, n := range m[1:5] {
			if n == "" {
				continue
			}
			if x, err := strconv.Atoi(n); err != nil || x < 1 || x > 65535 {
				v.errorf(p, "%s: %q: port %s is out of range 1-65535", path, written, n)
			}
		}
	}
}

var volumeNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`) })

// ComposeVolume reads a compose short-syntax volume as compose does
// (compose-go's format.ParseVolume): its type ("bind" for a host path,
// "volume" for a named or anonymous one), source and target.
func ComposeVolume(vol string) (typ, source, target string, err error) {
	c, err := format.ParseVolume(vol)
	return c.Type, c.Source, c.Target, err
}

// ComposeVolumeError says what is wrong with a compose short-syntax
// volume, "" when nothing is: it must read as compose reads it, and a
// named volume's source must be a volume name, which the rendered compose
// file declares at its top level (a variable there could be a path or a
// name, which compose decides only when it runs).
func ComposeVolumeError(vol string) string {
	typ, src, _, err := ComposeVolume(vol)
	switch {
	case err != nil:
		return err.Error()
	case typ != "volume" || src == "":
		return ""
	case strings.Contains(src, "$"):
		return "a variable at the start of the source: compose would read it as the name of a volume; write a host path so that it starts with ./ or / (./${DIR}), or the volume's name"
	case !volumeNameRE().MatchString(src):
		return fmt.Sprintf("%q is not a volume name (letters, digits, '_', '.' and '-', starting with a letter or digit) and not a host path (write one starting with ./, ../, / or ~)", src)
	}
	return ""
}

// interpolated reports a compose value that compose cannot interpolate
// (an unclosed ${, a ${NAME:?} form it does not know): compose reads
// every $ of its files as a variable when it runs, whatever the value is
// for ($$ is a literal $).
func (v *validator) interpolated(p Pos, path fieldPath, s string) {
	if !strings.Contains(s, "$") {
		return
	}
	if _, err := template.Substitute(s, func(string) (string, bool) { return "1", true }); err != nil {
		v.errorf(p, "%s: %q: compose cannot read its variables: %v (write $$ for a literal $)", path, s, err)
	}
}

// interpolatedKVs is interpolated for the keys and values of l.
func (v *validator) interpolatedKVs(path fieldPath, l KVList) {
	for _, kv := range l {
		v.interpolated(kv.Pos, path.dot(kv.Key), kv.Key)
		if kv.Value != nil {
			v.interpolated(kv.Pos, path.dot(kv.Key), *kv.Value)
		}
	}
}
