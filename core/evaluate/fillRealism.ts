/**
 * Fill realism (docs/engine.md "Fills", docs/evaluate.md "Result integrity"): every fill must be the price
 * its order type allows at that bar, rebuilt from the data and the run's options alone:
 *
 * - market: on the symbol's first bar after the order's bar at the open (`fill: 'next-open'`), or on the
 *   order's own bar at the close (`fill: 'close'`), moved against the trader by the run's slippage but never
 *   outside the bar's high–low;
 * - limit (with its limit price): on the first bar after placement that reaches the limit, at min(open, limit)
 *   for a buy and max(open, limit) for a sell, no slippage;
 * - stop (with its stop price): on the first bar after placement that reaches the stop, at max(open, stop) /
 *   min(open, stop), slipped like a market fill;
 * - protective exits (stop-loss, take-profit, trailing stop; their level is not in the result): a stop exit
 *   no better than the open, a take-profit no worse than the open, inside the bar.
 *
 * Anything else (a fill at a price the bar allowed but the order did not, an unknown order, another bar)
 * is a forged or impossible fill.
 */
import { upperBound, type BarSeries } from '../data/series';
import { buildTimeGrid } from '../engine/grid';
import type { BacktestResult, OrderRecord } from '../engine/types';
import type { Fill } from '../sdk/types';
import { barAt } from './ledger';

export interface FillProblem {
  fill: number;
  message: string;
}

const PROTECTIVE = new Set(['stop-loss', 'take-profit', 'trailing-stop']);

/** Slippage as the broker applies it: against the trader, clamped to the bar. */
export function slipped(side: 'buy' | 'sell', price: number, bps: number, high: number, low: number): number {
  if (bps === 0) return price;
  return side === 'buy' ? Math.min(high, price * (1 + bps / 10_000)) : Math.max(low, price * (1 - bps / 10_000));
}

/** The first fill that its order type could not have had, or undefined when every fill is possible. */
export function checkFillRealism(series: readonly BarSeries[], r: BacktestResult, relativeTolerance: number): FillProblem | undefined {
  const grid = buildTimeGrid(series);
  const bySymbol = new Map(series.map((s) => [s.symbol, s]));
  const orders = new Map(r.orders.map((o) => [o.id, o]));
  const { slippageBps: bps, fill: policy } = r.run.options;
  const same = (a: number, b: number) => Math.abs(a - b) <= Math.max(relativeTolerance, 1e-9) * Math.max(1, Math.abs(a), Math.abs(b));
  for (const [i, f] of r.fills.entries()) {
    const what = `fill ${i + 1} (${f.side} ${f.shares} ${f.symbol} at ${f.price} on ${iso(f.time)})`;
    const o = orders.get(f.orderId);
    if (!o) return { fill: i, message: `${what} belongs to order #${f.orderId}, which the run never placed: a forged fill` };
    const s = bySymbol.get(f.symbol);
    const bar = s ? barAt(s, f.time) : -1;
    if (!s || bar < 0) return { fill: i, message: `${what} has no bar of ${f.symbol} at that time` };
    if (o.symbol !== f.symbol || o.side !== f.side) return { fill: i, message: `${what} does not match its order #${o.id} (${o.side} ${o.symbol}): a forged fill` };
    const expected = expectedFill(s, bar, o, f, grid, policy, bps);
    if ('problem' in expected) return { fill: i, message: `${what}: ${expected.problem}` };
    if (expected.price !== undefined && !same(f.price, expected.price)) {
      return { fill: i, message: `${what} is not what its ${o.type} order allows: ${expected.rule} gives ${round(expected.price)}; a forged or impossible fill` };
    }
    if (expected.bound && !expected.bound.ok(f.price)) {
      return { fill: i, message: `${what} is not what its ${o.tag} exit allows: ${expected.bound.rule}; a forged or impossible fill` };
    }
  }
  return undefined;
}

type Expectation = { price?: number; rule: string; bound?: { ok: (p: number) => boolean; rule: string } } | { problem: string };

function expectedFill(s: BarSeries, bar: number, o: OrderRecord, f: Fill, grid: Float64Array, policy: 'next-open' | 'close', bps: number): Expectation {
  const open = s.open[bar];
  const high = s.high[bar];
  const low = s.low[bar];
  const placed = grid[o.placedBar];
  if (!(placed <= f.time)) return { problem: `it fills before its order #${o.id} was placed (${o.placedAt})` };
  const tol = 1e-9 * Math.max(1, Math.abs(high));
  if (o.tag && PROTECTIVE.has(o.tag) && o.limit === undefined && o.stop === undefined) {
    // Protective exits fill on the bar they are recorded on; the level itself is not in the result.
    const protectedLong = f.side === 'sell';
    if (o.tag === 'take-profit') {
      return { rule: '', bound: { ok: (p) => (protectedLong ? p >= open - tol : p <= open + tol) && p >= low - tol && p <= high + tol, rule: `a take-profit ${f.side} fills at the open or a better price inside the bar (open ${open}, range ${low}–${high})` } };
    }
    const worst = slipped(f.side, open, bps, high, low);
    return { rule: '', bound: { ok: (p) => (protectedLong ? p <= open + tol : p >= open - tol) && p >= Math.min(low, worst) - tol && p <= Math.max(high, worst) + tol, rule: `a ${o.tag} ${f.side} fills at the open or a worse price inside the bar (open ${open}, range ${low}–${high})` } };
  }
  if (o.type === 'market') {
    if (policy === 'close') {
      if (f.time !== placed) return { problem: `a market order with fill 'close' fills on its own bar (${o.placedAt})` };
      return { price: slipped(f.side, s.close[bar], bps, high, low), rule: `the close ${s.close[bar]}${bps ? ` ± ${bps} bps slippage` : ''}` };
    }
    const next = upperBound(s.time, placed);
    if (next !== bar) return { problem: `a market order placed ${o.placedAt} fills at the next bar's open${next < s.length ? ` (${iso(s.time[next])})` : ''}, not on this bar` };
    return { price: slipped(f.side, open, bps, high, low), rule: `the next open ${open}${bps ? ` ± ${bps} bps slippage` : ''}` };
  }
  const level = o.type === 'limit' ? o.limit : o.stop;
  if (level === undefined) return { problem: `its ${o.type} order #${o.id} has no ${o.type} price` };
  const reaches = (b: number) => o.type === 'limit'
    ? (f.side === 'buy' ? s.low[b] <= level : s.high[b] >= level)
    : (f.side === 'buy' ? s.high[b] >= level : s.low[b] <= level);
  // Live from the bar after placement until it fills: it fills on the first bar that reaches the level.
  const from = upperBound(s.time, placed);
  let first = -1;
  for (let b = from; b < s.length && b <= bar; b++) if (reaches(b)) { first = b; break; }
  if (first !== bar) return { problem: first < 0 ? `its ${o.type} ${level} was not reached on that bar (range ${low}–${high})` : `its ${o.type} ${level} was first reached on ${iso(s.time[first])}, where it would have filled` };
  if (o.type === 'limit') {
    const price = f.side === 'buy' ? Math.min(open, level) : Math.max(open, level);
    return { price, rule: `${f.side === 'buy' ? 'min' : 'max'}(open ${open}, limit ${level})` };
  }
  const raw = f.side === 'buy' ? Math.max(open, level) : Math.min(open, level);
  return { price: slipped(f.side, raw, bps, high, low), rule: `${f.side === 'buy' ? 'max' : 'min'}(open ${open}, stop ${level})${bps ? ` ± ${bps} bps slippage` : ''}` };
}

function round(x: number): string {
  return String(Math.round(x * 1e6) / 1e6);
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('T00:00:00.000Z', '') : String(ms);
}
