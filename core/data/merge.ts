/**
 * Combining two stretches of bars of one symbol (cache top-ups). Pure: returns a new
 * series and never touches its inputs.
 */
import { createSeries, truncateSeries, type BarSeries } from './series';

/**
 * `older`'s bars outside `[newerFrom, newerTo)` plus all of `newer`'s, in time order.
 * Inside the range `newer` is authoritative: it replaces older bars, including ones it
 * no longer has (a provider's correction).
 */
export function mergeSeries(older: BarSeries, newer: BarSeries, newerFrom: number, newerTo: number): BarSeries {
  const withAdj = (older.adjClose !== undefined || older.length === 0) && (newer.adjClose !== undefined || newer.length === 0) && (older.adjClose ?? newer.adjClose) !== undefined;
  const out = createSeries(newer.symbol, older.length + newer.length, withAdj, newer.source ?? older.source);
  let i = 0;
  let j = 0;
  let n = 0;
  const take = (s: BarSeries, k: number): void => {
    out.time[n] = s.time[k];
    out.open[n] = s.open[k];
    out.high[n] = s.high[k];
    out.low[n] = s.low[k];
    out.close[n] = s.close[k];
    out.volume[n] = s.volume[k];
    if (out.adjClose) out.adjClose[n] = s.adjClose![k];
    n++;
  };
  while (i < older.length || j < newer.length) {
    if (i < older.length && older.time[i] >= newerFrom && older.time[i] < newerTo) { i++; continue; }
    if (j >= newer.length || (i < older.length && older.time[i] < newer.time[j])) take(older, i++);
    else {
      if (i < older.length && older.time[i] === newer.time[j]) i++;
      take(newer, j++);
    }
  }
  return truncateSeries(out, n);
}

/** True when bar `k` of `a` and bar `m` of `b` carry the same prices (relative 1e-6). */
export function sameBar(a: BarSeries, k: number, b: BarSeries, m: number): boolean {
  const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-6 * Math.max(Math.abs(x), Math.abs(y), 1e-9);
  return a.time[k] === b.time[m] && close(a.open[k], b.open[m]) && close(a.high[k], b.high[m]) && close(a.low[k], b.low[m]) && close(a.close[k], b.close[m]);
}
