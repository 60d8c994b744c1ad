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
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  const rem = ms - day * DAY_MS;
  if (rem === 0) return cachedDate;
  if (rem % 1000 !== 0) return new Date(ms).toISOString();
  // Results hold one string per bar: building it from the cached date keeps 1M intraday bars fast.
  const secs = rem / 1000;
  return `${cachedDate}T${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}Z`;
}

let cachedDay = NaN;
let cachedDate = '';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Inverse of formatTime (and any ISO date or date-time); NaN when unparseable. */
export function parseTime(text: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
}
