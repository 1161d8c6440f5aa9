package transpile

import (
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/spec/syntax"
)

// ARG, ENV and LABEL: key-value pairs as unquoted shell words.

// argKVs converts ARG words (`NAME` or `NAME=value`).
func (r *reverser) argKVs(in *instr) spec.KVList {
	var out spec.KVList
	cursor := in.argsOff
	for _, w := range nodeValues(in.node.Next) {
		if sw := r.spanned(in, w, &cursor); sw != w {
			if k, _, _ := strings.Cut(sw, "="); !strings.Contains(k, "\n") {
				w = sw
			}
		}
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
	cursor := in.argsOff
	for n := in.node.Next; n != nil; {
		if n.Next == nil || n.Next.Next == nil {
			r.internalf(in, "unexpected %s node shape", strings.ToUpper(in.kw))
			return out
		}
		k, v, sep := n.Value, n.Next.Value, n.Next.Next.Value
		r.spanned(in, k, &cursor)
		v = r.spanned(in, v, &cursor)
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

// spanned returns word w (a key, value or ARG word as BuildKit's parser
// gives it, its lines joined) as it spans the Dockerfile's lines: each
// continuation kept as the escape character and a newline, with the
// comment lines after it (syntax.JoinValue reads it back as w), which are
// marked in.inValue. w is looked for in the logical line from *cursor on,
// which moves past it; a word on one line, or not found, is w.
func (r *reverser) spanned(in *instr, w string, cursor *int) string {
	lg := in.lg
	at := strings.Index(lg.text[min(*cursor, len(lg.text)):], w)
	if at < 0 || w == "" {
		return w
	}
	start := *cursor + at
	end := start + len(w)
	*cursor = end
	var segs []segment
	for _, sg := range lg.segs {
		if sg.off < end && sg.off+sg.n > start {
			segs = append(segs, sg)
		}
	}
	if len(segs) < 2 {
		return w
	}
	var b strings.Builder
	for k, sg := range segs {
		line := r.lines[sg.line-1]
		from, to := sg.col, len(line)
		if k == 0 {
			from = sg.col + start - sg.off
		}
		if k == len(segs)-1 {
			to = sg.col + end - sg.off
			b.WriteString(line[from:to])
			break
		}
		b.WriteString(line[from:to] + "\n")
		for _, pl := range lg.lines {
			if pl.kind == lineComment && pl.n > sg.line && pl.n < segs[k+1].line {
				b.WriteString(r.lines[pl.n-1] + "\n")
				if in.inValue == nil {
					in.inValue = map[int]bool{}
				}
				in.inValue[pl.n] = true
			}
		}
	}
	if syntax.JoinValue(b.String(), r.escape) != w {
		return w // the map back to the source did not hold
	}
	return b.String()
}

// kvComments puts each comment line inside a continued ARG, ENV or LABEL
// above the pair it stood above (spec.KV.Comment): the pairs before it are
// counted by parsing the instruction's text up to it with BuildKit. A
// comment before the first pair or after the last, or where the count
// fails (inside a quoted value), moves above the instruction
// (moveComments).
func (r *reverser) kvComments(in *instr, kvs spec.KVList) {
	inner := false
	for _, pl := range in.lg.lines {
		inner = inner || (pl.kind == lineComment && pl.n < in.lg.lastContent && !in.inValue[pl.n])
	}
	if !inner {
		return
	}
	if in.argsOff != r.keywordArgsOff(in) { // an ONBUILD trigger: keep it simple
		r.moveComments(in, in.lg.end+1)
		return
	}
	for _, pl := range in.lg.lines {
		if pl.kind != lineComment || pl.n >= in.lg.lastContent || in.inValue[pl.n] {
			continue
		}
		t, ok := r.comment(pl.n)
		if !ok {
			continue
		}
		k := r.pairsBefore(in, pl.n)
		if k >= 1 && k < len(kvs) {
			kvs[k].Comment = append(kvs[k].Comment, t)
			continue
		}
		in.moved = append(in.moved, t)
		r.warnf(pl.n, "comment inside the continued %s moved above it", strings.ToUpper(in.kw))
	}
}

// keywordArgsOff is where a top-level instruction's arguments would start
// (ONBUILD triggers start later in their logical line).
func (r *reverser) keywordArgsOff(in *instr) int {
	_, _, off, _, _ := r.splitCommand(in.node.Original)
	return off
}

// pairsBefore counts the pairs of in that stand before physical line n,
// or -1.
func (r *reverser) pairsBefore(in *instr, n int) int {
	end := -1
	for _, s := range in.lg.segs {
		if s.line > n {
			end = s.off
			break
		}
	}
	if end <= 0 {
		return -1
	}
	prefix := strings.TrimRightFunc(in.lg.text[:end], unicode.IsSpace)
	res, err := parser.Parse(strings.NewReader(string(r.escapeDirective()) + prefix + "\n"))
	if err != nil || len(res.AST.Children) != 1 {
		return -1
	}
	count := 0
	for nd := res.AST.Children[0].Next; nd != nil; nd = nd.Next {
		count++
	}
	if in.kw != "arg" {
		if count%3 != 0 {
			return -1
		}
		count /= 3
	}
	return count
}

// escapeDirective is the `# escape=` line a re-parse needs ("" for the
// default escape character).
func (r *reverser) escapeDirective() string {
	if r.escape == syntax.DefaultEscape {
		return ""
	}
	return "# escape=" + string(r.escape) + "\n"
}
