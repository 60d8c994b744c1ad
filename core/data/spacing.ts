/**
 * The spacing of a series' bars, told from its times alone (a CSV says nothing else):
 * the most common gap between neighbours, so weekends, holidays and missing bars do not
 * count. Used to warn when a file is not the strategy's timeframe, and by the engine to
 * find each bar's end.
 */
import { DAY_MS, WEEK_MS } from './interval';

/** Most common gap (ms) among up to the first 2,000 gaps; undefined for fewer than 2 bars. */
export function typicalSpacing(times: Float64Array): number | undefined {
  const n = Math.min(times.length - 1, 2000);
  if (n < 1) return undefined;
  const counts = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (let i = 0; i < n; i++) {
    const gap = times[i + 1] - times[i];
    const c = (counts.get(gap) ?? 0) + 1;
    counts.set(gap, c);
    if (c > bestCount || (c === bestCount && gap < best)) { best = gap; bestCount = c; }
  }
  // Daily bars on their own are mostly 1 day apart; a file of Mondays-only would show 7 days (weekly).
  return best > DAY_MS && best < WEEK_MS && counts.has(DAY_MS) ? DAY_MS : best;
}
