/**
 * What a saved run keeps of a long run's bars (docs/extension.md "Long runs").
 *
 * A saved run is drawn, listed and compared; the evaluators check every bar before it is saved. Up to
 * EQUITY_FULL_MAX bars it keeps them all. Past that, a million minute bars would make ~160 MB of JSON per run
 * (every equity point and every candle) for charts a few thousand pixels wide, so the record keeps the bars
 * that draw the curve (drawableIndices) plus every bar a reader checks a figure against:
 *   - each trade's entry and exit bar, and the bar before its entry, so markers sit on their own bars and the
 *     candles from entry to exit span exactly the trade's bars (its run-up and drawdown stay exact);
 *   - the first bar and the last bar of every UTC month, so the monthly and annual returns stay exact.
 * Each kept bar's candle spans the bars since the previous kept one (open of the first, highest high, lowest
 * low, close of the last), so no price move disappears from the chart. Pure.
 */
import type { BarSeries } from '../data/series';
import { drawableIndices, drawdownColumn } from '../engine/equityCurve';
import type { Timeline } from '../engine/grid';
import type { Trade } from '../engine/types';
import type { CandleSeries } from './types';

/** Grid steps a saved run keeps past EQUITY_FULL_MAX, increasing. */
export function keptSteps(time: Float64Array, equity: Float64Array, trades: readonly Pick<Trade, 'entryBar' | 'exitBar'>[]): Int32Array {
  const n = time.length;
  const keep = new Uint8Array(n);
  for (const i of drawableIndices({ time, equity, drawdownPct: drawdownColumn(equity) })) keep[i] = 1;
  for (const t of trades) {
    mark(keep, t.entryBar - 1);
    mark(keep, t.entryBar);
    if (t.exitBar !== null) mark(keep, t.exitBar);
  }
  // Last bar of each UTC month: the next bar starts at or after the month's end.
  let monthEnd = -Infinity;
  for (let i = 0; i < n; i++) {
    if (time[i] >= monthEnd) {
      if (i > 0) keep[i - 1] = 1;
      const d = new Date(time[i]);
      monthEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
  }
  if (n > 0) { keep[0] = 1; keep[n - 1] = 1; }
  let count = 0;
  for (let i = 0; i < n; i++) count += keep[i];
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (keep[i]) out[k++] = i;
  return out;
}

function mark(keep: Uint8Array, i: number): void {
  if (Number.isInteger(i) && i >= 0 && i < keep.length) keep[i] = 1;
}

/**
 * Candles of one series on the kept steps: kept step k's candle aggregates the series' bars delivered at steps
 * (steps[k−1], steps[k]], timed at that step's label; a span without a bar of this series has no candle.
 * `key` is the series' times as the timeline matches them against `order` (Timeline.keys).
 */
export function candlesOnSteps(series: BarSeries, key: Float64Array, timeline: Timeline, steps: Int32Array): CandleSeries {
  const out: CandleSeries = { symbol: series.symbol, time: [], open: [], high: [], low: [], close: [] };
  const { order, labels } = timeline;
  let g = 0;
  let k = 0;
  let open = NaN, high = -Infinity, low = Infinity, close = NaN, any = false;
  const flush = () => {
    if (any) { out.time.push(labels[steps[k]]); out.open.push(open); out.high.push(high); out.low.push(low); out.close.push(close); }
    any = false; high = -Infinity; low = Infinity;
  };
  for (let j = 0; j < series.length; j++) {
    while (g < order.length && order[g] < key[j]) g++; // the step this bar is delivered at
    while (k < steps.length && steps[k] < g) { flush(); k++; }
    if (k === steps.length) break;
    if (!any) { open = series.open[j]; any = true; }
    if (series.high[j] > high) high = series.high[j];
    if (series.low[j] < low) low = series.low[j];
    close = series.close[j];
  }
  if (k < steps.length) flush();
  return out;
}
