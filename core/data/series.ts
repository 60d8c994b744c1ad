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
}

export function createSeries(symbol: string, length: number, withAdjClose = false): BarSeries {
  return {
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

/** The bars with `from <= time <= to` (ms), sharing the underlying buffers. */
export function sliceSeries(series: BarSeries, from = -Infinity, to = Infinity): BarSeries {
  const start = lowerBound(series.time, from);
  const end = upperBound(series.time, to);
  return {
    symbol: series.symbol,
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

/** First index whose time is >= t. */
export function lowerBound(times: Float64Array, t: number): number {
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
