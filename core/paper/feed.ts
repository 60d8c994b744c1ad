/**
 * Completed bars for a paper session, in time order, each timestamp once.
 *
 * REST is the source of truth: `catchUp` asks the market-data API for every bar
 * after the last one delivered whose period has ended by the broker's clock, so a
 * poll, a reconnect or a restart all recover the same bars. The websocket stream
 * (through the official client) makes intraday sessions prompt: a 1-minute bar is
 * delivered as it arrives, and any streamed bar triggers a catch-up for longer
 * timeframes. A dropped stream is reconnected by the client; on every
 * (re)connection the feed catches up, so bars missed meanwhile arrive by REST.
 */
import { streaming } from '@alpacahq/alpaca-trade-api';
import type { Bar, Timeframe } from '../sdk/types';
import type { DataProvider } from '../data/provider';
import { barEnd } from '../data/bar-time';
import { INTERVAL_MS, DAY_MS } from '../data/interval';
import { DataError } from '../data/errors';
import type { BarSeries } from '../data/series';

export interface BarFeedOptions {
  symbols: string[];
  timeframe: Timeframe;
  /** Market-data REST (AlpacaProvider, optionally behind the cache). */
  provider: DataProvider;
  /** The broker's clock (ms): a bar is complete once its period ends by it. */
  now: () => Promise<number>;
  /** Bars at or before this time were delivered already (a restart resumes after them). */
  after: number;
  /** Poll period for catching up (ms). Default 60 s (daily) or one bar period (intraday, at most 60 s). */
  pollMs?: number;
  /** Stream: full URL of the feed (e.g. wss://stream.data.alpaca.markets/v2/iex) and keys. Omit to poll only. */
  stream?: { url: string; keyId: string; secretKey: string; reconnectMs?: number };
  onNote?: (message: string) => void;
}

export type BarsHandler = (bars: Bar[]) => Promise<void>;

export class BarFeed {
  private delivered: number;
  private readonly period: number;
  /** Streamed 1-minute bars waiting for the other symbols of their minute. */
  private readonly waiting = new Map<number, Map<string, Bar>>();
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private socket: streaming.StockDataStream | undefined;
  private stopped = false;
  private handler: BarsHandler | undefined;
  /** Connections so far (the first is not a reconnect). */
  connects = 0;

  constructor(private readonly options: BarFeedOptions) {
    this.delivered = options.after;
    this.period = INTERVAL_MS[options.timeframe];
  }

  get lastDelivered(): number {
    return this.delivered;
  }

  /** Starts delivering; `handler` runs for one timestamp at a time, never concurrently. */
  start(handler: BarsHandler): void {
    this.handler = handler;
    const o = this.options;
    const pollMs = o.pollMs ?? Math.min(60_000, this.period >= DAY_MS ? 60_000 : this.period);
    const tick = () => {
      if (this.stopped) return;
      this.catchUp();
      this.timer = setTimeout(tick, pollMs);
    };
    tick();
    if (o.stream) this.openStream(o.stream);
  }

  /** Asks REST for every completed bar not delivered yet (queued behind any delivery in progress). */
  catchUp(): Promise<void> {
    return this.enqueue(async () => {
      const now = await this.options.now();
      const groups = new Map<number, Bar[]>();
      for (const symbol of this.options.symbols) {
        const series = await fetchOrEmpty(this.options.provider, symbol, this.options.timeframe, this.delivered + 1, now);
        if (!series) continue;
        for (let i = 0; i < series.length; i++) {
          const t = series.time[i];
          if (t <= this.delivered || barEnd(t, this.period) > now) continue;
          const list = groups.get(t) ?? [];
          list.push({ symbol, time: t, open: series.open[i], high: series.high[i], low: series.low[i], close: series.close[i], volume: series.volume[i], index: -1 });
          groups.set(t, list);
        }
      }
      for (const t of [...groups.keys()].sort((a, b) => a - b)) await this.deliver(t, groups.get(t)!);
    }).catch((err: Error) => this.options.onNote?.(`catching up on bars failed (${err.message}); retrying at the next poll`));
  }

  /** No more deliveries (one in progress finishes; the session waits for it where it must). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.disconnect();
  }

  private openStream(s: NonNullable<BarFeedOptions['stream']>): void {
    const socket = new streaming.StockDataStream({
      url: s.url,
      credentials: { keyId: s.keyId, secret: s.secretKey },
      maxReconnectAttempts: -1,
      initialReconnectMs: s.reconnectMs ?? 1000,
      maxReconnectMs: 30_000,
    });
    this.socket = socket;
    socket.onConnect(() => {
      this.connects++;
      if (this.connects > 1) this.options.onNote?.('market-data stream reconnected: catching up on missed bars by REST');
      socket.subscribeForBars(this.options.symbols);
      void this.catchUp();
    });
    socket.onDisconnect(() => {
      if (!this.stopped) this.options.onNote?.('market-data stream disconnected; reconnecting (bars are recovered by REST)');
    });
    socket.onError((message: string) => this.options.onNote?.(`market-data stream: ${message}`));
    socket.onBar((b) => {
      if (this.stopped || !this.options.symbols.includes(b.symbol)) return;
      const time = b.timestamp.getTime();
      if (this.period !== INTERVAL_MS['1m']) {
        // Longer bars are built by the data API: a streamed minute that closes a period triggers the catch-up.
        if (barEnd(time, INTERVAL_MS['1m']) % this.period === 0 || this.period >= DAY_MS) void this.catchUp();
        return;
      }
      this.onStreamedMinute({ symbol: b.symbol, time, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, index: -1 });
    });
    socket.connect();
  }

  /** A 1-minute bar from the stream: delivered once every symbol has that minute, or once a later minute arrives. */
  private onStreamedMinute(bar: Bar): void {
    if (bar.time <= this.delivered) return;
    const group = this.waiting.get(bar.time) ?? new Map<string, Bar>();
    group.set(bar.symbol, bar);
    this.waiting.set(bar.time, group);
    void this.enqueue(async () => {
      for (const t of [...this.waiting.keys()].sort((a, b) => a - b)) {
        const g = this.waiting.get(t)!;
        const later = [...this.waiting.keys()].some((u) => u > t);
        if (g.size < this.options.symbols.length && !later) break;
        this.waiting.delete(t);
        await this.deliver(t, [...g.values()]);
      }
    });
  }

  private async deliver(time: number, bars: Bar[]): Promise<void> {
    if (time <= this.delivered || this.stopped) return;
    bars.sort((a, b) => this.options.symbols.indexOf(a.symbol) - this.options.symbols.indexOf(b.symbol));
    this.delivered = time;
    for (const t of this.waiting.keys()) if (t <= time) this.waiting.delete(t);
    await this.handler?.(bars);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => {});
    return next;
  }
}

/** Unadjusted bars (the prices orders trade at) of `symbol` in [start, end), or undefined when there are none yet. */
export async function fetchOrEmpty(provider: DataProvider, symbol: string, timeframe: Timeframe, start: number, end: number): Promise<BarSeries | undefined> {
  if (end <= start) return undefined;
  try {
    return await provider.fetch({ symbol, interval: timeframe, start, end, adjusted: false, adjustment: 'raw' });
  } catch (err) {
    if (err instanceof DataError && err.code === 'empty-range') return undefined;
    throw err;
  }
}
