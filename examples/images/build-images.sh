#!/usr/bin/env bash
# build-images.sh: make, on the local Docker engine, the base images the examples start FROM,
# since no container registry is reachable here. Idempotent and fast on a second run:
#   - debian:bookworm-slim        debootstrap --variant=minbase (mirror read from the host's apt
#                                 config), rootfs tarball cached under $DOCKSTAGE_CACHE, docker import
#   - python:3.11-slim-bookworm   images/python/Dockerfile
#   - node:18-bookworm-slim       images/node/Dockerfile
#   - nginx:1.22                  images/nginx/Dockerfile
#   - golang:<host go>-bookworm   images/golang/Dockerfile + the host's Go toolchain
#   - rust:1.63-bookworm          images/rust/Dockerfile (Debian's rustc and cargo), also
#                                 tagged rust:1-bookworm; built while the others are
#   - gcr.io/distroless/static-debian12:nonroot   images/distroless-static/Dockerfile
#   - docker/dockerfile:1         the BuildKit Dockerfile frontend built from the BuildKit module,
#                                 so `# syntax=docker/dockerfile:1` builds offline
# An image is rebuilt only when its Dockerfile directory, its base image or its inputs changed
# (a hash kept in the image label org.dockstage.images.hash), or with DOCKSTAGE_REBUILD=1.
# Needs a running engine: see engine.sh up.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${DOCKSTAGE_CACHE:-/var/cache/dockstage}
DOCKER=/usr/bin/docker
REBUILD=${DOCKSTAGE_REBUILD:-0}
BUILDKIT_MODULE=github.com/moby/buildkit
BUILDKIT_VERSION=${DOCKSTAGE_BUILDKIT_VERSION:-v0.34.2}
FRONTEND_PKG=$BUILDKIT_MODULE/frontend/dockerfile/cmd/dockerfile-frontend
SUITE=bookworm
LABEL=org.dockstage.images.hash
export DOCKER_BUILDKIT=1

START=$SECONDS
log() { echo "build-images.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

"$DOCKER" info >/dev/null 2>&1 || die "no Docker daemon answers; run $HERE/engine.sh up first"
mkdir -p "$CACHE/logs"

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
image_id() { "$DOCKER" image inspect -f "{{.Id}}" "$1" 2>/dev/null; }
image_label() { "$DOCKER" image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }

# Prints "URI SUITE" for each enabled deb source of the host whose suite is $SUITE,
# $SUITE-updates or $SUITE-security (deb822 *.sources files and one-line *.list files).
host_apt_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk '
			function flush(  n, m, i, j, U, S) {
				if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no") {
					n = split(uris, U, /[ \t]+/); m = split(suites, S, /[ \t]+/)
					for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) if (U[i] != "" && S[j] != "") print U[i], S[j]
				}
				types = uris = suites = enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{ key = tolower($0); sub(/:.*/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val) }
			key == "types" { types = val } key == "uris" { uris = val }
			key == "suites" { suites = val } key == "enabled" { enabled = val }
			END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ } print $i, $(i + 1) }' "$f"
	done
}

debian_sources() { host_apt_sources | awk -v s="$SUITE" '$2 == s || $2 == s "-updates" || $2 == s "-security"' | awk '!seen[$0]++'; }

debian_mirror() {
	if [ -n "${DOCKSTAGE_DEBIAN_MIRROR:-}" ]; then echo "$DOCKSTAGE_DEBIAN_MIRROR"; return; fi
	local m
	m=$(debian_sources | awk -v s="$SUITE" '$2 == s { print $1; exit }')
	[ -n "$m" ] || die "no '$SUITE' source in the host's apt configuration (set DOCKSTAGE_DEBIAN_MIRROR)"
	echo "$m"
}

# ---------------------------------------------------------------------------------------------
# debian:bookworm-slim
ROOTFS_TAR=$CACHE/debian-$SUITE-minbase.tar

make_rootfs_tar() {
	local mirror tmp rootfs
	mirror=$(debian_mirror)
	command -v debootstrap >/dev/null || die "debootstrap missing; run $HERE/engine.sh up first"
	tmp=$(mktemp -d "$CACHE/rootfs.XXXXXX")
	rootfs=$tmp/rootfs
	# shellcheck disable=SC2064
	trap "cleanup_rootfs '$tmp'" EXIT
	log "debootstrap --variant=minbase $SUITE (log: $CACHE/logs/debootstrap.log)"
	if ! debootstrap --variant=minbase --arch="$(dpkg --print-architecture)" "$SUITE" "$rootfs" "$mirror" \
		>"$CACHE/logs/debootstrap.log" 2>&1; then
		tail -n 30 "$CACHE/logs/debootstrap.log" >&2
		die "debootstrap failed; see $CACHE/logs/debootstrap.log"
	fi
	# apt inside the image uses the same sources as the host (main component only)
	debian_sources | awk '{ print "deb " $1 " " $2 " main" }' >"$rootfs/etc/apt/sources.list"
	# trimmed like the official slim images: no docs, man pages or translations, no apt caches
	cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<-'EOF'
		path-exclude /usr/share/doc/*
		path-include /usr/share/doc/*/copyright
		path-exclude /usr/share/man/*
		path-exclude /usr/share/groff/*
		path-exclude /usr/share/info/*
		path-exclude /usr/share/lintian/*
		path-exclude /usr/share/linda/*
		path-exclude /usr/share/locale/*
		path-include /usr/share/locale/locale.alias
	EOF
	cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<-'EOF'
		DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
		APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
		Dir::Cache::pkgcache "";
		Dir::Cache::srcpkgcache "";
	EOF
	echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
	find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
	find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
	rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/lintian/*
	find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
	rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
		"$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* "$rootfs"/debootstrap
	: >"$rootfs/etc/hostname"
	: >"$rootfs/etc/resolv.conf"
	log "writing $ROOTFS_TAR"
	tar --numeric-owner --xattrs -C "$rootfs" -cf "$ROOTFS_TAR.tmp" \
		--exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' .
	mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
	cleanup_rootfs "$tmp"
	trap - EXIT
}

cleanup_rootfs() {
	local tmp=$1 m
	# debootstrap mounts /proc and /sys in the target; never delete through a live mount
	awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	if awk -v t="$tmp/" 'index($2, t) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
		log "warning: mounts remain under $tmp; not deleting it"
		return 0
	fi
	rm -rf "$tmp"
	rm -f "$ROOTFS_TAR.tmp"
}

# The TLS certificate authorities the host added locally (/usr/local/share/ca-certificates) go
# into debian:bookworm-slim, so images that install ca-certificates trust what the host trusts
# (e.g. an intercepting egress proxy in front of the Go module proxy and the npm registry).
LOCAL_CA_DIR=${DOCKSTAGE_LOCAL_CA_DIR:-/usr/local/share/ca-certificates}

build_debian() {
	local minbase=dockstage/debian-minbase:$SUITE ctx
	if [ "$REBUILD" = 1 ] || ! image_exists "$minbase"; then
		if [ "$REBUILD" = 1 ] || [ ! -s "$ROOTFS_TAR" ]; then make_rootfs_tar; else log "using cached $ROOTFS_TAR"; fi
		log "$minbase: docker import"
		"$DOCKER" import \
			--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			--change 'CMD ["bash"]' \
			"$ROOTFS_TAR" "$minbase" >/dev/null
	fi
	ctx=$(mktemp -d "$CACHE/debian-ctx.XXXXXX")
	cp -a "$HERE/debian/." "$ctx/"
	mkdir -p "$ctx/local-ca"
	if [ -d "$LOCAL_CA_DIR" ]; then
		find "$LOCAL_CA_DIR" -type f -name '*.crt' -exec cp {} "$ctx/local-ca/" \;
	fi
	HASH_EXTRA=$(dir_hash "$ctx/local-ca") build_image "debian:$SUITE-slim debian:12-slim" debian "$ctx" "$minbase" ||
		{ rm -rf "$ctx"; return 1; }
	rm -rf "$ctx"
}

# ---------------------------------------------------------------------------------------------
# images built with docker build; a hash of the inputs decides whether to rebuild

dir_hash() { # a hash of the files of a directory, plus any extra words
	local d=$1
	shift
	{
		(cd "$d" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
		printf '%s\n' "$@"
	} | sha256sum | cut -c1-32
}

# image_hash DIR BASE [words...]: what an image is made from: the files of images/DIR, the ID of
# its base image (- for none) and the given words (build args, $HASH_EXTRA)
image_hash() {
	local dir=$1 base=$2
	shift 2
	dir_hash "$HERE/$dir" "$([ "$base" = - ] || image_id "$base")" "${HASH_EXTRA:-}" "$@"
}

# build_image TAGS DIR CONTEXT BASE [docker build args...]
# TAGS: space-separated, the first is checked; BASE: the image it starts FROM (- for none)
build_image() {
	local tags=$1 dir=$2 context=$3 base=$4
	shift 4
	local first=${tags%% *} hash t args=()
	hash=$(image_hash "$dir" "$base" "$@")
	if [ "$REBUILD" != 1 ] && [ "$(image_label "$first")" = "$hash" ]; then
		log "$first: up to date"
		for t in $tags; do [ "$t" = "$first" ] || "$DOCKER" tag "$first" "$t"; done
		return 0
	fi
	for t in $tags; do args+=(-t "$t"); done
	log "$first: docker build (log: $CACHE/logs/$dir.log)"
	if ! "$DOCKER" build --progress=plain --label "$LABEL=$hash" "${args[@]}" "$@" \
		-f "$HERE/$dir/Dockerfile" "$context" >"$CACHE/logs/$dir.log" 2>&1; then
		tail -n 40 "$CACHE/logs/$dir.log" >&2
		die "$first: build failed; see $CACHE/logs/$dir.log"
	fi
}

build_golang() {
	local goroot gover minor ctx
	goroot=$(go env GOROOT 2>/dev/null || true)
	if [ -z "$goroot" ] || [ ! -x "$goroot/bin/go" ]; then die "no host Go toolchain found (go env GOROOT)"; fi
	gover=$("$goroot/bin/go" env GOVERSION) # go1.26.8
	gover=${gover#go}
	minor=$(echo "$gover" | cut -d. -f1,2)
	local tags="golang:$minor-bookworm golang:$gover-bookworm golang:$minor"
	if [ "$REBUILD" != 1 ] && [ "$(image_label "golang:$minor-bookworm")" = "$(image_hash golang "debian:$SUITE-slim" --build-arg "GOLANG_VERSION=$gover")" ]; then
		log "golang:$minor-bookworm: up to date"
		"$DOCKER" tag "golang:$minor-bookworm" "golang:$gover-bookworm"
		return 0
	fi
	# the build context: this directory's files plus the toolchain, hard-linked where possible
	ctx=$(mktemp -d "$CACHE/golang-ctx.XXXXXX")
	cp -a "$HERE/golang/." "$ctx/"
	cp -al "$goroot" "$ctx/go" 2>/dev/null || cp -a "$goroot" "$ctx/go"
	build_image "$tags" golang "$ctx" "debian:$SUITE-slim" --build-arg "GOLANG_VERSION=$gover" || { rm -rf "$ctx"; return 1; }
	rm -rf "$ctx"
}

# ---------------------------------------------------------------------------------------------
# docker/dockerfile:1 (the BuildKit Dockerfile frontend)
FRONTEND_BIN=$CACHE/dockerfile-frontend-$BUILDKIT_VERSION

frontend_version() { # the frontend version of the BuildKit module, e.g. 1.28
	local modroot
	modroot=$(GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' "$BUILDKIT_MODULE@$BUILDKIT_VERSION" 2>/dev/null || true)
	if [ -n "$modroot" ] && [ -r "$modroot/frontend/dockerfile/version/version.go" ]; then
		sed -n 's/^const version = "\(.*\)"$/\1/p' "$modroot/frontend/dockerfile/version/version.go"
	fi
}

compile_frontend() { # in a temp module outside the repo, with the host Go and its module proxy
	[ -s "$FRONTEND_BIN" ] && return 0
	local mod
	mod=$(mktemp -d /tmp/dockstage-frontend.XXXXXX)
	(
		cd "$mod"
		export GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0
		go mod init dockstage.local/dockerfile-frontend
		go get "$FRONTEND_PKG@$BUILDKIT_VERSION"
		go build -trimpath -tags "netgo static_build osusergo" \
			-ldflags "-s -w -X main.Version=$BUILDKIT_VERSION-dockstage -X main.Package=$FRONTEND_PKG" \
			-o "$FRONTEND_BIN.tmp" "$FRONTEND_PKG"
	)
	local rc=$?
	rm -rf "$mod"
	[ $rc -eq 0 ] || return $rc
	mv "$FRONTEND_BIN.tmp" "$FRONTEND_BIN"
}

build_frontend() {
	local fv tags ctx
	fv=$(frontend_version)
	tags="docker/dockerfile:1"
	[ -n "$fv" ] && tags="$tags docker/dockerfile:$fv"
	ctx=$(mktemp -d "$CACHE/frontend-ctx.XXXXXX")
	cp -a "$HERE/dockerfile-frontend/." "$ctx/"
	cp "$FRONTEND_BIN" "$ctx/dockerfile-frontend"
	build_image "$tags" dockerfile-frontend "$ctx" - --build-arg "BUILDKIT_VERSION=$BUILDKIT_VERSION" || { rm -rf "$ctx"; return 1; }
	rm -rf "$ctx"
}

frontend_needed() {
	[ "$REBUILD" = 1 ] || [ "$(image_label docker/dockerfile:1)" != "$(image_hash dockerfile-frontend - --build-arg "BUILDKIT_VERSION=$BUILDKIT_VERSION")" ]
}

# A Dockerfile that only the external frontend builds (heredoc RUN, COPY --link).
probe_syntax() {
	local d
	d=$(mktemp -d /tmp/dockstage-syntax-probe.XXXXXX)
	cat >"$d/Dockerfile" <<-'EOF'
		# syntax=docker/dockerfile:1
		FROM debian:bookworm-slim
		RUN <<EOT
		set -e
		echo "heredoc ok" > /probe-heredoc
		EOT
		COPY --link probe.txt /probe-link
		RUN cat /probe-heredoc /probe-link
	EOF
	echo "copy --link ok" >"$d/probe.txt"
	if ! "$DOCKER" build --progress=plain -t dockstage-syntax-probe "$d" >"$CACHE/logs/syntax-probe.log" 2>&1; then
		rm -rf "$d"
		tail -n 30 "$CACHE/logs/syntax-probe.log" >&2
		die "a '# syntax=docker/dockerfile:1' build failed; see $CACHE/logs/syntax-probe.log"
	fi
	rm -rf "$d"
	"$DOCKER" rmi dockstage-syntax-probe >/dev/null 2>&1 || true
	log "syntax frontend ok (heredoc RUN and COPY --link build offline)"
}

# ---------------------------------------------------------------------------------------------
main() {
	local fpid=""
	# The frontend compiles (CPU) while debootstrap and apt download (network).
	if frontend_needed && [ ! -s "$FRONTEND_BIN" ]; then
		log "compiling the Dockerfile frontend $BUILDKIT_VERSION in the background (log: $CACHE/logs/frontend-go.log)"
		compile_frontend >"$CACHE/logs/frontend-go.log" 2>&1 &
		fpid=$!
	fi
	build_debian
	# rust downloads (apt) while the others build: its own log, waited for below
	local rpid
	build_image "rust:1.63-bookworm rust:1-bookworm" rust "$HERE/rust" "debian:$SUITE-slim" 2>"$CACHE/logs/rust-job.log" &
	rpid=$!
	build_image "python:3.11-slim-bookworm python:3.11-slim" python "$HERE/python" "debian:$SUITE-slim"
	build_image "node:18-bookworm-slim node:18-slim" node "$HERE/node" "debian:$SUITE-slim"
	build_image "nginx:1.22" nginx "$HERE/nginx" "debian:$SUITE-slim"
	build_image "gcr.io/distroless/static-debian12:nonroot" distroless-static "$HERE/distroless-static" "debian:$SUITE-slim"
	build_golang
	if ! wait "$rpid"; then
		cat "$CACHE/logs/rust-job.log" >&2
		die "rust:1.63-bookworm: build failed"
	fi
	cat "$CACHE/logs/rust-job.log" >&2
	if [ -n "$fpid" ]; then
		if ! wait "$fpid"; then
			tail -n 30 "$CACHE/logs/frontend-go.log" >&2
			die "compiling the Dockerfile frontend failed; see $CACHE/logs/frontend-go.log"
		fi
	fi
	if frontend_needed; then
		compile_frontend >>"$CACHE/logs/frontend-go.log" 2>&1 || die "compiling the Dockerfile frontend failed; see $CACHE/logs/frontend-go.log"
		build_frontend
		probe_syntax
	else
		log "docker/dockerfile:1: up to date"
	fi
	log "done in $((SECONDS - START))s"
}

main "$@"
