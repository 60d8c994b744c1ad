/**
 * BacktestBroker: the simulated broker behind BaseStrategy during a backtest.
 * Conventions (docs/engine.md): netting positions, FIFO lots (each entry fill
 * is a trade; exits close lots oldest first), no leverage (orders needing more
 * buying power than the account has are rejected), market orders fill at the
 * next bar's open (or this bar's close with fill: 'close'), stop/limit orders
 * from the next bar on, protective exits (stop-loss, take-profit, trailing)
 * checked inside each bar with the stop assumed first when both could trigger.
 */
import { types } from 'node:util';
import type { Broker, OrderRequest } from '../sdk/broker';
import { freezeClass, registerProxyCheck } from '../sdk/internal';
import type { Fill, Order, OrderSide, OrderStatus, OrderType, Position } from '../sdk/types';
import type { BarSeries } from '../data/series';
import type { FillPolicy, LogLine } from './types';
import { MAX_ORDERS } from './caps';
import { orderView } from './views';

// Strategies reach the SDK's input checks only through a broker, so this module is always loaded first.
registerProxyCheck(types.isProxy);

export interface BrokerSettings {
  cash: number;
  commission: number;
  commissionFixed: number;
  slippageBps: number;
  fill: FillPolicy;
  onLog?: (line: LogLine) => void;
  onFill?: (fill: Fill) => void;
}

/** Mutable order state inside the broker; strategies see it through the read-only `Order` type. */
export interface BrokerOrder {
  id: number;
  symbol: string;
  symbolIndex: number;
  side: OrderSide;
  type: OrderType;
  status: OrderStatus;
  shares: number | undefined;
  cash?: number;
  percent?: number;
  limit?: number;
  stop?: number;
  closePosition: boolean;
  stopLossPct?: number;
  takeProfitPct?: number;
  stopLoss?: number;
  takeProfit?: number;
  trailingStopPct?: number;
  placedAt: number;
  placedStep: number;
  tag?: string;
  reason?: string;
  filledAt?: number;
  fillPrice?: number;
  filledShares?: number;
  /** The read-only view strategy code gets (views.ts), made on first use. */
  view?: Order;
}

/** An open lot: one entry fill (or what is left of it). */
export interface Lot {
  shares: number; // signed
  price: number;
  step: number;
  time: number;
  commission: number; // entry commission still attributed to the remaining shares
  tag?: string;
}

/** A closed (part of a) lot. */
export interface ClosedLot {
  symbol: string;
  shares: number; // signed: >0 long, <0 short
  entryPrice: number;
  entryStep: number;
  entryTime: number;
  exitPrice: number;
  exitStep: number;
  exitTime: number;
  commission: number;
  exitReason: string;
  tag?: string;
}

interface Protection {
  stopLoss?: number;
  takeProfit?: number;
  trailingPct?: number;
  /** Best price since entry, for the trailing stop. */
  best: number;
}

interface SymbolBook {
  symbol: string;
  shares: number;
  lots: Lot[];
  lastPrice: number;
  protection?: Protection;
}

export class BacktestBroker implements Broker {
  readonly orders: BrokerOrder[] = [];
  readonly fills: Fill[] = [];
  readonly closedLots: ClosedLot[] = [];
  commissionsPaid = 0;

  private cashBalance: number;
  private readonly books: SymbolBook[];
  private readonly indexOf = new Map<string, number>();
  private pending: BrokerOrder[] = [];
  private nextId = 1;
  /** Current portfolio step (index on the time grid) and its time. */
  step = -1;
  time = NaN;

  constructor(
    private readonly series: readonly BarSeries[],
    private readonly settings: BrokerSettings,
  ) {
    this.cashBalance = settings.cash;
    this.books = series.map((s, i) => {
      this.indexOf.set(s.symbol, i);
      return { symbol: s.symbol, shares: 0, lots: [], lastPrice: NaN };
    });
  }

  // ---------------------------------------------------------------- Broker interface (strategy side)

  submit(request: OrderRequest): Order {
    if (this.orders.length >= MAX_ORDERS) {
      throw new RangeError(`the strategy placed more than ${MAX_ORDERS.toLocaleString('en-US')} orders in one run (the cap, docs/sandbox.md): place orders only when a signal changes.`);
    }
    const symbolIndex = this.indexOf.get(request.symbol);
    const order: BrokerOrder = {
      id: this.nextId++,
      symbol: request.symbol,
      symbolIndex: symbolIndex ?? -1,
      side: request.side,
      type: request.limit !== undefined ? 'limit' : request.stop !== undefined ? 'stop' : 'market',
      status: 'pending',
      shares: request.shares,
      cash: request.cash,
      percent: request.percent,
      limit: request.limit,
      stop: request.stop,
      closePosition: request.closePosition === true,
      stopLossPct: request.stopLossPct,
      takeProfitPct: request.takeProfitPct,
      stopLoss: request.stopLoss,
      takeProfit: request.takeProfit,
      trailingStopPct: request.trailingStopPct,
      placedAt: this.time,
      placedStep: this.step,
      tag: request.tag,
      // Present from the start (not added on first use): every order keeps one object shape in the engine's loops.
      view: undefined,
    };
    this.orders.push(order);
    const problem = symbolIndex === undefined ? `unknown symbol '${request.symbol}': this run has data for ${this.series.map((s) => s.symbol).join(', ')}` : validateRequest(request);
    if (problem) {
      order.status = 'rejected';
      order.reason = problem;
      this.log(`order #${order.id} rejected: ${problem}`);
    } else {
      this.pending.push(order);
    }
    return orderView(order);
  }

  cancel(orderId: number): boolean {
    const i = this.pending.findIndex((o) => o.id === orderId);
    if (i < 0) return false;
    const [order] = this.pending.splice(i, 1);
    order.status = 'cancelled';
    order.reason = 'cancelled by the strategy';
    return true;
  }

  position(symbol: string): Position | undefined {
    const i = this.indexOf.get(symbol);
    if (i === undefined) return undefined;
    const book = this.books[i];
    if (book.shares === 0) return undefined;
    let cost = 0;
    for (const lot of book.lots) cost += lot.shares * lot.price;
    const avgPrice = cost / book.shares;
    const marketValue = book.shares * book.lastPrice;
    return Object.freeze({ symbol, shares: book.shares, avgPrice, lastPrice: book.lastPrice, marketValue, unrealizedPnl: marketValue - cost });
  }

  shares(symbol: string): number {
    const i = this.indexOf.get(symbol);
    return i === undefined ? 0 : this.books[i].shares;
  }

  openOrders(symbol?: string): Order[] {
    return this.pending.filter((o) => symbol === undefined || o.symbol === symbol).map(orderView);
  }

  cash(): number {
    return this.cashBalance;
  }

  equity(): number {
    let value = this.cashBalance;
    for (const book of this.books) if (book.shares !== 0) value += book.shares * book.lastPrice;
    return value;
  }

  log(message: string): void {
    this.settings.onLog?.({ time: Number.isNaN(this.time) ? null : this.time, message });
  }

  // ---------------------------------------------------------------- engine side

  hasPending(): boolean {
    return this.pending.length > 0;
  }

  hasPosition(symbolIndex: number): boolean {
    return this.books[symbolIndex].shares !== 0;
  }

  setLastPrice(symbolIndex: number, price: number): void {
    this.books[symbolIndex].lastPrice = price;
  }

  /**
   * Start of a bar of one symbol: fills orders placed on earlier steps
   * (market at the open, stop/limit when the bar reaches them), then checks
   * the position's protective exits.
   */
  openBar(symbolIndex: number, bar: number, step: number): void {
    if (this.pending.length === 0 && this.books[symbolIndex].protection === undefined) return;
    const s = this.series[symbolIndex];
    const open = s.open[bar];
    const high = s.high[bar];
    const low = s.low[bar];
    if (this.pending.length > 0) {
      // Snapshot: fills may not add orders, but keep iteration independent of splicing.
      const queue = this.pending.filter((o) => o.symbolIndex === symbolIndex && o.placedStep < step);
      for (const order of queue) {
        if (order.status !== 'pending') continue;
        const price = triggerPrice(order, open, high, low);
        if (price === undefined) continue;
        const slipped = order.type === 'limit' ? price : this.slip(order.side, price, high, low);
        this.execute(order, slipped, step, bar, 'signal');
      }
    }
    if (this.books[symbolIndex].protection) this.checkProtection(symbolIndex, bar, step, open, high, low);
  }

  /** With fill: 'close', market orders placed on this step fill at this bar's close. */
  closeBar(symbolIndex: number, bar: number, step: number): void {
    if (this.pending.length === 0) return;
    const s = this.series[symbolIndex];
    const queue = this.pending.filter((o) => o.symbolIndex === symbolIndex && o.type === 'market' && o.placedStep === step);
    for (const order of queue) {
      if (order.status !== 'pending') continue;
      this.execute(order, this.slip(order.side, s.close[bar], s.high[bar], s.low[bar]), step, bar, 'signal');
    }
  }

  /** After the last bar: orders that never got a bar to fill on are cancelled, with the reason. */
  finish(): void {
    for (const order of this.pending) {
      order.status = 'cancelled';
      order.reason = 'not filled: no later bar in the data';
    }
    this.pending = [];
  }

  /** Open lots per symbol, for reporting open trades. */
  openLots(): { symbol: string; symbolIndex: number; lot: Lot; lastPrice: number }[] {
    const out: { symbol: string; symbolIndex: number; lot: Lot; lastPrice: number }[] = [];
    this.books.forEach((book, symbolIndex) => {
      for (const lot of book.lots) out.push({ symbol: book.symbol, symbolIndex, lot, lastPrice: book.lastPrice });
    });
    return out;
  }

  // ---------------------------------------------------------------- internals

  private slip(side: OrderSide, price: number, high: number, low: number): number {
    const bps = this.settings.slippageBps;
    if (bps === 0) return price;
    // Slippage moves the price against the trader but never outside the bar's range.
    return side === 'buy' ? Math.min(high, price * (1 + bps / 10_000)) : Math.max(low, price * (1 - bps / 10_000));
  }

  private commissionFor(shares: number, price: number): number {
    return Math.abs(shares) * price * this.settings.commission + this.settings.commissionFixed;
  }

  /**
   * What a new position may use without leverage: equity minus gross exposure
   * (= cash − 2 × short market value). Long-only accounts: the cash.
   */
  private buyingPower(): number {
    let shortValue = 0;
    for (const book of this.books) if (book.shares < 0) shortValue += -book.shares * book.lastPrice;
    return Math.max(0, this.cashBalance - 2 * shortValue);
  }

  /** Signed share change for an order at its fill price; 0 means nothing to do (with order.reason set). */
  private sizeOrder(order: BrokerOrder, price: number): number {
    const book = this.books[order.symbolIndex];
    const dir = order.side === 'buy' ? 1 : -1;
    if (order.closePosition) return -book.shares;
    // No size given while holding the opposite side: the order exits that position.
    const opposite = book.shares !== 0 && Math.sign(book.shares) !== dir;
    if (order.shares === undefined && order.cash === undefined && order.percent === undefined && opposite) return -book.shares;
    if (order.shares !== undefined) return dir * order.shares;
    const perShare = price * (1 + this.settings.commission);
    const budget =
      order.cash !== undefined ? Math.min(order.cash, this.buyingPower())
      : order.percent !== undefined ? Math.min((this.equity() * order.percent) / 100, this.buyingPower())
      : this.buyingPower();
    const shares = Math.floor((budget - this.settings.commissionFixed) / perShare);
    return shares > 0 ? dir * shares : 0;
  }

  private execute(order: BrokerOrder, price: number, step: number, bar: number, reason: string): void {
    const change = this.sizeOrder(order, price);
    this.pending.splice(this.pending.indexOf(order), 1);
    if (change === 0) {
      order.status = 'rejected';
      order.reason = order.closePosition ? 'nothing to close: the position was already flat' : 'not enough buying power for one share';
      this.log(`order #${order.id} ${order.side} ${order.symbol} rejected: ${order.reason}`);
      return;
    }
    const book = this.books[order.symbolIndex];
    const opening = book.shares === 0 || Math.sign(book.shares) === Math.sign(change) ? Math.abs(change) : Math.max(0, Math.abs(change) - Math.abs(book.shares));
    if (opening > 0) {
      const commissionShare = opening / Math.abs(change);
      const needed = opening * price + this.commissionFor(change, price) * commissionShare;
      if (needed > this.buyingPower() + this.releasedBy(book, change, price) + 1e-9) {
        order.status = 'rejected';
        order.reason = `not enough buying power: needs ${needed.toFixed(2)}, has ${this.buyingPower().toFixed(2)} (no leverage)`;
        this.log(`order #${order.id} ${order.side} ${order.symbol} rejected: ${order.reason}`);
        return;
      }
    }
    const time = this.series[order.symbolIndex].time[bar];
    const commission = this.commissionFor(change, price);
    this.applyFill(order.symbolIndex, change, price, commission, step, time, reason, order.tag);
    order.status = 'filled';
    order.filledAt = time;
    order.fillPrice = price;
    order.filledShares = Math.abs(change);
    // Frozen: the same object is the result's fill and onFill's argument.
    const fill: Fill = Object.freeze({ orderId: order.id, symbol: order.symbol, side: order.side, shares: Math.abs(change), price, commission, time });
    this.fills.push(fill);
    if (book.shares !== 0 && Math.sign(book.shares) === Math.sign(change)) this.protect(book, order, price);
    this.settings.onFill?.(fill);
  }

  /** Buying power freed by the closing part of a reversing order. */
  private releasedBy(book: SymbolBook, change: number, price: number): number {
    if (book.shares === 0 || Math.sign(book.shares) === Math.sign(change)) return 0;
    return Math.min(Math.abs(change), Math.abs(book.shares)) * price;
  }

  /** Moves cash and lots for a fill of `change` signed shares. */
  private applyFill(symbolIndex: number, change: number, price: number, commission: number, step: number, time: number, reason: string, tag?: string): void {
    const book = this.books[symbolIndex];
    this.cashBalance -= change * price + commission;
    this.commissionsPaid += commission;
    let remaining = change;
    const exitCommissionPerShare = commission / Math.abs(change);
    // Close lots of the opposite side first, oldest first.
    while (remaining !== 0 && book.lots.length > 0 && Math.sign(book.lots[0].shares) !== Math.sign(remaining)) {
      const lot = book.lots[0];
      const closing = Math.min(Math.abs(lot.shares), Math.abs(remaining));
      const fraction = closing / Math.abs(lot.shares);
      const entryCommission = lot.commission * fraction;
      this.closedLots.push({
        symbol: book.symbol,
        shares: Math.sign(lot.shares) * closing,
        entryPrice: lot.price,
        entryStep: lot.step,
        entryTime: lot.time,
        exitPrice: price,
        exitStep: step,
        exitTime: time,
        commission: entryCommission + exitCommissionPerShare * closing,
        exitReason: reason,
        tag: lot.tag,
      });
      lot.shares -= Math.sign(lot.shares) * closing;
      lot.commission -= entryCommission;
      remaining = remaining - Math.sign(remaining) * closing;
      if (Math.abs(lot.shares) < 1e-12) book.lots.shift();
    }
    if (remaining !== 0) {
      book.lots.push({ shares: remaining, price, step, time, commission: exitCommissionPerShare * Math.abs(remaining), tag });
    }
    book.shares += change;
    if (Math.abs(book.shares) < 1e-12) {
      book.shares = 0;
      book.protection = undefined;
    }
  }

  private protect(book: SymbolBook, order: BrokerOrder, entry: number): void {
    const long = book.shares > 0;
    const pct = (p: number | undefined, sign: number) => (p === undefined ? undefined : entry * (1 + (sign * p) / 100));
    const stopLoss = order.stopLoss ?? pct(order.stopLossPct, long ? -1 : 1);
    const takeProfit = order.takeProfit ?? pct(order.takeProfitPct, long ? 1 : -1);
    const trailingPct = order.trailingStopPct;
    if (stopLoss === undefined && takeProfit === undefined && trailingPct === undefined) return;
    book.protection = { stopLoss, takeProfit, trailingPct, best: entry };
  }

  private checkProtection(symbolIndex: number, bar: number, step: number, open: number, high: number, low: number): void {
    const book = this.books[symbolIndex];
    const p = book.protection!;
    const long = book.shares > 0;
    const trail = p.trailingPct === undefined ? undefined : long ? p.best * (1 - p.trailingPct / 100) : p.best * (1 + p.trailingPct / 100);
    // The tighter of the fixed stop and the trailing stop protects the position.
    let stop = p.stopLoss;
    let stopReason = 'stop-loss';
    if (trail !== undefined && (stop === undefined || (long ? trail > stop : trail < stop))) {
      stop = trail;
      stopReason = 'trailing-stop';
    }
    let exitPrice: number | undefined;
    let reason = '';
    if (stop !== undefined && (long ? low <= stop : high >= stop)) {
      const gapped = long ? open <= stop : open >= stop;
      exitPrice = this.slip(long ? 'sell' : 'buy', gapped ? open : stop, high, low);
      reason = stopReason;
    } else if (p.takeProfit !== undefined && (long ? high >= p.takeProfit : low <= p.takeProfit)) {
      const gapped = long ? open >= p.takeProfit : open <= p.takeProfit;
      exitPrice = gapped ? open : p.takeProfit;
      reason = 'take-profit';
    }
    if (exitPrice !== undefined) {
      const change = -book.shares;
      const time = this.series[symbolIndex].time[bar];
      const commission = this.commissionFor(change, exitPrice);
      const order: BrokerOrder = {
        id: this.nextId++, symbol: book.symbol, symbolIndex, side: long ? 'sell' : 'buy', type: reason === 'take-profit' ? 'limit' : 'stop',
        status: 'filled', shares: Math.abs(change), closePosition: true, placedAt: time, placedStep: step, tag: reason,
        filledAt: time, fillPrice: exitPrice, filledShares: Math.abs(change), view: undefined,
      };
      this.orders.push(order);
      this.applyFill(symbolIndex, change, exitPrice, commission, step, time, reason);
      const fill: Fill = Object.freeze({ orderId: order.id, symbol: book.symbol, side: order.side, shares: Math.abs(change), price: exitPrice, commission, time });
      this.fills.push(fill);
      this.settings.onFill?.(fill);
      return;
    }
    // Update the best price only after the checks: within a bar we cannot know whether the high came before the low.
    p.best = long ? Math.max(p.best, high) : Math.min(p.best, low);
  }
}

/** The price at which a pending order fills on this bar, or undefined if it does not. */
function triggerPrice(order: BrokerOrder, open: number, high: number, low: number): number | undefined {
  switch (order.type) {
    case 'market':
      return open;
    case 'limit': {
      const limit = order.limit!;
      if (order.side === 'buy') return low <= limit ? Math.min(open, limit) : undefined;
      return high >= limit ? Math.max(open, limit) : undefined;
    }
    case 'stop': {
      const stop = order.stop!;
      if (order.side === 'buy') return high >= stop ? Math.max(open, stop) : undefined;
      return low <= stop ? Math.min(open, stop) : undefined;
    }
  }
}

const POSITIVE_FIELDS = ['shares', 'cash', 'percent', 'limit', 'stop', 'stopLossPct', 'takeProfitPct', 'stopLoss', 'takeProfit', 'trailingStopPct'] as const;

export function validateRequest(r: OrderRequest): string | undefined {
  if (Number(r.shares !== undefined) + Number(r.cash !== undefined) + Number(r.percent !== undefined) > 1) return 'give at most one of shares, cash, percent';
  if (r.limit !== undefined && r.stop !== undefined) return 'give either limit or stop, not both (stop-limit orders are not supported)';
  for (const name of POSITIVE_FIELDS) {
    const value = r[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) return `${name} must be a positive finite number, got ${String(value)}`;
  }
  if (r.percent !== undefined && r.percent > 100) return `percent must be at most 100 (no leverage), got ${r.percent}`;
  if (r.stopLossPct !== undefined && r.stopLossPct >= 100) return `stopLossPct must be below 100, got ${r.stopLossPct}`;
  return undefined;
}

// No code may patch how the broker fills or charges (a strategy that found a broker could otherwise stop commission
// being charged while the result still reports it); strategies cannot reach one, this is the second wall.
freezeClass(BacktestBroker);
