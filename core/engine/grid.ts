import { barEndTimes, seriesPeriod } from '../data/bar-time';
import type { BarSeries } from '../data/series';

/**
 * The portfolio's time axis. `order` is what the loop steps through; `keys[i]` are the
 * values of series i matched against it; `labels` are the times results show per step.
 *
 * - All series of one bar length (every single-timeframe run): bars are delivered in start
 *   order, which is also end order; keys are the bar starts and labels equal `order`.
 * - Mixed bar lengths (minute + daily): bars are delivered when their period ends (Lean's
 *   end-time convention, `core/data/bar-time.ts`), so a daily bar comes after that day's last
 *   minute; keys are bar ends and each step is labelled with the start of the finest bar that
 *   ends then (end − finest period), which keeps labels strictly increasing.
 */
export interface Timeline {
  order: Float64Array;
  labels: Float64Array;
  keys: Float64Array[];
}

export function buildTimeline(series: readonly BarSeries[]): Timeline {
  if (series.length === 1) return { order: series[0].time, labels: series[0].time, keys: [series[0].time] };
  const periods = series.map(seriesPeriod);
  if (periods.every((p) => p === periods[0])) {
    const order = unionOfTimes(series.map((s) => s.time));
    return { order, labels: order, keys: series.map((s) => s.time) };
  }
  const keys = series.map((s, i) => barEndTimes(s, periods[i]));
  const order = unionOfTimes(keys);
  const finest = Math.min(...periods);
  return { order, labels: order.map((end) => end - finest), keys };
}

/** The time labels of the steps (what equity points and trades are stamped with); see buildTimeline. */
export function buildTimeGrid(series: readonly BarSeries[]): Float64Array {
  return buildTimeline(series).labels;
}

/** The sorted union of several increasing time arrays; the first one itself when all are equal. */
function unionOfTimes(times: readonly Float64Array[]): Float64Array {
  const first = times[0];
  if (times.every((t) => sameTimes(t, first))) return first;
  let total = 0;
  for (const t of times) total += t.length;
  const all = new Float64Array(total);
  let offset = 0;
  for (const t of times) {
    all.set(t, offset);
    offset += t.length;
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
