package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFmtWriteRefusesFileChangedSinceRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(p, []byte("from alpine\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := Fmt([]string{p}, FmtOptions{Write: true})
	if len(res.Plan.Files) != 1 || res.Plan.Files[0].Decision != Overwrite {
		t.Fatalf("plan: %+v", res.Plan.Files)
	}
	if err := os.WriteFile(p, []byte("from alpine\nrun edited\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res2 := Fmt([]string{p}, FmtOptions{Write: true})
	// The first plan was made against the old content: decide again.
	res.Plan.Files[0].Decision, res.Plan.Files[0].Refusal = res.Plan.decide(&res.Plan.Files[0], false)
	if err := res.Plan.Apply(); err == nil || !strings.Contains(err.Error(), p+": changed since it was read") {
		t.Fatalf("Apply over an edited file: %v", err)
	}
	if err := res2.Plan.Apply(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(b) != "FROM alpine\nRUN edited\n" || st.Mode().Perm() != 0o755 {
		t.Errorf("wrote %q mode %v", b, st.Mode().Perm())
	}
}
