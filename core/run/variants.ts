/**
 * Many runs of ONE strategy: parameter sweeps, walk-forward windows and the
 * evaluators' re-runs (cut points, parameter shifts, cost stress). Variants of
 * one strategy are one trust domain, so an engine may run a whole batch in one
 * sandbox isolate (fresh per strategy, never shared between strategies).
 *
 * This file is the contract between the callers (sweeps, walk-forward,
 * evaluators) and the engines that execute a batch (in-process for trusted
 * code and tests, one sandbox run per variant, a batched warm container, a
 * Docker Swarm job). Whatever engine runs a batch, the outcomes are the same
 * numbers: each variant is an independent backtest of the same compiled code.
 */
import type { BarSeries } from '../data/series';
import type { BacktestSummary } from '../engine/backtest';
import type { BacktestOptions, BacktestResult } from '../engine/types';
import type { Metrics } from '../metrics/types';
import type { StrategyParams } from '../sdk/types';
import type { CompiledStrategy } from '../strategy/compile';
import type { SummaryRecord } from '../sweep/score';

/** The run options a variant may change on top of the batch's base options. */
export type VariantOptions = Pick<BacktestOptions, 'commission' | 'commissionFixed' | 'slippageBps'>;

export interface Variant {
  /** Stable within a batch; journals and resume key on it. */
  id: string;
  /** Parameter overrides on top of the base options' params. */
  params?: Partial<StrategyParams>;
  options?: VariantOptions;
  /** Bars used: every series cut to times in [fromTime, toTime) (ms since epoch; either end open). */
  window?: { fromTime?: number; toTime?: number };
}

/**
 * 'full': the whole BacktestResult, one equity point per bar.
 * 'drawable': the whole BacktestResult, but past EQUITY_FULL_MAX bars its `equity` is the drawable subset
 * (core/engine/equityCurve.ts, flagged in `run.equityDecimated`, first and last points exact) and no full columns
 * come with it: the evaluators' re-runs, which compare orders, trades, metrics and the final equity, so a
 * million-bar re-run does not build and keep a million equity points on the host.
 * 'summary': metrics, the equity curve as columns and the trade count (walk-forward's
 * out-of-sample runs, whose equity is stitched).
 * 'record': the sweep's record of the run (core/sweep/score.ts summaryRecord: a few
 * metrics, the moments of the period returns, CSCV block sums), computed where the run
 * ran: a few hundred bytes per variant whatever the data's length, so ten thousand
 * variants do not push their equity curves through the sandbox's output.
 */
export type VariantDetail = 'full' | 'drawable' | 'summary' | 'record';

/** Metrics, the equity curve as columns, the trade count and the params (the engine's `runBacktestSummary`). */
export type VariantSummary = BacktestSummary;

export type VariantOutcome =
  | { id: string; ok: true; result: BacktestResult; summary?: undefined; record?: undefined }
  | { id: string; ok: true; summary: VariantSummary; result?: undefined; record?: undefined }
  | { id: string; ok: true; record: SummaryRecord; result?: undefined; summary?: undefined }
  | { id: string; ok: false; error: string };

export interface VariantBatch {
  compiled: CompiledStrategy;
  series: BarSeries[];
  /** Base run options (no callbacks: they cannot cross into a sandbox). */
  options: Omit<BacktestOptions, 'onLog' | 'isCancelled'>;
  variants: Variant[];
  detail: VariantDetail;
  /** CSCV blocks in each record (detail 'record', sweeps that compute the PBO); none when absent. */
  splits?: number;
  signal?: AbortSignal;
  /** Called once per finished variant, in completion order; `done` counts finished variants. */
  onOutcome?: (outcome: VariantOutcome, done: number, total: number) => void;
}

export interface VariantEngine {
  readonly name: 'in-process' | 'per-run' | 'docker-batch' | 'process-batch' | 'swarm';
  /** Outcomes in the order of `batch.variants`; a failed variant is an outcome, cancellation a throw. */
  run(batch: VariantBatch): Promise<VariantOutcome[]>;
  dispose(): Promise<void>;
}

// Every series cut to a variant's window (views, no copy); in core/data so the sandbox host can cut its own bars.
export { seriesInWindow } from '../data/series';

/** The effective options of one variant. */
export function variantOptions(base: VariantBatch['options'], variant: Pick<Variant, 'params' | 'options'>): VariantBatch['options'] {
  const params = variant.params ? { ...base.params, ...variant.params } : base.params;
  return { ...base, ...variant.options, params };
}

/** A full result reduced to what a sweep keeps. */
export function summarize(result: BacktestResult): VariantSummary {
  const n = result.equity.length;
  const time = new Float64Array(n);
  const equity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = Date.parse(result.equity[i].time);
    equity[i] = result.equity[i].equity;
  }
  return { metrics: result.metrics, time, equity, trades: result.trades.length, params: result.run.params };
}
