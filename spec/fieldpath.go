package spec

import (
	"strconv"
	"strings"
)

// fieldPath is the path of a field in Validate's messages, such as
// stages.build.steps[2].run.command. It is a small value built without
// allocating; its text is made (String) only for a message.
type fieldPath struct {
	head  string
	parts [4]pathPart // more are folded into head
	n     int
}

// pathPart is one part of a fieldPath: "." and name (dot), or name as
// it is, then "[idx]" when idx >= 0.
type pathPart struct {
	name string
	idx  int32
	dot  bool
}

// pathOf is the path s.
func pathOf(s string) fieldPath { return fieldPath{head: s} }

func (p fieldPath) add(part pathPart) fieldPath {
	if p.n == len(p.parts) {
		p = pathOf(p.String())
	}
	p.parts[p.n] = part
	p.n++
	return p
}

// dot is the path of field f under p: p.f.
func (p fieldPath) dot(f string) fieldPath { return p.add(pathPart{dot: true, name: f, idx: -1}) }

// item is the path of item i of the list field f under p: p.f[i].
func (p fieldPath) item(f string, i int) fieldPath {
	return p.add(pathPart{dot: true, name: f, idx: int32(i)})
}

// at is the path of item i of the list p: p[i].
func (p fieldPath) at(i int) fieldPath { return p.add(pathPart{idx: int32(i)}) }

// plus is p with s written after it.
func (p fieldPath) plus(s string) fieldPath { return p.add(pathPart{name: s, idx: -1}) }

// field reports whether p ends with the field f (".f").
func (p fieldPath) field(f string) bool {
	if p.n == 0 {
		return strings.HasSuffix(p.head, "."+f)
	}
	last := p.parts[p.n-1]
	return last.dot && last.idx < 0 && last.name == f
}

func (p fieldPath) String() string {
	if p.n == 0 {
		return p.head
	}
	var b strings.Builder
	b.WriteString(p.head)
	for _, part := range p.parts[:p.n] {
		if part.dot {
			b.WriteByte('.')
		}
		b.WriteString(part.name)
		if part.idx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(int(part.idx)))
			b.WriteByte(']')
		}
	}
	return b.String()
}
