/**
 * The strategy side of a paper session: runs a strategy forward one step at a
 * time. Used inside the sandbox (sandbox/runtime/session.ts) and in this process
 * for `--sandbox none --trust`. The strategy talks to a `SessionBroker` that
 * mirrors the account snapshot the host sends each step and records the orders
 * it places; the host decides what, if anything, reaches the real broker.
 */
import type { Broker, OrderRequest } from '../sdk/broker';
import { bindBroker, withParamOverrides } from '../sdk/internal';
import type { Bar, Fill, Order, Position } from '../sdk/types';
import type { BrokerOrder } from '../engine/broker';
import { validateRequest } from '../engine/broker';
import { orderView } from '../engine/views';
import { MAX_ORDERS } from '../engine/caps';
import type { StrategyClass } from '../strategy/load';
import type { AccountView, Decision, Feed, OrderIntent, SessionInit } from './types';

/** Orders one step may place: a strategy that floods is stopped, not relayed. */
export const MAX_ORDERS_PER_STEP = 100;

export class SessionBroker implements Broker {
  private account: AccountView = { cash: 0, equity: 0, positions: [], openOrders: [] };
  private readonly last = new Map<string, number>();
  private readonly orders = new Map<number, BrokerOrder>();
  private intents: OrderIntent[] = [];
  private cancels: number[] = [];
  private refused: Decision['refused'] = [];
  private nextId: number;
  time = NaN;

  constructor(
    private readonly symbols: ReadonlySet<string>,
    firstOrderId: number,
    private readonly onLog: (time: number | null, message: string) => void,
  ) {
    this.nextId = firstOrderId;
  }

  /** Start of a step: the account as the host read it, and the order updates since the last step. */
  apply(feed: Feed): void {
    this.account = feed.account;
    for (const u of feed.closed) {
      const o = this.orders.get(u.id);
      if (o) {
        o.status = u.status;
        if (u.reason !== undefined) o.reason = u.reason;
      }
    }
    for (const f of feed.fills) {
      const o = this.orders.get(f.orderId);
      if (o) {
        o.filledShares = (o.filledShares ?? 0) + f.shares;
        o.fillPrice = f.price;
        o.filledAt = f.time;
      }
    }
  }

  setLastPrice(symbol: string, price: number): void {
    this.last.set(symbol, price);
  }

  /** The step's decision; the broker is empty again afterwards. */
  take(): Decision {
    const d: Decision = { orders: this.intents, cancels: this.cancels, refused: this.refused };
    this.intents = [];
    this.cancels = [];
    this.refused = [];
    return d;
  }

  submit(request: OrderRequest): Order {
    if (this.nextId >= MAX_ORDERS || this.intents.length >= MAX_ORDERS_PER_STEP) {
      throw new RangeError(`the strategy placed more than ${MAX_ORDERS_PER_STEP} orders in one bar (or ${MAX_ORDERS} in one session): place orders only when a signal changes.`);
    }
    const order: BrokerOrder = {
      id: this.nextId++, symbol: request.symbol, symbolIndex: -1, side: request.side,
      type: request.limit !== undefined ? 'limit' : request.stop !== undefined ? 'stop' : 'market',
      status: 'pending', shares: request.shares, cash: request.cash, percent: request.percent, limit: request.limit, stop: request.stop,
      closePosition: request.closePosition === true, placedAt: this.time, placedStep: -1, tag: request.tag, view: undefined,
    };
    this.orders.set(order.id, order);
    const problem = !this.symbols.has(request.symbol) ? `unknown symbol '${request.symbol}': this session trades ${[...this.symbols].join(', ')}` : validateRequest(request);
    if (problem) {
      order.status = 'rejected';
      order.reason = problem;
      this.refused.push({ id: order.id, symbol: order.symbol, side: order.side, reason: problem });
      this.log(`order #${order.id} rejected: ${problem}`);
    } else {
      this.intents.push({ id: order.id, request: plainRequest(request), placedAt: this.time });
    }
    return orderView(order);
  }

  cancel(orderId: number): boolean {
    const fresh = this.intents.findIndex((i) => i.id === orderId);
    if (fresh >= 0) {
      // Placed and cancelled in the same bar: it never leaves the sandbox.
      this.intents.splice(fresh, 1);
      const o = this.orders.get(orderId)!;
      o.status = 'cancelled';
      o.reason = 'cancelled by the strategy';
      return true;
    }
    if (!this.account.openOrders.some((o) => o.id === orderId) || this.cancels.includes(orderId)) return false;
    this.cancels.push(orderId);
    return true;
  }

  shares(symbol: string): number {
    return this.account.positions.find((p) => p.symbol === symbol)?.shares ?? 0;
  }

  position(symbol: string): Position | undefined {
    const p = this.account.positions.find((x) => x.symbol === symbol);
    if (!p || p.shares === 0) return undefined;
    const lastPrice = this.last.get(symbol) ?? p.avgPrice;
    const marketValue = p.shares * lastPrice;
    return Object.freeze({ symbol, shares: p.shares, avgPrice: p.avgPrice, lastPrice, marketValue, unrealizedPnl: marketValue - p.shares * p.avgPrice });
  }

  openOrders(symbol?: string): Order[] {
    const out: Order[] = [];
    for (const o of this.account.openOrders) {
      if (symbol !== undefined && o.symbol !== symbol) continue;
      const known = this.orders.get(o.id);
      if (known) out.push(orderView(known));
    }
    for (const i of this.intents) if (symbol === undefined || i.request.symbol === symbol) out.push(orderView(this.orders.get(i.id)!));
    return out;
  }

  cash(): number {
    return this.account.cash;
  }

  equity(): number {
    return this.account.equity;
  }

  log(message: string): void {
    this.onLog(Number.isNaN(this.time) ? null : this.time, String(message));
  }
}

/** A plain copy of a checked request (only the known fields; nothing of the strategy's objects crosses). */
function plainRequest(r: OrderRequest): OrderRequest {
  const out: OrderRequest = { symbol: r.symbol, side: r.side };
  for (const k of ['shares', 'cash', 'percent', 'limit', 'stop', 'stopLossPct', 'takeProfitPct', 'stopLoss', 'takeProfit', 'trailingStopPct'] as const) {
    if (r[k] !== undefined) out[k] = r[k];
  }
  if (r.tag !== undefined) out.tag = String(r.tag);
  if (r.closePosition) out.closePosition = true;
  return out;
}

/** A strategy running forward: `step` once per completed bar time. */
export class LiveEngine {
  private readonly broker: SessionBroker;
  private readonly strategy: ReturnType<typeof construct>;
  private readonly index = new Map<string, number>();
  private started = false;

  constructor(cls: StrategyClass, init: SessionInit, onLog: (time: number | null, message: string) => void) {
    this.broker = new SessionBroker(new Set(init.symbols), init.firstOrderId, onLog);
    this.strategy = construct(cls, init.params);
    bindBroker(this.strategy, this.broker);
  }

  step(feed: Feed): Decision {
    this.broker.apply(feed);
    const time = feed.bars[0]?.time ?? NaN;
    this.broker.time = time;
    if (!this.started) {
      this.started = true;
      this.strategy.onStart?.();
    }
    for (const fill of feed.fills) this.strategy.onFill?.(Object.freeze({ ...fill }) as Fill);
    for (const bar of feed.bars) this.broker.setLastPrice(bar.symbol, bar.close);
    for (const bar of feed.bars) {
      const index = this.index.get(bar.symbol) ?? 0;
      this.index.set(bar.symbol, index + 1);
      const view: Bar = Object.freeze({ symbol: bar.symbol, time: bar.time, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, index });
      this.strategy.onBar(view);
    }
    return this.broker.take();
  }
}

function construct(cls: StrategyClass, params: SessionInit['params']) {
  return withParamOverrides(params, () => new cls());
}
