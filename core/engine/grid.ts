import type { BarSeries } from '../data/series';

/**
 * The portfolio's time axis: the sorted union of every symbol's bar times.
 * Symbols on a shared calendar (the common case) reuse the first series' times.
 */
export function buildTimeGrid(series: readonly BarSeries[]): Float64Array {
  const first = series[0].time;
  if (series.every((s) => sameTimes(s.time, first))) return first;
  let total = 0;
  for (const s of series) total += s.length;
  const all = new Float64Array(total);
  let offset = 0;
  for (const s of series) {
    all.set(s.time, offset);
    offset += s.length;
  }
  all.sort();
  let unique = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[unique - 1]) all[unique++] = all[i];
  return all.slice(0, unique);
}

function sameTimes(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
