/**
 * A fake Alpaca on 127.0.0.1: trading REST (account, positions, orders with
 * client order ids, bracket/oto orders and their legs, trailing stops, clock,
 * calendar, assets), market-data REST (bars), the market-data websocket
 * (msgpack, as the official client speaks it) and the trading websocket
 * (`/stream`, JSON: authenticate, listen, trade_updates). Time is the test's:
 * `now` moves only when the test moves it. It also misbehaves on request:
 * status codes, hangs, answers lost after the order was accepted, dropped
 * streams, a trading stream that refuses the keys or stops answering.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { decode, encode } from '@msgpack/msgpack';

export interface FakeBar { t: number; o: number; h: number; l: number; c: number; v: number }

export interface FakeOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  qty: number;
  limit_price?: number;
  stop_price?: number;
  filled_qty: number;
  filled_avg_price: number;
  status: string;
  created_at: number;
  updated_at: number;
  /** 'simple' unless sent as 'bracket'/'oto'. */
  order_class?: string;
  time_in_force?: string;
  /** Exit legs: the parent's id on each leg (legs are in `orders` too). */
  parent_id?: string;
  /** trailing_stop: trail in percent and the best price since it was placed (high-water mark long, low-water short). */
  trail_percent?: number;
  hwm?: number;
}

/** A trade_updates event as the fake sent it (tests read what the stream said). */
export interface FakeTradeEvent { event: string; client_order_id: string; delivered: number }

export interface Fault {
  method?: string;
  /** Matches when the request path starts with it. */
  path: string;
  /** An HTTP status to answer with, 'hang' (never answer), or 'accept-then-500' (POST /v2/orders: the order is taken, the answer lost). */
  action: number | 'hang' | 'accept-then-500';
  times: number;
}

const DAY = 86_400_000;

/** 16:00 New York on `day` (00:00 UTC ms) as UTC ms: EDT Mar–Nov, EST otherwise (good enough for the fake's calendar). */
export function nyClose(day: number): number {
  return day + (dst(day) ? 20 : 21) * 3_600_000;
}
export function nyOpen(day: number): number {
  return day + (dst(day) ? 13.5 : 14.5) * 3_600_000;
}
function dst(day: number): boolean {
  const d = new Date(day);
  const y = d.getUTCFullYear();
  const sunday = (month: number, n: number) => {
    const first = new Date(Date.UTC(y, month - 1, 1)).getUTCDay();
    return Date.UTC(y, month - 1, 1 + ((7 - first) % 7) + (n - 1) * 7);
  };
  return day >= sunday(3, 2) && day < sunday(11, 1);
}

export class FakeAlpaca {
  now = 0;
  cash: number;
  lastEquity: number;
  readonly positions = new Map<string, { qty: number; avg: number }>();
  readonly orders: FakeOrder[] = [];
  readonly bars = new Map<string, FakeBar[]>();
  readonly minuteBars = new Map<string, FakeBar[]>();
  readonly faults: Fault[] = [];
  /** Every request, "METHOD /path". */
  readonly requests: string[] = [];
  /** POST /v2/orders bodies received (including refused duplicates). */
  readonly posts: Record<string, unknown>[] = [];
  /** Symbols whose orders are rejected (like an asset that is not tradable). */
  readonly rejectSymbols = new Set<string>();
  accountNumber = 'PA0000FAKE';
  readonly keyId = 'FAKEKEYID0000';
  readonly secretKey = 'FAKESECRET0000000000';
  private server!: Server;
  private wss!: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private tradeWss!: WebSocketServer;
  private readonly tradeSockets = new Set<WebSocket & { listening?: boolean; hung?: boolean }>();
  /** How the trading stream treats the next connections: 'ok', 'bad-auth' (refuses the keys), 'hang' (never answers). */
  tradeStreamMode: 'ok' | 'bad-auth' | 'hang' = 'ok';
  /** Every trade_updates event, with how many listening clients it reached. */
  readonly tradeEvents: FakeTradeEvent[] = [];
  /** Events are dropped while the connections stay healthy (answer pings): a stream that silently misses updates. */
  tradeEventsMuted = false;
  private readonly hung: ServerResponse[] = [];
  port = 0;

  constructor(cash = 100_000) {
    this.cash = cash;
    this.lastEquity = cash;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get streamUrl(): string {
    return `ws://127.0.0.1:${this.port}/v2/iex`;
  }
  get tradeStreamUrl(): string {
    return `ws://127.0.0.1:${this.port}/stream`;
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    // Pongs by hand, so a hung trading stream can stop answering the client's keep-alive pings.
    this.tradeWss = new WebSocketServer({ noServer: true, autoPong: false });
    this.server.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith('/stream')) return this.tradeWss.handleUpgrade(req, socket, head, (ws) => this.onTradeSocket(ws));
      if (!req.url?.startsWith('/v2/iex')) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    for (const s of this.sockets) s.terminate();
    for (const s of this.tradeSockets) s.terminate();
    this.wss.close();
    this.tradeWss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // ------------------------------------------------------------ exchange

  lastPrice(symbol: string): number {
    const list = this.minuteBars.get(symbol)?.length ? this.minuteBars.get(symbol)! : this.bars.get(symbol) ?? [];
    const seen = list.filter((b) => b.t <= this.now);
    return seen.length ? seen[seen.length - 1].c : 0;
  }

  equity(): number {
    let e = this.cash;
    for (const [symbol, p] of this.positions) e += p.qty * this.lastPrice(symbol);
    return e;
  }

  /** Working orders, a bracket's `held` legs included (they wait for their entry). */
  openOrders(): FakeOrder[] {
    return this.orders.filter((o) => ['new', 'accepted', 'partially_filled', 'held'].includes(o.status));
  }

  legsOf(o: FakeOrder): FakeOrder[] {
    return this.orders.filter((x) => x.parent_id === o.id);
  }

  /** Fills open orders of `symbol` that trade at `price` (market always; limit/stop/trailing stop when reached); `fraction` < 1 fills part. */
  fillAt(symbol: string, price: number, fraction = 1): void {
    for (const o of this.openOrders()) {
      if (o.symbol !== symbol || o.status === 'held') continue;
      if (o.type === 'limit' && (o.side === 'buy' ? price > o.limit_price! : price < o.limit_price!)) continue;
      if (o.type === 'stop' && (o.side === 'buy' ? price < o.stop_price! : price > o.stop_price!)) continue;
      if (o.type === 'trailing_stop') {
        const stop = trailStop(o);
        if (o.side === 'sell' ? price > stop : price < stop) {
          o.hwm = o.side === 'sell' ? Math.max(o.hwm!, price) : Math.min(o.hwm!, price);
          continue;
        }
      }
      this.execute(o, price, fraction);
    }
  }

  /**
   * One bar of trading in `symbol`, with the backtest's fill rules (docs/engine.md): market orders at the open,
   * limit/stop orders when the bar reaches them (at the open when it gaps through), a bracket's legs from the bar
   * its entry fills on, the stop leg before the take-profit when both are inside the bar, trailing stops against
   * the best price of the bars before this one.
   */
  tradeBar(symbol: string, bar: FakeBar): void {
    const rank = (o: FakeOrder) => (o.parent_id === undefined && o.type !== 'trailing_stop' ? 0 : o.type === 'limit' ? 2 : 1);
    for (let pass = 0; pass < 3; pass++) {
      const queue = this.openOrders().filter((o) => o.symbol === symbol && o.status !== 'held').sort((a, b) => rank(a) - rank(b));
      for (const o of queue) {
        if (!['new', 'accepted', 'partially_filled'].includes(o.status)) continue; // an OCO sibling just filled
        const price = barFill(o, bar);
        if (price !== undefined) this.execute(o, price, 1);
      }
    }
    for (const o of this.openOrders()) {
      if (o.symbol === symbol && o.type === 'trailing_stop' && o.status !== 'held') o.hwm = o.side === 'sell' ? Math.max(o.hwm!, bar.h) : Math.min(o.hwm!, bar.l);
    }
  }

  /** Fills (part of) `o` at `price`: the account moves, a filled entry's legs start working, a filled leg cancels its sibling. */
  private execute(o: FakeOrder, price: number, fraction: number): void {
    const symbol = o.symbol;
    const remaining = o.qty - o.filled_qty;
    const qty = fraction >= 1 ? remaining : Math.max(1, Math.floor(remaining * fraction));
    o.filled_avg_price = (o.filled_avg_price * o.filled_qty + price * qty) / (o.filled_qty + qty);
    o.filled_qty += qty;
    o.status = o.filled_qty >= o.qty ? 'filled' : 'partially_filled';
    o.updated_at = this.now;
    const signed = o.side === 'buy' ? qty : -qty;
    const p = this.positions.get(symbol) ?? { qty: 0, avg: 0 };
    const after = p.qty + signed;
    const avg = after === 0 ? 0 : Math.sign(after) === Math.sign(p.qty) && Math.abs(after) > Math.abs(p.qty) ? (p.avg * p.qty + price * signed) / after : Math.sign(after) === Math.sign(p.qty) ? p.avg : price;
    if (after === 0) this.positions.delete(symbol);
    else this.positions.set(symbol, { qty: after, avg });
    this.cash -= signed * price;
    this.tradeUpdate(o.status === 'filled' ? 'fill' : 'partial_fill', o, { price: String(price), qty: String(qty), position_qty: String(after) });
    if (o.status !== 'filled') return;
    for (const leg of this.legsOf(o)) {
      if (leg.status !== 'held') continue;
      leg.status = 'new';
      leg.updated_at = this.now;
      this.tradeUpdate('new', leg);
    }
    if (o.parent_id !== undefined) {
      for (const sibling of this.orders.filter((x) => x.parent_id === o.parent_id && x !== o && ['new', 'accepted', 'held'].includes(x.status))) this.cancel(sibling);
    }
  }

  /** Cancels `o` (and a cancelled entry's legs), telling the trading stream. */
  cancel(o: FakeOrder): void {
    o.status = 'canceled';
    o.updated_at = this.now;
    this.tradeUpdate('canceled', o);
    for (const leg of this.legsOf(o)) if (['new', 'accepted', 'held'].includes(leg.status)) this.cancel(leg);
  }

  /** Alpaca rejects an order it had accepted (asynchronously, as the exchange may). */
  rejectOrder(o: FakeOrder, reason = 'rejected by the exchange'): void {
    o.status = 'rejected';
    o.updated_at = this.now;
    this.tradeUpdate('rejected', o, { reason });
    for (const leg of this.legsOf(o)) if (leg.status === 'held') this.cancel(leg);
  }

  // ------------------------------------------------------------ trading stream

  /** Sends one trade_updates event to every authenticated, listening, answering client. */
  private tradeUpdate(event: string, o: FakeOrder, extra: Record<string, string> = {}): void {
    const frame = JSON.stringify({ stream: 'trade_updates', data: { event, timestamp: new Date(this.now).toISOString(), order: this.orderJson(o, true), ...extra } });
    let delivered = 0;
    for (const s of this.tradeSockets) {
      if (!s.listening || s.hung || this.tradeEventsMuted) continue;
      s.send(frame);
      delivered++;
    }
    this.tradeEvents.push({ event, client_order_id: o.client_order_id, delivered });
  }

  /** Drops every trading stream connection (the client reconnects; events meanwhile are lost, as at Alpaca). */
  dropTradeStream(): void {
    for (const s of this.tradeSockets) s.terminate();
    this.tradeSockets.clear();
  }

  /** The open trading stream connections stop answering (no events, no pongs) until the client gives up on them. */
  hangTradeStream(): void {
    for (const s of this.tradeSockets) s.hung = true;
  }

  /** Trading stream clients authenticated and listening (hung ones excluded). */
  get tradeStreamClients(): number {
    return [...this.tradeSockets].filter((s) => s.listening && !s.hung).length;
  }

  /** Trading stream connections accepted so far. */
  tradeConnections = 0;

  private onTradeSocket(ws: WebSocket & { listening?: boolean; hung?: boolean }): void {
    this.tradeConnections++;
    this.tradeSockets.add(ws);
    const mode = this.tradeStreamMode;
    if (mode === 'hang') ws.hung = true;
    ws.on('close', () => this.tradeSockets.delete(ws));
    ws.on('ping', (data: Buffer) => {
      if (!ws.hung) ws.pong(data);
    });
    ws.on('message', (data: Buffer) => {
      if (ws.hung) return;
      let m: { action?: string; data?: Record<string, unknown> };
      try {
        m = JSON.parse(data.toString('utf8'));
      } catch {
        return ws.send(JSON.stringify({ stream: 'error', data: { error_message: 'invalid syntax' } }));
      }
      if (m.action === 'authenticate') {
        const ok = mode !== 'bad-auth' && m.data?.key_id === this.keyId && m.data?.secret_key === this.secretKey;
        ws.send(JSON.stringify({ stream: 'authorization', data: { status: ok ? 'authorized' : 'unauthorized', action: 'authenticate' } }));
        if (!ok) ws.close();
        else (ws as { authed?: boolean }).authed = true;
      } else if (m.action === 'listen') {
        if (!(ws as { authed?: boolean }).authed) return ws.send(JSON.stringify({ stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } }));
        const streams = Array.isArray(m.data?.streams) ? (m.data!.streams as string[]) : [];
        ws.listening = streams.includes('trade_updates');
        ws.send(JSON.stringify({ stream: 'listening', data: { streams: ws.listening ? ['trade_updates'] : [] } }));
      }
    });
  }

  /** Moves the clock; the day's starting equity follows at each new day. */
  setNow(t: number): void {
    if (Math.floor(t / DAY) !== Math.floor(this.now / DAY)) this.lastEquity = this.equity();
    this.now = t;
  }

  /** Sends a streamed bar to every subscribed client. */
  pushBar(symbol: string, bar: FakeBar): void {
    const list = this.minuteBars.get(symbol) ?? [];
    list.push(bar);
    this.minuteBars.set(symbol, list);
    const frame = encode([{ T: 'b', S: symbol, o: bar.o, h: bar.h, l: bar.l, c: bar.c, v: bar.v, t: new Date(bar.t).toISOString() }]);
    for (const s of this.sockets) if ((s as WebSocket & { subscribed?: boolean }).subscribed) s.send(frame);
  }

  /** Drops every stream connection (the client reconnects). */
  dropStream(): void {
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
  }

  get streamClients(): number {
    return [...this.sockets].filter((s) => (s as WebSocket & { subscribed?: boolean }).subscribed).length;
  }

  // ------------------------------------------------------------ http

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, 'http://x');
    const path = decodeURIComponent(url.pathname);
    const method = req.method!;
    this.requests.push(`${method} ${path}`);
    const body = await readBody(req);
    if (req.headers['apca-api-key-id'] !== this.keyId || req.headers['apca-api-secret-key'] !== this.secretKey) return send(res, 401, { message: 'unauthorized' });
    const fault = this.faults.find((f) => f.times > 0 && path.startsWith(f.path) && (!f.method || f.method === method));
    if (fault) {
      fault.times--;
      if (fault.action === 'hang') {
        this.hung.push(res);
        return;
      }
      if (typeof fault.action === 'number') return send(res, fault.action, { message: `fake fault ${fault.action}` }, fault.action === 429 ? { 'retry-after': '0' } : {});
    }
    try {
      if (method === 'GET' && path === '/v2/account') return send(res, 200, this.accountJson());
      if (method === 'GET' && path === '/v2/positions') return send(res, 200, [...this.positions].map(([s, p]) => positionJson(s, p, this.lastPrice(s))));
      if (method === 'GET' && path === '/v2/clock') return send(res, 200, this.clockJson());
      if (method === 'GET' && path === '/v2/calendar') return send(res, 200, this.calendarJson(url.searchParams.get('start'), url.searchParams.get('end')));
      if (method === 'GET' && path.startsWith('/v2/assets/')) return send(res, 200, { symbol: path.slice(11), status: 'active', tradable: true });
      if (method === 'GET' && path === '/v2/orders') {
        const status = url.searchParams.get('status') ?? 'open';
        const list = status === 'open' ? this.openOrders() : this.orders;
        // nested=true: legs inside their parent (an open leg of a filled parent comes with the parent), like Alpaca.
        if (url.searchParams.get('nested') === 'true') {
          const top = new Set<FakeOrder>();
          for (const o of list) top.add(o.parent_id === undefined ? o : this.orders.find((x) => x.id === o.parent_id)!);
          return send(res, 200, [...top].map((o) => this.orderJson(o, true)));
        }
        return send(res, 200, list.map((o) => this.orderJson(o, false)));
      }
      if (method === 'GET' && path === '/v2/orders:by_client_order_id') {
        const o = this.orders.find((x) => x.client_order_id === url.searchParams.get('client_order_id'));
        return o ? send(res, 200, this.orderJson(o, true)) : send(res, 404, { code: 40410000, message: 'order not found' });
      }
      if (method === 'POST' && path === '/v2/orders') return this.postOrder(JSON.parse(body), res, fault?.action === 'accept-then-500');
      if (method === 'DELETE' && path.startsWith('/v2/orders/')) {
        const o = this.orders.find((x) => x.id === path.slice(11));
        if (!o) return send(res, 404, { message: 'order not found' });
        if (!this.openOrders().includes(o)) return send(res, 422, { message: `order is already in "${o.status}" state` });
        this.cancel(o);
        res.writeHead(204).end();
        return;
      }
      const bars = /^\/v2\/stocks\/([^/]+)\/bars$/.exec(path);
      if (method === 'GET' && bars) return send(res, 200, this.barsJson(bars[1], url.searchParams));
      send(res, 404, { message: `fake Alpaca has no ${method} ${path}` });
    } catch (err) {
      send(res, 500, { message: (err as Error).message });
    }
  }

  private postOrder(b: Record<string, unknown>, res: ServerResponse, loseAnswer: boolean): void {
    this.posts.push(b);
    const coid = String(b.client_order_id ?? randomUUID());
    if (this.orders.some((o) => o.client_order_id === coid)) return send(res, 422, { code: 40010001, message: 'client_order_id must be unique' });
    const symbol = String(b.symbol);
    const qty = Number(b.qty);
    const side = b.side === 'sell' ? 'sell' : 'buy';
    const orderClass = b.order_class === undefined || b.order_class === '' ? 'simple' : String(b.order_class);
    const tif = String(b.time_in_force ?? 'day');
    const order: FakeOrder = {
      id: randomUUID(), client_order_id: coid, symbol, side, type: String(b.type), qty, filled_qty: 0, filled_avg_price: 0,
      status: 'accepted', created_at: this.now, updated_at: this.now, order_class: orderClass, time_in_force: tif,
      ...(b.limit_price !== undefined ? { limit_price: Number(b.limit_price) } : {}),
      ...(b.stop_price !== undefined ? { stop_price: Number(b.stop_price) } : {}),
    };
    if (this.rejectSymbols.has(symbol)) return send(res, 403, { code: 40310000, message: `asset ${symbol} is not tradable` });
    if (!(qty > 0)) return send(res, 422, { code: 40010001, message: 'qty must be > 0' });
    // Alpaca's checks of the advanced orders (the messages are Alpaca's).
    const tp = (b.take_profit as { limit_price?: unknown } | undefined)?.limit_price;
    const sl = (b.stop_loss as { stop_price?: unknown } | undefined)?.stop_price;
    const prices = [b.limit_price, b.stop_price, tp, sl].filter((v) => v !== undefined).map(Number);
    if (prices.some((p) => !(p > 0) || (p >= 1 ? Math.abs(p * 100 - Math.round(p * 100)) > 1e-6 : Math.abs(p * 10_000 - Math.round(p * 10_000)) > 1e-6))) {
      return send(res, 422, { code: 42210000, message: 'invalid limit_price/stop_price: sub-penny increment does not fulfill minimum pricing criteria' });
    }
    if (order.type === 'trailing_stop') {
      const trail = Number(b.trail_percent);
      if (!(trail > 0)) return send(res, 422, { code: 40010001, message: 'trail_percent or trail_price is required for trailing_stop orders' });
      order.trail_percent = trail;
      order.hwm = this.lastPrice(symbol);
    }
    if (orderClass === 'bracket' || orderClass === 'oto') {
      if (orderClass === 'bracket' && (tp === undefined || sl === undefined)) return send(res, 422, { code: 40010001, message: 'bracket orders require take_profit and stop_loss' });
      if (orderClass === 'oto' && (tp === undefined) === (sl === undefined)) return send(res, 422, { code: 40010001, message: 'oto orders require exactly one of take_profit or stop_loss' });
      if (tif !== 'day' && tif !== 'gtc') return send(res, 422, { code: 40010001, message: 'bracket/oto orders must be day or gtc' });
      const base = order.limit_price ?? this.lastPrice(symbol);
      const long = side === 'buy';
      if (tp !== undefined && (long ? Number(tp) <= base + 0.0099 : Number(tp) >= base - 0.0099)) return send(res, 422, { code: 42210000, message: `take_profit.limit_price must be ${long ? '>' : '<'} base_price ${long ? '+' : '-'} 0.01` });
      if (sl !== undefined && (long ? Number(sl) >= base - 0.0099 : Number(sl) <= base + 0.0099)) return send(res, 422, { code: 42210000, message: `stop_loss.stop_price must be ${long ? '<=' : '>='} base_price ${long ? '-' : '+'} 0.01` });
      this.orders.push(order);
      const leg = (type: 'limit' | 'stop', price: number): FakeOrder => ({
        id: randomUUID(), client_order_id: randomUUID(), symbol, side: long ? 'sell' : 'buy', type, qty, filled_qty: 0, filled_avg_price: 0, status: 'held',
        created_at: this.now, updated_at: this.now, order_class: orderClass, time_in_force: tif, parent_id: order.id, ...(type === 'limit' ? { limit_price: price } : { stop_price: price }),
      });
      if (tp !== undefined) this.orders.push(leg('limit', Number(tp)));
      if (sl !== undefined) this.orders.push(leg('stop', Number(sl)));
    } else {
      this.orders.push(order);
    }
    this.tradeUpdate('new', order);
    if (loseAnswer) return send(res, 500, { message: 'internal error (the order was accepted)' });
    send(res, 200, this.orderJson(order, true));
  }

  /** Alpaca's order JSON; with `withLegs`, a parent's legs nested in `legs`. */
  orderJson(o: FakeOrder, withLegs: boolean): Record<string, unknown> {
    const legs = this.legsOf(o);
    return { ...orderJson(o), ...(withLegs && legs.length ? { legs: legs.map((l) => orderJson(l)) } : { legs: null }) };
  }

  private accountJson() {
    const equity = this.equity();
    return { id: 'fake-account-id', account_number: this.accountNumber, status: 'ACTIVE', currency: 'USD', cash: String(this.cash), equity: String(equity), last_equity: String(this.lastEquity), buying_power: String(this.cash), portfolio_value: String(equity) };
  }

  private clockJson() {
    const day = Math.floor(this.now / DAY) * DAY;
    const trading = (d: number) => { const w = new Date(d).getUTCDay(); return w !== 0 && w !== 6; };
    const isOpen = trading(day) && this.now >= nyOpen(day) && this.now < nyClose(day);
    let d = day;
    while (!(trading(d) && nyOpen(d) > this.now)) d += DAY;
    let c = day;
    while (!(trading(c) && nyClose(c) > this.now)) c += DAY;
    return { timestamp: new Date(this.now).toISOString(), is_open: isOpen, next_open: new Date(nyOpen(d)).toISOString(), next_close: new Date(nyClose(c)).toISOString() };
  }

  private calendarJson(start: string | null, end: string | null) {
    const out: { date: string; open: string; close: string }[] = [];
    const s = Date.parse(start ?? '2000-01-01');
    const e = Date.parse(end ?? '2030-01-01');
    for (let d = Math.floor(s / DAY) * DAY; d <= e && out.length < 5000; d += DAY) {
      const w = new Date(d).getUTCDay();
      if (w !== 0 && w !== 6) out.push({ date: new Date(d).toISOString().slice(0, 10), open: '09:30', close: '16:00' });
    }
    return out;
  }

  private barsJson(symbol: string, q: URLSearchParams) {
    const tf = q.get('timeframe');
    const source = tf === '1Day' ? this.bars.get(symbol) : this.minuteBars.get(symbol);
    const start = Date.parse(q.get('start')!);
    const end = Date.parse(q.get('end')!);
    const period = tf === '1Day' ? 0 : 60_000;
    // Like Alpaca, a bar appears once it has started (the daily bar of today is served while it forms).
    const list = (source ?? []).filter((b) => b.t >= start && b.t <= end && b.t <= this.now && (period === 0 || b.t + period <= this.now));
    return { bars: list.map((b) => ({ t: new Date(b.t).toISOString(), o: b.o, h: b.h, l: b.l, c: b.c, v: b.v })), symbol, next_page_token: null };
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.send(encode([{ T: 'success', msg: 'connected' }]));
    ws.on('message', (data: Buffer) => {
      const m = decode(data) as Record<string, unknown>;
      if (m.action === 'auth') {
        if (m.key === this.keyId && m.secret === this.secretKey) ws.send(encode([{ T: 'success', msg: 'authenticated' }]));
        else ws.send(encode([{ T: 'error', code: 402, msg: 'auth failed' }]));
      } else if (m.action === 'subscribe') {
        (ws as WebSocket & { subscribed?: boolean }).subscribed = true;
        ws.send(encode([{ T: 'subscription', trades: [], quotes: [], bars: m.bars ?? [] }]));
      }
    });
  }
}

/** A trailing stop's stop price now: the best price since it was placed, less (sell) or plus (buy) the trail. */
function trailStop(o: FakeOrder): number {
  return o.side === 'sell' ? o.hwm! * (1 - o.trail_percent! / 100) : o.hwm! * (1 + o.trail_percent! / 100);
}

/** The backtest's fill price of a working order on `bar`, or undefined when the bar does not reach it. */
function barFill(o: FakeOrder, bar: FakeBar): number | undefined {
  const buy = o.side === 'buy';
  switch (o.type) {
    case 'market':
      return bar.o;
    case 'limit':
      return buy ? (bar.l <= o.limit_price! ? Math.min(bar.o, o.limit_price!) : undefined) : bar.h >= o.limit_price! ? Math.max(bar.o, o.limit_price!) : undefined;
    case 'stop':
      return buy ? (bar.h >= o.stop_price! ? Math.max(bar.o, o.stop_price!) : undefined) : bar.l <= o.stop_price! ? Math.min(bar.o, o.stop_price!) : undefined;
    case 'trailing_stop': {
      const stop = trailStop(o);
      return buy ? (bar.h >= stop ? Math.max(bar.o, stop) : undefined) : bar.l <= stop ? Math.min(bar.o, stop) : undefined;
    }
    default:
      return undefined;
  }
}

function orderJson(o: FakeOrder) {
  return {
    id: o.id, client_order_id: o.client_order_id, symbol: o.symbol, side: o.side, type: o.type, order_type: o.type, time_in_force: o.time_in_force ?? 'day', qty: String(o.qty),
    filled_qty: String(o.filled_qty), filled_avg_price: o.filled_qty ? String(o.filled_avg_price) : null, status: o.status, order_class: o.order_class ?? 'simple',
    limit_price: o.limit_price === undefined ? null : String(o.limit_price),
    stop_price: o.type === 'trailing_stop' ? String(trailStop(o)) : o.stop_price === undefined ? null : String(o.stop_price),
    trail_percent: o.trail_percent === undefined ? null : String(o.trail_percent), hwm: o.hwm === undefined ? null : String(o.hwm),
    created_at: new Date(o.created_at).toISOString(), updated_at: new Date(o.updated_at).toISOString(), submitted_at: new Date(o.created_at).toISOString(), asset_class: 'us_equity',
  };
}

function positionJson(symbol: string, p: { qty: number; avg: number }, price: number) {
  return {
    symbol, qty: String(p.qty), side: p.qty < 0 ? 'short' : 'long', avg_entry_price: String(p.avg), current_price: String(price), market_value: String(p.qty * price),
    cost_basis: String(p.qty * p.avg), asset_class: 'us_equity', asset_id: `asset-${symbol}`, exchange: 'ARCA', unrealized_pl: String(p.qty * (price - p.avg)),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });
}
