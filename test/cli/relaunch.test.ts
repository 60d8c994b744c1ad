/**
 * A run on a large data file re-runs itself once with glibc's huge-page tunable (core/cli/relaunch.ts): the
 * decision, then the real binary: the child has the tunable, the output and exit code are the child's, and
 * signals reach it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataBytes, RELAUNCH_MIN_MB, RELAUNCH_NODE_FLAGS, relaunchNodeFlags, shouldRelaunch, SUMMARY_NODE_FLAGS } from '../../core/cli/relaunch';
import { HUGE_PAGES_TUNABLE } from '../../core/sandbox/hugePages';
import { repoRoot, sharedData } from '../helpers/paths';

const BIN = join(repoRoot, 'bin', 'strategy-lab.js');
const SPY = sharedData('SPY_daily_1998_2021_lean.csv');
const SPY_BYTES = readFileSync(SPY).length;

describe('when the CLI relaunches itself', () => {
  test('dataBytes: the --data file (both spellings), a folder\'s CSV files, nothing for what is missing or after --', () => {
    assert.equal(dataBytes(['backtest', 'x.ts', '--data', SPY]), SPY_BYTES);
    assert.equal(dataBytes(['backtest', 'x.ts', `--data=${SPY}`]), SPY_BYTES);
    const dir = mkdtempSync(join(tmpdir(), 'sl-relaunch-'));
    writeFileSync(join(dir, 'A.csv'), 'x'.repeat(1000));
    writeFileSync(join(dir, 'B.CSV'), 'x'.repeat(500));
    writeFileSync(join(dir, 'notes.txt'), 'x'.repeat(10_000));
    mkdirSync(join(dir, 'sub.csv'));
    assert.equal(dataBytes(['--data', dir]), 1500, 'CSV files of the folder only');
    assert.equal(dataBytes(['--data', join(dir, 'missing.csv')]), 0);
    assert.equal(dataBytes(['backtest', 'x.ts']), 0);
    assert.equal(dataBytes(['--', '--data', SPY]), 0);
  });

  test('shouldRelaunch: Linux, large data, not yet relaunched, and the user has not chosen otherwise', () => {
    const args = ['backtest', 'x.ts', '--data', SPY];
    const small = { STRATEGY_LAB_RELAUNCH_MIN_MB: String(SPY_BYTES / 1024 / 1024 - 0.01) };
    assert.equal(shouldRelaunch(args, small, 'linux'), true);
    assert.equal(shouldRelaunch(args, {}, 'linux'), SPY_BYTES >= RELAUNCH_MIN_MB * 1024 * 1024, 'the default threshold');
    assert.equal(shouldRelaunch(args, { STRATEGY_LAB_RELAUNCH_MIN_MB: String(SPY_BYTES / 1024 / 1024 + 0.01) }, 'linux'), false, 'below the threshold');
    assert.equal(shouldRelaunch(args, small, 'darwin'), false, 'the tunable is glibc\'s');
    assert.equal(shouldRelaunch(args, { ...small, STRATEGY_LAB_RELAUNCHED: '1' }, 'linux'), false, 'never twice');
    assert.equal(shouldRelaunch(args, { ...small, STRATEGY_LAB_RELAUNCH: '0' }, 'linux'), false, 'turned off');
    assert.equal(shouldRelaunch(args, { ...small, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'linux'), false, 'the user\'s own choice');
    assert.equal(shouldRelaunch(args, { ...small, GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux'), true, 'other tunables are kept and added to');
    assert.equal(shouldRelaunch(['backtest', 'x.ts'], small, 'linux'), false, 'no data file');
  });

  test('relaunchNodeFlags: a backtest that prints its summary caps the semi-spaces; one that writes its result, and other commands, do not', () => {
    const data = ['--data', SPY];
    assert.deepEqual(relaunchNodeFlags(['backtest', 'x.ts', ...data]), [...RELAUNCH_NODE_FLAGS, ...SUMMARY_NODE_FLAGS]);
    for (const write of [['--json'], ['--out', 'r.json'], ['--out=r.json']]) {
      assert.deepEqual(relaunchNodeFlags(['backtest', 'x.ts', ...data, ...write]), RELAUNCH_NODE_FLAGS, write.join(' '));
    }
    assert.deepEqual(relaunchNodeFlags(['backtest', 'x.ts', ...data, '--', '--json']), [...RELAUNCH_NODE_FLAGS, ...SUMMARY_NODE_FLAGS], 'after -- is not an option');
    assert.deepEqual(relaunchNodeFlags(['evaluate', 'x.ts', ...data]), RELAUNCH_NODE_FLAGS);
    assert.deepEqual(relaunchNodeFlags(['sweep', 'x.ts', ...data]), RELAUNCH_NODE_FLAGS);
  });
});

/** A preload that records, for every Node process of the CLI, its pid, parent and GLIBC_TUNABLES. */
function processLog(dir: string, extra = ''): { preload: string; log: string } {
  const log = join(dir, 'processes.log');
  const preload = join(dir, 'record.cjs');
  writeFileSync(preload, `require('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, ppid: process.ppid, tunables: process.env.GLIBC_TUNABLES ?? null, execArgv: process.execArgv }) + '\\n');\n${extra}`);
  return { preload, log };
}

function processes(log: string): { pid: number; ppid: number; tunables: string | null; execArgv: string[] }[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the relaunched binary', { skip: process.platform !== 'linux' ? 'the relaunch is Linux-only (the tunable is glibc\'s)' : false }, () => {
  const job = ['backtest', join(repoRoot, 'examples/rsi-reversion.strategy.ts'), '--data', SPY, '--symbol', 'SPY', '--sandbox', 'none', '--trust', '--json'];

  test('the child has the tunable, and prints exactly what an ordinary run prints, with its exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-relaunch-'));
    const { preload, log } = processLog(dir);
    const base = { ...process.env, GLIBC_TUNABLES: '', NODE_OPTIONS: `--require ${preload}`, STRATEGY_LAB_CACHE_DIR: join(dir, 'cache') };
    const relaunched = spawnSync(process.execPath, [BIN, ...job], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...base, STRATEGY_LAB_RELAUNCH_MIN_MB: '0' } });
    assert.equal(relaunched.status, 0, relaunched.stderr);
    const procs = processes(log);
    assert.equal(procs.length, 2, `two Node processes: ${JSON.stringify(procs)}`);
    assert.equal(procs[0].tunables, '', 'the parent runs as started');
    assert.equal(procs[1].ppid, procs[0].pid, 'the child is the parent\'s');
    assert.equal(procs[1].tunables, HUGE_PAGES_TUNABLE);
    assert.deepEqual(procs[0].execArgv, [], 'the parent as started');
    assert.deepEqual(procs[1].execArgv, RELAUNCH_NODE_FLAGS, 'the child with the V8 flags of a large run');

    const plain = spawnSync(process.execPath, [BIN, ...job], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...base, STRATEGY_LAB_RELAUNCH: '0' } });
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(processes(log).length, 3, 'turned off: one process');
    const withoutRunTimes = (s: string) => s.replace(/"(startedAt|finishedAt|durationMs|wallMs)": [^,\n]+/g, '"$1": 0');
    assert.equal(withoutRunTimes(relaunched.stdout), withoutRunTimes(plain.stdout));
    assert.ok(relaunched.stdout.length > 100_000, 'the whole result came through the child\'s stdout');

    const missing = [...job.slice(0, 1), join(dir, 'missing.strategy.ts'), ...job.slice(2)];
    const failedChild = spawnSync(process.execPath, [BIN, ...missing], { encoding: 'utf8', env: { ...base, STRATEGY_LAB_RELAUNCH_MIN_MB: '0' } });
    const failedHere = spawnSync(process.execPath, [BIN, ...missing], { encoding: 'utf8', env: { ...base, STRATEGY_LAB_RELAUNCH: '0' } });
    assert.notEqual(failedHere.status, 0);
    assert.equal(failedChild.status, failedHere.status, 'the child\'s exit code is the command\'s');
    assert.equal(failedChild.stderr, failedHere.stderr);

    // A summary (no --json): the child also caps the semi-spaces, and prints what a run here prints.
    const summaryJob = job.filter((a) => a !== '--json');
    const summary = spawnSync(process.execPath, [BIN, ...summaryJob], { encoding: 'utf8', env: { ...base, STRATEGY_LAB_RELAUNCH_MIN_MB: '0' } });
    assert.equal(summary.status, 0, summary.stderr);
    assert.deepEqual(processes(log).at(-1)!.execArgv, [...RELAUNCH_NODE_FLAGS, ...SUMMARY_NODE_FLAGS]);
    const summaryHere = spawnSync(process.execPath, [BIN, ...summaryJob], { encoding: 'utf8', env: { ...base, STRATEGY_LAB_RELAUNCH: '0' } });
    assert.equal(summary.stdout, summaryHere.stdout);
    assert.match(summary.stdout, /Sharpe/);
  });

  test('Ctrl-C is left to the child (the parent ignores it); SIGTERM to the parent ends the child, and the parent by the same signal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-relaunch-'));
    // The child blocks in its preload: a run that is still going when the signals come.
    const { preload, log } = processLog(dir, `if (process.env.STRATEGY_LAB_RELAUNCHED) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000);\n`);
    const parent = spawn(process.execPath, [BIN, ...job], { stdio: 'ignore', env: { ...process.env, GLIBC_TUNABLES: '', NODE_OPTIONS: `--require ${preload}`, STRATEGY_LAB_RELAUNCH_MIN_MB: '0' } });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => parent.once('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 20_000;
    while (processes(log).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const procs = processes(log);
    assert.equal(procs.length, 2, 'the child started');
    const childPid = procs[1].pid;
    try {
      parent.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(alive(parent.pid!) && alive(childPid), 'a SIGINT to the parent alone ends neither');
      parent.kill('SIGTERM');
      const { signal } = await exited;
      assert.equal(signal, 'SIGTERM', 'the parent ends as the child did');
      const gone = Date.now() + 5_000;
      while (alive(childPid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 20));
      assert.equal(alive(childPid), false, 'the child is gone');
    } finally {
      if (alive(childPid)) process.kill(childPid, 'SIGKILL');
      if (alive(parent.pid!)) parent.kill('SIGKILL');
    }
  });
});
