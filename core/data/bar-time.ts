/**
 * When a bar's period ends (Lean's end-time convention): the engine hands a bar to the
 * strategy only once this time has passed, so a daily bar is never seen before that day's
 * last minute. Bars keep their start time as their label; the end is derived here.
 *
 * - Intraday bars end at start + their interval.
 * - Daily bars end at the US equity session close, 16:00 America/New_York on their date
 *   (20:00 UTC in daylight saving time, 21:00 UTC otherwise), from the US DST rules (no
 *   time-zone database). Early closes (13:00 on some holiday eves) are not modelled: the
 *   bar is then delivered three hours late, never early.
 * - Weekly bars end at the session close of the Friday of their week.
 */
import { floorDay, floorWeek } from './dates';
import { DAY_MS, HOUR_MS, INTERVAL_MS, WEEK_MS, type Interval } from './interval';
import type { BarSeries } from './series';
import { typicalSpacing } from './spacing';

/** Sunday (day of month) that is the `n`-th (n > 0) or last (n = -1) of `month` (1-12) in `year`. */
function sunday(year: number, month: number, n: number): number {
  if (n > 0) {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    return 1 + ((7 - first) % 7) + (n - 1) * 7;
  }
  const lastDay = new Date(Date.UTC(year, month, 0));
  return lastDay.getUTCDate() - lastDay.getUTCDay();
}

/** True when New York is on daylight saving time on the UTC calendar date `day` (00:00 UTC ms). */
export function newYorkDst(day: number): boolean {
  const d = new Date(day);
  const y = d.getUTCFullYear();
  const [startMonth, startSunday, endMonth, endSunday] = y >= 2007 ? [3, sunday(y, 3, 2), 11, sunday(y, 11, 1)]
    : y >= 1987 ? [4, sunday(y, 4, 1), 10, sunday(y, 10, -1)]
      : [4, sunday(y, 4, -1), 10, sunday(y, 10, -1)];
  const start = Date.UTC(y, startMonth - 1, startSunday);
  const end = Date.UTC(y, endMonth - 1, endSunday);
  return day >= start && day < end;
}

/** 16:00 New York on the date of `ms` (its UTC calendar date), as UTC ms. */
export function sessionCloseUtc(ms: number): number {
  const day = floorDay(ms);
  return day + (16 + (newYorkDst(day) ? 4 : 5)) * HOUR_MS;
}

/** Nominal length of one bar of `series`: its provider's interval, else the typical gap between its bars (CSV). */
export function seriesPeriod(series: BarSeries): number {
  const interval = series.source?.interval as Interval | undefined;
  if (interval && interval in INTERVAL_MS) return INTERVAL_MS[interval];
  return typicalSpacing(series.time) ?? DAY_MS;
}

/** End time of a bar starting at `start` with period `period` (ms); always after `start`. */
export function barEnd(start: number, period: number): number {
  if (period < DAY_MS) return start + period;
  const end = period >= WEEK_MS ? sessionCloseUtc(floorWeek(start) + 4 * DAY_MS) : sessionCloseUtc(start);
  return end > start ? end : start + period;
}

/** Every bar's end time (strictly increasing, like the starts, for bars at least `period` apart). */
export function barEndTimes(series: BarSeries, period = seriesPeriod(series)): Float64Array {
  const out = new Float64Array(series.length);
  for (let i = 0; i < series.length; i++) out[i] = barEnd(series.time[i], period);
  return out;
}
