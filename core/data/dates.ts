/**
 * Calendar arithmetic on UTC milliseconds. Everything here is pure integer math or
 * Date.UTC, so results never depend on the machine's time zone or locale.
 */
import { DataError } from './errors';
import { DAY_MS } from './interval';

/** ms of `YYYY-MM-DD` at 00:00 UTC, or NaN if it is not a real calendar date. */
export function utcDate(year: number, month: number, day: number): number {
  if (month < 1 || month > 12 || day < 1 || day > 31) return NaN;
  const ms = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2021-02-30 over to March: reject instead of guessing.
  return new Date(ms).getUTCDate() === day ? ms : NaN;
}

const CUMULATIVE_DAYS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * ms of a calendar day at 00:00 UTC, NaN when it is not a real date; integer math only (the CSV reader calls it per
 * row, parseTime per result time), and a year is the year written (no Date.UTC 0–99 → 1900s mapping).
 */
export function civilDayMs(y: number, m: number, d: number): number {
  if (!(m >= 1 && m <= 12 && d >= 1)) return NaN;
  const dim = m === 2 ? (isLeap(y) ? 29 : 28) : DAYS_IN_MONTH[m - 1];
  if (d > dim) return NaN;
  const y1 = y - 1;
  const days = 365 * (y - 1970) + (Math.floor(y1 / 4) - 492) - (Math.floor(y1 / 100) - 19) + (Math.floor(y1 / 400) - 4)
    + CUMULATIVE_DAYS[m - 1] + (m > 2 && isLeap(y) ? 1 : 0) + d - 1;
  return days * DAY_MS;
}

/** Start of the UTC day containing `ms`. */
export function floorDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** 0 = Sunday … 6 = Saturday, for UTC. */
export function weekdayOf(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday
}

export function isWeekend(ms: number): boolean {
  const d = weekdayOf(ms);
  return d === 0 || d === 6;
}

/** Monday 00:00 UTC of the week containing `ms`. */
export function floorWeek(ms: number): number {
  const day = floorDay(ms);
  return day - ((weekdayOf(day) + 6) % 7) * DAY_MS;
}

/** `YYYY-MM-DD` (UTC) of `ms`. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` for midnight, full ISO otherwise: how dates appear in messages. */
export function formatInstant(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  return ms % DAY_MS === 0 ? isoDate(ms) : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * A user-typed date bound: `YYYY-MM-DD` (midnight UTC), an ISO date-time, or epoch
 * seconds/ms. With `endOfDay`, a bare date means the *end* of that day, so `--to 2020-12-31`
 * includes that day's bar.
 */
export function parseDateBound(text: string, what: string, endOfDay = false): number {
  const t = text.trim();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (day) {
    const ms = utcDate(+day[1], +day[2], +day[3]);
    if (Number.isFinite(ms)) return endOfDay ? ms + DAY_MS : ms;
  } else if (/^\d{9,13}$/.test(t)) {
    const n = Number(t);
    return t.length <= 10 ? n * 1000 : n;
  } else {
    const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t) ? Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(t) ? t : `${t.replace(' ', 'T')}Z`) : NaN;
    if (Number.isFinite(iso)) return iso;
  }
  throw new DataError('bad-request', `Invalid ${what} '${text}': use YYYY-MM-DD (UTC), an ISO date-time, or epoch seconds.`);
}

/** True when `[start, end)` contains no Monday–Friday instant. */
export function onlyWeekend(start: number, end: number): boolean {
  if (end - start > 2 * DAY_MS) return false;
  for (let day = floorDay(start); day < end; day += DAY_MS) if (!isWeekend(day)) return false;
  return true;
}
