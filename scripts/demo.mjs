#!/usr/bin/env node
// `npm run demo`: the main job on embedded defaults, on a fresh machine.
// idea → offline generator → strategy file → validator → backtest in the Docker
// sandbox on the bundled synthetic sample → metrics and evaluator scores.
// Output goes to demo-output/ (gitignored); existing files are never overwritten.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, ensureDependencies, ensureDocker, root } from './ensure.mjs';

const IDEA = process.argv[2] ?? 'Buy AAPL when RSI drops below 35, sell when it rises above 65';
const out = join(root, 'demo-output');

ensureDependencies();
ensureDocker();
build();
mkdirSync(out, { recursive: true });

function cli(args, { allowFail = false } = {}) {
  console.log(`\n$ strategy-lab ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: out, stdio: 'inherit' });
  if (r.status !== 0 && !allowFail) {
    console.error(`\nThe demo stopped: strategy-lab ${args[0]} exited with ${r.status}.`);
    process.exit(r.status ?? 1);
  }
  return r.status;
}

const before = new Set(readdirSync(out));
cli(['generate', IDEA, '--provider', 'offline', '--out', 'strategies/demo.strategy.ts']);
const strategiesDir = join(out, 'strategies');
const created = readdirSync(strategiesDir).filter((f) => !before.has(`strategies/${f}`));
// generate never overwrites: it picks demo-2.strategy.ts, demo-3… when demo.strategy.ts exists; take the newest.
const file = join('strategies', newest(strategiesDir, created));
cli(['validate', file]);
cli(['backtest', file, '--source', 'sample', '--sandbox', 'docker', '--out', 'last-run.json']);
cli(['evaluate', file, '--source', 'sample', '--sandbox', 'docker']);
console.log(`\nDone. Strategy: demo-output/${file}; full result: demo-output/last-run.json`);

function newest(dir, names) {
  const candidates = names.length ? names : readdirSync(dir);
  return candidates.map((n) => ({ n, m: statSync(join(dir, n)).mtimeMs })).sort((a, b) => b.m - a.m)[0].n;
}
