/**
 * Alpaca's `trade_updates` stream (the trading websocket, `wss://<trading host>/stream`),
 * through the official client's `streaming.TradingStream`: it speaks the JSON
 * protocol (authenticate, listen), reconnects with backoff, pings and drops a
 * connection whose pongs stop (a hung stream), and treats refused keys as final.
 * This module only turns its updates into the session's order records.
 *
 * The stream makes fills prompt; it is not the truth. The session polls REST
 * while the stream is down and catches up by REST on every (re)connection, so an
 * update lost with a connection is found there (docs/paper.md, "Fills").
 */
import { streaming } from '@alpacahq/alpaca-trade-api';
import { orderState, type BrokerOrderState } from './alpaca';

export interface TradeStreamOptions {
  /** ws(s)://host/stream; `tradeStreamUrl(tradingUrl)` derives it. */
  url: string;
  keyId: string;
  secretKey: string;
  /** First reconnect delay (ms). Default 1000. */
  reconnectMs?: number;
  /**
   * Keep-alive ping period and how long a pong may take before the connection counts as hung (ms). The client
   * clears a pending pong wait at each ping, so `pongWaitMs` must be shorter than `pingIntervalMs`.
   */
  pingIntervalMs?: number;
  pongWaitMs?: number;
}

/** One `trade_updates` event: the order as it is now, and for fills the execution itself. */
export interface TradeEvent {
  event: string;
  order: BrokerOrderState;
  /** For `fill` / `partial_fill`: this execution's price, shares and time. */
  execution?: { price: number; qty: number; time: number };
}

export interface TradeStreamHandlers {
  onEvent(e: TradeEvent): void;
  /** Authenticated and listening (first connection and every reconnection). */
  onUp(): void;
  onDown(): void;
  onNote(message: string): void;
}

/** The trading stream of the account at `tradingUrl` (https → wss, plus `/stream`). */
export function tradeStreamUrl(tradingUrl: string): string {
  return `${tradingUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}/stream`;
}

export class TradeStream {
  private readonly socket: streaming.TradingStream;
  private closed = false;
  /** Authenticated and listening now. */
  up = false;
  /** Connections so far (the first is not a reconnect). */
  connects = 0;
  /** The server refused the keys: no reconnect follows, the session polls. */
  refused = false;

  constructor(options: TradeStreamOptions, private readonly h: TradeStreamHandlers) {
    const ping = options.pingIntervalMs ?? 10_000;
    const pong = options.pongWaitMs ?? 5_000;
    if (!(pong < ping)) throw new RangeError(`trade stream: pongWaitMs (${pong}) must be shorter than pingIntervalMs (${ping}), or a hung connection is never noticed`);
    this.socket = new streaming.TradingStream({
      url: options.url,
      credentials: { keyId: options.keyId, secret: options.secretKey },
      maxReconnectAttempts: -1,
      initialReconnectMs: options.reconnectMs ?? 1000,
      maxReconnectMs: 30_000,
      pingIntervalMs: ping,
      pongWaitMs: pong,
    });
    this.socket.onConnect(() => {
      this.connects++;
      this.up = true;
      h.onUp();
    });
    this.socket.onDisconnect(() => {
      const was = this.up;
      this.up = false;
      if (!this.closed && was) h.onDown();
    });
    this.socket.onError((message: string) => {
      if (/auth/i.test(message)) this.refused = true;
      if (!this.closed) h.onNote(`trade_updates stream: ${message}`);
    });
    this.socket.onTradeUpdate((u) => {
      if (this.closed) return;
      const e = readEvent(u as unknown as Record<string, unknown>);
      if (typeof e === 'string') h.onNote(`trade_updates stream: ignored an update (${e})`);
      else h.onEvent(e);
    });
    this.socket.subscribeTradeUpdates();
  }

  start(): void {
    this.socket.connect();
  }

  stop(): void {
    this.closed = true;
    this.up = false;
    this.socket.disconnect();
  }
}

/** An update as the session's record; the client keeps the wire's snake_case keys on `order`. */
export function readEvent(u: Record<string, unknown>): TradeEvent | string {
  try {
    const order = orderState(u.order as Record<string, unknown>);
    const event = String(u.event ?? '');
    const ts = u.timestamp instanceof Date ? u.timestamp.getTime() : typeof u.timestamp === 'string' ? Date.parse(u.timestamp) : NaN;
    const price = Number(u.price);
    const qty = Number(u.qty);
    const execution = (event === 'fill' || event === 'partial_fill') && price > 0 && qty > 0 ? { price, qty, time: Number.isFinite(ts) ? ts : order.updatedAt } : undefined;
    return { event, order, ...(execution ? { execution } : {}) };
  } catch (err) {
    return (err as Error).message;
  }
}
