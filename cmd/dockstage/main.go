// Command dockstage renders a YAML spec into a validated multistage
// Dockerfile and compose files, and imports Dockerfiles back into the spec.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
