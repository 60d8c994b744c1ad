/**
 * The one set of bar rules every source obeys (CSV rows, Yahoo and Alpaca bars, cache files):
 * prices finite and > 0, High ≥ max(Open, Close), Low ≤ min(Open, Close), volume finite
 * and ≥ 0, times strictly increasing. A break is a DataError naming the source and the
 * row or bar, never a silently dropped or "fixed" bar.
 */
import { formatInstant } from './dates';
import { DataError, type DataErrorCode, type DataErrorDetails } from './errors';
import type { BarSeries } from './series';

/** Rounding slack for Open/Close against High/Low (relative), so 1e-12 noise from adjustment factors passes. */
const TOLERANCE = 1e-9;

export interface BarProblem {
  code: DataErrorCode;
  reason: string;
}

/** What is wrong with one bar's values, or null. Pure and allocation-free on the happy path. */
export function barProblem(o: number, h: number, l: number, c: number, v: number): BarProblem | null {
  if (!(o > 0 && h > 0 && l > 0 && c > 0 && o < Infinity && h < Infinity && l < Infinity && c < Infinity)) return priceProblem(o, h, l, c);
  if (!(v >= 0 && v < Infinity)) {
    return Number.isNaN(v) || !Number.isFinite(v)
      ? { code: 'bad-number', reason: `Volume ${v} is not a finite number.` }
      : { code: 'negative-value', reason: `Volume is negative (${v}); volume must be ≥ 0.` };
  }
  if (h < l) return { code: 'bad-ohlc', reason: `High ${h} is below Low ${l}.` };
  const tol = h * TOLERANCE;
  if (o > h + tol || c > h + tol || o < l - tol || c < l - tol) {
    return { code: 'bad-ohlc', reason: `Open ${o} and Close ${c} must lie within Low ${l} … High ${h} (High ≥ max(Open, Close), Low ≤ min(Open, Close)).` };
  }
  return null;
}

function priceProblem(o: number, h: number, l: number, c: number): BarProblem {
  const named: [string, number][] = [['Open', o], ['High', h], ['Low', l], ['Close', c]];
  for (const [name, x] of named) {
    if (Number.isNaN(x) || !Number.isFinite(x)) return { code: 'bad-number', reason: `${name} ${x} is not a finite number (too large or not a number).` };
    if (x < 0) return { code: 'negative-value', reason: `${name} is negative (${x}); prices must be > 0.` };
    if (x === 0) return { code: 'bad-price', reason: `${name} is 0; prices must be > 0 (a zeroed row is a data error, not a free trade).` };
  }
  return { code: 'bad-number', reason: 'a price is not a number.' };
}

/** Problem with bar time `t` after `prev` (strictly increasing), or null. */
export function timeProblem(t: number, prev: number): BarProblem | null {
  if (!Number.isFinite(t)) return { code: 'bad-date', reason: `time ${t} is not a date.` };
  if (t > prev) return null;
  return t === prev
    ? { code: 'duplicate-date', reason: `duplicate time ${formatInstant(t)} (same as the previous bar).` }
    : { code: 'unsorted-dates', reason: `time ${formatInstant(t)} comes before the previous bar's ${formatInstant(prev)}.` };
}

/**
 * Checks every bar of a series from a provider or the cache; throws at the first break,
 * naming `source` (e.g. "alpaca SPY 1d") and the bar's 1-based number and time.
 */
export function checkSeries(series: BarSeries, source: string, details: DataErrorDetails = {}, advice = 'The source sent a bad bar; nothing was cached. Try again later, or use another source.'): void {
  const { time, open, high, low, close, volume } = series;
  for (let i = 0; i < series.length; i++) {
    const problem = (i > 0 ? timeProblem(time[i], time[i - 1]) : null) ?? barProblem(open[i], high[i], low[i], close[i], volume[i]);
    if (problem) {
      throw new DataError(problem.code, `${source}: bar ${i + 1} (${formatInstant(time[i])}): ${problem.reason} ${advice}`, { symbol: series.symbol, ...details });
    }
  }
}
