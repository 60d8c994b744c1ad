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
