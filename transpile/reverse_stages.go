package transpile

import (
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/tonistiigi/go-csvvalue"

	"github.com/dockstage/dockstage/spec"
)

// Building the spec: stages from FROM instructions, then one step per
// instruction (step dispatches on BuildKit's command type).

// build walks the AST and builds the spec.
func (r *reverser) build(ast *parser.Node) *spec.Spec {
	s := &spec.Spec{
		Version:    spec.Version,
		Name:       r.name,
		Directives: r.directives,
		Pos:        r.pos(1),
	}
	r.nameStages(ast)
	// The instructions and their logical lines, one slice each per file.
	lgs := make([]logical, len(ast.Children))
	for ni, node := range ast.Children {
		r.readLogical(&lgs[ni], node.StartLine)
	}
	ins := make([]instr, len(ast.Children))
	r.prefetchPrefixes(ast.Children, lgs)
	var pending []string
	prevEnd := 0
	var stage *spec.Stage
	stageIdx := -1
	for ni, node := range ast.Children {
		carried := len(pending)
		gapFrom := prevEnd + 1
		pending = append(pending, r.gapComments(gapFrom, node.StartLine-1)...)
		blank := r.gapBlank(gapFrom, node.StartLine-1)
		prevEnd = node.EndLine
		lg := &lgs[ni]
		if want := lg.end + heredocLines(node); want != node.EndLine {
			r.errorf(node.StartLine, "internal error: the instruction ends on line %d, BuildKit says %d; please report this Dockerfile", want, node.EndLine)
			continue
		}
		in := &ins[ni]
		r.initInstr(in, node, lg, 0, node.StartLine, node.Heredocs)
		if in.internal {
			continue
		}
		switch {
		case in.kw == "arg" && stage == nil:
			r.ignoredFlags(in)
			kvs := r.argKVs(in)
			r.kvComments(in, kvs, true)
			r.checkMovedDoc(in, pending, kvKeys(kvs)...)
			above := append(append([]string(nil), pending...), in.moved...)
			r.keepArgDocs(in, above, kvs)
			if len(s.Args) == 0 || len(kvs) == 0 {
				s.Comment = append(s.Comment, above...) // the file's header
			} else {
				kvs[0].Comment = append(withoutBlanks(above), kvs[0].Comment...)
			}
			s.Args = append(s.Args, kvs...)
		case in.kw == "from":
			if stage != nil {
				// Comments that close the previous stage (above a blank
				// line before this FROM) stay with it.
				if b := r.lastBlank(gapFrom, node.StartLine-1); b > 0 {
					k := carried + len(r.gapComments(gapFrom, b-1))
					stage.TrailingComment = trimBlanks(append([]string(nil), pending[:k]...))
					pending = pending[k:]
					for len(pending) > 0 && pending[0] == spec.CommentBlank {
						pending = pending[1:] // the blank line before the FROM
					}
					if len(stage.TrailingComment) == 0 {
						stage.TrailingComment = nil
					}
				}
			}
			r.moveComments(in, lg.end+1)
			stageIdx++
			stage = r.stage(in, stageIdx)
			r.checkMovedDoc(in, pending, strings.ToLower(stage.Name))
			stage.Steps = make([]spec.Step, 0, stepsUntilFrom(ast.Children[ni+1:]))
			stage.Comment = append(append([]string(nil), pending...), in.moved...)
			s.Stages = append(s.Stages, stage)
		default:
			stage.Steps = append(stage.Steps, spec.Step{})
			st := &stage.Steps[len(stage.Steps)-1]
			if !r.step(in, st) {
				stage.Steps = stage.Steps[:len(stage.Steps)-1]
				break
			}
			r.checkMovedDoc(in, pending, kvKeys(st.Arg)...)
			st.Comment = append(append([]string(nil), pending...), in.moved...)
			if len(st.Comment) == 0 {
				st.Comment = nil
			}
			st.BlankBefore = blank
		}
		pending = nil
		// Comment lines after the last joined line: only at end of file.
		for _, pl := range lg.lines {
			if pl.kind == lineComment && pl.n > lg.lastContent {
				if t, ok := r.comment(pl.n); ok {
					pending = append(pending, t)
				}
			}
		}
	}
	tail := r.gapComments(prevEnd+1, len(r.lines))
	if stage != nil && len(pending) == 0 && len(tail) > 0 && !r.gapBlank(prevEnd+1, len(r.lines)) {
		// Comment lines right below the last instruction close its stage
		// (rendered with no blank line above); those after a blank line
		// close the file.
		k := 0
		for k < len(tail) && tail[k] != spec.CommentBlank {
			k++
		}
		stage.TrailingComment = append(stage.TrailingComment, tail[:k]...)
		tail = tail[k:]
		for len(tail) > 0 && tail[0] == spec.CommentBlank {
			tail = tail[1:]
		}
	}
	pending = append(pending, tail...)
	s.TrailingComment = trimBlanks(pending)
	if len(s.TrailingComment) == 0 {
		s.TrailingComment = nil
	}
	if len(s.Comment) == 0 {
		s.Comment = nil
	}
	for _, st := range s.Stages {
		if len(st.Steps) == 0 {
			st.Steps = nil // as before preallocation: a stage without steps has none
		}
	}
	return s
}

// gapComments returns the comments on lines from..to (directives
// skipped), with a spec.CommentBlank for each run of blank lines after a
// comment: between two comments, or between the last one and the end of
// the gap (blank lines before the first comment are gapBlank's).
func (r *reverser) gapComments(from, to int) []string {
	var out []string
	blank := false
	for n := from; n <= to && n <= len(r.lines); n++ {
		if r.directiveLines[n] {
			continue
		}
		if isBlank(r.lines[n-1]) {
			blank = len(out) > 0
			continue
		}
		if !isCommentLine(r.lines[n-1]) {
			continue
		}
		if t, ok := r.comment(n); ok {
			if blank {
				out = append(out, spec.CommentBlank)
			}
			out = append(out, t)
			blank = false
		}
	}
	if blank {
		out = append(out, spec.CommentBlank)
	}
	return out
}

// gapBlank reports whether lines from..to hold a blank line before their
// first comment (a blank line above an instruction and its comments:
// spec.Step.BlankBefore).
func (r *reverser) gapBlank(from, to int) bool {
	for n := from; n <= to && n <= len(r.lines); n++ {
		if r.directiveLines[n] {
			continue
		}
		if isBlank(r.lines[n-1]) {
			return true
		}
		if isCommentLine(r.lines[n-1]) {
			if _, ok := r.comment(n); ok {
				return false
			}
		}
	}
	return false
}

// trimBlanks drops the CommentBlank items at the end of comments (a
// trailing comment block, which a blank line or the end of the file
// follows anyway).
func trimBlanks(comments []string) []string {
	for len(comments) > 0 && comments[len(comments)-1] == spec.CommentBlank {
		comments = comments[:len(comments)-1]
	}
	return comments
}

// withoutBlanks is comments without CommentBlank items (YAML comments
// above a pair hold no blank lines).
func withoutBlanks(comments []string) []string {
	var out []string
	for _, c := range comments {
		if c != spec.CommentBlank {
			out = append(out, c)
		}
	}
	return out
}

// lastBlank is the last blank line of lines from..to (directives
// skipped), 0 when there is none.
func (r *reverser) lastBlank(from, to int) int {
	for n := min(to, len(r.lines)); n >= from; n-- {
		if !r.directiveLines[n] && isBlank(r.lines[n-1]) {
			return n
		}
	}
	return 0
}

// nameStages records the stage names and picks the name of each unnamed
// stage: "stage-N" as BuildKit calls it, unless a stage or a reference
// already uses that word.
func (r *reverser) nameStages(ast *parser.Node) {
	taken := map[string]bool{}
	for _, n := range ast.Children {
		if strings.EqualFold(n.Value, "from") {
			base, name, nargs := fromWords(n)
			if nargs == 3 {
				taken[strings.ToLower(name)] = true
			}
			if nargs > 0 {
				taken[strings.ToLower(base)] = true
			}
		}
		for _, f := range n.Flags {
			if v, ok := strings.CutPrefix(f, "--from="); ok {
				taken[strings.ToLower(v)] = true
			}
			if v, ok := strings.CutPrefix(f, "--mount="); ok {
				fields, _ := csvvalue.Fields(v, nil)
				for _, fl := range fields {
					if k, v, ok := strings.Cut(fl, "="); ok && strings.EqualFold(k, "from") {
						taken[strings.ToLower(v)] = true
					}
				}
			}
		}
	}
	for _, n := range ast.Children {
		if !strings.EqualFold(n.Value, "from") {
			continue
		}
		_, name, nargs := fromWords(n)
		si := &stageInfo{line: n.StartLine}
		if nargs == 3 {
			si.name = strings.ToLower(name)
		}
		r.stages = append(r.stages, si)
	}
	for i, si := range r.stages {
		if si.name != "" {
			continue
		}
		name := "stage-" + strconv.Itoa(i)
		for k := 2; taken[name]; k++ {
			name = "stage-" + strconv.Itoa(i) + "-" + strconv.Itoa(k)
		}
		taken[name] = true
		si.stage = &spec.Stage{Name: name, Anonymous: true}
	}
}

func nodeValues(n *parser.Node) []string {
	k := 0
	for m := n; m != nil; m = m.Next {
		k++
	}
	if k == 0 {
		return nil
	}
	out := make([]string, 0, k)
	for ; n != nil; n = n.Next {
		out = append(out, n.Value)
	}
	return out
}

func (r *reverser) stage(in *instr, idx int) *spec.Stage {
	si := r.stages[idx]
	st := si.stage
	base, name, _ := fromWords(in.node)
	if st == nil {
		st = &spec.Stage{Name: name}
	} else {
		r.warnf(in.line, "unnamed stage %d is called %q in the spec (anonymous: it still renders without AS)", idx, st.Name)
	}
	si.stage = st
	st.From = base
	st.Pos = r.pos(in.line)
	st.FromPos = r.pos(in.line)
	for _, f := range in.flags {
		if name, v, _ := strings.Cut(f, "="); name == "--platform" {
			st.Platform = v
		}
	}
	return st
}

// ignoredFlags warns about flags BuildKit accepts and ignores (ARG,
// STOPSIGNAL and HEALTHCHECK NONE do not parse their flags).
func (r *reverser) ignoredFlags(in *instr) {
	if len(in.flags) > 0 {
		r.warnf(in.line, "%s ignores flags; %s dropped", strings.ToUpper(in.kw), strings.Join(in.flags, " "))
	}
}

// step converts one instruction (not FROM, not a global ARG) into st, in
// place (a spec.Step is large: build gives each its place in the stage).
func (r *reverser) step(in *instr, st *spec.Step) bool {
	*st = spec.Step{Pos: r.pos(in.line)}
	n := in.node
	switch in.kw {
	case "arg":
		r.ignoredFlags(in)
		st.Arg = r.argKVs(in)
		r.kvComments(in, st.Arg, false)
	case "env", "label":
		kvs := r.pairs(in)
		r.kvComments(in, kvs, false)
		if in.kw == "env" {
			st.Env = kvs
		} else {
			st.Label = kvs
		}
	case "workdir", "user", "stopsignal", "maintainer":
		r.moveComments(in, in.lg.end+1)
		v := n.Next.Value
		switch in.kw {
		case "workdir":
			st.Workdir = &v
		case "user":
			st.User = &v
		case "stopsignal":
			r.ignoredFlags(in)
			st.StopSignal = &v
		case "maintainer":
			r.warnf(in.line, "MAINTAINER is deprecated (build check MaintainerDeprecated); kept as is, consider LABEL org.opencontainers.image.authors")
			st.Maintainer = &v
		}
	case "expose":
		st.Expose = nodeValues(n.Next)
		st.ExposeComment = r.listComments(in, len(st.Expose), 0)
	case "volume":
		for _, v := range nodeValues(n.Next) {
			st.Volume = append(st.Volume, strings.TrimSpace(v))
		}
		st.VolumeComment = r.listComments(in, len(st.Volume), 0)
		// A string in YAML; a path the shell form cannot write (one ending
		// with the escape character, left by a continuation at end of
		// file) makes a list, the JSON form.
		st.VolumeShell = !n.Attributes["json"] && st.VolumeComment == nil && !needsJSON(st.Volume, r.escape)
	case "shell":
		st.Shell = nodeValues(n.Next)
		st.ShellComment = r.listComments(in, len(st.Shell), 0)
	case "copy", "add":
		c := r.copyStep(in)
		if in.kw == "copy" {
			st.Copy = c
		} else {
			st.Add = c
		}
	case "run":
		st.Run = r.runStep(in)
	case "cmd", "entrypoint":
		c := r.command(in, in.argsOff, n.Next)
		if c == nil {
			return false
		}
		if in.kw == "cmd" {
			st.Cmd = c
		} else {
			st.Entrypoint = c
		}
	case "healthcheck":
		st.Healthcheck = r.healthcheck(in)
		if st.Healthcheck == nil {
			return false
		}
	case "onbuild":
		child := n.Next.Children[0]
		cin := r.newInstr(child, in.lg, in.argsOff, in.line, in.heredocs)
		if cin.internal {
			return false
		}
		trig := &spec.Step{}
		if !r.step(cin, trig) {
			return false
		}
		in.moved = append(in.moved, cin.moved...)
		trig.Comment = nil
		st.OnBuild = trig
	default:
		r.errorf(in.line, "unknown instruction %s", n.Value)
		return false
	}
	return !in.internal
}

// stepsUntilFrom counts the instructions before the next FROM: the most
// steps the stage they follow can get (build preallocates them).
func stepsUntilFrom(nodes []*parser.Node) int {
	for i, n := range nodes {
		if strings.EqualFold(n.Value, "from") {
			return i
		}
	}
	return len(nodes)
}

// fromWords is the first and third argument of a FROM node (its base and,
// in `FROM base AS name`, its name) and its number of arguments, read
// without copying them (nodeValues).
func fromWords(n *parser.Node) (base, name string, nargs int) {
	for a := n.Next; a != nil; a = a.Next {
		switch nargs {
		case 0:
			base = a.Value
		case 2:
			name = a.Value
		}
		nargs++
	}
	return base, name, nargs
}

// docOf is the doc comment BuildKit gives name from the comment lines
// above its ARG or FROM (instructions.getDocComment over the parser's
// PrevComment): the first line, after the last empty comment line, that
// begins with name and a blank, without them; "" when none does.
// Blank-line items (spec.CommentBlank) do not end the group.
func docOf(above []string, name string) string {
	doc := ""
	for _, c := range above {
		if c == spec.CommentBlank {
			continue
		}
		c = strings.TrimSpace(c)
		if c == "" {
			doc = "" // an empty comment line starts a new group
			continue
		}
		if after, ok := strings.CutPrefix(c, name+" "); ok && doc == "" && name != "" {
			doc = after
		}
	}
	return doc
}

// checkMovedDoc refuses in when the comment lines inside its continuation
// that import moves above it (in.moved) would change the doc comment
// BuildKit reads for one of names (ARG keys, a FROM's stage name): the
// description `docker buildx build --call outline` shows, which
// comments inside a continuation never give. pending is the comment list
// above in in the Dockerfile.
func (r *reverser) checkMovedDoc(in *instr, pending []string, names ...string) {
	if len(in.moved) == 0 {
		return
	}
	above := append(append([]string(nil), pending...), in.moved...)
	for _, name := range names {
		if before, after := docOf(pending, name), docOf(above, name); before != after {
			what := "build arg " + name
			if in.kw == "from" {
				what = "stage " + name
			}
			r.errorf(in.line, "a comment inside this continued %s has no place in the spec where it stands, and moved above the %s it would change the description BuildKit reads for %s (%q, was %q): move the comment above the %s yourself, after an empty # line, or below it",
				strings.ToUpper(in.kw), strings.ToUpper(in.kw), what, after, before, strings.ToUpper(in.kw))
			return
		}
	}
}

// kvKeys lists the keys of kvs, in order.
func kvKeys(kvs spec.KVList) []string {
	keys := make([]string, len(kvs))
	for i, kv := range kvs {
		keys[i] = kv.Key
	}
	return keys
}

// keepArgDocs keeps the doc comment BuildKit reads for each name of a
// global ARG that the spec splits into one ARG per name (kvs, their
// comments the lines inside the continuation): in the Dockerfile every
// name takes its doc comment from the comment lines above the one ARG
// (above); split, each ARG reads the lines above it. A later name's doc
// comment line is repeated above its own ARG (with a warning), and an
// inner comment line that would give a name a doc comment the Dockerfile
// does not is closed by an empty comment line.
func (r *reverser) keepArgDocs(in *instr, above []string, kvs spec.KVList) {
	for i := range kvs {
		kv := &kvs[i]
		want := docOf(above, kv.Key)
		group := kv.Comment
		if i == 0 {
			group = append(withoutBlanks(above), kv.Comment...)
		}
		if docOf(group, kv.Key) == want {
			continue
		}
		if want != "" && i > 0 {
			kv.Comment = append([]string{kv.Key + " " + want}, kv.Comment...)
			r.warnf(in.line, "the doc comment of build arg %s (# %s %s) is repeated above its own ARG: the spec writes one ARG per name", kv.Key, kv.Key, want)
			if docOf(kv.Comment, kv.Key) == want {
				continue
			}
		}
		kv.Comment = append(kv.Comment, "") // an empty comment line ends the group
	}
}
