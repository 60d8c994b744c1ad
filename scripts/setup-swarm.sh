#!/usr/bin/env bash
# A single-node Docker Swarm for the swarm engine's tests (core/run/swarmEngine.ts), on a SECOND dockerd beside
# the main one, so the main engine never joins a swarm:
#   - its own --data-root, --exec-root, -H unix socket and --pidfile;
#   - its own bridge (sl-swarm0), never `--bridge none` (that deletes the host's docker0) and never docker0;
#   - --iptables=false: it leaves the main daemon's firewall rules alone (tasks get no NAT, so no egress either);
#   - the sandbox image copied in from the main daemon (docker save | docker -H … load);
#   - `docker swarm init --advertise-addr 127.0.0.1`.
# Prints the socket (unix://…) on stdout. Idempotent. `scripts/setup-swarm.sh stop` stops only the daemon this
# script started (by its pid file). Logs: $SWARM_LOG (default /tmp/strategy-lab-swarm-dockerd.log).
set -euo pipefail

BASE="${STRATEGY_LAB_SWARM_DIR:-/var/lib/strategy-lab-swarm}"
RUN="${STRATEGY_LAB_SWARM_RUN:-/run/strategy-lab-swarm}"
SOCK="$RUN/docker.sock"
PIDFILE="$RUN/dockerd.pid"
BRIDGE=sl-swarm0
BRIDGE_CIDR=172.31.250.1/24
LOG="${SWARM_LOG:-/tmp/strategy-lab-swarm-dockerd.log}"
IMAGE_REPO=strategy-lab-sandbox

say() { echo "[setup-swarm] $*" >&2; }
d2() { docker -H "unix://$SOCK" "$@"; }

if [ "${1:-}" = stop ]; then
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    say "stopping the swarm dockerd (pid $(cat "$PIDFILE"))"
    kill "$(cat "$PIDFILE")"
  fi
  exit 0
fi

[ "$(id -u)" = 0 ] || { say "needs root (a second dockerd)"; exit 1; }
command -v dockerd >/dev/null || { say "dockerd not found: run scripts/setup-docker.sh first"; exit 1; }
mkdir -p "$BASE" "$RUN"

if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add "$BRIDGE" type bridge
  ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  ip link set "$BRIDGE" up
fi

if ! d2 version >/dev/null 2>&1; then
  if [ -f "$PIDFILE" ] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then rm -f "$PIDFILE"; fi
  say "starting a second dockerd on $SOCK (log: $LOG)"
  setsid nohup dockerd --data-root "$BASE/data" --exec-root "$RUN/exec" -H "unix://$SOCK" --pidfile "$PIDFILE" \
    --bridge "$BRIDGE" --iptables=false --ip-masq=false --containerd-namespace strategy-lab-swarm \
    --containerd-plugins-namespace strategy-lab-swarm-plugins >>"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 60); do d2 version >/dev/null 2>&1 && break; sleep 1; done
  d2 version >/dev/null 2>&1 || { say "the second dockerd did not answer within 60 s; see $LOG"; tail -20 "$LOG" >&2; exit 1; }
fi

# The newest sandbox image of the main daemon (the tests build it there first).
IMAGE="$(docker images "$IMAGE_REPO" --format '{{.Repository}}:{{.Tag}}' | head -1)"
if [ -n "$IMAGE" ] && ! d2 image inspect "$IMAGE" >/dev/null 2>&1; then
  say "loading $IMAGE into the swarm daemon"
  docker save "$IMAGE" | d2 load >&2
fi

if [ "$(d2 info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  say "docker swarm init --advertise-addr 127.0.0.1"
  d2 swarm init --advertise-addr 127.0.0.1 >&2
fi
echo "unix://$SOCK"
