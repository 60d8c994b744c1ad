import { civilDayMs } from '../data/dates';

const DAY_MS = 86_400_000;

/**
 * Times in results: `YYYY-MM-DD` for bars at midnight UTC (daily data),
 * `YYYY-MM-DDTHH:MM:SSZ` otherwise. One rule, so daily runs read naturally
 * and intraday runs stay exact.
 */
export function formatTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = isoDate(day);
  }
  const rem = ms - day * DAY_MS;
  if (rem === 0) return cachedDate;
  if (rem % 1000 !== 0) return new Date(ms).toISOString();
  // Results hold one string per bar: the cached date plus a shared time-of-day suffix is one small
  // string per bar (a 1M-bar intraday result stays fast and compact).
  const secs = rem / 1000;
  if (secs % 60 === 0) return cachedDate + minuteSuffix(secs / 60);
  return `${cachedDate}T${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}Z`;
}

/**
 * `YYYY-MM-DD` of a day number (days since 1970-01-01), as `toISOString` writes it, by arithmetic: daily results
 * format one new day per bar, and `new Date(…).toISOString()` was most of a sweep variant's time. Howard Hinnant's
 * civil-from-days algorithm; years outside 0000–9999 (which ISO writes with a sign) go through Date.
 */
export function isoDate(day: number): string {
  if (!(day >= -719_528 && day <= 2_932_896)) return new Date(day * DAY_MS).toISOString().slice(0, 10);
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y < 1000 ? String(y).padStart(4, '0') : y}-${pad2(m)}-${pad2(d)}`;
}

/** `THH:MM:00Z` for each minute of the day, built on first use. */
const MINUTE_SUFFIXES: string[] = [];

function minuteSuffix(minute: number): string {
  return (MINUTE_SUFFIXES[minute] ??= `T${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)}:00Z`);
}

let cachedDay = NaN;
let cachedDate = '';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Inverse of formatTime (and any ISO date or date-time); NaN when unparseable. The two forms formatTime writes
 * (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ`) are read by integer math — a million-bar result's times are parsed back
 * by the evaluators and the charts, and Date.parse took ~0.5 µs each — and give what Date.parse gives; anything
 * else (milliseconds, offsets, 24:00, …) goes to Date.parse.
 */
export function parseTime(text: string): number {
  const n = text.length;
  if ((n === 10 || n === 20) && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const day = civilDayMs(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2));
    if (n === 10 && day === day) return day;
    if (n === 20 && day === day && text.charCodeAt(10) === 84 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58 && text.charCodeAt(19) === 90) {
      const hh = digits(text, 11, 2), mi = digits(text, 14, 2), ss = digits(text, 17, 2);
      if (hh <= 23 && mi <= 59 && ss <= 59) return day + hh * 3_600_000 + mi * 60_000 + ss * 1000;
    }
  }
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
}

/** The decimal number of `count` ASCII digits at `at`; NaN when one is not a digit. */
function digits(text: string, at: number, count: number): number {
  let v = 0;
  for (let i = 0; i < count; i++) {
    const c = text.charCodeAt(at + i) - 48;
    if (!(c >= 0 && c <= 9)) return NaN;
    v = v * 10 + c;
  }
  return v;
}
