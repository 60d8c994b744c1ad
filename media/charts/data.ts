/**
 * The chart data of a run on ONE time grid (the equity curve's bars): candles of a symbol get whitespace where
 * that symbol has no bar, so the price, equity and drawdown panes have the same bars at the same logical
 * indices and can be kept in step by index (a time-based sync drifts when the panes' bars differ).
 */
import type { UTCTimestamp, WhitespaceData, CandlestickData, LineData } from 'lightweight-charts';
import { lowerBound } from '../../core/data/series';
import { parseTime } from '../../core/engine/time';
import type { CandleSeries, RunRecord } from '../../core/history/types';

export const sec = (ms: number) => (ms / 1000) as UTCTimestamp;

export interface RunGrid {
  /** Bar times in seconds, the equity curve's. */
  times: UTCTimestamp[];
  /** Grid index by time in seconds. */
  index: Map<number, number>;
  cash: number;
}

export function runGrid(run: RunRecord): RunGrid {
  const times = run.result.equity.map((p) => sec(parseTime(p.time)));
  return { times, index: new Map(times.map((t, i) => [t, i])), cash: run.result.run.options.cash };
}

/** Index on the grid of the first bar at or after `timeText` (the last bar when none). */
export function gridIndexAt(grid: RunGrid, timeText: string): number {
  const t = sec(parseTime(timeText));
  const exact = grid.index.get(t);
  return exact ?? Math.min(lowerBound(grid.times, t), grid.times.length - 1);
}

export function candleData(grid: RunGrid, c: CandleSeries): (CandlestickData<UTCTimestamp> | WhitespaceData<UTCTimestamp>)[] {
  const out: (CandlestickData<UTCTimestamp> | WhitespaceData<UTCTimestamp>)[] = grid.times.map((time) => ({ time }));
  for (let i = 0; i < c.time.length; i++) {
    const at = grid.index.get(sec(c.time[i]));
    if (at !== undefined) out[at] = { time: grid.times[at], open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i] };
  }
  return out;
}

/** Growth multiple of the strategy (equity / starting cash): 1 = break-even; shown as % growth or on a log scale. */
export function equityGrowth(grid: RunGrid, run: RunRecord): LineData<UTCTimestamp>[] {
  return run.result.equity.map((p, i) => ({ time: grid.times[i], value: p.equity / grid.cash }));
}

/** Buy & hold's growth multiple on the same grid (the benchmark starts at the run's cash). */
export function benchmarkGrowth(grid: RunGrid, run: RunRecord): LineData<UTCTimestamp>[] {
  const b = run.chart.benchmark;
  if (b.length !== grid.times.length || !(b[0] > 0)) return [];
  return b.map((v, i) => ({ time: grid.times[i], value: v / b[0] }));
}

export function drawdownData(grid: RunGrid, run: RunRecord): LineData<UTCTimestamp>[] {
  return run.result.equity.map((p, i) => ({ time: grid.times[i], value: p.drawdownPct }));
}

/** Price span of a symbol's lows and highs, for choosing the scale. */
export function priceSpan(c: CandleSeries): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < c.low.length; i++) { if (c.low[i] < min) min = c.low[i]; if (c.high[i] > max) max = c.high[i]; }
  return { min, max };
}
