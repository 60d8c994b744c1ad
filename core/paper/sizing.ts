/**
 * Turns a strategy's order request into a share quantity at the moment it is sent,
 * with the backtest's rules (core/engine/broker.ts sizeOrder): `close()` is the
 * whole position, no size against an open position exits it, `cash`/`percent`/no
 * size buy whole shares with the buying power of an unleveraged account.
 * The reference price is the last close (a market order's fill price is unknown).
 */
import type { OrderRequest } from '../sdk/broker';

export interface SizingContext {
  /** Signed shares held in the symbol. */
  position: number;
  cash: number;
  equity: number;
  /** Market value of all short positions (positive). */
  shortValue: number;
  price: number;
}

/** Signed share change, 0 when there is nothing to trade (with the reason). */
export function sizeRequest(r: OrderRequest, c: SizingContext): { change: number; reason?: string } {
  const dir = r.side === 'buy' ? 1 : -1;
  if (r.closePosition) return c.position === 0 ? { change: 0, reason: 'nothing to close: the position is already flat' } : { change: -c.position };
  const sized = r.shares !== undefined || r.cash !== undefined || r.percent !== undefined;
  if (!sized && c.position !== 0 && Math.sign(c.position) !== dir) return { change: -c.position };
  if (r.shares !== undefined) return { change: dir * r.shares };
  const buyingPower = Math.max(0, c.cash - 2 * c.shortValue);
  const budget = r.cash !== undefined ? Math.min(r.cash, buyingPower) : r.percent !== undefined ? Math.min((c.equity * r.percent) / 100, buyingPower) : buyingPower;
  const shares = c.price > 0 ? Math.floor(budget / c.price) : 0;
  return shares > 0 ? { change: dir * shares } : { change: 0, reason: 'not enough buying power for one share' };
}
