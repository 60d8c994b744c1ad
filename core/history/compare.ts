/** Side-by-side comparison of two runs: the verdicts and checks, every metric, its difference, and which run is better on it. */
import type { Metrics } from '../metrics/types';
import { ALL_METRICS, type MetricInfo } from '../report/metricCatalog';
import { betterVerdict, checksHeadline, verdictWord } from '../report/verdictText';
import type { RunRecord } from './types';

export interface MetricDiff {
  info: MetricInfo;
  a: Metrics[keyof Metrics];
  b: Metrics[keyof Metrics];
  /** b − a for numbers; null when either side is not a number. */
  delta: number | null;
  /** Which run is better on this metric; null when equal, not comparable, or neither direction is better. */
  better: 'a' | 'b' | null;
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
  a: { id: string; label: string };
  b: { id: string; label: string };
  verdict: VerdictDiff;
  rows: MetricDiff[];
}

export function compareRuns(a: RunRecord, b: RunRecord): RunComparison {
  return {
    a: { id: a.id, label: runLabel(a) },
    b: { id: b.id, label: runLabel(b) },
    verdict: {
      a: verdictWord(a.evaluation),
      b: verdictWord(b.evaluation),
      better: betterVerdict(a.evaluation, b.evaluation),
      checks: { a: a.evaluation ? checksHeadline(a.evaluation.checks) : null, b: b.evaluation ? checksHeadline(b.evaluation.checks) : null },
    },
    rows: ALL_METRICS.map((info) => diff(info, a.result.metrics[info.key], b.result.metrics[info.key])),
  };
}

export function runLabel(run: RunRecord): string {
  return `${run.strategy.name} · ${run.data.symbols.join(', ')} · ${run.createdAt.slice(0, 16).replace('T', ' ')}`;
}

function diff(info: MetricInfo, a: MetricDiff['a'], b: MetricDiff['b']): MetricDiff {
  const numeric = typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b);
  const delta = numeric ? (b as number) - (a as number) : null;
  let better: MetricDiff['better'] = null;
  if (delta !== null && delta !== 0 && info.direction) {
    better = (delta > 0) === (info.direction === 'higher') ? 'b' : 'a';
  }
  return { info, a, b, delta, better };
}
