/**
 * Protective exits (stopLoss…, takeProfit…, trailingStopPct) as Alpaca orders, with the
 * backtest's semantics as far as Alpaca allows (docs/paper.md, "Protective exits"):
 *
 *   stop-loss and take-profit  → the entry goes as `order_class: bracket`
 *   only one of them           → `order_class: oto`
 *   trailingStopPct            → a `trailing_stop` order (trail_percent) placed when the entry has filled
 *
 * Pure: the session asks for a plan before sending and journals it with the order.
 */
import type { OrderRequest } from '../sdk/broker';
import type { OrderSide } from '../sdk/types';

export interface ExitPlan {
  orderClass?: 'bracket' | 'oto';
  /** Absolute prices, rounded to what Alpaca accepts (cents at $1 and above). */
  stopLoss?: number;
  takeProfit?: number;
  /** Placed as its own trailing_stop order once the entry has filled. */
  trailPercent?: number;
}

export function hasExits(r: OrderRequest): boolean {
  return r.stopLoss !== undefined || r.stopLossPct !== undefined || r.takeProfit !== undefined || r.takeProfitPct !== undefined || r.trailingStopPct !== undefined;
}

/**
 * The exit orders for an entry of `side` valued at `entryRef` (the limit/stop price, else the last close: Alpaca
 * needs the levels when the entry is sent, the backtest takes them from the fill). `position` is the signed
 * position before the entry. Returns a plan, or why the exits cannot be relayed.
 */
export function exitPlan(r: OrderRequest, side: OrderSide, qty: number, position: number, entryRef: number): ExitPlan | { unsupported: string } {
  if (!hasExits(r)) return {};
  const change = side === 'buy' ? qty : -qty;
  const after = position + change;
  // The backtest protects a position the order opens or adds to; an exit order's own stops are ignored there.
  if (after === 0 || Math.sign(after) !== Math.sign(change)) return {};
  if (position !== 0 && Math.sign(position) !== Math.sign(change)) {
    return { unsupported: 'an order that reverses a position cannot carry protective exits at Alpaca (its legs would be sized for the whole order): close the position first, then enter with the exits' };
  }
  if (position !== 0) return { unsupported: 'protective exits on an order that adds to a position are not relayed (Alpaca legs cover only the new shares, the backtest protects the whole position): place the exits on the first entry' };
  const fixed = r.stopLoss !== undefined || r.stopLossPct !== undefined || r.takeProfit !== undefined || r.takeProfitPct !== undefined;
  if (fixed && r.trailingStopPct !== undefined) {
    return { unsupported: 'a trailing stop together with a stop-loss or take-profit cannot be relayed: Alpaca holds the position\'s shares for one set of exit orders. Use either the trailing stop or the fixed exits' };
  }
  if (r.trailingStopPct !== undefined) return { trailPercent: r.trailingStopPct };
  const long = side === 'buy';
  const level = (abs: number | undefined, pct: number | undefined, sign: number) => (abs !== undefined ? abs : pct !== undefined ? entryRef * (1 + (sign * pct) / 100) : undefined);
  const stopLoss = level(r.stopLoss, r.stopLossPct, long ? -1 : 1);
  const takeProfit = level(r.takeProfit, r.takeProfitPct, long ? 1 : -1);
  const plan: ExitPlan = { orderClass: stopLoss !== undefined && takeProfit !== undefined ? 'bracket' : 'oto' };
  if (stopLoss !== undefined) plan.stopLoss = alpacaPrice(stopLoss);
  if (takeProfit !== undefined) plan.takeProfit = alpacaPrice(takeProfit);
  return plan;
}

/** Alpaca refuses sub-penny prices: 2 decimals at $1 and above, 4 below (nearest; 1.005 is 1.01, not the binary 1.00). */
export function alpacaPrice(p: number): number {
  const f = p >= 1 ? 100 : 10_000;
  return Math.round(Number((p * f).toPrecision(12))) / f;
}

/** The client order id of an entry's trailing stop: derived from the entry's, so it is never sent twice. */
export function trailingStopId(entryClientOrderId: string): string {
  return `${entryClientOrderId}-ts`;
}
