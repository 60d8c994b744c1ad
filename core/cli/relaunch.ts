/**
 * A CLI run on a large data file re-runs itself once in a Node process with transparent huge pages
 * (core/sandbox/hugePages.ts). glibc reads its tunables only when a process starts, so the process that parses
 * the arguments cannot switch them on for itself; a second Node start (~0.1 s of CPU here) is cheaper than the
 * page faults it saves from ~32 MB of CSV on (docs/performance.md, "Fresh memory and huge pages").
 *
 * Loaded by bin/strategy-lab.js before the CLI bundle (dist/launch.js: node built-ins only), so a run that
 * relaunches pays for one bundle load, in the child.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { namesHugePages, tunablesWithHugePages } from '../sandbox/hugePages';

/** From this much CSV on, a relaunch saves more than it costs (measured: docs/performance.md). */
export const RELAUNCH_MIN_MB = 32;

/** Set in the relaunched child: it never relaunches again. */
const RELAUNCHED = 'STRATEGY_LAB_RELAUNCHED';

/** Bytes of the `--data` argument (a CSV file, or a folder of them), or 0 when there is none or it cannot be read. */
export function dataBytes(argv: readonly string[]): number {
  let path: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') break;
    if (argv[i] === '--data') path = argv[i + 1];
    else if (argv[i].startsWith('--data=')) path = argv[i].slice('--data='.length);
  }
  if (!path) return 0;
  try {
    const s = statSync(path);
    if (s.isFile()) return s.size;
    if (!s.isDirectory()) return 0;
    let total = 0;
    for (const name of readdirSync(path)) {
      if (!name.toLowerCase().endsWith('.csv')) continue;
      try {
        const f = statSync(join(path, name));
        if (f.isFile()) total += f.size;
      } catch {
        // A file that went away is the run's to report.
      }
    }
    return total;
  } catch {
    return 0; // a missing file is reported by the command itself, with its usual message
  }
}

/**
 * Whether this run should re-run itself with huge pages: Linux (the tunable is glibc's), not already relaunched,
 * the user has not chosen `glibc.malloc.hugetlb` or turned the relaunch off (`STRATEGY_LAB_RELAUNCH=0`), and the
 * data is at least `STRATEGY_LAB_RELAUNCH_MIN_MB` (default RELAUNCH_MIN_MB) megabytes.
 */
export function shouldRelaunch(argv: readonly string[], env: NodeJS.ProcessEnv, platform: string = process.platform): boolean {
  if (platform !== 'linux' || env[RELAUNCHED] || env.STRATEGY_LAB_RELAUNCH === '0') return false;
  if (namesHugePages(env.GLIBC_TUNABLES)) return false;
  const minMb = Number(env.STRATEGY_LAB_RELAUNCH_MIN_MB ?? RELAUNCH_MIN_MB);
  const bytes = dataBytes(argv);
  return bytes > 0 && bytes >= (Number.isFinite(minMb) ? minMb : RELAUNCH_MIN_MB) * 1024 * 1024;
}

/**
 * V8 flags of the relaunched child. A large run's loops (the bar loop, each metric over every bar) run once each:
 * with the optimizing compiler on a background thread, the main thread keeps running the loop unoptimized while
 * it compiles, and on two cores the two compete. Compiling on the main thread measured 0.88 → 0.76 s of CPU on a
 * 1 M-bar re-run and 2.3–2.6 → 1.9–2.1 s on 5 M, wall time the same or shorter (docs/performance.md).
 */
export const RELAUNCH_NODE_FLAGS = ['--no-concurrent-recompilation'];

/**
 * A `backtest` that prints its summary (no `--json`, no `--out`) also caps V8's semi-spaces (the two halves of
 * the young generation; 16 MB by default) at 4 MB: such a run keeps almost nothing (core/engine/backtest.ts
 * `runBacktestOverview`) and its garbage is per bar and dies young, so a small young generation stays in pages
 * already mapped instead of growing into fresh ones (~4 ms of CPU per MB here, docs/performance.md "Fresh memory
 * and huge pages"). A run that writes the whole result keeps each ~1 MB
 * piece of its JSON alive across collections: at 4 MB those are promoted and left to mark-compact (1 M bars
 * `--out`: 2.2 → 3.9 s of CPU), so it keeps V8's default, as does every other command (not measured).
 */
export const SUMMARY_NODE_FLAGS = ['--max-semi-space-size=4'];

/** The relaunched child's V8 flags for this command line. */
export function relaunchNodeFlags(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const args = end < 0 ? argv : argv.slice(0, end);
  const writesResult = args.some((a) => a === '--json' || a === '--out' || a.startsWith('--out=') || a.startsWith('--json='));
  return args[0] === 'backtest' && !writesResult ? [...RELAUNCH_NODE_FLAGS, ...SUMMARY_NODE_FLAGS] : RELAUNCH_NODE_FLAGS;
}

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

/**
 * Runs the CLI: in a relaunched child when shouldRelaunch says so, else (or when the child cannot be started)
 * here, through `runHere`. The parent only waits: it exits with the child's code, or by the child's signal.
 * Ctrl-C reaches the child from the terminal (same process group), which cancels as usual, so the parent
 * ignores SIGINT; SIGTERM and SIGHUP sent to the parent alone are passed on.
 */
export function runRelaunchedIfLarge(argv: readonly string[], script: string, runHere: () => void): void {
  if (!shouldRelaunch(argv, process.env)) {
    runHere();
    return;
  }
  const env = { ...process.env, GLIBC_TUNABLES: tunablesWithHugePages(process.env.GLIBC_TUNABLES), [RELAUNCHED]: '1' };
  // The parent's Node flags carry over, except an inspector's (its port is the parent's).
  const inherited = process.execArgv.filter((f) => !/^--(inspect|debug)/.test(f));
  const child = spawn(process.execPath, [...inherited, ...relaunchNodeFlags(argv), script, ...argv], { stdio: 'inherit', env });
  const ignoreInterrupt = (): void => {};
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', ignoreInterrupt);
  for (const s of FORWARDED) process.on(s, forward);
  const release = (): void => {
    process.off('SIGINT', ignoreInterrupt);
    for (const s of FORWARDED) process.off(s, forward);
  };
  child.once('error', () => {
    if (child.pid !== undefined) return; // started: its exit ends this process
    // Not started (no such executable, no processes left): run here, without huge pages.
    release();
    runHere();
  });
  child.once('exit', (code, signal) => {
    release();
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
