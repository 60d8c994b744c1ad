/**
 * Columnar price history of one symbol. Typed arrays keep a 20-year daily or a
 * 1M-bar intraday series compact and fast to scan; the engine never builds an
 * array of bar objects.
 */
export interface BarSeries {
  readonly symbol: string;
  /** Bar start times, ms since epoch UTC, strictly increasing. */
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Dividend/split-adjusted close when the source has one. */
  readonly adjClose?: Float64Array;
  readonly length: number;
  /** Where the bars came from; the UI shows `source.label` (e.g. to flag synthetic data). */
  readonly source?: SeriesSource;
}

/** Provenance of a series, carried along so every view can say what it shows. */
export interface SeriesSource {
  /** Provider id: 'sample', 'csv', 'yahoo', 'alpaca', … */
  readonly provider: string;
  /** Human-readable label, e.g. "SYNTHETIC sample data (not real prices)" or "Yahoo Finance (adjusted)". */
  readonly label: string;
  /** True when the prices are generated, not real market data. */
  readonly synthetic: boolean;
  /** True when OHLC are split- and dividend-adjusted. */
  readonly adjusted?: boolean;
  /** raw | split | all, when the provider says; absent for CSV files (not stated) and the sample. */
  readonly adjustment?: 'raw' | 'split' | 'all';
  /** Bar interval, e.g. '1d'. */
  readonly interval?: string;
}

export function createSeries(symbol: string, length: number, withAdjClose = false, source?: SeriesSource): BarSeries {
  return {
    source,
    symbol,
    time: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
    adjClose: withAdjClose ? new Float64Array(length) : undefined,
    length,
  };
}

/** The first `length` bars of `series` in new columns of `capacity` rows (a reader that learns the row count as it goes). */
export function growSeries(series: BarSeries, length: number, capacity: number): BarSeries {
  const grown = createSeries(series.symbol, capacity, series.adjClose !== undefined, series.source);
  for (const column of ['time', 'open', 'high', 'low', 'close', 'volume', 'adjClose'] as const) grown[column]?.set(series[column]!.subarray(0, length));
  return grown;
}

/** The bars with `from <= time <= to` (ms), sharing the underlying buffers. */
export function sliceSeries(series: BarSeries, from = -Infinity, to = Infinity): BarSeries {
  return sliceByIndex(series, lowerBound(series.time, from), upperBound(series.time, to));
}

/** First index whose time is >= t. */
export function lowerBound(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose time is > t. */
export function upperBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first `length` bars (views, no copy): for builders that over-allocate then trim. */
export function truncateSeries(series: BarSeries, length: number): BarSeries {
  if (length >= series.length) return series;
  return sliceByIndex(series, 0, length);
}

/** Bars `[start, end)` by index, sharing the underlying buffers. */
export function sliceByIndex(series: BarSeries, start: number, end: number): BarSeries {
  return {
    symbol: series.symbol,
    source: series.source,
    time: series.time.subarray(start, end),
    open: series.open.subarray(start, end),
    high: series.high.subarray(start, end),
    low: series.low.subarray(start, end),
    close: series.close.subarray(start, end),
    volume: series.volume.subarray(start, end),
    adjClose: series.adjClose?.subarray(start, end),
    length: Math.max(0, end - start),
  };
}

/** A time window: bars with fromTime <= time < toTime (either end open when absent). */
export interface TimeWindow {
  fromTime?: number;
  toTime?: number;
}

/** Every series cut to a window (views, no copy): a variant's bars (core/run/variants.ts). */
export function seriesInWindow(series: BarSeries[], window: TimeWindow | undefined): BarSeries[] {
  if (!window || (window.fromTime === undefined && window.toTime === undefined)) return series;
  return series.map((s) => {
    const from = window.fromTime === undefined ? 0 : lowerBound(s.time, window.fromTime);
    const to = window.toTime === undefined ? s.length : lowerBound(s.time, window.toTime);
    return sliceByIndex(s, from, Math.max(from, to));
  });
}

/** The same bars under another symbol and/or source label. */
export function withSource(series: BarSeries, source: SeriesSource, symbol = series.symbol): BarSeries {
  return { ...series, symbol, source };
}

/** Names of the numeric columns, in storage order (adjClose last, optional). */
export const PRICE_COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
