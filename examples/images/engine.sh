#!/usr/bin/env bash
# engine.sh: bring a local Docker engine up or down for the dockstage examples.
#
#   engine.sh up      install docker.io, docker-compose and debootstrap if missing, start dockerd
#                     in the background unless a daemon already answers, wait until it answers.
#   engine.sh down    stop the dockerd that `up` started (found by its PID file), nothing else.
#   engine.sh status  print whether a daemon answers and whether this script started it.
#
# Idempotent, non-interactive (works as root in CI with no stdin).
# Environment: DOCKSTAGE_DOCKERD_PIDFILE, DOCKSTAGE_DOCKERD_LOG, DOCKSTAGE_ENGINE_TIMEOUT (seconds).
set -euo pipefail

PIDFILE=${DOCKSTAGE_DOCKERD_PIDFILE:-/run/dockstage-dockerd.pid}
LOG=${DOCKSTAGE_DOCKERD_LOG:-/var/log/dockstage-dockerd.log}
TIMEOUT=${DOCKSTAGE_ENGINE_TIMEOUT:-90}
DOCKER=/usr/bin/docker # the Debian client; other docker clients on PATH may differ
PKGS=(docker.io docker-compose debootstrap)

export DEBIAN_FRONTEND=noninteractive

log() { echo "engine.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

missing_pkgs() {
	local p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

install_pkgs() {
	local missing
	missing=$(missing_pkgs | tr '\n' ' ')
	[ -z "${missing// /}" ] && return 0
	log "installing:$missing"
	# The package lists are refreshed only when they do not know the packages or the install
	# fails (stale lists point at files the mirror no longer has).
	# shellcheck disable=SC2086
	if apt-cache show $missing >/dev/null 2>&1 &&
		as_root apt-get install -y -q --no-install-recommends $missing </dev/null; then
		return 0
	fi
	log "apt-get update"
	as_root apt-get update -q </dev/null
	# shellcheck disable=SC2086
	as_root apt-get install -y -q --no-install-recommends $missing </dev/null
}

answers() { "$DOCKER" info >/dev/null 2>&1; }

our_pid() {
	# Prints the PID from the PID file if that process is still a dockerd.
	local pid
	[ -r "$PIDFILE" ] || return 1
	pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
	echo "$pid"
}

up() {
	install_pkgs
	[ -x "$DOCKER" ] || die "$DOCKER missing after install"
	if answers; then
		if pid=$(our_pid); then log "dockerd already running (pid $pid, started by engine.sh)"; else log "a Docker daemon already answers; not starting another"; fi
		return 0
	fi
	if pid=$(our_pid); then
		log "dockerd pid $pid exists but does not answer yet; waiting"
	else
		rm -f "$PIDFILE"
		command -v dockerd >/dev/null || die "dockerd not found"
		mkdir -p "$(dirname "$LOG")" "$(dirname "$PIDFILE")"
		# A stale socket or pid file from a killed daemon would stop a new one from starting.
		if [ -S /var/run/docker.sock ] && ! answers; then rm -f /var/run/docker.sock; fi
		if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid 2>/dev/null)" 2>/dev/null; then rm -f /var/run/docker.pid; fi
		log "starting dockerd (log: $LOG)"
		setsid dockerd </dev/null >>"$LOG" 2>&1 &
		pid=$!
		echo "$pid" >"$PIDFILE"
		log "dockerd pid $pid (pid file: $PIDFILE)"
	fi
	local deadline=$((SECONDS + TIMEOUT))
	until answers; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$PIDFILE"
			tail -n 30 "$LOG" >&2 || true
			die "dockerd (pid $pid) exited before answering; see $LOG"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			tail -n 30 "$LOG" >&2 || true
			die "dockerd (pid $pid) did not answer within ${TIMEOUT}s; see $LOG"
		fi
		sleep 0.5
	done
	log "Docker engine ready ($("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
}

down() {
	local pid
	if ! pid=$(our_pid); then
		rm -f "$PIDFILE"
		log "no dockerd started by engine.sh is running; nothing to stop"
		return 0
	fi
	log "stopping dockerd pid $pid"
	kill -TERM "$pid"
	local deadline=$((SECONDS + TIMEOUT))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			die "dockerd pid $pid still running after ${TIMEOUT}s"
		fi
		sleep 0.5
	done
	rm -f "$PIDFILE"
	log "dockerd stopped"
}

status() {
	local pid
	if answers; then echo "daemon: answers"; else echo "daemon: not answering"; fi
	if pid=$(our_pid); then echo "started by engine.sh: pid $pid"; else echo "started by engine.sh: no"; fi
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
*)
	echo "usage: $0 up|down|status" >&2
	exit 2
	;;
esac
