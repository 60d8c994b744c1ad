// Makes a fresh clone runnable: installs npm dependencies when they are missing
// or older than the lockfile, and (when asked) a running Docker engine through
// scripts/setup-docker.sh. Used by `npm test`, `npm run demo`, `npm run bench` and .ci/run.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

function run(cmd, args, env = {}, fatal = true) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0 && !fatal) {
    console.error(`\nwarning: ${cmd} ${args.join(' ')} failed (exit ${r.status}); tests that need it will fail and say why.`);
    return;
  }
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

export function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('Installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund'], { npm_config_yes: 'true' });
}

export function ensureDocker({ fatal = true } = {}) {
  if (process.platform !== 'linux') return; // elsewhere Docker Desktop is the user's to start; `sandbox doctor` explains
  run('bash', [join(root, 'scripts', 'setup-docker.sh')], {}, fatal);
}

export function build(production = false) {
  run(process.execPath, [join(root, 'esbuild.mjs'), ...(production ? ['--production'] : [])]);
}
