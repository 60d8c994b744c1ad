/**
 * Re-runs of the strategy that evaluators need (look-ahead cut points,
 * out-of-sample halves, parameter shifts). Untrusted code: re-runs of one
 * strategy are one trust domain, so they go through the VariantEngine that
 * variantEngineFor picks for the caller's sandbox mode — in Docker or process
 * mode ONE batched sandbox job (the bars sent once, a fresh isolate for this
 * strategy, each re-run evaluated afresh; core/run/batchEngine.ts) — when every
 * job is a window of the evaluated series. Other jobs run one sandbox run each.
 * Keeps the count and wall time for the details.
 */
import { lowerBound, sliceByIndex, type BarSeries } from '../data/series';
import { withoutFullColumns } from '../engine/equityCurve';
import type { BacktestOptions, BacktestResult } from '../engine/types';
import { variantEngineFor } from '../run/engineFor';
import { runStrategy, type SandboxMode } from '../run/runStrategy';
import type { Variant } from '../run/variants';
import type { SandboxRunner } from '../sandbox/runner';
import type { CompiledStrategy } from '../strategy/compile';

export interface RerunContext {
  compiled: CompiledStrategy;
  mode: SandboxMode;
  /** The caller's long-lived runner (warm pool), if it keeps one. */
  runner?: SandboxRunner;
  /** The options of the original run (cash, commission, …); re-runs add their own params on top. */
  options: BacktestOptions;
  signal?: AbortSignal;
  /** Re-runs in flight at once. */
  concurrency: number;
  /** The evaluated bars: jobs that run on them (`series` is this array) or on a `window` of them run as one batch. */
  series?: BarSeries[];
  /** Called after each re-run ends (ok or failed), with how many of the batch have ended: for progress text. */
  onRunDone?: (done: number, total: number) => void;
}

export interface RerunJob {
  label: string;
  series: BarSeries[];
  params?: BacktestOptions['params'];
  /** Run options changed for this re-run (e.g. higher commission for the cost stress). */
  options?: Pick<BacktestOptions, 'commission' | 'commissionFixed' | 'slippageBps'>;
  /** `series` as a window of the context's series (what seriesBefore/seriesFrom cut), so the job can join a batch. */
  window?: Variant['window'];
}

/**
 * A re-run's result is drawable (VariantDetail 'drawable'): past EQUITY_FULL_MAX bars its `equity` keeps the drawn
 * points only (first and last exact; `run.bars` counts every bar). Compare orders, trades, metrics, final equity.
 */
export type RerunOutcome = { label: string; ok: true; result: BacktestResult } | { label: string; ok: false; error: string };

export interface RerunStats {
  runs: number;
  failed: number;
  elapsedMs: number;
  mode: SandboxMode;
}

/** Runs every job (bounded concurrency, input order kept); a failed re-run is an outcome, not a throw. */
export async function runBatch(ctx: RerunContext, jobs: RerunJob[]): Promise<{ outcomes: RerunOutcome[]; stats: RerunStats }> {
  const started = performance.now();
  const base = ctx.series;
  const outcomes = base && jobs.every((j) => j.window || j.series === base) ? await runAsVariants(ctx, base, jobs) : await runEach(ctx, jobs);
  const failed = outcomes.filter((o) => !o.ok).length;
  return { outcomes, stats: { runs: jobs.length, failed, elapsedMs: Math.round(performance.now() - started), mode: ctx.mode } };
}

/** Every job as a variant of one batch (windows of `base`), through the engine every batch of variants uses. */
async function runAsVariants(ctx: RerunContext, base: BarSeries[], jobs: RerunJob[]): Promise<RerunOutcome[]> {
  const engine = variantEngineFor({ engine: 'local', mode: ctx.mode, runner: ctx.runner, concurrency: ctx.concurrency });
  const { onLog: _l, isCancelled: _c, ...options } = ctx.options;
  try {
    const variants: Variant[] = jobs.map((j, i) => ({ id: String(i), params: j.params, options: j.options, window: j.window }));
    const outcomes = await engine.run({ compiled: ctx.compiled, series: base, options, variants, detail: 'drawable', signal: ctx.signal, onOutcome: (_o, done, total) => ctx.onRunDone?.(done, total) });
    return outcomes.map((o, i) => (o.ok ? { label: jobs[i].label, ok: true, result: o.result! } : { label: jobs[i].label, ok: false, error: o.error }));
  } finally {
    await engine.dispose();
  }
}

/** One sandbox run per job (jobs on bars that are not a window of the evaluated series). */
async function runEach(ctx: RerunContext, jobs: RerunJob[]): Promise<RerunOutcome[]> {
  const outcomes: RerunOutcome[] = new Array(jobs.length);
  let next = 0;
  let ended = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i];
      ctx.signal?.throwIfAborted();
      try {
        const params = job.params ? { ...ctx.options.params, ...job.params } : ctx.options.params;
        const result = await runStrategy({
          compiled: ctx.compiled,
          series: job.series,
          options: { ...ctx.options, ...job.options, params, onLog: undefined },
          mode: ctx.mode,
          runner: ctx.runner,
          signal: ctx.signal,
          onLog: () => {},
          equity: 'drawable',
        });
        outcomes[i] = { label: job.label, ok: true, result: withoutFullColumns(result) };
      } catch (err) {
        if (ctx.signal?.aborted) throw err;
        outcomes[i] = { label: job.label, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      ctx.onRunDone?.(++ended, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(ctx.concurrency, jobs.length)) }, worker));
  return outcomes;
}

/** Every series cut to the bars strictly before `time` (views, no copy). */
export function seriesBefore(series: BarSeries[], time: number): BarSeries[] {
  return series.map((s) => sliceByIndex(s, 0, lowerBound(s.time, time)));
}

/** Every series cut to the bars at or after `time`. */
export function seriesFrom(series: BarSeries[], time: number): BarSeries[] {
  return series.map((s) => sliceByIndex(s, lowerBound(s.time, time), s.length));
}
