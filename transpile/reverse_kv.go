package transpile

import (
	"strings"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
)

// ARG, ENV and LABEL: key-value pairs as unquoted shell words.

// argKVs converts ARG words (`NAME` or `NAME=value`).
func (r *reverser) argKVs(in *instr) spec.KVList {
	var out spec.KVList
	for _, w := range nodeValues(in.node.Next) {
		k, v, has := strings.Cut(w, "=")
		kv := spec.KV{Key: r.unquote(in, k), Pos: r.pos(in.line)}
		if has {
			val := r.unquote(in, v)
			kv.Value = &val
		}
		out = append(out, kv)
	}
	r.checkDupKeys(in, out)
	return out
}

// pairs converts ENV or LABEL key/value pairs, including the legacy
// `ENV KEY value` form.
func (r *reverser) pairs(in *instr) spec.KVList {
	var out spec.KVList
	for n := in.node.Next; n != nil; {
		if n.Next == nil || n.Next.Next == nil {
			r.internalf(in, "unexpected %s node shape", strings.ToUpper(in.kw))
			return out
		}
		k, v, sep := n.Value, n.Next.Value, n.Next.Next.Value
		if sep == "" {
			r.warnf(in.line, "legacy form `%s %s %s` read as %s=%s (the spec renders the KEY=value form)", strings.ToUpper(in.kw), k, v, k, v)
		}
		val := r.unquote(in, v)
		out = append(out, spec.KV{Key: r.unquote(in, k), Value: &val, Pos: r.pos(in.line)})
		n = n.Next.Next.Next
	}
	r.checkDupKeys(in, out)
	return out
}

func (r *reverser) checkDupKeys(in *instr, kvs spec.KVList) {
	seen := map[string]bool{}
	for _, kv := range kvs {
		if seen[kv.Key] {
			r.errorf(in.line, "%s sets %s twice; a spec step holds each key once: split the instruction or remove one", strings.ToUpper(in.kw), kv.Key)
			in.internal = true
		}
		seen[kv.Key] = true
	}
}

func (r *reverser) unquote(in *instr, w string) string {
	s, err := syntax.UnquoteWord(w, r.escape)
	if err != nil {
		r.errorf(in.line, "%s `%s`: %v", strings.ToUpper(in.kw), w, err)
		in.internal = true
	}
	return s
}
