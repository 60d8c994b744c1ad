import type { Timeframe } from '../sdk/types';
import { DataError } from './errors';

/** A bar interval; the same names as the SDK's `Timeframe`. */
export type Interval = Timeframe;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/** Nominal length of one bar of each interval. */
export const INTERVAL_MS: Readonly<Record<Interval, number>> = {
  '1m': MINUTE_MS,
  '2m': 2 * MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': HOUR_MS,
  '4h': 4 * HOUR_MS,
  '1d': DAY_MS,
  '1wk': WEEK_MS,
};

export const INTERVALS = Object.keys(INTERVAL_MS) as Interval[];

/** Other spellings people type, mapped to the canonical name. */
const ALIASES: Readonly<Record<string, Interval>> = {
  '1min': '1m', '2min': '2m', '5min': '5m', '15min': '15m', '30min': '30m',
  '60m': '1h', '60min': '1h', '1hour': '1h', 'hourly': '1h', '4hour': '4h', '240m': '4h',
  'd': '1d', 'day': '1d', '1day': '1d', 'daily': '1d',
  'w': '1wk', '1w': '1wk', 'week': '1wk', '1week': '1wk', 'weekly': '1wk',
};

/** Canonical interval for `text` (`'60m'` → `'1h'`), or a DataError listing the valid ones. */
export function parseInterval(text: string): Interval {
  const key = text.trim().toLowerCase();
  if (key in INTERVAL_MS) return key as Interval;
  const alias = ALIASES[key];
  if (alias) return alias;
  throw new DataError('bad-interval', `Unknown interval '${text}': use one of ${INTERVALS.join(', ')}.`);
}

export function isIntraday(interval: Interval): boolean {
  return INTERVAL_MS[interval] < DAY_MS;
}
