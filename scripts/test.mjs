#!/usr/bin/env node
// The one test command (README, CI): builds, then runs every test/**/*.test.ts
// with node's test runner. Pass folders or files to run a subset.
// Prints "N passed, N failed, N skipped"; exits non-zero on any failure, and in
// CI (CI=true) also on any skipped or todo test: nothing may be skipped there.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDependencies, ensureDocker } from './ensure.mjs';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const targets = args.length ? args : ['test'];

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name === 'fixtures') continue;
      collect(join(path, name), out);
    }
  } else if (/\.test\.(ts|mts|mjs)$/.test(path)) out.push(path);
  return out;
}

const files = targets.flatMap((t) => collect(resolve(root, t), []));
if (files.length === 0) {
  console.error(`No test files found under: ${targets.join(', ')}`);
  process.exit(1);
}

ensureDependencies();
// The sandbox tests need a Docker engine; they fail loudly (never skip) when there is none.
if (process.env.SKIP_DOCKER_SETUP !== '1' && args.length === 0) ensureDocker({ fatal: false });

if (process.env.SKIP_BUILD !== '1') {
  const build = spawnSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/test-summary-reporter.mjs')}`, '--test-reporter-destination=stdout',
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, STRATEGY_LAB_TEST: '1' } },
);
process.exit(result.status ?? 1);
