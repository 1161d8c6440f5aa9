package spec

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/distribution/reference"
)

var composePortRE = regexp.MustCompile(`^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9]+\.[0-9.]+):)?(?:([0-9]+)(?:-([0-9]+))?:)?([0-9]+)(?:-([0-9]+))?(?:/(tcp|udp|sctp))?$`)

func (v *validator) compose(c *Compose) {
	p := c.Pos
	v.line(p, "compose.service", c.Service)
	if c.Service != "" && !serviceRE.MatchString(c.Service) {
		v.errorf(p, "compose.service: %q is not a valid service name", c.Service)
	}
	v.line(p, "compose.image", c.Image)
	if c.Image != "" {
		if _, err := reference.ParseNormalizedNamed(c.Image); err != nil {
			v.errorf(p, "compose.image: %q: %v", c.Image, err)
		}
	}
	v.line(p, "compose.context", c.Context)
	v.line(p, "compose.dockerfile", c.Dockerfile)
	v.target(orPos(c.TargetPos, p), "compose.target", or(c.Target, DefaultTarget))
	v.kvs("compose.build_args", c.BuildArgs, true)
	v.ports(orPos(c.PortsPos, p), "compose.ports", c.Ports)
	v.kvs("compose.environment", c.Environment, true)
	for _, vol := range c.Volumes {
		v.nonEmptyLine(p, "compose.volumes", vol)
	}
	if c.Command != nil && !c.Command.Exec {
		v.line(p, "compose.command", c.Command.Shell)
	}
	if d := c.Dev; d != nil {
		dp := d.Pos
		v.target(orPos(d.TargetPos, dp), "compose.dev.target", or(d.Target, DefaultDevTarget))
		v.ports(orPos(d.PortsPos, dp), "compose.dev.ports", d.Ports)
		v.kvs("compose.dev.environment", d.Environment, true)
		for _, vol := range d.Volumes {
			v.nonEmptyLine(dp, "compose.dev.volumes", vol)
		}
		if d.Command != nil && !d.Command.Exec {
			v.line(dp, "compose.dev.command", d.Command.Shell)
		}
	}
}

func orPos(p, def Pos) Pos {
	if p.IsValid() {
		return p
	}
	return def
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
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
		if strings.Contains(port, "$") {
			continue
		}
		m := composePortRE.FindStringSubmatch(port)
		if m == nil {
			v.errorf(p, "%s: %q is not a port mapping; write CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, optionally /tcp or /udp", path, port)
			continue
		}
		for _, n := range m[1:5] {
			if n == "" {
				continue
			}
			if x, err := strconv.Atoi(n); err != nil || x < 1 || x > 65535 {
				v.errorf(p, "%s: %q: port %s is out of range 1-65535", path, port, n)
			}
		}
	}
}
