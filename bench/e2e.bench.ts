/**
 * The whole CLI path, as a user runs it: `strategy-lab backtest … --sandbox none --trust` as a child process, measured
 * whole-process (CPU user+sys, wall, peak RSS), with each phase's time (STRATEGY_LAB_PHASES, core/cli/phases.ts),
 * against backtesting.py's figures for the same RSI 14 35/65 job on this machine class and a hand-written loop.
 *  - `--version`;
 *  - 20 years of daily GOOG (../shared/data), first run of the file (compiles: loads TypeScript) and re-runs;
 *  - 1,000,000 one-minute bars (a generated 60 MB CSV), re-runs.
 * Prints numbers and ratios; no pass/fail on time.
 *
 * Run: node scripts/bench.mjs e2e
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const BIN = join(root, 'bin', 'strategy-lab.js');
const GOOG = resolve(root, '..', 'shared', 'data', 'GOOG_daily_2004_2013_backtestingpy.csv');
/** backtesting.py 0.6.6 with Debian's python3-pandas, whole process, same job (the reference figures of the team guide). */
const BACKTESTING_PY = { daily20y: 0.67, minute1m: 7.3 };
const RUNS = 5;

interface Sample { cpu: number; wall: number; rssMb: number; phases: Record<string, number> | null }

const work = mkdtempSync(join(tmpdir(), 'sl-bench-e2e-'));
const preload = join(work, 'usage.cjs');
writeFileSync(preload, "process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeFileSync(process.env.SL_USAGE_FILE, JSON.stringify({ cpu: (u.user + u.system) / 1e6, rssMb: process.resourceUsage().maxRSS / 1024 })); });\n");

function runCli(args: string[], cacheDir: string): Sample {
  const usageFile = join(work, 'usage.json');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', preload, BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, SL_USAGE_FILE: usageFile, STRATEGY_LAB_CACHE_DIR: cacheDir, STRATEGY_LAB_PHASES: '1' },
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`strategy-lab ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpu: number; rssMb: number };
  const line = /^STRATEGY_LAB_PHASES (.*)$/m.exec(r.stderr);
  return { ...usage, wall, phases: line ? JSON.parse(line[1]) : null };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function summarise(label: string, samples: Sample[], reference?: number, handLoop?: number): void {
  const cpu = median(samples.map((s) => s.cpu));
  const wall = median(samples.map((s) => s.wall));
  const rss = Math.max(...samples.map((s) => s.rssMb));
  const parts = [`${label.padEnd(44)} CPU ${cpu.toFixed(3)} s  wall ${wall.toFixed(3)} s  peak RSS ${rss.toFixed(0)} MB`];
  if (reference) parts.push(`  = ${(cpu / reference).toFixed(2)}× backtesting.py (${reference} s)`);
  if (handLoop) parts.push(`  = ${(cpu / handLoop).toFixed(0)}× the hand loop (${(handLoop * 1000).toFixed(3)} ms)`);
  console.log(parts.join(''));
  const phases = samples.map((s) => s.phases).filter((p): p is Record<string, number> => !!p);
  if (phases.length) {
    const names = Object.keys(phases[0]);
    console.log(`${''.padEnd(46)}phases (median ms): ${names.map((n) => `${n} ${median(phases.map((p) => p[n] ?? 0)).toFixed(1)}`).join(', ')}`);
  }
}

/** RSI 14 35/65 long-only as a plain loop over closes: what the job costs with nothing around it. */
function handLoop(close: Float64Array): number {
  const t0 = performance.now();
  let gain = 0, loss = 0, inPos = false, trades = 0;
  for (let i = 1; i < close.length; i++) {
    const d = close[i] - close[i - 1];
    const g = d > 0 ? d : 0, l = d < 0 ? -d : 0;
    if (i <= 14) { gain += g / 14; loss += l / 14; continue; }
    gain = (gain * 13 + g) / 14;
    loss = (loss * 13 + l) / 14;
    const rsi = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
    if (!inPos && rsi < 35) { inPos = true; trades++; }
    else if (inPos && rsi > 65) inPos = false;
  }
  if (trades < 0) console.log('never');
  return (performance.now() - t0) / 1000;
}

function closesOf(csv: string): Float64Array {
  const lines = csv.trim().split('\n').slice(1);
  return Float64Array.from(lines, (l) => Number(l.split(',')[4]));
}

/** One-minute bars, a seeded random walk over trading minutes, in the CSV layout of ../shared/data. */
function minuteCsv(rows: number): string {
  let s = 123456789, price = 100;
  const out = ['Date,Open,High,Low,Close,Volume'];
  let t = Date.UTC(2015, 0, 2, 14, 30);
  for (let i = 0; i < rows; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const open = price;
    price = Math.max(1, price * (1 + ((s / 2 ** 32) - 0.5) * 0.002));
    const high = Math.max(open, price) * 1.0003, low = Math.min(open, price) * 0.9997;
    out.push(`${new Date(t).toISOString().slice(0, 16).replace('T', ' ')},${open.toFixed(4)},${high.toFixed(4)},${low.toFixed(4)},${price.toFixed(4)},${1000 + (s % 5000)}`);
    t += 60_000;
    if (new Date(t).getUTCHours() === 21) t += (17 * 60 + 30) * 60_000; // next session at 14:30 UTC
  }
  return `${out.join('\n')}\n`;
}

function main(): void {
  const strategy = join(work, 'rsi.strategy.ts');
  writeFileSync(strategy, readFileSync(join(root, 'examples', 'rsi-reversion.strategy.ts'), 'utf8'));
  const cache = join(work, 'cache');

  summarise('--version', Array.from({ length: RUNS }, () => runCli(['--version'], cache)));

  const daily = ['backtest', strategy, '--data', GOOG, '--symbol', 'GOOG', '--sandbox', 'none', '--trust'];
  const handDaily = median(Array.from({ length: 9 }, () => handLoop(closesOf(readFileSync(GOOG, 'utf8')))));
  const cold = Array.from({ length: 3 }, () => {
    rmSync(cache, { recursive: true, force: true });
    return runCli(daily, cache);
  });
  summarise('20 y daily GOOG, first run (compiles)', cold, BACKTESTING_PY.daily20y, handDaily);
  summarise('20 y daily GOOG, re-run', Array.from({ length: RUNS }, () => runCli(daily, cache)), BACKTESTING_PY.daily20y, handDaily);
  summarise('20 y daily GOOG, re-run --json', Array.from({ length: 3 }, () => runCli([...daily, '--json'], cache)), BACKTESTING_PY.daily20y);

  const minuteFile = join(work, 'minute.csv');
  const text = minuteCsv(1_000_000);
  writeFileSync(minuteFile, text);
  const handMinute = median(Array.from({ length: 5 }, () => handLoop(closesOf(text))));
  const minute = ['backtest', strategy, '--data', minuteFile, '--symbol', 'AAPL', '--sandbox', 'none', '--trust'];
  // The strategy file says timeframe 1d; the bench runs it on minute bars as a throughput job, as backtesting.py's figure does.
  runCli(minute, cache);
  summarise('1 M minute bars, re-run', Array.from({ length: 3 }, () => runCli(minute, cache)), BACKTESTING_PY.minute1m, handMinute);
  rmSync(work, { recursive: true, force: true });
}

main();
