/** Side-by-side comparison of two runs: every metric, its difference, and which run is better on it. */
import type { Metrics } from '../metrics/types';
import { ALL_METRICS, type MetricInfo } from '../report/metricCatalog';
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

export interface RunComparison {
  a: { id: string; label: string };
  b: { id: string; label: string };
  rows: MetricDiff[];
}

export function compareRuns(a: RunRecord, b: RunRecord): RunComparison {
  return {
    a: { id: a.id, label: runLabel(a) },
    b: { id: b.id, label: runLabel(b) },
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
