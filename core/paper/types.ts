/**
 * Types shared by the host side of a paper session and the strategy side (the
 * sandbox runtime bundles this file): what the host feeds the strategy each step,
 * and what the strategy decides.
 */
import type { OrderRequest } from '../sdk/broker';
import type { Bar, Fill, OrderSide, OrderType } from '../sdk/types';

/** The account as the strategy sees it in one step (a snapshot the host read from the broker). */
export interface AccountView {
  cash: number;
  equity: number;
  positions: { symbol: string; shares: number; avgPrice: number }[];
  /** The session's own orders still working at the broker, under the strategy's order ids. */
  openOrders: { id: number; symbol: string; side: OrderSide; type: OrderType; shares: number; limit?: number; stop?: number; placedAt: number }[];
}

/** One step: every symbol's bar of one timestamp, plus what happened since the last step. */
export interface Feed {
  /** Bars of one timestamp (one per symbol that has a bar then). */
  bars: Bar[];
  account: AccountView;
  /** Fills of the session's orders since the last step, under the strategy's order ids. */
  fills: Fill[];
  /** Orders of the session that ended since the last step (filled, cancelled, rejected), under the strategy's ids. */
  closed: { id: number; status: 'filled' | 'cancelled' | 'rejected'; reason?: string }[];
  /** True while warming up on history: orders are recorded as signals, never sent. */
  warmup: boolean;
}

/** An order the strategy placed in one step: its id (the strategy's `order.id`) and the checked request. */
export interface OrderIntent {
  id: number;
  request: OrderRequest;
  /** The bar time the strategy saw when it placed the order. */
  placedAt: number;
}

/** What the strategy decided in one step. */
export interface Decision {
  orders: OrderIntent[];
  cancels: number[];
  /** Orders the strategy's broker refused outright (bad request), with the reason: signals that never leave. */
  refused: { id: number; symbol: string; side: OrderSide; reason: string }[];
}

/** Sent once when a session starts. */
export interface SessionInit {
  /** The first order id the strategy's broker hands out (continues after a restart). */
  firstOrderId: number;
  symbols: string[];
  params?: Record<string, number | boolean>;
}
