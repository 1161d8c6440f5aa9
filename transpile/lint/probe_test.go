package lint
import (
	"context"
	"testing"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	digest "github.com/opencontainers/go-digest"
)
type res struct{}
func (res) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, "", []byte(`{}`), nil
}
func TestX(t *testing.T) {
	src := []byte("FROM ubuntu:18.04 AS base\nENV LANG en_US.UTF-8\nFROM base as src\nENTRYPOINT flask run\n")
	r, err := dockerfile2llb.DockerfileLint(context.Background(), src, dockerfile2llb.ConvertOpt{
		MetaResolver: res{},
		SourceMap: &llb.SourceMap{Filename: "Dockerfile", Language: "Dockerfile", Data: src, Definition: &llb.Definition{}},
	})
	t.Logf("%v %+v", err, r.Error)
	for _, w := range r.Warnings { t.Logf("%s %s %v", w.RuleName, w.Detail, w.Location) }
}
