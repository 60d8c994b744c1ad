/**
 * Batches of variants of one strategy (issue 18 "Performance", issue 15 targets 3 and 5):
 *   1. 10,000 variants of the RSI example on 20 years of SPY daily bars: Docker batches vs in-process
 *      (targets: ≤ 60 s, ≤ 1.3× in-process);
 *   2. a warm job's fixed overhead over in-process (target ≤ 15 ms);
 *   3. a 1,000,000-bar job in a warm container vs in-process (target ≤ 1.2×);
 *   4. `evaluate` of 20 years of daily bars with the Docker sandbox on a warm pool (target ≤ 3 s).
 *   5. Swarm: a batch's fixed overhead as a replicated-job task on the single-node test swarm
 *      (scripts/setup-swarm.sh), and the throughput model for 10 and 100 nodes (docs/performance.md).
 * `npm run bench -- batch`; BATCH_VARIANTS=N changes the variant count of part 1; BATCH_PARTS=2,5 runs only
 * those parts; STRATEGY_LAB_SWARM_HOST names the swarm manager (default: the test swarm's socket).
 */
import { availableParallelism, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCsv } from '../core/data/csv';
import { createSeries, sliceSeries, type BarSeries } from '../core/data/series';
import { evaluateStrategy } from '../core/evaluate/pipeline';
import { sandboxBatchEngine } from '../core/run/batchEngine';
import { inProcessEngine } from '../core/run/variantEngines';
import { overviewOfRun, runInThisProcess, runStrategy } from '../core/run/runStrategy';
import type { Variant } from '../core/run/variants';
import { SandboxRunner } from '../core/sandbox/runner';
import { buildRuntimeBundle } from '../core/sandbox/runtime-bundle';
import { compileStrategy } from '../core/strategy/compile';
import { swarmEngine } from '../core/run/swarmEngine';
import { DEFAULT_SPLITS } from '../core/sweep/pbo';
import { existsSync } from 'node:fs';

const PARTS = new Set((process.env.BATCH_PARTS ?? '1,2,3,4,5').split(',').map(Number));
const SWARM_HOST = process.env.STRATEGY_LAB_SWARM_HOST ?? 'unix:///run/strategy-lab-swarm/docker.sock';

const root = resolve(__dirname, '..');
const shared = resolve(root, '..', 'shared', 'data');
const source = readFileSync(resolve(root, 'examples', 'rsi-reversion.strategy.ts'), 'utf8');

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');

/** The grid a sweep would send: period × buyBelow × sellAbove, cycled to `n` variants. */
export function rsiGrid(n: number): Variant[] {
  const out: Variant[] = [];
  for (let i = 0; out.length < n; i++) {
    const period = 5 + (i % 25);
    const buyBelow = 20 + (Math.floor(i / 25) % 20);
    const sellAbove = 55 + (Math.floor(i / 500) % 30);
    out.push({ id: `v${i}`, params: { period, buyBelow, sellAbove } });
  }
  return out;
}

/** One-minute bars over trading sessions, a seeded random walk (the generator of bench/e2e.bench.ts, as columns). */
function minuteBars(n: number): BarSeries {
  const b = createSeries('AAPL', n);
  let seed = 123456789;
  let price = 100;
  let t = Date.UTC(2015, 0, 2, 14, 30);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const open = price;
    price = Math.max(1, price * (1 + (seed / 2 ** 32 - 0.5) * 0.002));
    b.time[i] = t;
    b.open[i] = open;
    b.high[i] = Math.max(open, price) * 1.0003;
    b.low[i] = Math.min(open, price) * 0.9997;
    b.close[i] = price;
    b.volume[i] = 1000 + (seed % 5000);
    t += 60_000;
    if (new Date(t).getUTCHours() === 21) t += (17 * 60 + 30) * 60_000; // next session at 14:30 UTC
  }
  return b;
}

async function main(): Promise<void> {
  console.log(`batch bench — ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await buildRuntimeBundle(root, undefined, true);
  const spyAll = await loadCsv(resolve(shared, 'SPY_daily_1998_2021_lean.csv'), { symbol: 'AAPL' });
  const spy = sliceSeries(spyAll, Date.UTC(2001, 0, 1), spyAll.time[spyAll.length - 1] + 1);
  const compiled = await compileStrategy(source, 'rsi-reversion.strategy.ts');
  const runner = new SandboxRunner({ mode: 'docker', poolSize: 2 });
  await runner.warm();
  try {
    let t: number;
    // 1. Many variants.
    if (PARTS.has(1)) {
    const n = Number(process.env.BATCH_VARIANTS ?? 10_000);
    const variants = rsiGrid(n);
    // What `strategy-lab optimize` asks of its engine: each variant's record with the PBO's blocks (core/sweep/sweep.ts).
    const batch = { compiled, series: [spy], options: {}, variants, detail: 'record' as const, splits: DEFAULT_SPLITS };
    t = performance.now();
    const inProc = await inProcessEngine().run(batch);
    const inProcMs = performance.now() - t;
    await runner.warm();
    const engine = sandboxBatchEngine({ mode: 'docker', runner, concurrency: availableParallelism() });
    t = performance.now();
    const docker = await engine.run(batch);
    const dockerMs = performance.now() - t;
    const same = docker.every((o, i) => o.ok && inProc[i].ok && JSON.stringify(o.record) === JSON.stringify(inProc[i].record));
    console.log(`\n1. ${n} RSI variants × ${spy.length} daily bars (${(n * spy.length / 1e6).toFixed(1)} M bar-runs)`);
    console.log(`   in-process (1 thread)      ${fmt(inProcMs)}  (${fmt(inProcMs / n)} per variant)`);
    console.log(`   Docker batches (${availableParallelism()} cores)  ${fmt(dockerMs)}  ${ratio(dockerMs, inProcMs)} in-process   ≤ 60 s: ${verdict(dockerMs <= 60_000)}; ≤ 1.3×: ${verdict(dockerMs <= 1.3 * inProcMs)}; numbers identical: ${same}`);
    }

    // 2. A warm job's fixed overhead: one short variant (60 bars) in a warm container vs in-process.
    if (PARTS.has(2)) {
    const short = sliceSeries(spy, spy.time[spy.length - 60], spy.time[spy.length - 1] + 1);
    const one = { compiled, series: [short], options: {}, variants: [{ id: 'one' }], detail: 'full' as const };
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 7; i++) {
      await runner.warm();
      await new Promise((r) => setTimeout(r, 300));
      t = performance.now();
      await sandboxBatchEngine({ mode: 'docker', runner }).run(one);
      xs.push(performance.now() - t);
      t = performance.now();
      await inProcessEngine().run(one);
      ys.push(performance.now() - t);
    }
    const overhead = median(xs) - median(ys);
    console.log(`\n2. warm job fixed overhead (60 bars, one variant): Docker ${fmt(median(xs))}, in-process ${fmt(median(ys))}: +${fmt(overhead)}   ≤ 15 ms: ${verdict(overhead <= 15)}`);
    }

    // 3. One 1,000,000-bar job, the same work on both sides: the summary a sweep takes, the backtest
    // `strategy-lab backtest --json/--out` runs (metrics, trades, orders, a drawable equity curve and its full
    // columns), and the overview its text summary runs.
    if (PARTS.has(3)) {
    const big = [minuteBars(1_000_000)];
    const bigBatch = { compiled, series: big, options: {}, variants: [{ id: 'big' }], detail: 'summary' as const };
    const jobs: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      ['summary', () => inProcessEngine().run(bigBatch), () => sandboxBatchEngine({ mode: 'docker', runner }).run(bigBatch)],
      ['backtest (drawable equity + full columns)',
        async () => runInThisProcess({ compiled, series: big, options: {}, equity: 'drawable' }),
        () => runStrategy({ compiled, series: big, options: {}, mode: 'docker', runner, equity: 'drawable' })],
      // `strategy-lab backtest` without --json/--out: the run stops at its metrics on both sides.
      ['text summary (overview)',
        () => overviewOfRun({ compiled, series: big, options: {}, mode: 'none' }),
        () => overviewOfRun({ compiled, series: big, options: {}, mode: 'docker', runner })],
    ];
    for (const [what, local, boxed] of jobs) {
      const bx: number[] = [];
      const by: number[] = [];
      for (let i = 0; i < 5; i++) {
        t = performance.now();
        await local();
        by.push(performance.now() - t);
        await runner.warm();
        t = performance.now();
        const out = await boxed();
        bx.push(performance.now() - t);
        if (Array.isArray(out) && !out[0].ok) throw new Error(`1 M-bar ${what} failed: ${out[0].error}`);
      }
      console.log(`\n3. 1,000,000-bar job, ${what}: Docker (warm) ${fmt(median(bx))}, in-process ${fmt(median(by))}: ${ratio(median(bx), median(by))}   ≤ 1.2×: ${verdict(median(bx) <= 1.2 * median(by))}`);
    }
    }

    // 4. evaluate, 20 years of daily bars (GOOG 2004–2013 as issue 15 measured, and SPY 2001–2021), Docker, warm pool.
    if (PARTS.has(4)) {
    const goog = await loadCsv(resolve(shared, 'GOOG_daily_2004_2013_backtestingpy.csv'), { symbol: 'AAPL' });
    for (const [name, series] of [['GOOG daily (2,148 bars)', goog], [`SPY daily 2001–2021 (${spy.length} bars)`, spy]] as const) {
      const times: number[] = [];
      let reruns = 0;
      for (let i = 0; i < 3; i++) {
        await runner.warm();
        await new Promise((r) => setTimeout(r, 300));
        t = performance.now();
        const report = await evaluateStrategy({ source, fileName: 'rsi-reversion.strategy.ts', series: [series], mode: 'docker', runner });
        times.push(performance.now() - t);
        reruns = report.evaluators.reduce((k, e) => Math.max(k, Number((e.details as { runs?: number } | undefined)?.runs ?? 0)), 0);
      }
      console.log(`\n4. evaluate ${name}, Docker, warm pool: ${fmt(median(times))} (runs ${times.map(fmt).join(', ')}; re-runs batched)   ≤ 3 s: ${verdict(median(times) <= 3000)}${reruns ? '' : ''}`);
    }
    }

    if (PARTS.has(5)) await swarmPart(compiled, spy);
  } finally {
    await runner.dispose();
  }
}

/**
 * Swarm: the fixed cost of one batch as a task (configs, service, scheduling, container start, log follow,
 * removal) = a one-variant batch's wall minus its in-process time; then a 200-variant batch in one task.
 */
async function swarmPart(compiled: Awaited<ReturnType<typeof compileStrategy>>, spy: BarSeries): Promise<void> {
  if (!SWARM_HOST.startsWith('unix://') || !existsSync(SWARM_HOST.slice('unix://'.length))) {
    console.log(`\n5. swarm: no manager at ${SWARM_HOST} (run scripts/setup-swarm.sh): skipped`);
    return;
  }
  const engine = swarmEngine({ dockerHost: SWARM_HOST, concurrency: 1, barRunsPerSandbox: Number.MAX_SAFE_INTEGER });
  const one = { compiled, series: [spy], options: {}, variants: [{ id: 'one' }], detail: 'record' as const, splits: DEFAULT_SPLITS };
  // A timing of runs that failed (no swarm behind the socket, image missing) would be no timing at all.
  const checked = async (b: typeof one) => {
    const outcomes = await engine.run(b);
    const failed = outcomes.find((o) => !o.ok);
    if (failed) throw new Error(`swarm bench: variant ${failed.id} failed: ${(failed as { error: string }).error}`);
  };
  await checked(one); // image copy and network, once
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await checked(one);
    xs.push(performance.now() - t);
  }
  let t = performance.now();
  await inProcessEngine().run(one);
  const local = performance.now() - t;
  const overhead = median(xs) - local;
  const many = { ...one, variants: rsiGrid(200) };
  t = performance.now();
  await checked(many);
  const manyMs = performance.now() - t;
  t = performance.now();
  await inProcessEngine().run(many);
  const manyLocal = performance.now() - t;
  console.log(`\n5. swarm (single node, ${SWARM_HOST}): one-variant batch ${fmt(median(xs))} (runs ${xs.map(fmt).join(', ')}); per-batch overhead ≈ ${fmt(overhead)}`);
  console.log(`   200 variants in one task: ${fmt(manyMs)} vs in-process ${fmt(manyLocal)} (${ratio(manyMs, manyLocal)})`);
  // Throughput model: N nodes × c cores each run batches of B variants; a batch costs overhead + B × v (v: one variant).
  const v = manyLocal / 200;
  for (const nodes of [1, 10, 100]) {
    const cores = nodes * 2;
    const perCore = Math.ceil(10_000 / cores);
    const est = overhead + perCore * v;
    console.log(`   estimate, 10,000 variants on ${nodes} node(s) × 2 cores (one task per core): ${fmt(est)}  (${fmt(overhead)} + ${perCore} × ${fmt(v)})`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
