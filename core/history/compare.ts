/** Side-by-side comparison of two runs: the verdicts and checks, every metric, its difference, and which run is better on it. */
import { lastBarOf } from '../engine/equityCurve';
import { tradePerformance } from '../metrics/performance';
import { ALL_METRICS, PERFORMANCE_METRICS, type MetricInfo } from '../report/metricCatalog';
import { betterVerdict, checksHeadline, verdictWord } from '../report/verdictText';
import { formatNumber } from '../report/format';
import type { RunRecord } from './types';

export interface MetricDiff {
  info: MetricInfo<string>;
  a: number | string | null;
  b: number | string | null;
  /** b − a for numbers; null when either side is not a number. */
  delta: number | null;
  /**
   * Which run is better on this metric, by the catalog's direction; null when equal, when neither direction is
   * better, or when the figure is an amount of money and the runs started with different cash.
   */
  better: 'a' | 'b' | null;
  /** Why the figure is not compared, e.g. "different starting cash". */
  notCompared?: string;
}

/** What a legend says about a run: enough to tell two runs of one strategy apart. */
export interface RunDescriptor {
  id: string;
  label: string;
  cash: number;
  /** "commission 0.1 % · fee 0 · slippage 0 bps" */
  costs: string;
  start: string | null;
  end: string | null;
}

/** The two verdicts in words; `better` by the verdict's word only (VERDICT_ORDER), never by a score. */
export interface VerdictDiff {
  a: string;
  b: string;
  better: 'a' | 'b' | null;
  /** Each run's checks in a few words ("all 5 checks passed", "1 of 5 checks failed: integrity"); null when not evaluated. */
  checks: { a: string | null; b: string | null };
}

export interface RunComparison {
  a: RunDescriptor;
  b: RunDescriptor;
  /** The runs started with different cash: money figures are shown but not compared; charts compare returns. */
  cashDiffers: boolean;
  verdict: VerdictDiff;
  /** The 32 statistics, then the performance basics. */
  rows: MetricDiff[];
}

export function compareRuns(a: RunRecord, b: RunRecord): RunComparison {
  const cashDiffers = a.result.run.options.cash !== b.result.run.options.cash;
  const perfA = tradePerformance(a.result.trades, lastBarOf(a.result));
  const perfB = tradePerformance(b.result.trades, lastBarOf(b.result));
  return {
    a: describeRun(a),
    b: describeRun(b),
    cashDiffers,
    verdict: {
      a: verdictWord(a.evaluation),
      b: verdictWord(b.evaluation),
      better: betterVerdict(a.evaluation, b.evaluation),
      checks: { a: a.evaluation ? checksHeadline(a.evaluation.checks) : null, b: b.evaluation ? checksHeadline(b.evaluation.checks) : null },
    },
    rows: [
      ...ALL_METRICS.map((info) => diff(info, a.result.metrics[info.key], b.result.metrics[info.key], cashDiffers)),
      ...PERFORMANCE_METRICS.map((info) => diff(info, perfA[info.key], perfB[info.key], cashDiffers)),
    ],
  };
}

export function describeRun(run: RunRecord): RunDescriptor {
  const o = run.result.run.options;
  return {
    id: run.id,
    label: runLabel(run),
    cash: o.cash,
    costs: `commission ${formatNumber(o.commission * 100, 2)} % · fee ${formatNumber(o.commissionFixed, 2)} · slippage ${formatNumber(o.slippageBps, 1)} bps`,
    start: run.result.metrics.start,
    end: run.result.metrics.end,
  };
}

export function runLabel(run: RunRecord): string {
  return `${run.strategy.name} · ${run.data.symbols.join(', ')} · ${run.createdAt.slice(0, 16).replace('T', ' ')}`;
}

function diff(info: MetricInfo<string>, a: MetricDiff['a'], b: MetricDiff['b'], cashDiffers: boolean): MetricDiff {
  if (info.cash && cashDiffers) return { info, a, b, delta: null, better: null, notCompared: 'different starting cash' };
  const numeric = typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b);
  const delta = numeric ? (b as number) - (a as number) : null;
  let better: MetricDiff['better'] = null;
  if (delta !== null && delta !== 0 && info.direction) {
    better = (delta > 0) === (info.direction === 'higher') ? 'b' : 'a';
  }
  return { info, a, b, delta, better };
}
