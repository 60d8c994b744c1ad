/**
 * Guard rails, checked on the host before an order leaves (docs/paper.md, "Guard rails").
 * Pure: the session passes in what it knows, the check says which rule, if any, blocks the order.
 */
import type { OrderSide } from '../sdk/types';

export interface GuardLimits {
  /** Symbols the session may trade (default: the strategy's `static config.symbols`). */
  allowedSymbols: string[];
  /** Largest order value in dollars: qty × reference price. */
  maxOrderNotional: number;
  /** Largest position in one symbol after the order, in dollars at the reference price (long or short). */
  maxPositionNotional: number;
  /** Loss in dollars from the day's starting equity at which orders that add exposure stop. */
  maxDailyLoss: number;
  /** Orders sent in any 60-second window. */
  maxOrdersPerMinute: number;
}

export const DEFAULT_LIMITS: Omit<GuardLimits, 'allowedSymbols'> = {
  maxOrderNotional: 25_000,
  maxPositionNotional: 50_000,
  maxDailyLoss: 2_500,
  maxOrdersPerMinute: 10,
};

export interface GuardOrder {
  symbol: string;
  side: OrderSide;
  qty: number;
  /** The price the order is valued at: its limit/stop, else the last close. */
  refPrice: number;
}

export interface GuardState {
  /** Signed shares held now in the order's symbol. */
  position: number;
  /** Signed shares of the session's working orders in that symbol (they may still fill). */
  working: number;
  equity: number;
  /** Equity at the start of the trading day (Alpaca's `last_equity`). */
  dayStartEquity: number;
  /** Send times (ms) of the session's recent orders. */
  recentSends: number[];
  now: number;
  /** The kill switch was pulled: nothing more leaves. */
  killed: boolean;
}

export type GuardRule = 'kill-switch' | 'symbol' | 'order-notional' | 'position' | 'daily-loss' | 'rate';

export interface GuardBlock {
  rule: GuardRule;
  reason: string;
}

/** The first rule that blocks `order`, or undefined when it may be sent. */
export function checkOrder(order: GuardOrder, state: GuardState, limits: GuardLimits): GuardBlock | undefined {
  if (state.killed) return { rule: 'kill-switch', reason: 'the kill switch was pulled: no order leaves until the session is restarted' };
  if (!limits.allowedSymbols.includes(order.symbol)) return { rule: 'symbol', reason: `${order.symbol} is not an allowed symbol (${limits.allowedSymbols.join(', ')})` };
  const notional = order.qty * order.refPrice;
  if (notional > limits.maxOrderNotional) return { rule: 'order-notional', reason: `order value ${money(notional)} is over the ${money(limits.maxOrderNotional)} limit` };
  const change = order.side === 'buy' ? order.qty : -order.qty;
  const current = state.position + state.working;
  const after = current + change;
  const reduces = Math.abs(after) < Math.abs(current) && Math.sign(after) !== -Math.sign(current);
  const positionValue = Math.abs(after) * order.refPrice;
  if (!reduces && positionValue > limits.maxPositionNotional) return { rule: 'position', reason: `the ${order.symbol} position would be worth ${money(positionValue)}, over the ${money(limits.maxPositionNotional)} limit` };
  const loss = state.dayStartEquity - state.equity;
  if (!reduces && loss >= limits.maxDailyLoss) return { rule: 'daily-loss', reason: `today's loss ${money(loss)} reached the ${money(limits.maxDailyLoss)} limit: only orders that reduce a position are sent` };
  const inLastMinute = state.recentSends.filter((t) => state.now - t < 60_000).length;
  if (inLastMinute >= limits.maxOrdersPerMinute) return { rule: 'rate', reason: `${inLastMinute} orders were sent in the last minute, the limit is ${limits.maxOrdersPerMinute}` };
  return undefined;
}

/** Limits checked for sense before a session starts (a clear error, not a session that blocks everything). */
export function checkLimits(limits: GuardLimits): void {
  const problems: string[] = [];
  for (const k of ['maxOrderNotional', 'maxPositionNotional', 'maxDailyLoss', 'maxOrdersPerMinute'] as const) {
    if (!(typeof limits[k] === 'number' && limits[k] > 0 && Number.isFinite(limits[k]))) problems.push(`${k} must be a positive number, got ${String(limits[k])}`);
  }
  if (limits.allowedSymbols.length === 0) problems.push('allowedSymbols is empty');
  if (problems.length) throw new RangeError(`Invalid paper guard rails: ${problems.join('; ')}.`);
}

function money(n: number): string {
  return `$${n.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })}`;
}
