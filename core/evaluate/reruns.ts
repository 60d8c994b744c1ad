/**
 * Re-runs of the strategy that evaluators need (look-ahead cut points,
 * out-of-sample halves, parameter shifts). Untrusted code: every re-run goes
 * through `runStrategy` in the caller's sandbox mode. A batch runs a bounded
 * number at once (warm sandboxes work in parallel; the in-process mode is
 * synchronous anyway) and keeps the count and wall time for the details.
 */
import { lowerBound, sliceByIndex, type BarSeries } from '../data/series';
import type { BacktestOptions, BacktestResult } from '../engine/types';
import { runStrategy, type SandboxMode } from '../run/runStrategy';
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
  /** Called after each re-run ends (ok or failed), with how many of the batch have ended: for progress text. */
  onRunDone?: (done: number, total: number) => void;
}

export interface RerunJob {
  label: string;
  series: BarSeries[];
  params?: BacktestOptions['params'];
  /** Run options changed for this re-run (e.g. higher commission for the cost stress). */
  options?: Pick<BacktestOptions, 'commission' | 'commissionFixed' | 'slippageBps'>;
}

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
        });
        outcomes[i] = { label: job.label, ok: true, result };
      } catch (err) {
        if (ctx.signal?.aborted) throw err;
        outcomes[i] = { label: job.label, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      ctx.onRunDone?.(++ended, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(ctx.concurrency, jobs.length)) }, worker));
  const failed = outcomes.filter((o) => !o.ok).length;
  return { outcomes, stats: { runs: jobs.length, failed, elapsedMs: Math.round(performance.now() - started), mode: ctx.mode } };
}

/** Every series cut to the bars strictly before `time` (views, no copy). */
export function seriesBefore(series: BarSeries[], time: number): BarSeries[] {
  return series.map((s) => sliceByIndex(s, 0, lowerBound(s.time, time)));
}

/** Every series cut to the bars at or after `time`. */
export function seriesFrom(series: BarSeries[], time: number): BarSeries[] {
  return series.map((s) => sliceByIndex(s, lowerBound(s.time, time), s.length));
}
