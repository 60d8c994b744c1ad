import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sharedData } from '../helpers/paths';

const BIN = join(repoRoot, 'bin', 'strategy-lab.js');

/** Runs the bundled CLI with a preload that reports on stderr every heavy package it loads (a package.json alone is cheap). */
function run(args: string[], cacheDir: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sl-loads-'));
  const preload = join(dir, 'loads.cjs');
  writeFileSync(preload, "const M = require('module'); const load = M._load; M._load = function (req, ...rest) { if (/^(typescript|esbuild|dockerode|openai|yahoo-finance2)(\\/(?!package\\.json$)|$)/.test(req)) process.stderr.write(`LOADED ${req}\\n`); return load.call(this, req, ...rest); };\n");
  const r = spawnSync(process.execPath, ['--require', preload, BIN, ...args], { encoding: 'utf8', env: { ...process.env, STRATEGY_LAB_CACHE_DIR: cacheDir }, maxBuffer: 64 << 20 });
  const loaded = [...r.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/^LOADED .*\n/gm, ''), loaded };
}

test('a run never loads the TypeScript compiler for a plain strategy (esbuild compiles it once), and a re-run gives the same result', () => {
  const cache = mkdtempSync(join(tmpdir(), 'sl-cc-'));
  const args = ['backtest', join(repoRoot, 'examples/rsi-reversion.strategy.ts'), '--data', sharedData('GOOG_daily_2004_2013_backtestingpy.csv'), '--symbol', 'GOOG', '--sandbox', 'none', '--trust', '--json'];
  const first = run(args, cache);
  assert.equal(first.status, 0, first.stderr);
  assert.deepEqual(first.loaded, ['esbuild'], 'the first run compiles with esbuild, without TypeScript');
  assert.equal(readdirSync(join(cache, 'compiled')).filter((f) => f.endsWith('.json')).length, 1);
  const second = run(args, cache);
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(second.loaded, [], 'a cached run loads none of the heavy packages (no compiler, no Docker client)');
  assert.equal(second.stdout, first.stdout);
});

test('a damaged cache entry is a miss: the run compiles again and repairs it; an edit is a new entry', () => {
  const cache = mkdtempSync(join(tmpdir(), 'sl-cc-'));
  const dir = mkdtempSync(join(tmpdir(), 'sl-cc-src-'));
  const file = join(dir, 'one.strategy.ts');
  const source = "import { BaseStrategy, type Bar } from 'strategy-lab';\nexport default class One extends BaseStrategy {\n  static config = { symbols: ['SPY'], timeframe: '1d' };\n  onBar(bar: Bar) { if (!this.position(bar.symbol)) this.buy(bar.symbol); }\n}\n";
  writeFileSync(file, source);
  const args = ['backtest', file, '--data', sharedData('SPY_daily_1998_2021_lean.csv'), '--sandbox', 'none', '--trust', '--json'];
  const first = run(args, cache);
  assert.equal(first.status, 0, first.stderr);
  const [entry] = readdirSync(join(cache, 'compiled'));
  writeFileSync(join(cache, 'compiled', entry), '{"info": {"className": "Evil"}, "js": 12');
  const second = run(args, cache);
  assert.equal(second.status, 0, second.stderr);
  assert.ok(second.loaded.includes('esbuild'), 'the damaged entry was not used');
  assert.equal(second.stdout, first.stdout);
  assert.ok(run(args, cache).loaded.length === 0, 'the entry was rewritten');
  writeFileSync(file, source.replace('class One', 'class Two'));
  const edited = run(args, cache);
  assert.ok(edited.loaded.includes('esbuild'), 'an edited file is compiled again');
  assert.match(edited.stdout, /"strategy": "Two"|Two/);
});

test('a syntax error is reported the same from the cache, with its line', () => {
  const cache = mkdtempSync(join(tmpdir(), 'sl-cc-'));
  const dir = mkdtempSync(join(tmpdir(), 'sl-cc-src-'));
  const file = join(dir, 'broken.strategy.ts');
  writeFileSync(file, "import { BaseStrategy } from 'strategy-lab';\nexport default class Broken extends BaseStrategy {\n  static config = { symbols: ['SPY'], timeframe: '1d' };\n  onBar( { if (\n}\n");
  const args = ['backtest', file, '--data', sharedData('SPY_daily_1998_2021_lean.csv'), '--sandbox', 'none', '--trust'];
  const first = run(args, cache);
  const second = run(args, cache);
  assert.equal(first.status, 1);
  assert.match(first.stderr, /broken\.strategy\.ts:\d+:\d+: .*Fix the syntax error/);
  assert.ok(first.loaded.includes('typescript'), 'a syntax error is worded by TypeScript');
  assert.equal(second.status, 1);
  assert.equal(second.stderr, first.stderr);
  assert.deepEqual(second.loaded, []);
});

test('a strategy the fast reader is not sure of is read and compiled by TypeScript, with the same result', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-cc-src-'));
  const plain = "import { BaseStrategy, type Bar } from 'strategy-lab';\nexport default class One extends BaseStrategy {\n  static config = { symbols: ['SPY'], timeframe: '1d' };\n  onBar(bar: Bar) { if (!this.position(bar.symbol)) this.buy(bar.symbol); }\n}\n";
  const unusual = plain.replace("['SPY']", "['S\\x50Y']"); // 'SPY' with an escape
  const results = [plain, unusual].map((source, i) => {
    const file = join(dir, `s${i}.strategy.ts`);
    writeFileSync(file, source);
    return run(['backtest', file, '--data', sharedData('SPY_daily_1998_2021_lean.csv'), '--sandbox', 'none', '--trust', '--json'], mkdtempSync(join(tmpdir(), 'sl-cc-')));
  });
  for (const r of results) assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(results[0].loaded, ['esbuild']);
  assert.ok(results[1].loaded.includes('typescript'), 'an escape in a string is beyond the fast reader');
  const metrics = results.map((r) => (JSON.parse(r.stdout) as { metrics: unknown }).metrics);
  assert.deepEqual(metrics[1], metrics[0]);
});

test('--version and --help load no package at all', () => {
  const cache = mkdtempSync(join(tmpdir(), 'sl-cc-'));
  for (const flag of ['--version', '--help']) {
    const r = run([flag], cache);
    assert.equal(r.status, 0);
    assert.deepEqual(r.loaded, [], flag);
  }
});
