// Makes a fresh clone runnable: installs npm dependencies when they are missing
// or older than the lockfile, and (when asked) a running Docker engine through
// scripts/setup-docker.sh. Used by `npm test`, `npm run demo`, `npm run bench` and .ci/run.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * Installs with `npm ci` unless node_modules was installed from this very lockfile. Compared by content, not by file
 * times: a checkout (a clone, a git worktree sharing node_modules) gives the lockfile a new time without changing it,
 * and `npm ci` empties node_modules first — a needless reinstall, and one that wipes an install other checkouts share.
 */
export function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.strategy-lab-lock.sha256');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return;
  // Installed before the stamp existed: npm's own record, as new as the lockfile, still counts.
  const npmRecord = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(stamp) && existsSync(npmRecord) && statSync(npmRecord).mtimeMs >= statSync(lock).mtimeMs) {
    writeFileSync(stamp, `${want}\n`);
    return;
  }
  console.log('Installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund'], { npm_config_yes: 'true' });
  writeFileSync(stamp, `${want}\n`);
}

export function ensureDocker({ fatal = true } = {}) {
  if (process.platform !== 'linux') return; // elsewhere Docker Desktop is the user's to start; `sandbox doctor` explains
  run('bash', [join(root, 'scripts', 'setup-docker.sh')], {}, fatal);
}

export function build(production = false) {
  run(process.execPath, [join(root, 'esbuild.mjs'), ...(production ? ['--production'] : [])]);
}
