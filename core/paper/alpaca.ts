/**
 * The trading side of Alpaca, through the official client (@alpacahq/alpaca-trade-api
 * v4: its generated REST classes, pointed at `basePath`, with its retry, timeout and
 * rate limiting). Responses are read as plain JSON and checked here, so the rest of
 * core/paper sees small typed records and never the client's models.
 *
 * Sending an order is the one call the client does not retry (POST): `submitOrder`
 * does, safely, because every order carries a client order id Alpaca refuses to
 * accept twice; after a timeout or a 429/5xx it first asks whether the order
 * arrived (docs/paper.md, "Nothing doubled").
 */
import { trading } from '@alpacahq/alpaca-trade-api';
import type { OrderSide, OrderType } from '../sdk/types';
import { newYorkDst } from '../data/bar-time';
import type { AlpacaEndpoints } from './hosts';

export interface AccountInfo {
  id: string;
  accountNumber: string;
  status: string;
  cash: number;
  equity: number;
  /** Equity at the previous close: the start of today's P&L. */
  lastEquity: number;
}

export interface BrokerPosition {
  symbol: string;
  /** Signed shares. */
  qty: number;
  avgEntryPrice: number;
  currentPrice: number;
}

export interface BrokerOrderState {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: string;
  status: string;
  qty: number;
  filledQty: number;
  filledAvgPrice: number;
  updatedAt: number;
  /** 'simple', 'bracket', 'oto', 'oco' (Alpaca's `order_class`). */
  orderClass?: string;
  limitPrice?: number;
  stopPrice?: number;
  trailPercent?: number;
  /** The exit legs of a bracket/oto order (Alpaca names them; they arrive with the parent). */
  legs?: BrokerOrderState[];
}

export interface Clock {
  now: number;
  isOpen: boolean;
  nextOpen: number;
  nextClose: number;
}

export interface CalendarDay {
  /** YYYY-MM-DD, New York date. */
  date: string;
  open: number;
  close: number;
}

export interface NewOrder {
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType | 'trailing_stop';
  qty: number;
  limit?: number;
  stop?: number;
  /** Protective exits sent with the entry: 'bracket' (take-profit and stop-loss) or 'oto' (one of them). */
  orderClass?: 'bracket' | 'oto';
  takeProfit?: number;
  stopLoss?: number;
  /** A trailing_stop order's trail in percent. */
  trailPercent?: number;
  /** Default 'day'; protective orders are 'gtc' (they protect the position until it is closed). */
  timeInForce?: 'day' | 'gtc';
}

/** An order Alpaca refused (4xx other than a duplicate id or a rate limit): not retried. */
export class OrderRejectedError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'OrderRejectedError';
  }
}

/** What a paper session needs from a broker; `AlpacaTradingApi` is the real one. */
export interface TradingApi {
  account(): Promise<AccountInfo>;
  positions(): Promise<BrokerPosition[]>;
  openOrders(): Promise<BrokerOrderState[]>;
  orderByClientId(clientOrderId: string): Promise<BrokerOrderState | undefined>;
  submitOrder(order: NewOrder): Promise<BrokerOrderState>;
  cancelOrder(brokerId: string): Promise<void>;
  clock(): Promise<Clock>;
  calendar(start: string, end: string): Promise<CalendarDay[]>;
}

export interface AlpacaTradingOptions {
  keyId: string;
  secretKey: string;
  endpoints: AlpacaEndpoints;
  /** One request's limit (ms). Default 15 s. */
  timeoutMs?: number;
  /** Retries of reads (and of order sends, after checking the order did not arrive). Default 4. */
  retries?: number;
  /** First retry delay (ms). Default 500. */
  retryDelayMs?: number;
}

type Json = Record<string, unknown>;

export class AlpacaTradingApi implements TradingApi {
  private readonly orders: trading.OrdersApi;
  private readonly accounts: trading.AccountsApi;
  private readonly positionsApi: trading.PositionsApi;
  private readonly clockApi: trading.ClockApi;
  private readonly calendarApi: trading.CalendarApi;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(options: AlpacaTradingOptions) {
    this.retries = options.retries ?? 4;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    const config = new trading.Configuration({
      basePath: options.endpoints.tradingUrl,
      keyId: options.keyId,
      secret: options.secretKey,
      timeoutMs: options.timeoutMs ?? 15_000,
      retry: { maxRetries: this.retries, retryDelayMs: this.retryDelayMs, maxDelayMs: 10_000, retryableStatuses: [429, 500, 502, 503, 504], respectRetryAfter: true },
    });
    this.orders = new trading.OrdersApi(config);
    this.accounts = new trading.AccountsApi(config);
    this.positionsApi = new trading.PositionsApi(config);
    this.clockApi = new trading.ClockApi(config);
    this.calendarApi = new trading.CalendarApi(config);
  }

  async account(): Promise<AccountInfo> {
    const j = await json<Json>(this.accounts.getAccountRaw());
    return { id: str(j.id), accountNumber: str(j.account_number), status: str(j.status), cash: num(j.cash), equity: num(j.equity), lastEquity: num(j.last_equity ?? j.equity) };
  }

  async positions(): Promise<BrokerPosition[]> {
    const list = await json<Json[]>(this.positionsApi.getAllOpenPositionsRaw());
    return list.map((p) => ({ symbol: str(p.symbol), qty: num(p.qty) * (p.side === 'short' && num(p.qty) > 0 ? -1 : 1), avgEntryPrice: num(p.avg_entry_price), currentPrice: num(p.current_price) }));
  }

  async openOrders(): Promise<BrokerOrderState[]> {
    // Nested: a bracket's legs come inside their parent; flattened here so every working order is listed once.
    const list = await json<Json[]>(this.orders.getAllOrdersRaw({ status: 'open', limit: 500, nested: true } as trading.GetAllOrdersRequest));
    const out: BrokerOrderState[] = [];
    const seen = new Set<string>();
    for (const o of list.map(orderState)) {
      for (const x of [o, ...(o.legs ?? [])]) {
        if (seen.has(x.id) || !isOpenStatus(x.status)) continue;
        seen.add(x.id);
        out.push(x);
      }
    }
    return out;
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrderState | undefined> {
    try {
      return orderState(await json<Json>(this.orders.getOrderByClientOrderIdRaw({ clientOrderId })));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async submitOrder(order: NewOrder): Promise<BrokerOrderState> {
    const body = {
      clientOrderId: order.clientOrderId, symbol: order.symbol, side: order.side, type: order.type, timeInForce: order.timeInForce ?? 'day', qty: String(order.qty),
      ...(order.limit !== undefined ? { limitPrice: String(order.limit) } : {}),
      ...(order.stop !== undefined ? { stopPrice: String(order.stop) } : {}),
      ...(order.orderClass !== undefined ? { orderClass: order.orderClass } : {}),
      ...(order.takeProfit !== undefined ? { takeProfit: { limitPrice: String(order.takeProfit) } } : {}),
      ...(order.stopLoss !== undefined ? { stopLoss: { stopPrice: String(order.stopLoss) } } : {}),
      ...(order.trailPercent !== undefined ? { trailPercent: String(order.trailPercent) } : {}),
    };
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) {
        // Did the last attempt arrive after all (a timeout, a lost answer)? Then that order is the answer.
        const arrived = await this.orderByClientId(order.clientOrderId).catch(() => undefined);
        if (arrived) return arrived;
        await sleep(Math.min(10_000, this.retryDelayMs * 2 ** (attempt - 1)));
      }
      try {
        return orderState(await json<Json>(this.orders.postOrderRaw({ postOrderRequest: body as unknown as trading.PostOrderRequest })));
      } catch (err) {
        const status = statusOf(err);
        if (status === 422 && /client_order_id/i.test(messageOf(err))) {
          const existing = await this.orderByClientId(order.clientOrderId);
          if (existing) return existing;
        }
        if (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408) throw new OrderRejectedError(messageOf(err), status);
        lastError = err;
      }
    }
    throw new Error(`Alpaca did not accept order ${order.clientOrderId} after ${this.retries + 1} attempts: ${messageOf(lastError)}. The journal keeps it as sent; the next sync or restart asks Alpaca for it again.`);
  }

  async cancelOrder(brokerId: string): Promise<void> {
    try {
      await this.orders.deleteOrderByOrderIDRaw({ orderId: brokerId });
    } catch (err) {
      // Already filled or cancelled: nothing left to cancel.
      if (statusOf(err) !== 422 && statusOf(err) !== 404) throw err;
    }
  }

  async clock(): Promise<Clock> {
    const j = await json<Json>(this.clockApi.legacyClockRaw());
    return { now: time(j.timestamp), isOpen: j.is_open === true, nextOpen: time(j.next_open), nextClose: time(j.next_close) };
  }

  async calendar(start: string, end: string): Promise<CalendarDay[]> {
    const list = await json<Json[]>(this.calendarApi.legacyCalendarRaw({ start: new Date(`${start}T00:00:00Z`), end: new Date(`${end}T00:00:00Z`) } as trading.LegacyCalendarRequest));
    return list.map((d) => ({ date: str(d.date), open: newYorkTime(str(d.date), str(d.open)), close: newYorkTime(str(d.date), str(d.close)) }));
  }
}

/**
 * Alpaca's order JSON (REST, or a `trade_updates` event's `order`) as the session's record. The stream client
 * maps orders to camelCase and keeps the wire keys only at the top level (a bracket's nested legs arrive in
 * camelCase alone), so each field is read under either name.
 */
export function orderState(j: Json): BrokerOrderState {
  const f = (snake: string, camel: string): unknown => j[snake] ?? j[camel];
  const opt = (v: unknown) => (v == null || v === '' ? undefined : num(v));
  const rawLegs = f('legs', 'legs');
  const legs = Array.isArray(rawLegs) ? (rawLegs as Json[]).map(orderState) : undefined;
  const orderClass = f('order_class', 'orderClass');
  const updated = f('updated_at', 'updatedAt');
  const avg = f('filled_avg_price', 'filledAvgPrice');
  return {
    id: str(j.id), clientOrderId: str(f('client_order_id', 'clientOrderId')), symbol: str(j.symbol), side: j.side === 'sell' ? 'sell' : 'buy', type: str(j.type ?? f('order_type', 'orderType')), status: str(j.status),
    qty: num(j.qty), filledQty: num(f('filled_qty', 'filledQty') ?? 0), filledAvgPrice: avg == null ? 0 : num(avg), updatedAt: updated ? time(updated) : 0,
    ...(typeof orderClass === 'string' && orderClass !== '' ? { orderClass } : {}),
    ...(opt(f('limit_price', 'limitPrice')) !== undefined ? { limitPrice: opt(f('limit_price', 'limitPrice')) } : {}),
    ...(opt(f('stop_price', 'stopPrice')) !== undefined ? { stopPrice: opt(f('stop_price', 'stopPrice')) } : {}),
    ...(opt(f('trail_percent', 'trailPercent')) !== undefined ? { trailPercent: opt(f('trail_percent', 'trailPercent')) } : {}),
    ...(legs && legs.length ? { legs } : {}),
  };
}

const OPEN = new Set(['new', 'accepted', 'pending_new', 'partially_filled', 'held', 'accepted_for_bidding', 'pending_cancel', 'pending_replace', 'calculated']);

/** Working at Alpaca (a bracket's `held` legs included: they wait for their entry). */
export function isOpenStatus(status: string): boolean {
  return OPEN.has(status);
}

/** `HH:MM` New York time on `date` (YYYY-MM-DD) as UTC ms. */
export function newYorkTime(date: string, hhmm: string): number {
  const day = Date.parse(`${date}T00:00:00Z`);
  const [h, m] = hhmm.split(':').map(Number);
  return day + ((h + (newYorkDst(day) ? 4 : 5)) * 60 + m) * 60_000;
}

async function json<T>(raw: Promise<{ raw: Response }>): Promise<T> {
  return (await (await raw).raw.json()) as T;
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw new Error(`Alpaca sent ${typeof v} where a string was expected`);
  return v;
}

function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new Error(`Alpaca sent '${String(v)}' where a number was expected`);
  return n;
}

function time(v: unknown): number {
  const t = v instanceof Date ? v.getTime() : Date.parse(str(v));
  if (!Number.isFinite(t)) throw new Error(`Alpaca sent '${String(v)}' where a time was expected`);
  return t;
}

function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown; response?: { status?: unknown } })?.status ?? (err as { response?: { status?: unknown } })?.response?.status;
  return typeof s === 'number' ? s : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
