/**
 * Rebuilds the account from the fills alone: cash, shares per symbol and
 * equity at every bar of the time grid. Independent of the broker's own
 * bookkeeping, so the integrity check can compare the two and the risk check
 * can measure leverage from any result (also one that came out of a sandbox).
 */
import type { BarSeries } from '../data/series';
import { buildTimeGrid } from '../engine/grid';
import { parseTime } from '../engine/time';
import type { BacktestResult } from '../engine/types';
import type { Fill } from '../sdk/types';

export interface Ledger {
  grid: Float64Array;
  /** Cash after every fill up to and including each bar. */
  cash: Float64Array;
  /** Cash + Σ shares × last close, at each bar. */
  equity: Float64Array;
  /** Σ |shares × last close| / equity, at each bar. */
  leverage: Float64Array;
  /** Fills whose symbol is not in the data or whose time is not a bar of that symbol. */
  strayFills: Fill[];
}

export function rebuildLedger(series: BarSeries[], fills: readonly Fill[], startingCash: number): Ledger {
  const grid = buildTimeGrid(series);
  const n = grid.length;
  const k = series.length;
  const index = new Map(series.map((s, i) => [s.symbol, i]));
  const cash = new Float64Array(n);
  const equity = new Float64Array(n);
  const leverage = new Float64Array(n);
  const shares = new Float64Array(k);
  const last = new Float64Array(k).fill(NaN);
  const cursor = new Int32Array(k);
  const ordered = [...fills].sort((a, b) => a.time - b.time);
  const strayFills: Fill[] = [];
  let f = 0;
  let balance = startingCash;
  for (let step = 0; step < n; step++) {
    const t = grid[step];
    // Fills before the first bar belong to no bar: stray.
    while (f < ordered.length && ordered[f].time < grid[0]) strayFills.push(ordered[f++]);
    while (f < ordered.length && ordered[f].time <= t) {
      const fill = ordered[f++];
      const i = index.get(fill.symbol);
      if (i === undefined) {
        strayFills.push(fill);
        continue;
      }
      const signed = fill.side === 'buy' ? fill.shares : -fill.shares;
      balance -= signed * fill.price + fill.commission;
      shares[i] += signed;
    }
    for (let i = 0; i < k; i++) {
      const s = series[i];
      if (cursor[i] < s.length && s.time[cursor[i]] === t) last[i] = s.close[cursor[i]++];
    }
    let held = 0;
    let gross = 0;
    for (let i = 0; i < k; i++) {
      if (shares[i] === 0) continue;
      const value = shares[i] * last[i];
      held += value;
      gross += Math.abs(value);
    }
    cash[step] = balance;
    equity[step] = balance + held;
    leverage[step] = equity[step] > 0 ? gross / equity[step] : gross > 0 ? Infinity : 0;
  }
  while (f < ordered.length) strayFills.push(ordered[f++]);
  return { grid, cash, equity, leverage, strayFills };
}

/** The bar of `symbol` at exactly `time`, or -1. */
export function barAt(series: BarSeries, time: number): number {
  let lo = 0;
  let hi = series.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const t = series.time[mid];
    if (t === time) return mid;
    if (t < time) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The reported equity curve as typed columns (times parsed back to ms), for the statistics recomputed from it. */
export function equityColumns(result: BacktestResult): { time: Float64Array; equity: Float64Array } {
  const n = result.equity.length;
  const time = new Float64Array(n);
  const equity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = parseTime(result.equity[i].time);
    equity[i] = result.equity[i].equity;
  }
  return { time, equity };
}
