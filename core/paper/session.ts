/**
 * A paper (or live) trading session: the host side. It feeds the strategy
 * completed bars, reads the account, checks every order against the guard rails,
 * and relays what passes to the broker, writing each step to the journal before
 * it is taken (docs/paper.md).
 *
 *   start()  reconcile the journal with the account → warm up → follow the feed
 *   kill()   the kill switch: stop, cancel the session's open orders, optionally flatten
 *   stop()   end cleanly (the journal stays; `start` again resumes it)
 */
import type { Bar, Fill, Timeframe } from '../sdk/types';
import type { DataProvider } from '../data/provider';
import { INTERVAL_MS, DAY_MS } from '../data/interval';
import { barEnd } from '../data/bar-time';
import { OrderRejectedError, type AccountInfo, type BrokerOrderState, type BrokerPosition, type NewOrder, type TradingApi } from './alpaca';
import { exitPlan, hasExits, trailingStopId } from './exits';
import { readDecision } from './decision';
import { BarFeed, fetchOrEmpty, type BarFeedOptions } from './feed';
import { checkOrder, type GuardLimits } from './guards';
import type { TradingMode } from './hosts';
import { clientOrderId } from './ids';
import { isFinalStatus, journaledOrders, usedClientOrderIds, type Journal, type JournalEvent, type JournaledOrder } from './journal';
import { journalPositions, reconcile } from './reconcile';
import { TradeStream, type TradeEvent, type TradeStreamOptions } from './tradeStream';
import { sizeRequest } from './sizing';
import type { StrategyHost } from './strategyHost';
import type { AccountView, Feed, OrderIntent } from './types';

export interface PaperSessionOptions {
  sessionId: string;
  /** The strategy file, for the journal and messages. */
  file: string;
  mode: TradingMode;
  symbols: string[];
  timeframe: Timeframe;
  params?: Record<string, number | boolean>;
  api: TradingApi;
  strategy: StrategyHost;
  journal: Journal;
  limits: GuardLimits;
  /** Market-data REST for warm-up history and catching up. */
  provider: DataProvider;
  /** Bars of history the strategy sees before the first live bar (first start only). Default 250. */
  warmupBars?: number;
  /** Feed settings besides what the session fills in (poll period, stream). */
  feed?: Pick<BarFeedOptions, 'pollMs' | 'stream'>;
  /** The `trade_updates` stream (fills as they happen). Without it, fills are read by REST at every step. */
  tradeStream?: TradeStreamOptions;
  /** Wall clock (ms) for the orders-per-minute rail. */
  now?: () => number;
  onLog?: (line: string) => void;
  /** Called after every step with the session's state (CLI status file, VS Code panel). */
  onState?: (state: SessionState) => void;
}

/** What surfaces show (written to state.json; the panel renders it). */
export interface SessionState {
  sessionId: string;
  mode: TradingMode;
  account: { number: string; cash: number; equity: number; lastEquity: number } | undefined;
  positions: { symbol: string; shares: number; avgPrice: number; lastPrice: number }[];
  /** `exit` and `parent` are set on protective exit orders (bracket/oto legs, trailing stops). */
  openOrders: { clientOrderId: string; symbol: string; side: string; qty: number; filledQty: number; status: string; exit?: string; parent?: string }[];
  fills: { clientOrderId: string; symbol: string; side: string; qty: number; price: number; time: number }[];
  /** Equity after each step: the P&L chart. */
  equity: { time: number; equity: number }[];
  lastBar: number | undefined;
  status: 'starting' | 'warming-up' | 'running' | 'killed' | 'stopped' | 'failed';
  killed: boolean;
  differences: string[];
  log: string[];
  /** How fills reach the session now: 'stream' (trade_updates) or 'polling' (REST at every step). */
  fillSource?: 'stream' | 'polling';
}

const MAX_STATE_LOG = 200;
const MAX_STATE_EQUITY = 5000;

export class PaperSession {
  private feed: BarFeed | undefined;
  private account: AccountInfo | undefined;
  private positions: BrokerPosition[] = [];
  private readonly lastClose = new Map<string, number>();
  private readonly recentSends: number[] = [];
  private killed = false;
  private stopped = false;
  private readonly state: SessionState;
  private failure: Error | undefined;
  /** The step in progress, if any: kill and stop from outside wait for it (nothing new leaves meanwhile). */
  private stepping: Promise<void> | undefined;
  private failed: ((err: Error) => void) | undefined;
  private tradeStream: TradeStream | undefined;
  /** Fills and closed orders journaled since the strategy's last step (from REST or the stream): its next FEED. */
  private inbox: { fills: Fill[]; closed: Feed['closed'] } = { fills: [], closed: [] };
  /** Orders being sent now: a concurrent lookup must not call them lost before their answer arrives. */
  private readonly inFlight = new Set<string>();
  /** Order reads and exit placements run one at a time (the stream's catch-ups and the steps' syncs). */
  private orderWork: Promise<void> = Promise.resolve();
  /** A stream catch-up failed: the next step reads every unfinished order by REST even with the stream up. */
  private catchUpOwed = false;
  /** Resolves when the session ends (stop, kill, or a failure: rejects). */
  readonly done: Promise<void>;
  private finish!: () => void;

  constructor(private readonly o: PaperSessionOptions) {
    this.state = { sessionId: o.sessionId, mode: o.mode, account: undefined, positions: [], openOrders: [], fills: [], equity: [], lastBar: undefined, status: 'starting', killed: false, differences: [], log: [] };
    this.done = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      this.failed = reject;
    });
    this.done.catch(() => {});
  }

  get journal(): Journal {
    return this.o.journal;
  }

  snapshot(): SessionState {
    return structuredClone(this.state);
  }

  /** Reconciles, warms up and starts following the feed. Resolves once live (the session then runs until stop/kill). */
  async start(): Promise<{ differences: string[] }> {
    const o = this.o;
    await this.readAccount();
    o.journal.append({ type: 'start', sessionId: o.sessionId, mode: o.mode, account: this.account!.accountNumber, symbols: o.symbols, timeframe: o.timeframe, file: o.file });
    const differences = await this.reconcileJournal();
    this.state.differences = differences;
    for (const d of differences) this.note(`reconcile: ${d}`);

    const entries = o.journal.entries;
    const firstOrderId = Math.max(0, ...entries.filter((e) => e.type === 'signal' || e.type === 'refused').map((e) => (e as { orderId: number }).orderId)) + 1;
    await o.strategy.start({ firstOrderId, symbols: o.symbols, params: o.params });

    this.state.status = 'warming-up';
    const journaledBars = entries.filter((e) => e.type === 'bar').map((e) => (e as { bars: Bar[] }).bars);
    let after: number;
    if (journaledBars.length > 0) {
      // A restart: the strategy sees every bar of the session again, as warm-up (its orders were dealt with then).
      this.note(`resuming session ${o.sessionId}: replaying ${journaledBars.length} recorded bars as warm-up`);
      for (const bars of journaledBars) await this.runStep(bars, true, false);
      after = journaledBars[journaledBars.length - 1][0].time;
    } else {
      after = await this.warmUp();
    }
    this.state.status = 'running';
    // Exits owed by entries that filled while the session was down.
    await this.serially(() => this.placeTrailingStops());
    this.openTradeStream();
    this.publish();
    this.feed = new BarFeed({ symbols: o.symbols, timeframe: o.timeframe, provider: o.provider, now: async () => (await o.api.clock()).now, after, ...o.feed, onNote: (m) => this.note(m) });
    this.feed.start((bars) => this.onBars(bars));
    return { differences };
  }

  /** Resolves once the order reads and exit placements queued so far have run (tests wait on it). */
  settled(): Promise<void> {
    return this.orderWork;
  }

  /** Connections of the trade_updates stream so far, and whether it is up now. */
  get tradeStreamState(): { connects: number; up: boolean } {
    return { connects: this.tradeStream?.connects ?? 0, up: this.tradeStream?.up ?? false };
  }

  /** Asks the data API for completed bars now (tests and `paper` after a reconnect use it; the feed also polls). */
  catchUp(): Promise<void> {
    return this.feed?.catchUp() ?? Promise.resolve();
  }

  /** The kill switch: nothing more leaves, the session's open orders are cancelled, positions optionally closed. */
  async kill(reason: string, flatten: boolean): Promise<void> {
    if (this.stopped || this.killed) return;
    this.killed = true;
    this.state.killed = true;
    this.state.status = 'killed';
    this.feed?.stop();
    await this.stepping;
    await this.orderWork;
    this.o.journal.append({ type: 'kill', reason, flatten });
    this.note(`KILL SWITCH: ${reason}${flatten ? ' (flattening positions)' : ''}`);
    const protectedBefore = this.workingOrders().some((j) => j.parent !== undefined);
    await this.cancelOpenOrders('kill-switch');
    if (flatten) await this.flatten();
    else if (protectedBefore) this.note('the positions stay open WITHOUT their protective exits (cancelled by the kill switch); use --flatten to close them');
    await this.end(`killed: ${reason}`);
  }

  /** Ends the session: no more bars, the strategy is closed, the journal says why. Open orders stay working. */
  async stop(reason = 'stopped'): Promise<void> {
    if (this.stopped) return;
    this.feed?.stop();
    await this.stepping;
    return this.end(reason);
  }

  private async end(reason: string): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.tradeStream?.stop();
    await this.orderWork;
    await this.o.strategy.close().catch(() => {});
    if (!this.killed) this.state.status = this.failure ? 'failed' : 'stopped';
    this.o.journal.append({ type: 'stop', reason });
    this.publish();
    this.o.journal.close();
    if (this.failure) this.failed?.(this.failure);
    else this.finish();
  }

  // ------------------------------------------------------------------ steps

  private async onBars(bars: Bar[]): Promise<void> {
    if (this.stopped || this.killed) return;
    const step = this.barStep(bars);
    this.stepping = step;
    await step;
    this.stepping = undefined;
  }

  private async barStep(bars: Bar[]): Promise<void> {
    try {
      // A bar that completed long ago (the session was down) is history now: the strategy sees it, nothing is sent.
      const clock = await this.o.api.clock();
      const period = INTERVAL_MS[this.o.timeframe];
      const stale = clock.now - barEnd(bars[0].time, period) > Math.max(period, period >= DAY_MS ? 18 * 3_600_000 : 0) + 5 * 60_000;
      if (stale) this.note(`bar ${new Date(bars[0].time).toISOString()} completed too long ago to act on: the strategy sees it as warm-up`);
      await this.runStep(bars, stale, !stale && period < DAY_MS && !clock.isOpen);
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.o.journal.append({ type: 'error', message: this.failure.message });
      this.note(`session failed: ${this.failure.message}`);
      this.feed?.stop();
      await this.cancelOpenOrders('kill-switch').catch(() => {});
      await this.end(`failed: ${this.failure.message}`);
    }
  }

  /** One step: journal the bars, read the account, ask the strategy, act on its decision. */
  private async runStep(bars: Bar[], warmup: boolean, marketClosed: boolean, journalBars = true): Promise<void> {
    const o = this.o;
    if (journalBars && !(warmup && this.replaying(bars))) o.journal.append({ type: 'bar', bars, warmup });
    for (const b of bars) this.lastClose.set(b.symbol, b.close);
    if (!warmup) {
      // With the stream up, fills are already journaled as they happened; REST is read while it is down, and for
      // orders whose send had no answer (the stream may have missed their arrival too: lost or not, REST says).
      await this.serially(async () => {
        const full = !this.tradeStream?.up || this.catchUpOwed;
        await this.sync(full ? undefined : (j) => j.brokerId === undefined);
        if (full) this.catchUpOwed = false;
        await this.placeTrailingStops();
      });
      await this.readAccount();
    }
    const { fills, closed } = warmup ? { fills: [], closed: [] } : this.takeInbox();
    const feed: Feed = { bars, account: this.accountView(), fills, closed, warmup };
    const decision = readDecision(await o.strategy.step(feed));
    if (typeof decision === 'string') throw new Error(`the strategy's step answer was malformed (${decision})`);
    for (const r of decision.refused) if (!warmup) o.journal.append({ type: 'refused', orderId: r.id, symbol: r.symbol, side: r.side, reason: r.reason });
    if (!warmup) {
      for (const id of decision.cancels) await this.cancelByStrategy(id);
    }
    const used = usedClientOrderIds(o.journal.entries);
    const barTime = bars[0].time;
    for (let k = 0; k < decision.orders.length; k++) {
      const intent = decision.orders[k];
      const coid = clientOrderId(o.sessionId, barTime, k);
      if (used.has(coid)) continue; // decided and acted on before a restart: never again
      o.journal.append({ type: 'signal', orderId: intent.id, clientOrderId: coid, request: intent.request, placedAt: intent.placedAt, warmup });
      if (warmup) continue;
      await this.send(intent, coid, marketClosed);
    }
    this.state.lastBar = barTime;
    if (!warmup && this.account) this.state.equity.push({ time: barTime, equity: this.account.equity });
    if (this.state.equity.length > MAX_STATE_EQUITY) this.state.equity.splice(0, this.state.equity.length - MAX_STATE_EQUITY);
    this.publish();
  }

  /** True while a restart replays the journal's own bars (they are not journaled twice). */
  private replaying(bars: Bar[]): boolean {
    return this.state.status === 'warming-up' && this.o.journal.entries.some((e) => e.type === 'bar' && e.bars[0]?.time === bars[0].time);
  }

  private async send(intent: OrderIntent, coid: string, marketClosed: boolean): Promise<void> {
    const o = this.o;
    const r = intent.request;
    const block = (rule: string, reason: string) => {
      o.journal.append({ type: 'blocked', orderId: intent.id, clientOrderId: coid, rule, reason });
      this.note(`order #${intent.id} ${r.side} ${r.symbol} blocked (${rule}): ${reason}`);
    };
    if (marketClosed) return block('market-hours', 'the market is closed (Alpaca clock): intraday orders are sent only during the session');
    const last = this.lastClose.get(r.symbol);
    const refPrice = r.limit ?? r.stop ?? last ?? NaN;
    if (!(refPrice > 0)) return block('price', `no price for ${r.symbol} yet`);
    const position = this.positionOf(r.symbol);
    const shortValue = this.positions.filter((p) => p.qty < 0).reduce((s, p) => s - p.qty * (this.lastClose.get(p.symbol) ?? p.currentPrice), 0);
    const sized = sizeRequest(r, { position, cash: this.account!.cash, equity: this.account!.equity, shortValue, price: refPrice });
    if (sized.change === 0) return block('size', sized.reason ?? 'nothing to trade');
    const side = sized.change > 0 ? 'buy' : 'sell';
    const qty = Math.abs(sized.change);
    const exits = exitPlan(r, side, qty, position, refPrice);
    if ('unsupported' in exits) return block('unsupported', exits.unsupported);
    if (hasExits(r) && exits.orderClass === undefined && exits.trailPercent === undefined) this.note(`order #${intent.id}: its protective exits are ignored (it closes a position, as in the backtest)`);
    // Exit legs are contingent and only ever reduce the position: they are not working exposure for the rails.
    const working = this.workingOrders().filter((w) => w.symbol === r.symbol && w.parent === undefined).reduce((s, w) => s + (w.side === 'buy' ? 1 : -1) * (w.qty - w.filledQty), 0);
    const now = (o.now ?? Date.now)();
    const guard = checkOrder({ symbol: r.symbol, side, qty, refPrice }, { position, working, equity: this.account!.equity, dayStartEquity: this.account!.lastEquity, recentSends: this.recentSends, now, killed: this.killed }, o.limits);
    if (guard) return block(guard.rule, guard.reason);
    // The strategy exits by itself: the position's protective orders go first (Alpaca holds the shares for them;
    // in the backtest a position's protection ends with the position).
    if (position !== 0 && Math.sign(sized.change) !== Math.sign(position)) await this.cancelExits(r.symbol);
    const orderType = r.limit !== undefined ? 'limit' : r.stop !== undefined ? 'stop' : 'market';
    this.countSend(now);
    await this.transmit(
      { type: 'submit', orderId: intent.id, clientOrderId: coid, symbol: r.symbol, side, orderType, qty, ...(r.limit !== undefined ? { limit: r.limit } : {}), ...(r.stop !== undefined ? { stop: r.stop } : {}), refPrice, placedAt: intent.placedAt, ...exits },
      // Protective orders live until the position closes (as the backtest's): the bracket/oto goes good-till-cancelled.
      { clientOrderId: coid, symbol: r.symbol, side, type: orderType, qty, limit: r.limit, stop: r.stop, ...(exits.orderClass ? { orderClass: exits.orderClass, stopLoss: exits.stopLoss, takeProfit: exits.takeProfit, timeInForce: 'gtc' as const } : {}) },
      `order #${intent.id}`,
    );
  }

  private countSend(now: number): void {
    this.recentSends.push(now);
    while (this.recentSends.length > 0 && now - this.recentSends[0] > 60_000) this.recentSends.shift();
  }

  /** Journals `submit`, sends the order and journals the answer (an unknown outcome is looked up at the next sync). */
  private async transmit(submit: Extract<JournalEvent, { type: 'submit' }>, order: NewOrder, label: string): Promise<void> {
    const journal = this.o.journal;
    journal.append(submit);
    this.inFlight.add(order.clientOrderId);
    try {
      const ack = await this.o.api.submitOrder(order);
      // The stream may have told of the order before its answer came: one ack either way.
      if (journaledOrders(journal.entries).get(order.clientOrderId)?.brokerId === undefined) journal.append({ type: 'ack', clientOrderId: order.clientOrderId, brokerId: ack.id, status: ack.status });
      this.note(`${label} ${order.side} ${order.qty} ${order.symbol} ${order.type}${order.orderClass ? ` (${order.orderClass})` : ''} sent (${order.clientOrderId}): ${ack.status}`);
      this.applyBrokerOrder(ack);
    } catch (err) {
      if (err instanceof OrderRejectedError) {
        journal.append({ type: 'rejected', clientOrderId: order.clientOrderId, reason: err.message });
        this.note(`${label} ${order.side} ${order.qty} ${order.symbol} rejected by Alpaca: ${err.message}`);
        if (submit.orderId > 0) this.inbox.closed.push({ id: submit.orderId, status: 'rejected', reason: `Alpaca: ${err.message}` });
      } else {
        // Unknown outcome: the journal keeps it as sent; the next sync asks Alpaca by its client order id.
        this.note(`${label} ${order.clientOrderId}: no answer from Alpaca (${(err as Error).message}); it is looked up at the next sync`);
      }
    } finally {
      this.inFlight.delete(order.clientOrderId);
    }
  }

  /** Runs `fn` after the order work queued before it (a stream catch-up, a step's sync): one at a time. */
  private serially(fn: () => Promise<void>): Promise<void> {
    const run = this.orderWork.then(fn);
    this.orderWork = run.catch((err) => this.note(`order sync failed: ${(err as Error).message} (retried at the next step)`));
    return run;
  }

  private takeInbox(): { fills: Fill[]; closed: Feed['closed'] } {
    const out = this.inbox;
    this.inbox = { fills: [], closed: [] };
    return out;
  }

  /**
   * Reads the session's unfinished orders from the broker and journals what changed (applyBrokerOrder). The
   * strategy hears of it at its next step.
   */
  private async sync(which: (j: JournaledOrder) => boolean = () => true): Promise<void> {
    const o = this.o;
    const pending = [...journaledOrders(o.journal.entries).values()].filter((j) => !isFinalStatus(j.status) && which(j));
    if (pending.length === 0) return;
    const open = new Map((await o.api.openOrders()).map((b) => [b.clientOrderId, b]));
    for (const j of pending) {
      if (this.inFlight.has(j.clientOrderId)) continue; // its own answer is on the way
      const b = open.get(j.clientOrderId) ?? (await o.api.orderByClientId(j.clientOrderId));
      if (!b) {
        if (j.brokerId === undefined && !this.inFlight.has(j.clientOrderId) && journaledOrders(o.journal.entries).get(j.clientOrderId)?.brokerId === undefined) {
          o.journal.append({ type: 'lost', clientOrderId: j.clientOrderId, reason: 'Alpaca has no order with this client order id: it never arrived, and it is not sent again' });
          if (j.orderId > 0) this.inbox.closed.push({ id: j.orderId, status: 'rejected', reason: 'the order never reached Alpaca' });
        }
        continue;
      }
      this.applyBrokerOrder(b);
    }
  }

  /**
   * Journals the difference between what the journal knows of an order (read afresh: the stream and REST may both
   * report it) and what the broker says: its exit legs, fills (as the increase in filled quantity, so a fill seen
   * twice, on either path, is journaled once) and its status. What changed goes to the strategy's inbox.
   */
  private applyBrokerOrder(b: BrokerOrderState, execution?: TradeEvent['execution']): void {
    const journal = this.o.journal;
    const j = journaledOrders(journal.entries).get(b.clientOrderId);
    if (!j) return; // not the session's order (or a leg not yet journaled: its parent brings it)
    if (j.brokerId === undefined) journal.append({ type: 'ack', clientOrderId: j.clientOrderId, brokerId: b.id, status: b.status });
    for (const leg of b.legs ?? []) this.journalLeg(j, leg);
    if (b.filledQty > j.filledQty + 1e-9) {
      const qty = b.filledQty - j.filledQty;
      // The stream names each execution; REST only the average of all fills: then this fill's price is what moved it.
      const exact = execution && Math.abs(execution.qty - qty) < 1e-9;
      const paid = j.fills.reduce((s, f) => s + f.qty * f.price, 0);
      const price = exact ? execution.price : (b.filledAvgPrice * b.filledQty - paid) / qty;
      const time = exact ? execution.time : b.updatedAt || Date.now();
      journal.append({ type: 'fill', clientOrderId: j.clientOrderId, qty, price, cumQty: b.filledQty, time });
      this.inbox.fills.push({ orderId: j.orderId, symbol: j.symbol, side: j.side, shares: qty, price, commission: 0, time });
      this.note(`fill: ${j.side} ${qty} ${j.symbol} @ ${price.toFixed(4)} (${j.exit ? `${j.exit} of ${j.parent}` : j.clientOrderId}, ${b.filledQty}/${b.qty})`);
      this.state.fills.push({ clientOrderId: j.clientOrderId, symbol: j.symbol, side: j.side, qty, price, time });
    }
    if (b.status !== j.status && !isFinalStatus(j.status)) {
      journal.append({ type: 'status', clientOrderId: j.clientOrderId, status: b.status });
      if (isFinalStatus(b.status) && j.orderId > 0) {
        const status = b.status === 'filled' ? 'filled' : b.status === 'rejected' ? 'rejected' : 'cancelled';
        this.inbox.closed.push({ id: j.orderId, status, ...(status !== 'filled' ? { reason: `Alpaca: ${b.status}` } : {}) });
      }
    }
    for (const leg of b.legs ?? []) this.applyBrokerOrder(leg);
  }

  /** An exit leg Alpaca created with entry `j`, journaled once under Alpaca's own client order id. */
  private journalLeg(j: JournaledOrder, leg: BrokerOrderState): void {
    const known = journaledOrders(this.o.journal.entries).get(leg.clientOrderId);
    if (known) return;
    const exit = leg.type === 'limit' ? 'take-profit' : 'stop-loss';
    this.o.journal.append({ type: 'leg', parent: j.clientOrderId, clientOrderId: leg.clientOrderId, brokerId: leg.id, symbol: leg.symbol, side: leg.side, exit, qty: leg.qty, ...(leg.limitPrice !== undefined ? { limit: leg.limitPrice } : {}), ...(leg.stopPrice !== undefined ? { stop: leg.stopPrice } : {}), status: leg.status });
  }

  /**
   * Trailing stops owed: an entry with `trailPercent` that has finished filling gets a trailing_stop order for
   * its filled shares, under a client order id derived from the entry's (journaled first: never sent twice).
   * The rails do not block it (it only reduces the position); the kill switch does.
   */
  private async placeTrailingStops(): Promise<void> {
    const entries = this.o.journal.entries;
    const used = usedClientOrderIds(entries);
    const held = journalPositions(entries);
    for (const j of journaledOrders(entries).values()) {
      if (j.trailPercent === undefined || j.parent !== undefined || !isFinalStatus(j.status) || j.filledQty <= 0) continue;
      const coid = trailingStopId(j.clientOrderId);
      if (used.has(coid) || this.killed || this.stopped) continue;
      const side = j.side === 'buy' ? 'sell' : 'buy';
      const position = held.get(j.symbol) ?? 0;
      if (position === 0 || Math.sign(position) !== (j.side === 'buy' ? 1 : -1)) {
        this.o.journal.append({ type: 'blocked', orderId: 0, clientOrderId: coid, rule: 'position', reason: `the ${j.symbol} position of ${j.clientOrderId} is closed already: no trailing stop` });
        continue;
      }
      const qty = Math.min(j.filledQty, Math.abs(position));
      const now = (this.o.now ?? Date.now)();
      this.countSend(now);
      await this.transmit(
        { type: 'submit', orderId: 0, clientOrderId: coid, symbol: j.symbol, side, orderType: 'trailing_stop', qty, refPrice: this.lastClose.get(j.symbol) ?? j.refPrice, placedAt: j.placedAt, trailPercent: j.trailPercent, parent: j.clientOrderId, exit: 'trailing-stop' },
        { clientOrderId: coid, symbol: j.symbol, side, type: 'trailing_stop', qty, trailPercent: j.trailPercent, timeInForce: 'gtc' },
        `trailing stop of ${j.clientOrderId}:`,
      );
    }
  }

  /** Cancels the working protective orders of `symbol` (the strategy exits the position itself). */
  private async cancelExits(symbol: string): Promise<void> {
    for (const j of this.workingOrders()) {
      if (j.symbol !== symbol || j.parent === undefined || j.brokerId === undefined) continue;
      this.o.journal.append({ type: 'cancel', clientOrderId: j.clientOrderId, by: 'position-exit' });
      await this.o.api.cancelOrder(j.brokerId);
      this.note(`cancelled the ${j.exit} ${j.clientOrderId} of ${j.parent}: the strategy exits ${symbol} itself`);
    }
  }

  private async cancelByStrategy(orderId: number): Promise<void> {
    const j = [...journaledOrders(this.o.journal.entries).values()].find((x) => x.orderId === orderId);
    if (!j || isFinalStatus(j.status) || j.brokerId === undefined) return;
    this.o.journal.append({ type: 'cancel', clientOrderId: j.clientOrderId, by: 'strategy' });
    await this.o.api.cancelOrder(j.brokerId);
  }

  /** Cancels every open order of the session at Alpaca: entries, their exit legs and trailing stops. */
  private async cancelOpenOrders(by: 'strategy' | 'kill-switch'): Promise<void> {
    const open = await this.o.api.openOrders();
    const mine = journaledOrders(this.o.journal.entries);
    // Entries first: cancelling one cancels its held legs at Alpaca; the legs still working are cancelled next.
    const order = [...open].sort((a, b) => Number(mine.get(a.clientOrderId)?.parent !== undefined) - Number(mine.get(b.clientOrderId)?.parent !== undefined));
    for (const b of order) {
      if (!mine.has(b.clientOrderId)) continue; // other orders on the account are not the session's to cancel
      this.o.journal.append({ type: 'cancel', clientOrderId: b.clientOrderId, by });
      await this.o.api.cancelOrder(b.id);
      this.note(`cancelled ${b.clientOrderId} (${b.side} ${b.qty} ${b.symbol}${mine.get(b.clientOrderId)?.exit ? `, ${mine.get(b.clientOrderId)!.exit}` : ''})`);
    }
    await this.sync().catch(() => {});
  }

  /** Market orders that close the strategy's symbols' positions (journaled like any order; the rails do not block exits). */
  private async flatten(): Promise<void> {
    await this.readAccount();
    let k = 0;
    const stamp = (this.o.now ?? Date.now)();
    for (const p of this.positions) {
      if (!this.o.symbols.includes(p.symbol) || p.qty === 0) continue;
      const coid = `sl-${this.o.sessionId}-flat-${stamp.toString(36)}-${k++}`;
      const side = p.qty > 0 ? 'sell' : 'buy';
      const qty = Math.abs(p.qty);
      await this.transmit(
        { type: 'submit', orderId: 0, clientOrderId: coid, symbol: p.symbol, side, orderType: 'market', qty, refPrice: p.currentPrice, placedAt: stamp },
        { clientOrderId: coid, symbol: p.symbol, side, type: 'market', qty },
        'flatten:',
      );
    }
  }

  // ------------------------------------------------------------------ start-up

  private async reconcileJournal(): Promise<string[]> {
    const o = this.o;
    const orders = journaledOrders(o.journal.entries);
    // Outcomes the journal lacks (a crash, a dropped connection): ask the broker for each unfinished order.
    for (const j of orders.values()) {
      if (isFinalStatus(j.status)) continue;
      const b = await o.api.orderByClientId(j.clientOrderId);
      if (!b) {
        if (j.brokerId === undefined) o.journal.append({ type: 'lost', clientOrderId: j.clientOrderId, reason: 'the session stopped before Alpaca received it; it is not sent again' });
        continue;
      }
      this.applyBrokerOrder(b);
    }
    const result = reconcile({ entries: o.journal.entries, symbols: o.symbols, positions: this.positions, openOrders: await o.api.openOrders(), sessionId: o.sessionId });
    o.journal.append({ type: 'reconcile', differences: result });
    if (!o.journal.entries.some((e) => e.type === 'positions')) this.journalPositions();
    return result;
  }

  /** History before the first live bar, as warm-up steps (journaled, so a replay sees the same bars). */
  private async warmUp(): Promise<number> {
    const o = this.o;
    const n = o.warmupBars ?? 250;
    const now = (await o.api.clock()).now;
    const period = INTERVAL_MS[o.timeframe];
    // Calendar span that holds n bars: trading days are ~5/7 of days; intraday sessions are 6.5 of 24 hours.
    const span = period >= DAY_MS ? Math.ceil(n * 1.5 + 10) * DAY_MS : Math.ceil(n * period * (24 / 6.5) * 1.5) + 4 * DAY_MS;
    const groups = new Map<number, Bar[]>();
    if (n > 0) {
      for (const symbol of o.symbols) {
        const s = await fetchOrEmpty(o.provider, symbol, o.timeframe, now - span, now);
        if (!s) continue;
        for (let i = 0; i < s.length; i++) {
          if (barEnd(s.time[i], period) > now) continue; // the bar in progress is not history yet
          const list = groups.get(s.time[i]) ?? [];
          list.push({ symbol, time: s.time[i], open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i], index: -1 });
          groups.set(s.time[i], list);
        }
      }
    }
    const times = [...groups.keys()].sort((a, b) => a - b).slice(-n);
    this.note(`warming up on ${times.length} bars of history`);
    for (const t of times) await this.runStep(groups.get(t)!, true, false);
    return times.length ? times[times.length - 1] : now - period;
  }

  // ------------------------------------------------------------------ trade_updates

  private openTradeStream(): void {
    const options = this.o.tradeStream;
    if (!options) return;
    this.tradeStream = new TradeStream(options, {
      onEvent: (e) => this.onTradeEvent(e),
      onUp: () => {
        this.note(`trade_updates stream ${this.tradeStream!.connects > 1 ? 'reconnected' : 'connected'}: fills arrive as they happen (catching up by REST)`);
        // Anything that happened while it was down (or before it first connected) is read by REST once.
        // A failure is noted by serially(); the next step then reads every order by REST.
        this.serially(async () => {
          await this.sync();
          await this.placeTrailingStops();
          this.publish();
        }).catch(() => {
          this.catchUpOwed = true;
        });
      },
      onDown: () => {
        if (!this.stopped) this.note('trade_updates stream down: fills are read by REST at every step until it is back');
        this.publish();
      },
      onNote: (m) => this.note(m),
    });
    this.tradeStream.start();
  }

  private onTradeEvent(e: TradeEvent): void {
    if (this.stopped) return;
    this.applyBrokerOrder(e.order, e.execution);
    if (e.event === 'rejected' || e.event === 'canceled') this.note(`trade_updates: ${e.order.clientOrderId} ${e.event}`);
    // An entry that just filled may owe its trailing stop now, not at the next bar.
    if (e.event === 'fill' || e.event === 'canceled' || e.event === 'expired') this.serially(() => this.placeTrailingStops()).catch(() => {});
    this.publish();
  }

  // ------------------------------------------------------------------ account

  private async readAccount(): Promise<void> {
    this.account = await this.o.api.account();
    this.positions = await this.o.api.positions();
    this.state.account = { number: this.account.accountNumber, cash: this.account.cash, equity: this.account.equity, lastEquity: this.account.lastEquity };
    this.state.positions = this.positions.filter((p) => this.o.symbols.includes(p.symbol)).map((p) => ({ symbol: p.symbol, shares: p.qty, avgPrice: p.avgEntryPrice, lastPrice: this.lastClose.get(p.symbol) ?? p.currentPrice }));
  }

  private journalPositions(): void {
    this.o.journal.append({ type: 'positions', positions: this.positions.filter((p) => this.o.symbols.includes(p.symbol)).map((p) => ({ symbol: p.symbol, shares: p.qty, avgPrice: p.avgEntryPrice })), cash: this.account!.cash, equity: this.account!.equity });
  }

  private positionOf(symbol: string): number {
    return this.positions.find((p) => p.symbol === symbol)?.qty ?? 0;
  }

  private workingOrders(): JournaledOrder[] {
    return [...journaledOrders(this.o.journal.entries).values()].filter((j) => !isFinalStatus(j.status));
  }

  private accountView(): AccountView {
    const a = this.account!;
    return {
      cash: a.cash,
      equity: a.equity,
      positions: this.positions.filter((p) => this.o.symbols.includes(p.symbol)).map((p) => ({ symbol: p.symbol, shares: p.qty, avgPrice: p.avgEntryPrice })),
      openOrders: this.workingOrders().filter((j) => j.orderId > 0).map((j) => ({ id: j.orderId, symbol: j.symbol, side: j.side, type: 'market' as const, shares: j.qty - j.filledQty, placedAt: j.placedAt })),
    };
  }

  private note(line: string): void {
    this.state.log.push(line);
    if (this.state.log.length > MAX_STATE_LOG) this.state.log.shift();
    this.o.onLog?.(line);
  }

  private publish(): void {
    this.state.openOrders = this.workingOrders().map((j) => ({ clientOrderId: j.clientOrderId, symbol: j.symbol, side: j.side, qty: j.qty, filledQty: j.filledQty, status: j.status, ...(j.exit ? { exit: j.exit, parent: j.parent } : {}) }));
    this.state.fillSource = this.tradeStream?.up ? 'stream' : 'polling';
    this.o.onState?.(this.snapshot());
  }
}
