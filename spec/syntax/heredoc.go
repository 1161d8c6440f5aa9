package syntax

import (
	"regexp"
	"strings"
	"sync"
)

// heredocRE finds heredoc openers anywhere in a command or source:
// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`, `3<<EOF`. Compiled on first
// use.
var heredocRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^<])[0-9]*<<(-?)\s*(["']?)([a-zA-Z_][a-zA-Z0-9_.-]*)(["']?)`)
})

// HeredocNames lists the names of the heredocs text opens, in order. This
// is the spec's rule, deliberately wider than BuildKit's: every <<NAME in a
// RUN command or COPY/ADD source opens a heredoc, also inside quotes or a
// word, where BuildKit's parser (parser.heredocsFromLine, which reads each
// shell word with parser.ParseHeredoc) sees none. spec.Validate probes each
// command with BuildKit's parser, and Reverse refuses a Dockerfile where the
// two readings differ, so a spec never holds a <<NAME the two read
// differently.
func HeredocNames(text string) []string {
	if !strings.Contains(text, "<<") { // every opener holds one; most text has none
		return nil
	}
	var out []string
	for _, m := range heredocRE().FindAllStringSubmatch(text, -1) {
		out = append(out, m[3])
	}
	return out
}
