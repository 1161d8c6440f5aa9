package transpile

import (
	"strings"
	"unicode"
	"unicode/utf8"

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
		var inside []int
		if sw, cs := r.spanned(in, w, &cursor); sw != w {
			if k, _, _ := strings.Cut(sw, "="); !strings.Contains(k, "\n") {
				w, inside = sw, cs
			}
		}
		k, v, has := strings.Cut(w, "=")
		kv := spec.KV{Key: r.unquote(in, k), Pos: r.pos(in.line)}
		if has {
			val := r.unquote(in, v)
			kv.Value = &val
			r.keptInValue(in, inside, val)
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
		v, inside := r.spanned(in, v, &cursor)
		if sep == "" {
			r.warnf(in.line, "legacy form `%s %s %s` read as %s=%s (the spec renders the KEY=value form)", strings.ToUpper(in.kw), k, v, k, v)
		}
		val := r.unquote(in, v)
		r.keptInValue(in, inside, val)
		out = append(out, spec.KV{Key: r.unquote(in, k), Value: &val, Pos: r.pos(in.line)})
		n = n.Next.Next.Next
	}
	r.checkDupKeys(in, out)
	return out
}

// checkDupKeys warns of a key set twice in one instruction: the spec keeps
// every pair in order, as BuildKit sets them (the last value wins).
func (r *reverser) checkDupKeys(in *instr, kvs spec.KVList) {
	seen := map[string]bool{}
	for _, kv := range kvs {
		if seen[kv.Key] {
			r.warnf(in.line, "%s sets %s twice; the last value wins, as in BuildKit", strings.ToUpper(in.kw), kv.Key)
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
// comment lines after it (syntax.JoinValue reads it back as w), whose
// numbers it returns. w is looked for in the logical line from *cursor on,
// which moves past it; a word on one line, or not found, is w.
func (r *reverser) spanned(in *instr, w string, cursor *int) (string, []int) {
	lg := in.lg
	at := strings.Index(lg.text[min(*cursor, len(lg.text)):], w)
	if at < 0 || w == "" {
		return w, nil
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
		return w, nil
	}
	var b strings.Builder
	var inside []int // the comment lines the value holds
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
				inside = append(inside, pl.n)
			}
		}
	}
	if syntax.JoinValue(b.String(), r.escape) != w {
		return w, nil // the map back to the source did not hold
	}
	return b.String(), inside
}

// keptInValue marks the comment lines inside a spanned value (spanned)
// in.inValue when the unquoted value val keeps its lines (and so them);
// the others are left to the instruction's comments (kvComments).
func (r *reverser) keptInValue(in *instr, inside []int, val string) {
	if len(inside) == 0 || !strings.Contains(val, "\n") {
		return
	}
	if in.inValue == nil {
		in.inValue = map[int]bool{}
	}
	for _, n := range inside {
		in.inValue[n] = true
	}
}

// kvComments puts each comment line inside a continued ARG, ENV or LABEL
// above the pair it stood above (spec.KV.Comment): the pairs before it are
// counted by parsing the instruction's text up to it with BuildKit (none
// for a comment between the keyword and the first pair of a step with
// several pairs: templates render the first pair on a line of its own
// then). A comment after the last pair, before the only pair or the first
// of a global ARG (each global arg renders as an ARG of its own, its
// comment above it), or where the count fails (inside a quoted value),
// moves above the instruction.
func (r *reverser) kvComments(in *instr, kvs spec.KVList, global bool) {
	r.innerComments(in, in.lg.lastContent, func(n int) *[]string {
		nd, ok := r.prefixNode(in, n)
		if !ok {
			return nil
		}
		k := 0
		for a := nd.Next; a != nil; a = a.Next {
			k++
		}
		if in.kw != "arg" {
			if k%3 != 0 {
				return nil
			}
			k /= 3
		}
		if k < 0 || k >= len(kvs) || k == 0 && (global || len(kvs) < 2) {
			return nil
		}
		return &kvs[k].Comment
	})
}

// listComments returns the comment lines inside the continued
// instruction in above each of its n arguments (spec.ItemComments): the
// words of COPY, ADD, EXPOSE and shell-form VOLUME, the items of an
// exec-form (JSON) list. skip is the number of leading arguments that are
// not items (1 for HEALTHCHECK's CMD word). The arguments before a comment
// are BuildKit's parse of the instruction up to it (a JSON list closed
// with "]"); they must be the instruction's first ones, whole, after all
// its flags: a comment inside a flag list, inside a word or JSON string
// continued over it, or after the last item moves above the instruction.
func (r *reverser) listComments(in *instr, n, skip int) spec.ItemComments {
	var out spec.ItemComments
	full := nodeValues(in.node.Next)
	json := in.node.Attributes["json"]
	r.innerComments(in, in.lg.lastContent, func(line int) *[]string {
		nd, ok := r.prefixNode(in, line)
		if j, whole := flagsBefore(in, nd); !ok || !whole || j != len(in.node.Flags) {
			return nil
		}
		vals := nodeValues(nd.Next)
		if json && len(vals) > skip {
			if nd, ok = r.closedJSON(in, line); !ok || !nd.Attributes["json"] {
				return nil
			}
			vals = nodeValues(nd.Next)
		}
		k := len(vals) - skip
		if k < 0 || k >= n || len(vals) > len(full) {
			return nil
		}
		for i, v := range vals {
			if v != full[i] {
				return nil // a word continued over the comment
			}
		}
		if out == nil {
			out = make(spec.ItemComments, n)
		}
		return &out[k]
	})
	if !spec.HasComments(out) {
		return nil
	}
	return out
}

// innerComments asks place where each comment line inside in's
// continuation before line upTo goes (not inside a value spanned over
// lines): the comment list of a part of the instruction, or nil to move it
// above the instruction, with a warning. Comments keep their order: when
// one that moves follows one that stays, all move.
func (r *reverser) innerComments(in *instr, upTo int, place func(n int) *[]string) {
	type placed struct {
		n  int
		to *[]string
	}
	var all []placed
	stays, keep := false, true
	for _, pl := range in.lg.lines {
		if pl.kind != lineComment || pl.n >= upTo || pl.n >= in.lg.lastContent || in.inValue[pl.n] {
			continue
		}
		t, ok := r.comment(pl.n)
		if !ok {
			continue
		}
		to := place(pl.n)
		if !spec.CommentFits(t) {
			to = nil // no YAML comment holds it: above, in the step's comment list
		}
		stays = stays || to != nil
		keep = keep && (to != nil || !stays)
		all = append(all, placed{pl.n, to})
	}
	for _, c := range all {
		t, _ := r.comment(c.n)
		if keep && c.to != nil {
			*c.to = append(*c.to, t)
			continue
		}
		in.moved = append(in.moved, t)
		r.movedf(c.n, in.kw)
	}
}

// flagsBefore counts the flags of in that nd, a prefix of in
// (prefixNode), holds; whole is false when its last one is not whole (a
// flag continued over the line nd ends before).
func flagsBefore(in *instr, nd *parser.Node) (n int, whole bool) {
	if nd == nil || len(nd.Flags) > len(in.node.Flags) {
		return 0, false
	}
	for i, f := range nd.Flags {
		if f != in.node.Flags[i] {
			return i, false
		}
	}
	return len(nd.Flags), true
}

// prefixText is the logical line lg up to physical line n (the text of the
// lines before it), without trailing blanks; false when n is on the first
// line.
func prefixText(lg *logical, n int) (string, bool) {
	end := -1
	for _, s := range lg.segs {
		if s.line > n {
			end = s.off
			break
		}
	}
	if end <= 0 {
		return "", false
	}
	return strings.TrimRightFunc(lg.text[:end], unicode.IsSpace), true
}

// prefetchPrefixes parses with one BuildKit parse the texts that
// prefixNode asks for one by one: each continued instruction's text before
// each comment line inside it (lgs are the logical lines of the file's
// instruction nodes), closed with "]" too for an exec-form list, each on a
// line of its own. Each text is one line; parsed after another, it can only
// take in lines after it (continued at its end, or opening a heredoc), so
// when the file reads back as one instruction per text, each with the
// text as its line, no text ran into another and r.prefixes keeps each
// one's node, the node a parse of the text on its own gives. Otherwise
// nothing is kept and each text is parsed when asked (parseOne).
func (r *reverser) prefetchPrefixes(nodes []*parser.Node, lgs []logical) {
	var texts []string
	for i := range lgs {
		lg := &lgs[i]
		json := nodes[i].Attributes["json"]
		if nd := nodes[i]; strings.EqualFold(nd.Value, "onbuild") && nd.Next != nil && len(nd.Next.Children) == 1 {
			json = nd.Next.Children[0].Attributes["json"]
		}
		for _, pl := range lg.lines {
			if pl.kind != lineComment || pl.n >= lg.lastContent {
				continue
			}
			if _, ok := r.comment(pl.n); !ok {
				continue
			}
			if t, ok := prefixText(lg, pl.n); ok && !strings.Contains(t, "\n") {
				if !json && len(nodes[i].Flags) == 0 && flaglessRunPrefix(t) {
					continue // runStep needs no parse for it
				}
				texts = append(texts, t)
				if json { // and as closedJSON closes it
					texts = append(texts, strings.TrimSuffix(t, ",")+"]")
				}
			}
		}
	}
	if len(texts) < 2 {
		return
	}
	var b strings.Builder
	b.WriteString(r.escapeDirective())
	for _, t := range texts {
		b.WriteString(t + "\n")
	}
	res, err := parser.Parse(strings.NewReader(b.String()))
	if err != nil || len(res.AST.Children) != len(texts) {
		return
	}
	m := make(map[string]*parser.Node, len(texts))
	for k, t := range texts {
		if nd := res.AST.Children[k]; nd.Original != t || nd.StartLine != nd.EndLine {
			return
		}
		m[t] = res.AST.Children[k]
	}
	r.prefixes = m
}

// flaglessRunPrefix reports, without a parse, that BuildKit's parser reads
// prefix (a RUN's text up to a comment line inside it, on one line) as one
// RUN instruction without flags, what runStep asks of the parse of the
// prefix when the RUN has no flags: the keyword is RUN (in any case), the
// arguments do not start with "--" (parser.extractBuilderFlags reads no
// flag then), and the line holds no "<<" (no heredoc can open), no
// newline, carriage return or NUL, is valid UTF-8 and shorter than the
// parser's line limit. FuzzFlaglessRunPrefix checks it against the parse,
// with either escape character.
func flaglessRunPrefix(prefix string) bool {
	if len(prefix) >= 16<<10 || strings.ContainsAny(prefix, "\n\r\x00") || strings.Contains(prefix, "<<") || !utf8.ValidString(prefix) {
		return false
	}
	t := strings.TrimLeftFunc(prefix, unicode.IsSpace)
	if len(t) < 3 || !strings.EqualFold(t[:3], "run") {
		return false
	}
	rest := t[3:]
	if rest != "" {
		if i, j, ok := blankRun(rest); !ok || i != 0 {
			return false // the keyword is longer than RUN
		} else {
			rest = rest[j:]
		}
	}
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	return !strings.HasPrefix(rest, "--")
}

// prefixNode is BuildKit's parse of in's text up to physical line n (an
// ONBUILD's trigger for a trigger): the instruction as it stands before
// the line.
func (r *reverser) prefixNode(in *instr, n int) (*parser.Node, bool) {
	prefix, ok := prefixText(in.lg, n)
	if !ok {
		return nil, false
	}
	return r.parseOne(in, prefix)
}

// closedJSON is prefixNode for an exec-form list: the text up to line n,
// a trailing "," dropped, closed with "]".
func (r *reverser) closedJSON(in *instr, n int) (*parser.Node, bool) {
	prefix, ok := prefixText(in.lg, n)
	if !ok {
		return nil, false
	}
	return r.parseOne(in, strings.TrimSuffix(prefix, ",")+"]")
}

// parseOne parses text as one instruction like in (the trigger of an
// ONBUILD when in is one).
func (r *reverser) parseOne(in *instr, text string) (*parser.Node, bool) {
	nd, ok := r.prefixes[text]
	if !ok {
		res, err := parser.Parse(strings.NewReader(r.escapeDirective() + text + "\n"))
		if err != nil || len(res.AST.Children) != 1 {
			return nil, false
		}
		nd = res.AST.Children[0]
	}
	if in.argsOff != r.keywordArgsOff(in) { // an ONBUILD trigger
		if !strings.EqualFold(nd.Value, "onbuild") || nd.Next == nil || len(nd.Next.Children) != 1 {
			return nil, false
		}
		nd = nd.Next.Children[0]
	}
	if !strings.EqualFold(nd.Value, in.kw) {
		return nil, false
	}
	return nd, true
}

// keywordArgsOff is where a top-level instruction's arguments would start
// (ONBUILD triggers start later in their logical line).
func (r *reverser) keywordArgsOff(in *instr) int {
	_, _, off, _, _ := r.splitCommand(in.node.Original)
	return off
}

// escapeDirective is the `# escape=` line a re-parse needs ("" for the
// default escape character).
func (r *reverser) escapeDirective() string {
	if r.escape == syntax.DefaultEscape {
		return ""
	}
	return "# escape=" + string(r.escape) + "\n"
}
