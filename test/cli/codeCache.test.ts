/**
 * The CLI bundle starts from V8's code cache of an earlier run of the same command (core/cli/codeCache.ts): the
 * real binary writes it, reads it, refuses a damaged one, and prints exactly what a run without it prints; a
 * cache folder that cannot be written changes nothing but speed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCacheFile } from '../../core/cli/codeCache';
import { repoRoot, sharedData } from '../helpers/paths';

const BIN = join(repoRoot, 'bin', 'strategy-lab.js');
const CLI = join(repoRoot, 'dist', 'cli.js');
const job = ['backtest', join(repoRoot, 'examples/rsi-reversion.strategy.ts'), '--data', sharedData('GOOG_daily_2004_2013_backtestingpy.csv'), '--symbol', 'GOOG', '--sandbox', 'none', '--trust'];

function run(cacheDir: string, args: string[] = job, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, STRATEGY_LAB_CACHE_DIR: cacheDir, STRATEGY_LAB_PHASES: '1', STRATEGY_LAB_RELAUNCH: '0', ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  const phases = /^STRATEGY_LAB_PHASES (.*)$/m.exec(r.stderr); // commands that run a strategy report their phases
  return { stdout: r.stdout, codeCache: phases ? (JSON.parse(phases[1]).codeCache as string) : 'not reported' };
}

const v8Files = (cacheDir: string): string[] => {
  try {
    return readdirSync(join(cacheDir, 'v8')).sort();
  } catch {
    return [];
  }
};

describe('the CLI bundle and V8\'s code cache', () => {
  test('the first run writes it, the next ones start from it, and every run prints the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-codecache-'));
    const off = run(dir, job, { STRATEGY_LAB_CODE_CACHE: '0' });
    assert.equal(off.codeCache, 'off');
    assert.deepEqual(v8Files(dir), [], 'turned off: nothing written');
    const first = run(dir);
    assert.equal(first.codeCache, 'miss');
    const files = v8Files(dir);
    assert.equal(files.length, 1, files.join(', '));
    assert.match(files[0], /^cli-backtest-[0-9a-f]{8}-[0-9a-f]{8}\.v8$/);
    assert.ok(statSync(join(dir, 'v8', files[0])).size > 10_000, 'the data holds the compiled functions');
    const second = run(dir);
    const third = run(dir);
    assert.deepEqual([second.codeCache, third.codeCache], ['hit', 'hit']);
    for (const r of [first, second, third]) assert.equal(r.stdout, off.stdout);
    assert.match(off.stdout, /Sharpe/, 'the summary was printed');

    // Another command keeps its own file: a --help run's data must not stand in for a backtest's.
    assert.match(run(dir, ['--help']).stdout, /Usage: strategy-lab/);
    assert.deepEqual(v8Files(dir), [...files, files[0].replace('-backtest-', '-other-')].sort());
    assert.equal(run(dir).codeCache, 'hit');
  });

  test('damaged data is refused by V8, the run is the same, and the file is written again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-codecache-'));
    const clean = run(dir);
    const [file] = v8Files(dir);
    const path = join(dir, 'v8', file);
    const bytes = readFileSync(path);
    for (let i = 0; i < bytes.length; i += 97) bytes[i] ^= 0x5a;
    writeFileSync(path, bytes);
    const damaged = run(dir);
    assert.equal(damaged.codeCache, 'rejected');
    assert.equal(damaged.stdout, clean.stdout);
    assert.notDeepEqual(readFileSync(path), bytes, 'rewritten');
    assert.equal(run(dir).codeCache, 'hit');

    writeFileSync(path, 'not V8 data');
    assert.equal(run(dir).codeCache, 'rejected');
    assert.equal(run(dir).codeCache, 'hit');
  });

  test('a cache folder that cannot be written: the run is the same, only without the cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-codecache-'));
    writeFileSync(join(dir, 'v8'), 'a file where the folder would be');
    const reference = run(mkdtempSync(join(tmpdir(), 'sl-codecache-')));
    for (let i = 0; i < 2; i++) {
      const r = run(dir);
      assert.equal(r.codeCache, 'miss');
      assert.equal(r.stdout, reference.stdout);
    }
  });

  test('one file per command and Node flags; a write replaces only the same command and flags of another Node or bundle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-codecache-'));
    const backtest = codeCacheFile(dir, CLI, ['backtest', 'x.ts'], []);
    const relaunched = codeCacheFile(dir, CLI, ['backtest', 'x.ts'], ['--no-concurrent-recompilation']);
    const evaluate = codeCacheFile(dir, CLI, ['evaluate'], []);
    assert.ok(backtest && relaunched && evaluate);
    assert.equal(new Set([backtest, relaunched, evaluate]).size, 3);
    assert.equal(codeCacheFile(dir, CLI, ['../../etc/passwd'], []), codeCacheFile(dir, CLI, ['--help'], []), 'odd first arguments share one name');
    assert.match(codeCacheFile(dir, CLI, ['../../etc/passwd'], [])!, /cli-other-/);
    assert.equal(codeCacheFile(dir, join(dir, 'missing.js'), ['backtest'], []), null);

    // Files of the same command and flags but another key (an older Node or bundle) go when a run writes its own.
    const cacheDir = mkdtempSync(join(tmpdir(), 'sl-codecache-'));
    const real = (() => {
      run(cacheDir);
      return v8Files(cacheDir)[0];
    })();
    const stale = real.replace(/-[0-9a-f]{8}\.v8$/, '-00000000.v8');
    const otherFlags = real.replace(/^cli-backtest-[0-9a-f]{8}-/, 'cli-backtest-ffffffff-');
    mkdirSync(join(cacheDir, 'v8'), { recursive: true });
    writeFileSync(join(cacheDir, 'v8', stale), 'old');
    writeFileSync(join(cacheDir, 'v8', otherFlags), 'the relaunched child\'s');
    writeFileSync(join(cacheDir, 'v8', real), 'damaged, so this run writes');
    assert.equal(run(cacheDir).codeCache, 'rejected');
    assert.deepEqual(v8Files(cacheDir), [otherFlags, real].sort());
  });
});
