/**
 * The session journal: one JSON object per line, appended and fsynced BEFORE the
 * action it records is taken (a `submit` line before the order is sent, a `fill`
 * line before the strategy hears of the fill). A crash can therefore leave an
 * intention without its outcome, never an outcome without its record; restart
 * (reconcile.ts) asks the broker for every outcome the journal lacks.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Bar, OrderSide, OrderType } from '../sdk/types';
import type { OrderRequest } from '../sdk/broker';

/** Everything a journal line can say. `seq` and `at` (wall-clock ms) are added by the journal. */
export type JournalEvent =
  | { type: 'start'; sessionId: string; mode: 'paper' | 'live'; account: string; symbols: string[]; timeframe: string; file: string }
  | { type: 'bar'; bars: Bar[]; warmup: boolean }
  | { type: 'signal'; orderId: number; clientOrderId: string; request: OrderRequest; placedAt: number; warmup: boolean }
  | { type: 'refused'; orderId: number; symbol: string; side: OrderSide; reason: string }
  | { type: 'blocked'; orderId: number; clientOrderId: string; rule: string; reason: string }
  | { type: 'submit'; orderId: number; clientOrderId: string; symbol: string; side: OrderSide; orderType: OrderType | 'trailing_stop'; qty: number; limit?: number; stop?: number; refPrice: number; placedAt: number;
      /** Protective exits sent with (bracket/oto) or after (trailPercent) this entry. */
      orderClass?: 'bracket' | 'oto'; stopLoss?: number; takeProfit?: number; trailPercent?: number;
      /** A trailing stop the host placed for this entry's filled shares. */
      parent?: string; exit?: ExitKind }
  /** An exit leg Alpaca created with a bracket/oto entry (its client order id is Alpaca's). */
  | { type: 'leg'; parent: string; clientOrderId: string; brokerId: string; symbol: string; side: OrderSide; exit: ExitKind; qty: number; limit?: number; stop?: number; status: string }
  | { type: 'ack'; clientOrderId: string; brokerId: string; status: string }
  | { type: 'rejected'; clientOrderId: string; reason: string }
  | { type: 'lost'; clientOrderId: string; reason: string }
  | { type: 'fill'; clientOrderId: string; qty: number; price: number; cumQty: number; time: number }
  | { type: 'status'; clientOrderId: string; status: string; reason?: string }
  | { type: 'cancel'; clientOrderId: string; by: 'strategy' | 'kill-switch' | 'position-exit' }
  | { type: 'positions'; positions: { symbol: string; shares: number; avgPrice: number }[]; cash: number; equity: number }
  | { type: 'reconcile'; differences: string[] }
  | { type: 'kill'; reason: string; flatten: boolean }
  | { type: 'stop'; reason: string }
  | { type: 'error'; message: string };

export type JournalEntry = JournalEvent & { seq: number; at: number };

/** Which protective exit an order is. */
export type ExitKind = 'stop-loss' | 'take-profit' | 'trailing-stop';

export class Journal {
  private fd: number;
  private seq: number;

  private constructor(readonly path: string, readonly entries: JournalEntry[], private readonly now: () => number) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    this.seq = entries.length ? entries[entries.length - 1].seq : 0;
  }

  /** Opens (or creates) the journal at `path`, reading what is there. */
  static open(path: string, now: () => number = Date.now): Journal {
    return new Journal(path, existsSync(path) ? readJournal(path) : [], now);
  }

  /** Appends one event and returns once it is on disk (fsync). */
  append(event: JournalEvent): JournalEntry {
    const entry = { ...event, seq: ++this.seq, at: this.now() } as JournalEntry;
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(this.fd);
    this.entries.push(entry);
    return entry;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * The entries of a journal file. A torn last line (the process died while writing it) is dropped: its action was
 * never taken, because every action waits for its line to be on disk. A bad line anywhere else is corruption.
 */
export function readJournal(path: string): JournalEntry[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: JournalEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch {
      const last = lines.slice(i + 1).every((l) => !l.trim());
      if (last) break;
      throw new Error(`The paper journal ${path} is damaged at line ${i + 1}. Move it aside to start a new session; it is never rewritten.`);
    }
  }
  return out;
}

/** One order of the session as the journal knows it. */
export interface JournaledOrder {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  refPrice: number;
  placedAt: number;
  submitted: boolean;
  brokerId?: string;
  /** Last known status: 'submitted' (no answer yet), a broker status, 'rejected', 'lost', 'blocked'. */
  status: string;
  filledQty: number;
  /** Fills as journaled, in order. */
  fills: { qty: number; price: number; time: number }[];
  reason?: string;
  /** Set on exit legs and trailing stops: the entry's client order id, and which exit. */
  parent?: string;
  exit?: ExitKind;
  /** On an entry: the trailing stop to place once it has filled. */
  trailPercent?: number;
}

const FINAL = new Set(['filled', 'canceled', 'cancelled', 'rejected', 'expired', 'lost', 'blocked', 'done_for_day', 'replaced']);

export function isFinalStatus(status: string): boolean {
  return FINAL.has(status);
}

/** The session's orders by client order id, folded from the journal. */
export function journaledOrders(entries: readonly JournalEntry[]): Map<string, JournaledOrder> {
  const orders = new Map<string, JournaledOrder>();
  for (const e of entries) {
    if (e.type === 'submit') {
      orders.set(e.clientOrderId, {
        orderId: e.orderId, clientOrderId: e.clientOrderId, symbol: e.symbol, side: e.side, qty: e.qty, refPrice: e.refPrice, placedAt: e.placedAt, submitted: true, status: 'submitted', filledQty: 0, fills: [],
        ...(e.parent !== undefined ? { parent: e.parent, exit: e.exit } : {}), ...(e.trailPercent !== undefined ? { trailPercent: e.trailPercent } : {}),
      });
      continue;
    }
    if (e.type === 'leg') {
      if (orders.has(e.clientOrderId)) continue;
      orders.set(e.clientOrderId, { orderId: 0, clientOrderId: e.clientOrderId, symbol: e.symbol, side: e.side, qty: e.qty, refPrice: e.stop ?? e.limit ?? 0, placedAt: orders.get(e.parent)?.placedAt ?? 0, submitted: false, brokerId: e.brokerId, status: e.status, filledQty: 0, fills: [], parent: e.parent, exit: e.exit });
      continue;
    }
    if (!('clientOrderId' in e)) continue;
    const o = orders.get(e.clientOrderId);
    if (!o) continue;
    if (e.type === 'ack') {
      o.brokerId = e.brokerId;
      if (!isFinalStatus(o.status)) o.status = e.status;
    } else if (e.type === 'rejected' || e.type === 'lost') {
      o.status = e.type;
      o.reason = e.reason;
    } else if (e.type === 'fill') {
      o.fills.push({ qty: e.qty, price: e.price, time: e.time });
      o.filledQty = e.cumQty;
    } else if (e.type === 'status') {
      o.status = e.status;
      if (e.reason) o.reason = e.reason;
    }
  }
  return orders;
}

/** Every client order id the session ever submitted or blocked: none of them is ever sent (again). */
export function usedClientOrderIds(entries: readonly JournalEntry[]): Set<string> {
  const ids = new Set<string>();
  for (const e of entries) if (e.type === 'submit' || e.type === 'blocked') ids.add(e.clientOrderId);
  return ids;
}
