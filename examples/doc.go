// Package examples holds dockstage's example services (each a directory
// with its dockstage.yaml, application, tests and the committed rendered
// files) and the repository-wide tests: drift between each spec and its
// committed files, lint cleanliness, the import-layer order of the README's
// Layout, that nothing built is committed, and (with -tags e2e) builds and
// runs of every example on a real Docker engine. It is the top layer: its
// tests may import any dockstage package; it has no code of its own.
package examples
