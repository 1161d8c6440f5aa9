package lock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// DefaultTimeout bounds the registry requests of one reference.
const DefaultTimeout = 30 * time.Second

// Resolver asks registries for digests (go-containerregistry). Its zero
// value uses the Docker config's credentials and DefaultTimeout.
type Resolver struct {
	// Insecure lists registries (host or host:port) reached over plain
	// HTTP (--insecure-registry). Loopback registries (localhost,
	// 127.0.0.1) are reached over HTTP without being listed.
	Insecure []string
	// Timeout bounds the requests of one reference; 0 is DefaultTimeout.
	Timeout time.Duration
	// Keychain finds credentials; nil is authn.DefaultKeychain
	// (~/.docker/config.json or $DOCKER_CONFIG, and its credential
	// helpers).
	Keychain authn.Keychain
	// Now is the clock of Image.Resolved; nil is time.Now.
	Now func() time.Time
}

func (r *Resolver) parse(ref string) (name.Reference, error) {
	var opts []name.Option
	if n, err := name.ParseReference(ref); err == nil && slices.Contains(r.Insecure, n.Context().RegistryStr()) {
		opts = append(opts, name.Insecure)
	}
	return name.ParseReference(ref, opts...)
}

func (r *Resolver) options(ctx context.Context) []remote.Option {
	kc := r.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	return []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(kc)}
}

func (r *Resolver) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

// Digest returns the digest the registry reports for ref now (a HEAD
// request, as `crane digest` makes; a GET when the registry answers HEAD
// without one).
func (r *Resolver) Digest(ctx context.Context, ref string) (string, error) {
	n, err := r.parse(ref)
	if err != nil {
		return "", fmt.Errorf("%s: not an image reference: %v", ref, err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	desc, err := remote.Head(n, r.options(ctx)...)
	if err != nil {
		var terr *transport.Error
		if !errors.As(err, &terr) || terr.StatusCode == 401 || terr.StatusCode == 403 || terr.StatusCode == 404 {
			return "", r.explain(ctx, n, err)
		}
		d, gerr := remote.Get(n, r.options(ctx)...)
		if gerr != nil {
			return "", r.explain(ctx, n, gerr)
		}
		return d.Digest.String(), nil
	}
	return desc.Digest.String(), nil
}

// Resolve asks the registry for ref's manifest and returns the locked
// image: the digest of the tag and, for an index, each platform's
// manifest digest (attestation entries without a platform are left out;
// a single image's platform comes from its config). platform, when not
// empty, must be one of the image's platforms.
func (r *Resolver) Resolve(ctx context.Context, ref, platform string) (Image, error) {
	n, err := r.parse(ref)
	if err != nil {
		return Image{}, fmt.Errorf("%s: not an image reference: %v", ref, err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	desc, err := remote.Get(n, r.options(ctx)...)
	if err != nil {
		return Image{}, r.explain(ctx, n, err)
	}
	im := Image{Ref: ref, Repository: n.Context().Name(), Tag: n.Identifier(), Digest: desc.Digest.String()}
	if r.Now != nil {
		im.Resolved = r.Now().UTC()
	} else {
		im.Resolved = time.Now().UTC()
	}
	switch {
	case desc.MediaType.IsIndex():
		idx, err := desc.ImageIndex()
		if err != nil {
			return Image{}, r.explain(ctx, n, err)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return Image{}, r.explain(ctx, n, err)
		}
		for _, d := range m.Manifests {
			if d.Platform == nil || d.Platform.OS == "unknown" || d.Platform.OS == "" {
				continue
			}
			im.Platforms = append(im.Platforms, Platform{Platform: platformString(d.Platform), Digest: d.Digest.String()})
		}
	default:
		img, err := desc.Image()
		if err != nil {
			return Image{}, r.explain(ctx, n, err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return Image{}, r.explain(ctx, n, err)
		}
		if p := cf.Platform(); p != nil && p.OS != "" {
			im.Platforms = []Platform{{Platform: platformString(p), Digest: im.Digest}}
		}
	}
	if platform != "" && len(im.Platforms) > 0 && !hasPlatform(im.Platforms, platform) {
		var have []string
		for _, p := range im.Platforms {
			have = append(have, p.Platform)
		}
		return Image{}, fmt.Errorf("%s: %s has no %s image (it has %s); change the stage's platform or the image", ref, n.Context().RegistryStr(), platform, strings.Join(have, ", "))
	}
	return im, nil
}

func platformString(p *v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// hasPlatform reports whether want (os/arch[/variant]) is among ps; an
// arm64 without variant matches arm64/v8.
func hasPlatform(ps []Platform, want string) bool {
	for _, p := range ps {
		if p.Platform == want || strings.TrimSuffix(p.Platform, "/v8") == strings.TrimSuffix(want, "/v8") {
			return true
		}
	}
	return false
}

// explain turns a registry error into one that names the reference, the
// registry and what to do.
func (r *Resolver) explain(ctx context.Context, n name.Reference, err error) error {
	reg := n.Context().RegistryStr()
	ref := n.String()
	var terr *transport.Error
	if errors.As(err, &terr) {
		code := terr.StatusCode
		for _, d := range terr.Errors {
			switch d.Code {
			case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
				code = 401
			case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode:
				code = 404
			case transport.TooManyRequestsErrorCode:
				code = 429
			}
		}
		switch code {
		case 401, 403:
			return fmt.Errorf("%s: registry %s refused access (%d): log in with `docker login %s` (dockstage reads the Docker config and its credential helpers); some registries say this for a repository that does not exist", ref, reg, terr.StatusCode, reg)
		case 404:
			return fmt.Errorf("%s: not found in registry %s: check the repository and tag (%v)", ref, reg, err)
		case 429:
			return fmt.Errorf("%s: registry %s is rate limiting requests: wait and run again, or log in (`docker login %s`) for a higher limit", ref, reg, reg)
		}
		return fmt.Errorf("%s: registry %s: %v", ref, reg, err)
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: registry %s did not answer within %s: check the network, or raise --timeout", ref, reg, r.timeout())
	}
	var nerr net.Error
	var uerr *url.Error
	if errors.As(err, &nerr) || errors.As(err, &uerr) {
		hint := "check the registry's address and the network"
		if strings.Contains(err.Error(), "HTTP response to HTTPS client") {
			hint = "it speaks plain HTTP: pass --insecure-registry " + reg
		}
		return fmt.Errorf("%s: registry %s is unreachable: %s (%v)", ref, reg, hint, err)
	}
	return fmt.Errorf("%s: registry %s: %v", ref, reg, err)
}
