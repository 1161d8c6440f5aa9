// Command dockstage is dockstage's command line (render, import, migrate,
// init, lint, check, diff): flags, one library call, printing, exit codes.
// Layer 9 of the README's Layout: it may import every dockstage package
// below it (templates/workspace, templates/lint, transpile, spec, ...).
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
