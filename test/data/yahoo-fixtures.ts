/** Hand-made Yahoo chart API answers (the shape of query2.finance.yahoo.com/v8/finance/chart). */
import { sampleSeries } from '../../core/data/sample';
import type { BarSeries } from '../../core/data/series';
import { newYorkDst } from '../../core/data/bar-time';

const NY_OFFSET = -18000; // EST, seconds
/** Yahoo stamps a daily bar at the session open, 09:30 New York: 14:30 UTC, or 13:30 UTC in daylight saving time. */
export function yahooStampMs(dayMs: number): number {
  return dayMs + (newYorkDst(dayMs) ? 13.5 : 14.5) * 3_600_000;
}

export interface ChartOptions {
  symbol: string;
  /** Epoch seconds of each bar (Yahoo stamps daily bars at the session open). */
  timestamps?: number[];
  series?: BarSeries;
  adjFactor?: number;
  regularMarketTime?: number;
  firstTradeDate?: number | null;
  granularity?: string;
}

export function chartBody(o: ChartOptions): unknown {
  const s = o.series;
  const n = s?.length ?? 0;
  const timestamps = o.timestamps ?? (s ? Array.from(s.time, (t) => (t % 86_400_000 === 0 ? yahooStampMs(t) / 1000 : t / 1000)) : undefined);
  const period = (start: number) => ({ timezone: 'EST', start, end: start + 23400, gmtoffset: NY_OFFSET });
  const result: Record<string, unknown> = {
    meta: {
      currency: 'USD', symbol: o.symbol, exchangeName: 'NMS', fullExchangeName: 'NasdaqGS', instrumentType: 'EQUITY',
      firstTradeDate: o.firstTradeDate === undefined ? 345479400 : o.firstTradeDate,
      regularMarketTime: o.regularMarketTime ?? 1_893_456_000, gmtoffset: NY_OFFSET, timezone: 'EST', exchangeTimezoneName: 'America/New_York',
      regularMarketPrice: s && n > 0 ? s.close[n - 1] : 100, chartPreviousClose: 100, priceHint: 2,
      currentTradingPeriod: { pre: period(1_700_000_000 - 19800), regular: period(1_700_000_000), post: period(1_700_000_000 + 23400) },
      dataGranularity: o.granularity ?? '1d', range: '', validRanges: ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y', '10y', 'ytd', 'max'],
    },
    indicators: { quote: [{}] },
  };
  if (s && n > 0) {
    result.timestamp = timestamps;
    result.indicators = {
      quote: [{ open: Array.from(s.open), high: Array.from(s.high), low: Array.from(s.low), close: Array.from(s.close), volume: Array.from(s.volume) }],
      ...(o.granularity && o.granularity !== '1d' && o.granularity !== '1wk' ? {} : { adjclose: [{ adjclose: Array.from(s.close, (c) => c * (o.adjFactor ?? 1)) }] }),
    };
  }
  return { chart: { result: [result], error: null } };
}

export const notFoundBody = { chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } } };

/** Sample bars of `symbol` whose Yahoo stamp (daily: the session open, not 00:00 UTC) is in [period1, period2) seconds. */
export function sampleSlice(symbol: string, interval: Parameters<typeof sampleSeries>[1], period1: number, period2: number): BarSeries {
  const full = sampleSeries(symbol, interval);
  const stamp = (t: number) => (t % 86_400_000 === 0 ? yahooStampMs(t) : t);
  let a = 0;
  while (a < full.length && stamp(full.time[a]) < period1 * 1000) a++;
  let b = a;
  while (b < full.length && stamp(full.time[b]) < period2 * 1000) b++;
  return {
    ...full,
    time: full.time.subarray(a, b), open: full.open.subarray(a, b), high: full.high.subarray(a, b), low: full.low.subarray(a, b),
    close: full.close.subarray(a, b), volume: full.volume.subarray(a, b), length: b - a,
  };
}
