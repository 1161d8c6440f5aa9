package workspace

import (
	"path/filepath"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/transpile"
)

// Imported is a Dockerfile imported into a spec.
type Imported struct {
	// Plan holds the spec file (a UserFile); empty when it goes to
	// standard output.
	Plan *Plan
	// Spec is the spec's YAML (spec.Marshal).
	Spec []byte
	// Warnings are transpile.Reverse's, positioned in the Dockerfile.
	Warnings []transpile.Warning
}

// ImportOptions say where an imported spec goes.
type ImportOptions struct {
	// Output is the spec file to write, "-" for none (standard output); ""
	// is dockstage.yaml beside the Dockerfile, or "-" for standard input.
	Output string
	// Name is the service name; "" is ServiceName of the Dockerfile's
	// directory.
	Name  string
	Force bool
}

// Import imports the Dockerfile data read from dockerfile ("-" is standard
// input) with transpile.Reverse and plans its spec. Errors are
// transpile.Reverse's (a positioned spec.ErrorList for an invalid
// Dockerfile).
func Import(dockerfile string, data []byte, opts ImportOptions) (*Imported, error) {
	file := DisplayName(dockerfile)
	name := opts.Name
	if name == "" && dockerfile != "-" {
		name = dirServiceName(dockerfile)
	}
	sp, warns, err := transpile.Reverse(file, data, transpile.ReverseOptions{Name: name})
	if err != nil {
		return nil, err
	}
	out, err := spec.Marshal(sp)
	if err != nil {
		return nil, err
	}
	res := &Imported{Plan: &Plan{hints: importHints}, Spec: out, Warnings: warns}
	dest := opts.Output
	if dest == "" {
		dest = "-"
		if dockerfile != "-" {
			dest = filepath.Join(filepath.Dir(dockerfile), "dockstage.yaml")
		}
	}
	if dest != "-" {
		res.Plan.add("", File{Name: filepath.Base(dest), Path: dest, Content: out, Kind: UserFile}, opts.Force)
	}
	return res, nil
}

// dirServiceName is ServiceName of the directory that holds file, "" when
// it has none.
func dirServiceName(file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return ""
	}
	return ServiceName(filepath.Base(filepath.Dir(abs)))
}
