#!/usr/bin/env bash
# Strategy Lab in a real VS Code, offline (npm registry + Debian apt only):
#   VS Code  = the VS Code server inside the `code-server` npm package (4.100.3 → VS Code 1.100.3, Node 20),
#   UI       = Debian's Chromium driven by playwright-core,
#   tests    = node:test files in e2e/ (one of them runs e2e/suite, the @vscode/test-electron style run() module,
#              inside the server's real extension host).
# Works on a bare machine: installs chromium, libkrb5-dev, ripgrep with apt, starts Docker (scripts/setup-docker.sh),
# caches code-server in .e2e/ (gitignored), builds the extension, and packages the .vsix (its size is printed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E2E=${E2E_DIR:-$ROOT/.e2e}
PORT=${E2E_PORT:-8091}
CS_VERSION=4.100.3
mkdir -p "$E2E"
printf '*\n' > "$E2E/.gitignore"          # the cache folder ignores itself
log() { printf '[e2e %(%H:%M:%S)T] %s\n' -1 "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

# This machine's ~/.npmrc has yes=false: node-pty's postinstall runs `npx node-gyp`, which then refuses.
export npm_config_yes=true npm_config_fund=false npm_config_audit=false
# code-server's postinstall refuses to run as root unless this is set.
export npm_config_unsafe_perm=true

# ---------------------------------------------------------------- 1. Debian packages, Docker
pkgs=(chromium libkrb5-dev ripgrep)        # libkrb5-dev: the `kerberos` native module of code-server (gssapi.h)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  # The unit tests' chromium install (test/webview/browser.ts) takes the same lock; apt waits for dpkg's.
  as_root flock "${TMPDIR:-/tmp}/strategy-lab-apt.lock" apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive as_root flock "${TMPDIR:-/tmp}/strategy-lab-apt.lock" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x /usr/bin/chromium ] || { echo "e2e: /usr/bin/chromium is missing and apt could not install it" >&2; exit 1; }
log "Docker engine (the backtest runs in the real sandbox)"
bash "$ROOT/scripts/setup-docker.sh"

# ---------------------------------------------------------------- 2. VS Code server (from code-server)
CS_DIR=$E2E/cs-$CS_VERSION
VSCODE=$CS_DIR/node_modules/code-server/lib/vscode
if [ ! -f "$CS_DIR/.ok" ]; then
  log "npm install code-server@$CS_VERSION (builds native modules, ~1-2 min, cached in .e2e/)"
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR/tmp"
  (
    cd "$CS_DIR" && npm init -y >/dev/null
    export TMPDIR=$CS_DIR/tmp
    # node-gyp must find Node's headers locally (it would download them otherwise)
    export npm_config_nodedir=${npm_config_nodedir:-/usr}
    # @vscode/ripgrep's postinstall looks in $TMPDIR/vscode-ripgrep-cache-<ver>/ before going to GitHub
    mkdir -p "$TMPDIR/vscode-ripgrep-cache-1.15.11" "$TMPDIR/rg"
    cp "$(command -v rg)" "$TMPDIR/rg/rg"
    tar czf "$TMPDIR/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$TMPDIR/rg" rg
    npm install --no-save "code-server@$CS_VERSION" > install.log 2>&1 || { tail -50 install.log; exit 1; }
  )
  test -f "$VSCODE/out/server-main.js"
  touch "$CS_DIR/.ok"
fi

# ---------------------------------------------------------------- 3. build: extension, server, sandbox runtime, webview, e2e suite
[ -d "$ROOT/node_modules/playwright-core" ] || { log "npm ci"; (cd "$ROOT" && npm ci >/dev/null); }
log "build (production bundles)"
(cd "$ROOT" && node esbuild.mjs --production)
for f in dist/extension.js dist/server.js dist/sandbox/runtime.js dist/media/main.js dist/media/main.css; do
  [ -f "$ROOT/$f" ] || { echo "e2e: the build did not produce $f" >&2; exit 1; }
done
node "$ROOT/e2e/build-suite.mjs" "$E2E/suite/index.js"
log "package the .vsix"
(cd "$ROOT" && node_modules/.bin/vsce package --no-dependencies --allow-missing-repository --skip-license --no-rewrite-relative-links -o "$E2E/strategy-lab.vsix" >/dev/null)
node "$ROOT/ts-plugin/add-to-vsix.mjs" "$E2E/strategy-lab.vsix"
# The listing goes to a variable first: `unzip | grep -q` under pipefail fails when grep exits before unzip is done.
VSIX_FILES=$(unzip -l "$E2E/strategy-lab.vsix")
grep -q 'extension/node_modules/strategy-lab-ts-plugin/package.json' <<<"$VSIX_FILES" \
  || { echo "e2e: the .vsix lacks the TypeScript server plugin package" >&2; exit 1; }
log "vsix size: $(du -k "$E2E/strategy-lab.vsix" | cut -f1) KB ($(unzip -l "$E2E/strategy-lab.vsix" | tail -1 | awk '{print $2}') files)"
# The packaged server on its own, far from any node_modules (its TypeScript lib files come from the .vsix).
UNPACKED=$(mktemp -d -t sl-vsix.XXXXXX)
unzip -q "$E2E/strategy-lab.vsix" -d "$UNPACKED"
node "$ROOT/scripts/check-vsix.mjs" "$UNPACKED/extension" || { rm -rf "$UNPACKED"; exit 1; }
rm -rf "$UNPACKED"

# ---------------------------------------------------------------- 4. fresh server state + workspace
RUN=$E2E/run
rm -rf "$RUN" && mkdir -p "$RUN/home" "$RUN/ud/User"
cp -r "$ROOT/e2e/fixtures/ws" "$RUN/ws"
cat > "$RUN/ud/User/settings.json" <<'JSON'
{ "workbench.startupEditor": "none", "workbench.tips.enabled": false, "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off", "update.mode": "none", "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false, "workbench.enableExperiments": false, "chat.disableAIFeatures": true,
  "typescript.disableAutomaticTypeAcquisition": true, "git.openRepositoryInParentFolders": "never" }
JSON
SERVER_ARGS=(--accept-server-license-terms --server-data-dir "$RUN/sd" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext")
# The packaged .vsix must install; the tests then load the extension from the repo (extensionDevelopmentPath),
# as @vscode/test-electron does, so they exercise exactly the code in this checkout.
HOME=$RUN/home TMPDIR=$RUN node "$VSCODE/out/server-main.js" "${SERVER_ARGS[@]}" --install-extension "$E2E/strategy-lab.vsix" > "$RUN/install.log" 2>&1 \
  || { cat "$RUN/install.log"; exit 1; }
grep -q "successfully installed" "$RUN/install.log" || { cat "$RUN/install.log"; exit 1; }
rm -rf "$RUN/ext"   # installed fine; keep only the development copy active

log "start VS Code server on 127.0.0.1:$PORT"
SRV_TMP=$(mktemp -d -t sl-e2e.XXXXXX)  # short: unix socket paths must stay under ~108 chars
HOME=$RUN/home TMPDIR=$SRV_TMP setsid bash -c 'echo $$ > "$0"; exec "$@"' "$RUN/server.pgid" \
  node "$VSCODE/out/server-main.js" "${SERVER_ARGS[@]}" \
  --host 127.0.0.1 --port "$PORT" --without-connection-token --enable-smoke-test-driver \
  --disable-telemetry --disable-workspace-trust > "$RUN/server.log" 2>&1 < /dev/null &
stop_server() {
  [ -f "$RUN/server.pgid" ] && kill -TERM -- "-$(cat "$RUN/server.pgid")" 2>/dev/null || true
  sleep 1; rm -rf "$SRV_TMP"
}
trap stop_server EXIT
for _ in $(seq 1 120); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break; sleep 0.5; done
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" || { cat "$RUN/server.log"; exit 1; }

# ---------------------------------------------------------------- 5. tests
log "run tests"
mkdir -p "$ROOT/test-artifacts/e2e"
cd "$ROOT"
# HOME -> scratch: Chromium writes ~/.config/chromium and ~/.cache/dconf even with a fresh profile
HOME=$RUN/home E2E_URL=http://127.0.0.1:$PORT E2E_WS=$RUN/ws E2E_SHOTS=$ROOT/test-artifacts/e2e E2E_EXT_DIR=$ROOT \
  E2E_SUITE=$E2E/suite/index.js TMPDIR=${TMPDIR:-/tmp} \
  node --test --test-concurrency=1 --test-timeout=600000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter="$ROOT/scripts/test-summary-reporter.mjs" --test-reporter-destination=stdout \
    ${E2E_GREP:+--test-name-pattern="$E2E_GREP"} ${E2E_FILES:-e2e/}
