/**
 * Monthly and annual returns of an equity curve (docs/metrics.md, "Monthly and annual returns"): a period's
 * return is its last equity over the previous period's last equity (the first period: over the first bar's
 * equity), minus 1, in percent. Calendar months and years are UTC, like every calendar period here.
 */
import { simpleReturn } from './returns';

export interface CalendarReturns {
  /** Years present in the data, ascending. */
  years: number[];
  /** monthly[year][month 0–11]: percent return, null for a month without bars. */
  monthly: Map<number, (number | null)[]>;
  /** Percent return of each year (a partial first or last year covers only its bars). */
  annual: Map<number, number | null>;
}

export function calendarReturns(time: ArrayLike<number>, equity: ArrayLike<number>): CalendarReturns {
  const monthly = new Map<number, (number | null)[]>();
  const annual = new Map<number, number | null>();
  const years: number[] = [];
  if (time.length === 0) return { years, monthly, annual };
  let monthBase = equity[0];
  let yearBase = equity[0];
  for (let i = 0; i < time.length; i++) {
    const d = new Date(time[i]);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth();
    if (!monthly.has(year)) { monthly.set(year, new Array<number | null>(12).fill(null)); years.push(year); }
    const next = i + 1 < time.length ? new Date(time[i + 1]) : null;
    const monthEnds = !next || next.getUTCMonth() !== month || next.getUTCFullYear() !== year;
    if (monthEnds) {
      monthly.get(year)![month] = pct(simpleReturn(monthBase, equity[i]));
      monthBase = equity[i];
    }
    if (!next || next.getUTCFullYear() !== year) {
      annual.set(year, pct(simpleReturn(yearBase, equity[i])));
      yearBase = equity[i];
    }
  }
  return { years, monthly, annual };
}

const pct = (fraction: number | null) => (fraction === null ? null : fraction * 100);
