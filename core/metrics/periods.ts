/**
 * How the equity curve is sampled for the annualised statistics: which calendar
 * period one return covers (day, week, month, year) and how many such periods
 * make a year. Follows backtesting.py's `compute_stats` (docs/metrics.md,
 * "Period returns and annualisation").
 */
import { floorWeek, isWeekend } from '../data/dates';
import { DAY_MS, median } from './numeric';

export type PeriodKind = 'day' | 'week' | 'month' | 'year';

export interface Sampling {
  /** Calendar period of one return. */
  period: PeriodKind;
  /** Periods per year used to annualise: 252, 365, 52, 12 or 1. */
  periodsPerYear: number;
  /** Whether the bars include weekends often enough to count as a 7-day market. */
  weekendBars: boolean;
  /** Typical bar spacing in whole days (0 for intraday), null with fewer than two bars. */
  barDays: number | null;
}

/** How many of the last bars the typical spacing is measured on (backtesting.py: 100). */
const SPACING_WINDOW = 100;
/** Bars fall on weekends for more than 60 % of the 2/7 a 7-day market would have. */
const WEEKEND_SHARE = 0.6 * (2 / 7);

/** Typical bar spacing: the median gap between the last 100 bars, floored to whole days. */
export function barSpacingDays(time: ArrayLike<number>): number | null {
  const n = time.length;
  const gaps: number[] = [];
  for (let i = Math.max(1, n - SPACING_WINDOW + 1); i < n; i++) gaps.push(time[i] - time[i - 1]);
  const typical = median(gaps);
  return typical === null ? null : Math.floor(typical / DAY_MS);
}

/** Share of bars whose UTC date is a Saturday or Sunday. */
export function weekendShare(time: ArrayLike<number>): number {
  const n = time.length;
  if (n === 0) return 0;
  const dayMs = DAY_MS; // a local: imported bindings are getters under tsx, too slow per point
  let count = 0;
  let day = NaN;
  let weekend = false;
  for (let i = 0; i < n; i++) {
    // Bars of one day share its weekday: look it up once per day, not per intraday bar.
    const d = Math.floor(time[i] / dayMs);
    if (d !== day) {
      day = d;
      weekend = isWeekend(time[i]);
    }
    if (weekend) count++;
  }
  return count / n;
}

export function detectSampling(time: ArrayLike<number>): Sampling {
  const barDays = barSpacingDays(time);
  const weekendBars = weekendShare(time) > WEEKEND_SHARE;
  // backtesting.py recognises exactly 7, 31 and 365 days; months (28–31) and leap
  // years (366) are accepted here too, so a 30-day median does not read as "daily".
  if (barDays === 7) return { period: 'week', periodsPerYear: 52, weekendBars, barDays };
  if (barDays !== null && barDays >= 28 && barDays <= 31) return { period: 'month', periodsPerYear: 12, weekendBars, barDays };
  if (barDays !== null && barDays >= 365 && barDays <= 366) return { period: 'year', periodsPerYear: 1, weekendBars, barDays };
  return { period: 'day', periodsPerYear: weekendBars ? 365 : 252, weekendBars, barDays };
}

/** Key of the UTC calendar period containing `ms`: equal keys share a period. */
function periodKey(period: PeriodKind): (ms: number) => number {
  switch (period) {
    case 'day': return (ms) => Math.floor(ms / DAY_MS);
    // Weeks run Monday–Sunday (pandas 'W' = weeks ending on Sunday).
    case 'week': return (ms) => floorWeek(ms);
    case 'month': return (ms) => { const d = new Date(ms); return d.getUTCFullYear() * 12 + d.getUTCMonth(); };
    case 'year': return (ms) => new Date(ms).getUTCFullYear();
  }
}

/**
 * Simple returns between the last equity value of consecutive calendar periods
 * that have bars (periods without bars are skipped, not filled).
 */
export function periodReturns(time: ArrayLike<number>, equity: ArrayLike<number>, period: PeriodKind): Float64Array {
  const n = time.length;
  const closes: number[] = [];
  // Daily keys inline: this loop runs once per equity point (millions for minute data).
  const key = period === 'day' ? null : periodKey(period);
  const dayMs = DAY_MS; // a local: imported bindings are getters under tsx, too slow per point
  let current = NaN;
  for (let i = 0; i < n; i++) {
    const k = key === null ? Math.floor(time[i] / dayMs) : key(time[i]);
    if (k !== current) {
      if (i > 0) closes.push(equity[i - 1]); // the previous bar closed its period
      current = k;
    }
  }
  if (n > 0) closes.push(equity[n - 1]);
  const returns = new Float64Array(Math.max(0, closes.length - 1));
  for (let i = 1; i < closes.length; i++) returns[i - 1] = closes[i] / closes[i - 1] - 1;
  return returns;
}
