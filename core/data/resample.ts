/**
 * Aggregates bars into a coarser interval (5m → 1h, 1h → 4h, 1d → 1wk): first open,
 * highest high, lowest low, last close, summed volume. Intraday buckets are anchored
 * at each day's first bar, so 1h bars of a 09:30 session start at 09:30, not 09:00.
 */
import { floorDay, floorWeek } from './dates';
import { DAY_MS, INTERVAL_MS, WEEK_MS, type Interval } from './interval';
import { createSeries, truncateSeries, type BarSeries } from './series';

export function resampleSeries(series: BarSeries, interval: Interval): BarSeries {
  const size = INTERVAL_MS[interval];
  const out = createSeries(series.symbol, series.length, series.adjClose !== undefined, series.source && { ...series.source, interval });
  const adjIn = series.adjClose;
  const adjOut = out.adjClose;
  let n = -1;
  let bucket = NaN;
  let day = NaN;
  let dayFirst = 0;
  for (let i = 0; i < series.length; i++) {
    const t = series.time[i];
    let key: number;
    if (size >= WEEK_MS) key = floorWeek(t);
    else if (size >= DAY_MS) key = floorDay(t);
    else {
      const d = floorDay(t);
      if (d !== day) { day = d; dayFirst = t; }
      key = dayFirst + Math.floor((t - dayFirst) / size) * size;
    }
    if (key !== bucket) {
      bucket = key;
      n++;
      out.time[n] = key;
      out.open[n] = series.open[i];
      out.high[n] = series.high[i];
      out.low[n] = series.low[i];
      out.volume[n] = 0;
    } else {
      if (series.high[i] > out.high[n]) out.high[n] = series.high[i];
      if (series.low[i] < out.low[n]) out.low[n] = series.low[i];
    }
    out.close[n] = series.close[i];
    out.volume[n] += series.volume[i];
    if (adjOut && adjIn) adjOut[n] = adjIn[i];
  }
  return truncateSeries(out, n + 1);
}
