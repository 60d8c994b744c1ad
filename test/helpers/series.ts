import { createSeries, type BarSeries } from '../../core/data/series';

export interface BarSpec {
  t: string; // YYYY-MM-DD or ISO date-time (UTC)
  o: number;
  h: number;
  l: number;
  c: number;
  v?: number;
}

const parse = (t: string) => (t.length === 10 ? Date.parse(`${t}T00:00:00Z`) : Date.parse(t));

/** A small hand-written series for engine tests. */
export function seriesOf(symbol: string, bars: BarSpec[]): BarSeries {
  const s = createSeries(symbol, bars.length);
  bars.forEach((b, i) => {
    s.time[i] = parse(b.t);
    s.open[i] = b.o;
    s.high[i] = b.h;
    s.low[i] = b.l;
    s.close[i] = b.c;
    s.volume[i] = b.v ?? 1000;
  });
  return s;
}

/** Flat bars (o=h=l=c) from closes, one per weekday-agnostic day starting 2020-01-01. */
export function seriesFromCloses(symbol: string, closes: number[], start = '2020-01-01'): BarSeries {
  const t0 = parse(start);
  return seriesOf(
    symbol,
    closes.map((c, i) => ({ t: new Date(t0 + i * 86_400_000).toISOString().slice(0, 10), o: c, h: c, l: c, c })),
  );
}

/**
 * Minute bars from 2020-01-02 14:30 UTC, a seeded random walk with a crash in the middle (a known deepest
 * drawdown). `keep(i)` false leaves minute i out (another calendar: gaps, a shorter session).
 */
export function minuteWalk(symbol: string, n: number, { seed = 42, keep }: { seed?: number; keep?: (i: number) => boolean } = {}): BarSeries {
  const minutes = Array.from({ length: n }, (_, i) => i).filter((i) => !keep || keep(i));
  const s = createSeries(symbol, minutes.length);
  let price = 100;
  let k = 0;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const open = price;
    price = Math.max(1, price * (1 + (seed / 2 ** 32 - 0.5) * 0.004 - (i > n / 2 && i < n / 2 + 500 ? 0.001 : 0)));
    if (minutes[k] !== i) continue;
    s.time[k] = Date.UTC(2020, 0, 2, 14, 30) + i * 60_000;
    s.open[k] = open;
    s.close[k] = price;
    s.high[k] = Math.max(open, price) * 1.0005;
    s.low[k] = Math.min(open, price) * 0.9995;
    s.volume[k] = 1000;
    k++;
  }
  return s;
}

/** A series as a CSV file's text (ISO times; numbers as JavaScript writes them, so they read back exactly). */
export function seriesCsv(s: BarSeries): string {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < s.length; i++) lines.push(`${new Date(s.time[i]).toISOString()},${s.open[i]},${s.high[i]},${s.low[i]},${s.close[i]},${s.volume[i]}`);
  return lines.join('\n') + '\n';
}
