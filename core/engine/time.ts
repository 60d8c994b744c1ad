const DAY_MS = 86_400_000;

/**
 * Times in results: `YYYY-MM-DD` for bars at midnight UTC (daily data),
 * `YYYY-MM-DDTHH:MM:SSZ` otherwise. One rule, so daily runs read naturally
 * and intraday runs stay exact.
 */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % DAY_MS === 0 ? iso.slice(0, 10) : `${iso.slice(0, 19)}Z`;
}

/** Inverse of formatTime (and any ISO date or date-time); NaN when unparseable. */
export function parseTime(text: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
}
