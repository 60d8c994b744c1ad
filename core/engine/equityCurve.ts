/**
 * The equity curve as columns (time, equity, drawdown), and the drawable subset of it a large result carries.
 *
 * A result's `equity` is an array of `{ time, equity, drawdownPct }` objects, one per bar: fine for years of daily
 * bars, but a million minute bars make a million objects and a million time strings (~0.3 s and ~150 MB) for a
 * curve that a chart draws in a few thousand pixels. A run that asks for a drawable curve (`equity: 'drawable'`)
 * and has more than EQUITY_FULL_MAX bars gets about EQUITY_DRAWN_POINTS points instead (see drawableIndices), with
 * `run.equityDecimated` saying so, and the full columns beside the result (equityColumnsOf) for the outputs that
 * want every bar (the CLI's --json/--out). Metrics are always computed on the full columns, before any of this.
 */
import { formatTime } from './time';
import type { BacktestResult, EquityPoint } from './types';

/** Runs up to this many bars keep every equity point in `result.equity`. */
export const EQUITY_FULL_MAX = 100_000;
/** About this many points are kept past EQUITY_FULL_MAX (two per bucket, plus the first, last and max-drawdown bars). */
export const EQUITY_DRAWN_POINTS = 20_000;

export interface EquityColumns {
  /** Bar times, ms. */
  time: Float64Array;
  equity: Float64Array;
  /** (equity / running peak − 1) × 100, ≤ 0; 0 while the peak is not positive. */
  drawdownPct: Float64Array;
}

/** Index of a run's last bar, also when its `equity` keeps only some of the bars (a drawable result, a long saved run). */
export function lastBarOf(result: Pick<BacktestResult, 'run'>): number {
  return result.run.bars - 1;
}

/** The drawdown column of an equity column, as `EquityPoint.drawdownPct` defines it. */
export function drawdownColumn(equity: Float64Array): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i];
    if (e > peak) peak = e;
    out[i] = peak > 0 ? (e / peak - 1) * 100 : 0;
  }
  return out;
}

export function equityPointAt(columns: EquityColumns, i: number): EquityPoint {
  return { time: formatTime(columns.time[i]), equity: columns.equity[i], drawdownPct: columns.drawdownPct[i] };
}

/** One point per bar: a result's `equity` when it keeps them all (built the same by the engine and by a sandbox's host). */
export function allEquityPoints(columns: EquityColumns): EquityPoint[] {
  const n = columns.time.length;
  const points = new Array<EquityPoint>(n);
  for (let i = 0; i < n; i++) points[i] = equityPointAt(columns, i);
  return points;
}

/**
 * Bar indices (increasing) that draw the curve as the full one looks: per bucket of consecutive bars, the bars of
 * its lowest and highest equity and of its deepest drawdown; plus the first and last bars and the peak and trough
 * of the maximum drawdown, so the extremes a reader checks are exact points of the run.
 */
export function drawableIndices(columns: EquityColumns, target = EQUITY_DRAWN_POINTS): Int32Array {
  const { equity, drawdownPct } = columns;
  const n = equity.length;
  if (n <= target) return Int32Array.from({ length: n }, (_, i) => i);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  // Max drawdown: its trough is the deepest drawdown bar, its peak the highest bar before it.
  let trough = 0;
  for (let i = 1; i < n; i++) if (drawdownPct[i] < drawdownPct[trough]) trough = i;
  let peak = 0;
  for (let i = 1; i <= trough; i++) if (equity[i] > equity[peak]) peak = i;
  keep[trough] = 1;
  keep[peak] = 1;
  const buckets = Math.max(1, Math.floor(target / 3));
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    let lo = from, hi = from, deep = from;
    for (let i = from + 1; i < to; i++) {
      if (equity[i] < equity[lo]) lo = i;
      if (equity[i] > equity[hi]) hi = i;
      if (drawdownPct[i] < drawdownPct[deep]) deep = i;
    }
    keep[lo] = 1;
    keep[hi] = 1;
    keep[deep] = 1;
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += keep[i];
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (keep[i]) out[k++] = i;
  return out;
}

/** Point i as `JSON.stringify(equityPointAt(columns, i), null, 2)` writes it, its inner lines indented by `indent`. */
export function equityPointJson(columns: EquityColumns, i: number, indent: string): string {
  return `{\n${indent}  "time": ${JSON.stringify(formatTime(columns.time[i]))},\n${indent}  "equity": ${jsonNumber(columns.equity[i])},\n${indent}  "drawdownPct": ${jsonNumber(columns.drawdownPct[i])}\n${indent}}`;
}

/** A number as JSON writes it (non-finite: null). */
function jsonNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

const fullColumns = new WeakMap<BacktestResult, EquityColumns>();

/** The full columns of a result whose `equity` was decimated (only in the process that ran it; they are not serialised). */
export function equityColumnsOf(result: BacktestResult): EquityColumns | undefined {
  return fullColumns.get(result);
}

/**
 * A drawable result with every equity point again, built from its columns, as a run that kept every point
 * returns it; a result that kept them all is returned as it is.
 */
export function everyPointResult(result: BacktestResult): BacktestResult {
  if (!result.run.equityDecimated) return result;
  const columns = equityColumnsOf(result);
  if (!columns) throw new Error('This result keeps a drawable subset of its equity curve and not the full columns (they exist only in the process that ran or decoded it); run it again with every equity point.');
  const { equityDecimated: _drawn, ...run } = result.run;
  return { ...result, equity: allEquityPoints(columns), run };
}

/** The same result without the full columns kept beside it (they are kept per object: a shallow copy has none). */
export function withoutFullColumns(result: BacktestResult): BacktestResult {
  return { ...result };
}

export function attachEquityColumns(result: BacktestResult, columns: EquityColumns): void {
  fullColumns.set(result, columns);
}
