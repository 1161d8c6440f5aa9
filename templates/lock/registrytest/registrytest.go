// Package registrytest runs a real container registry for tests: the CNCF
// distribution registry, built once from its Go module
// (github.com/distribution/distribution/v3/cmd/registry, cached under the
// Go build cache), started on 127.0.0.1 on a free port, and helpers that
// push images and multi-platform indexes to it with go-containerregistry.
//
// Only tests import it. It may import nothing of dockstage.
package registrytest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/crypto/bcrypt"
)

// Module is the registry's Go package and version.
const Module = "github.com/distribution/distribution/v3/cmd/registry@v3.1.2"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary returns the registry binary, building it with `go install` the
// first time on this machine (later calls and test binaries reuse it).
func Binary() (string, error) {
	buildOnce.Do(func() { binPath, buildErr = build() })
	return binPath, buildErr
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "/usr/local/go/bin/go"
}

func build() (string, error) {
	gocmd := goTool()
	out, err := exec.Command(gocmd, "env", "GOCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("registrytest: go env GOCACHE: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "dockstage-registry", strings.ReplaceAll(filepath.Base(Module), "@", "-"))
	bin := filepath.Join(dir, "registry")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Test binaries of several packages start at once: one builds, the
	// others wait for its binary (a build marker older than 15 minutes is
	// a dead build's and is taken over).
	marker := filepath.Join(dir, "building")
	for {
		f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			defer os.Remove(marker)
			break
		}
		if info, serr := os.Stat(marker); serr == nil && time.Since(info.ModTime()) > 15*time.Minute {
			os.Remove(marker)
			continue
		}
		time.Sleep(time.Second)
		if fileExists(bin) {
			return bin, nil
		}
	}
	if fileExists(bin) {
		return bin, nil
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(gocmd, "install", Module)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("registrytest: building the registry (go install %s) failed; the registry tests need it and the Go module proxy: %v\n%s", Module, err, msg)
	}
	if err := os.Rename(filepath.Join(tmp, "registry"), bin); err != nil && !fileExists(bin) {
		return "", err
	}
	return bin, nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Registry is a running registry.
type Registry struct {
	// Host is 127.0.0.1:PORT, the registry part of its image references.
	Host string
	cmd  *exec.Cmd
	opts Options
}

// Options tune a registry.
type Options struct {
	// User and Password, when set, make the registry ask for them (HTTP
	// basic authentication, an htpasswd file).
	User, Password string
}

// New starts a registry for the test, stopped when the test ends; it
// fails the test when the registry cannot be built or does not start.
func New(t testing.TB) *Registry { t.Helper(); return NewWith(t, Options{}) }

// NewWith is New with options.
func NewWith(t testing.TB, opts Options) *Registry {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(bin, t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// Start runs the registry binary bin on a free loopback port, storing its
// content under dir, and waits until it answers.
func Start(bin, dir string, opts Options) (*Registry, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	host := l.Addr().String()
	l.Close()
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n", filepath.Join(dir, "data"), host)
	if opts.User != "" {
		hash, err := bcrypt.GenerateFromPassword([]byte(opts.Password), bcrypt.MinCost)
		if err != nil {
			return nil, err
		}
		htpasswd := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(htpasswd, []byte(opts.User+":"+string(hash)+"\n"), 0o600); err != nil {
			return nil, err
		}
		cfg += fmt.Sprintf("auth:\n  htpasswd:\n    realm: registrytest\n    path: %s\n", htpasswd)
	}
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none", "OTEL_SDK_DISABLED=true")
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &Registry{Host: host, cmd: cmd, opts: opts}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return r, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.Stop()
	msg, _ := os.ReadFile(logf.Name())
	return nil, errors.New("registrytest: the registry did not answer on " + host + " within 15s:\n" + string(msg))
}

// remoteOptions authenticate pushes to a registry that asks for a password.
func (r *Registry) remoteOptions() []remote.Option {
	if r.opts.User == "" {
		return nil
	}
	return []remote.Option{remote.WithAuth(&authn.Basic{Username: r.opts.User, Password: r.opts.Password})}
}

// Stop ends the registry.
func (r *Registry) Stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
}

// Ref is HOST/repoTag.
func (r *Registry) Ref(repoTag string) string { return r.Host + "/" + repoTag }

// PushImage pushes a random single-platform (linux/amd64) image as
// HOST/repoTag and returns its manifest digest.
func (r *Registry) PushImage(repoTag string) (string, error) {
	img, err := randomImage("linux", "amd64")
	if err != nil {
		return "", err
	}
	ref, err := name.ParseReference(r.Ref(repoTag))
	if err != nil {
		return "", err
	}
	if err := remote.Write(ref, img, r.remoteOptions()...); err != nil {
		return "", err
	}
	d, err := img.Digest()
	return d.String(), err
}

// PushIndex pushes a multi-platform index of random images, one per
// platform (os/arch), as HOST/repoTag and returns the index digest and
// each platform's manifest digest.
func (r *Registry) PushIndex(repoTag string, platforms ...string) (string, map[string]string, error) {
	var idx v1.ImageIndex = empty.Index
	per := map[string]string{}
	for _, p := range platforms {
		os, arch, _ := strings.Cut(p, "/")
		img, err := randomImage(os, arch)
		if err != nil {
			return "", nil, err
		}
		d, err := img.Digest()
		if err != nil {
			return "", nil, err
		}
		per[p] = d.String()
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: os, Architecture: arch}}})
	}
	ref, err := name.ParseReference(r.Ref(repoTag))
	if err != nil {
		return "", nil, err
	}
	if err := remote.WriteIndex(ref, idx, r.remoteOptions()...); err != nil {
		return "", nil, err
	}
	d, err := idx.Digest()
	return d.String(), per, err
}

func randomImage(os, arch string) (v1.Image, error) {
	img, err := random.Image(256, 1)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = os, arch
	return mutate.ConfigFile(img, cf)
}
