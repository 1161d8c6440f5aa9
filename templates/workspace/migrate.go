package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dockstage/dockstage/spec"
	"github.com/dockstage/dockstage/templates"
	"github.com/dockstage/dockstage/transpile"
	"github.com/dockstage/dockstage/transpile/migrate"
)

// ReportFile is the report migrate writes beside the migrated files.
const ReportFile = "migrate-report.txt"

// reportMark starts every report migrate writes (migrate.Report.Text): an
// earlier report is ours to replace.
var reportMark = []byte("dockstage migrate ")

// MigrateOptions say what to migrate and where the files go.
type MigrateOptions struct {
	// Dockerfile is the file's path, "-" for standard input.
	Dockerfile string
	// Context is the build context directory; "" is the Dockerfile's
	// directory (. for standard input).
	Context string
	// OutDir is where the files go: "" beside the Dockerfile ("-" for
	// standard input), "-" for standard output (the plan is then not
	// decided: its files are for printing).
	OutDir string
	// Name is the service name; "" is ServiceName of the Dockerfile's
	// directory.
	Name string
	// JSON is set when the report is printed as JSON on standard output
	// too (ReportFile is still written); it needs an OutDir other than "-".
	JSON          bool
	Force         bool
	KeepShellForm bool
	// KeepProdBase keeps prod on the original image (migrate.Options).
	KeepProdBase bool
}

// Migrated is a migration and the plan of its files.
type Migrated struct {
	// Plan holds dockstage.yaml, the rendered files and ReportFile, in
	// that order; only the spec and the report when KeptOriginal.
	Plan *Plan
	// Result is transpile/migrate's: the spec, the report, the warnings.
	Result *migrate.Result
	// OutDir is where the files go ("-": standard output).
	OutDir string
	// ContextDir is the build context directory that was read.
	ContextDir string
	// KeptOriginal is set when OutDir's Dockerfile is the original and
	// Force is not: it is not replaced, and the files that build it
	// (compose, bake, .dockerignore) wait with it.
	KeptOriginal bool
	// ContextElsewhere is set when the build context is not OutDir:
	// compose.yaml and docker-bake.hcl then build OutDir's Dockerfile with
	// that context, and the .dockerignore is Dockerfile.dockerignore
	// beside it (BuildKit reads it there).
	ContextElsewhere bool
}

// Migrate migrates the single-stage Dockerfile data (transpile/migrate),
// renders the migrated spec and proves the rendered Dockerfile itself:
// imported back, its prod target must pass migrate.Prove. Then it plans
// the files in opts.OutDir.
//
// Errors: transpile/migrate's (a refused or invalid Dockerfile; a
// *migrate.InternalError for a failed proof), an internal error when the
// rendered Dockerfile fails the proof, and usage errors (--json with
// standard output, a context that is not a directory).
func Migrate(data []byte, opts MigrateOptions) (*Migrated, error) {
	stdin := opts.Dockerfile == "-"
	file, dfDir := DisplayName(opts.Dockerfile), filepath.Dir(opts.Dockerfile)
	if stdin {
		dfDir = "."
	}
	m := &Migrated{OutDir: opts.OutDir, ContextDir: opts.Context}
	if m.OutDir == "" {
		m.OutDir = dfDir
		if stdin {
			m.OutDir = "-"
		}
	}
	if opts.JSON && m.OutDir == "-" {
		return nil, errors.New("--json prints the report on standard output; give -o DIR for the other files")
	}
	if generated, _ := templates.Owned(data); generated {
		return nil, fmt.Errorf("%s: migrate: dockstage generated this Dockerfile (see its first line): it is migrated already; edit the spec it names and run dockstage render", file)
	}
	if m.ContextDir == "" {
		m.ContextDir = dfDir
	}
	if st, err := os.Stat(m.ContextDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--context %s: not a directory", m.ContextDir)
	}
	name := opts.Name
	if name == "" && !stdin {
		name = dirServiceName(opts.Dockerfile)
	}
	ignoreFile := ""
	if m.OutDir != "-" && composeContext(m.OutDir, m.ContextDir) != "" {
		ignoreFile = filepath.Join(m.OutDir, "Dockerfile.dockerignore")
	}
	m.KeptOriginal = m.OutDir != "-" && !opts.Force && !stdin && sameFile(filepath.Join(m.OutDir, "Dockerfile"), opts.Dockerfile)
	res, err := migrate.Migrate(data, migrate.Options{
		File: file, Name: name, Context: os.DirFS(m.ContextDir), KeepShellForm: opts.KeepShellForm,
		KeepProdBase: opts.KeepProdBase, IgnoreFile: ignoreFile, IgnorePending: m.KeptOriginal,
	})
	if err != nil {
		return nil, err
	}
	m.Result = res
	elsewhere := false
	if m.OutDir != "-" {
		// compose.yaml and docker-bake.hcl in OutDir build the migrated
		// Dockerfile beside them, with the original context.
		res.Spec.Compose.Context = composeContext(m.OutDir, m.ContextDir)
		if elsewhere = res.Spec.Compose.Context != ""; elsewhere {
			df, err := filepath.Rel(absPath(m.ContextDir), filepath.Join(absPath(m.OutDir), "Dockerfile"))
			if err != nil {
				df = filepath.Join(absPath(m.OutDir), "Dockerfile")
			}
			res.Spec.Compose.Dockerfile = filepath.ToSlash(df)
		}
	}
	rendered, err := renderMigrated(res)
	if err != nil {
		return nil, err
	}
	specYAML, err := spec.Marshal(res.Spec)
	if err != nil {
		return nil, err
	}
	all := append([]File{{Name: "dockstage.yaml", Content: specYAML, Kind: UserFile, Origin: specOrigin}}, rendered...)
	m.Plan = &Plan{hints: migrateHints}
	if m.OutDir == "-" {
		m.Plan.Files = append(all, File{Name: ReportFile, Content: res.Report.Text(), Kind: UserFile, Mark: reportMark})
		return m, nil
	}
	var user []byte
	ctxPatterns := false
	if elsewhere {
		// BuildKit reads OutDir/Dockerfile.dockerignore instead of the
		// context's .dockerignore: carry the context's own patterns.
		if user, ctxPatterns, err = ignoreUserPart(m.ContextDir, m.OutDir); err != nil {
			return nil, err
		}
	}
	for _, f := range all {
		if !m.KeptOriginal || f.Kind == UserFile {
			m.Plan.add(m.OutDir, f, opts.Force)
			if last := &m.Plan.Files[len(m.Plan.Files)-1]; last.Kind == Dockerignore && elsewhere && last.Decision == Create {
				last.write = append(append([]byte{}, last.Content...), user...)
			}
		}
	}
	res.Report.Files = m.written(m.Plan.Files, res.Spec.Compose.Dockerfile, ctxPatterns)
	res.Report.Files = append(res.Report.Files, migrate.WrittenFile{Path: filepath.Join(m.OutDir, ReportFile), What: "this report"})
	specPath := filepath.Join(m.OutDir, "dockstage.yaml")
	if m.KeptOriginal {
		var pending []File
		for _, f := range rendered {
			pending = append(pending, File{Name: f.Name, Kind: f.Kind, Path: filepath.Join(m.OutDir, f.Name)})
		}
		res.Report.Pending = m.written(pending, res.Spec.Compose.Dockerfile, ctxPatterns)
		for i := range res.Report.Pending {
			if filepath.Base(res.Report.Pending[i].Path) == "Dockerfile" {
				res.Report.Pending[i].What = "the migrated Dockerfile, rendered from the spec: it replaces " + opts.Dockerfile + ", the original, which is kept until then"
			}
		}
		res.Report.Next = fmt.Sprintf("read this report, keep a copy of the original (commit it, or cp %s %s.orig), then run `dockstage render %s --force`: it writes the files not written yet, replacing the original %s (and any of them that dockstage did not write). To try the migration without touching the original, run `dockstage migrate %s -o DIR` instead.",
			opts.Dockerfile, opts.Dockerfile, specPath, opts.Dockerfile, opts.Dockerfile)
	} else {
		builds := "builds prod"
		if res.Spec.StageIndex("test", len(res.Spec.Stages)) >= 0 {
			builds = "runs the tests and builds prod"
		}
		// bake reads the paths of docker-bake.hcl from the directory it
		// runs in: it runs in OutDir.
		res.Report.Next = fmt.Sprintf("`cd %s && docker buildx bake` %s; edit %s, not the rendered files, then `dockstage render %s`, and `dockstage check %s` shows any drift.",
			m.OutDir, builds, specPath, specPath, m.OutDir)
	}
	m.Plan.add(m.OutDir, File{Name: ReportFile, Content: res.Report.Text(), Kind: UserFile, Mark: reportMark}, opts.Force)
	m.ContextElsewhere = absPath(m.OutDir) != absPath(m.ContextDir)
	return m, nil
}

// specOrigin starts every spec dockstage writes: an existing spec that
// starts with it but differs was edited since (a refusal says so).
var specOrigin = []byte("# yaml-language-server: $schema=")

// written says, for the report, what each of files (planned or pending)
// is and where it goes; df is the migrated Dockerfile's path from the context ("" when
// the context is OutDir), ctxPatterns whether the context's .dockerignore
// has patterns of the user's, which follow the block.
func (m *Migrated) written(files []File, df string, ctxPatterns bool) []migrate.WrittenFile {
	target := m.Result.Spec.Compose.Target
	if target == "" {
		target = "prod"
	}
	var out []migrate.WrittenFile
	for _, f := range files {
		what := ""
		switch {
		case f.Name == "dockstage.yaml":
			what = "the migrated spec"
		case f.Name == "Dockerfile":
			what = "the migrated Dockerfile, rendered from the spec"
		case f.Name == "compose.yaml" || f.Name == "compose.dev.yaml" || f.Name == "docker-bake.hcl":
			targets := "target " + target
			if f.Name == "docker-bake.hcl" && m.Result.Spec.StageIndex("test", len(m.Result.Spec.Stages)) >= 0 {
				targets = "targets test and " + target
			}
			what = "builds " + filepath.Join(m.OutDir, "Dockerfile") + " (" + targets + ") with the build context " + m.ContextDir
			if df != "" {
				what += " (context " + m.Result.Spec.Compose.Context + ", dockerfile " + df + ")"
			}
			if f.Name == "compose.dev.yaml" {
				what = "the dev service: " + what
			}
		case f.Kind == Dockerignore && f.Name == ".dockerignore":
			what = "the generated block, in front of your own patterns, which are kept; BuildKit reads it for every Dockerfile built with this context"
		case f.Kind == Dockerignore:
			what = "the generated block"
			if ctxPatterns {
				what += ", then the patterns of " + filepath.Join(m.ContextDir, ".dockerignore")
			}
			if rel, err := filepath.Rel(absPath(m.ContextDir), absPath(m.OutDir)); err == nil && filepath.IsLocal(rel) {
				what += " and /" + filepath.ToSlash(rel) + ", so that a COPY of the context does not take the migrated files"
			}
			what += "; BuildKit reads it instead of the context's .dockerignore when it builds " + filepath.Join(m.OutDir, "Dockerfile")
		default:
			continue
		}
		out = append(out, migrate.WrittenFile{Path: f.Path, What: what})
	}
	return out
}

// renderMigrated renders the migrated spec (it goes in the output
// directory, so nothing is relocated) and proves the rendered Dockerfile.
func renderMigrated(res *migrate.Result) ([]File, error) {
	files, err := renderFiles(res.Spec, "dockstage.yaml", ".", ".", transpile.ForwardOptions{})
	if err != nil {
		return nil, err
	}
	back, _, err := transpile.Reverse("Dockerfile", files[0].Content, transpile.ReverseOptions{Name: res.Spec.Name})
	if err != nil {
		return nil, fmt.Errorf("internal error: the rendered Dockerfile does not import: %w", err)
	}
	p, err := migrate.Prove(res.Original, back, res.Report)
	if err != nil {
		return nil, fmt.Errorf("internal error: proof of the rendered Dockerfile: %w", err)
	}
	if !p.OK() {
		return nil, fmt.Errorf("internal error: the rendered Dockerfile's prod target differs from the original in ways the report does not name (nothing written; please report this Dockerfile):\n%s", p)
	}
	return files, nil
}

// composeContext is the build context as compose.yaml in outDir sees it;
// "" when it is outDir itself.
func composeContext(outDir, ctxDir string) string {
	rel, err := filepath.Rel(absPath(outDir), absPath(ctxDir))
	if err != nil {
		return filepath.ToSlash(absPath(ctxDir))
	}
	if rel = filepath.ToSlash(rel); rel == "." {
		return ""
	}
	return rel
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// sameFile reports whether a and b are the same file (or the same path when
// one does not exist).
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	return absPath(a) == absPath(b)
}
