#!/usr/bin/env bash
# Makes a local Docker engine available for the sandbox (CI and dev machines):
#   1. installs docker.io with apt when no dockerd is on PATH,
#   2. starts dockerd in the background when /var/run/docker.sock does not answer,
#   3. waits until the socket answers.
# Idempotent: running it again with a live daemon only checks the socket.
# Logs to $DOCKER_SETUP_LOG (default /tmp/strategy-lab-docker-setup.log); the
# daemon's own output goes to $DOCKERD_LOG (default /tmp/strategy-lab-dockerd.log).
set -euo pipefail

SOCK="${DOCKER_SOCK:-/var/run/docker.sock}"
LOG="${DOCKER_SETUP_LOG:-/tmp/strategy-lab-docker-setup.log}"
DAEMON_LOG="${DOCKERD_LOG:-/tmp/strategy-lab-dockerd.log}"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"

log() { echo "[setup-docker] $*" | tee -a "$LOG" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else
    log "need root for: $* (run this script as root or install sudo)"; return 1
  fi
}

# Asks the engine's /_ping over the unix socket; true when it answers OK.
socket_answers() {
  [ -S "$SOCK" ] || return 1
  if command -v curl >/dev/null 2>&1; then
    [ "$(curl -s --max-time 2 --unix-socket "$SOCK" http://localhost/_ping 2>/dev/null)" = OK ]
  else
    node -e '
      const req = require("http").get({ socketPath: process.argv[1], path: "/_ping", timeout: 2000 }, (res) => {
        let body = ""; res.on("data", (c) => (body += c)); res.on("end", () => process.exit(body === "OK" ? 0 : 1));
      });
      req.on("error", () => process.exit(1)); req.on("timeout", () => process.exit(1));
    ' "$SOCK"
  fi
}

if socket_answers; then
  log "Docker engine already answering on $SOCK"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "dockerd not found: installing docker.io with apt (output in $LOG)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update >>"$LOG" 2>&1
  as_root apt-get install -y --no-install-recommends docker.io >>"$LOG" 2>&1
fi

if pgrep -x dockerd >/dev/null 2>&1; then
  log "dockerd is running but $SOCK does not answer yet; waiting"
else
  log "starting dockerd in the background (log: $DAEMON_LOG)"
  # A stale pid file from a killed daemon stops the next one from starting.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then as_root rm -f /var/run/docker.pid; fi
  # setsid: the daemon must outlive the shell (and process group) that started it.
  if command -v setsid >/dev/null 2>&1; then DETACH=(setsid); else DETACH=(); fi
  as_root "${DETACH[@]}" nohup dockerd --host "unix://$SOCK" >>"$DAEMON_LOG" 2>&1 </dev/null &
fi

for _ in $(seq 1 "$((WAIT_SECONDS * 4))"); do
  if socket_answers; then
    log "Docker engine is up on $SOCK"
    exit 0
  fi
  sleep 0.25
done

log "Docker did not answer on $SOCK within ${WAIT_SECONDS}s. Last lines of $DAEMON_LOG:"
tail -n 20 "$DAEMON_LOG" >&2 || true
exit 1
