/**
 * Parity: a session's recorded bars replayed through the backtest engine. The
 * signals (which orders, on which bar, which side) must be the same; the fills
 * may not be, and the report says where and by how much live fills differed from
 * the backtest's assumed fills (next open by default): price (slippage),
 * quantity (partial fills) and orders that never filled (rejected, blocked, lost).
 * Definitions: docs/paper.md, "Parity".
 */
import type { BarSeries } from '../data/series';
import { createSeries } from '../data/series';
import type { BacktestResult } from '../engine/types';
import { formatTime } from '../engine/time';
import type { Bar } from '../sdk/types';
import { journaledOrders, type JournalEntry } from './journal';

export interface ParitySignal { time: string; symbol: string; side: 'buy' | 'sell' }

export interface FillDifference {
  clientOrderId: string;
  time: string;
  symbol: string;
  side: 'buy' | 'sell';
  /** Shares asked for and shares filled live. */
  qty: number;
  filledQty: number;
  /** Average live fill price, and the backtest's fill price for the same signal. */
  livePrice: number | null;
  backtestPrice: number | null;
  /** (live − backtest) × (+1 buy, −1 sell) per share: positive = live was worse. */
  slippage: number | null;
  slippageBps: number | null;
  /** Fills it took live (the backtest assumes one). */
  parts: number;
  /** What went differently, in words: 'partial fill', 'filled in N parts', 'rejected: …', 'blocked (rule): …', 'not filled'. */
  note?: string;
}

/** Levels of a protective exit: stop-loss / take-profit prices, trailing percent. */
export interface ExitLevels { stopLoss?: number; takeProfit?: number; trailPercent?: number }

/** How an entry's protective exits went live and in the backtest (docs/paper.md, "Parity"). */
export interface ExitDifference {
  clientOrderId: string;
  time: string;
  symbol: string;
  /** Live: levels as sent (from the reference price, to the cent); backtest: from its entry fill price. */
  liveLevels: ExitLevels;
  backtestLevels: ExitLevels | null;
  /** Which exit closed the position, when, at what price (null: still open, or never entered). */
  liveExit: { kind: string; time: string; price: number } | null;
  backtestExit: { kind: string; time: string; price: number } | null;
  /** What went differently, in words. */
  notes: string[];
}

export interface ParityReport {
  /** Entries that carried protective exits, live and in the backtest. */
  exits?: ExitDifference[];
  /** Signals both made, in time order. */
  matched: ParitySignal[];
  onlyLive: ParitySignal[];
  onlyBacktest: ParitySignal[];
  fills: FillDifference[];
  /** True when the signals agree exactly. */
  sameSignals: boolean;
}

/** The bars the strategy saw in the session (warm-up and live), one series per symbol, in time order. */
export function recordedSeries(entries: readonly JournalEntry[], symbols: string[]): BarSeries[] {
  const per = new Map<string, Bar[]>(symbols.map((s) => [s, []]));
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.type !== 'bar') continue;
    for (const b of e.bars) {
      const key = `${b.symbol}@${b.time}`;
      if (seen.has(key)) continue; // a restart replays the journal's bars; each counts once
      seen.add(key);
      per.get(b.symbol)?.push(b);
    }
  }
  return symbols.map((symbol) => {
    const bars = per.get(symbol)!.sort((a, b) => a.time - b.time);
    const s = createSeries(symbol, bars.length);
    bars.forEach((b, i) => {
      s.time[i] = b.time; s.open[i] = b.open; s.high[i] = b.high; s.low[i] = b.low; s.close[i] = b.close; s.volume[i] = b.volume;
    });
    return s;
  });
}

/** The first bar time the session acted on (not warm-up), or undefined when it never went live. */
export function firstLiveBar(entries: readonly JournalEntry[]): number | undefined {
  for (const e of entries) if (e.type === 'bar' && !e.warmup) return e.bars[0].time;
  return undefined;
}

/** Compares a session's journal with a backtest of its recorded bars (`result`). */
export function compareParity(entries: readonly JournalEntry[], result: BacktestResult): ParityReport {
  const from = firstLiveBar(entries);
  const key = (s: ParitySignal) => `${s.time}|${s.symbol}|${s.side}`;
  const live: ParitySignal[] = [];
  for (const e of entries) {
    if (e.type === 'signal' && !e.warmup) live.push({ time: formatTime(e.placedAt), symbol: e.request.symbol, side: e.request.side });
  }
  const fromText = from === undefined ? undefined : formatTime(from);
  const backtest = result.orders.filter((o) => fromText !== undefined && o.placedAt >= fromText && !(o.tag && ['stop-loss', 'take-profit', 'trailing-stop'].includes(o.tag))).map((o) => ({ time: o.placedAt, symbol: o.symbol, side: o.side }));
  const liveKeys = new Set(live.map(key));
  const btKeys = new Set(backtest.map(key));
  const matched = live.filter((s) => btKeys.has(key(s)));
  const onlyLive = live.filter((s) => !btKeys.has(key(s)));
  const onlyBacktest = backtest.filter((s) => !liveKeys.has(key(s)));

  const fills: FillDifference[] = [];
  const orders = journaledOrders(entries);
  const btOrder = new Map(result.orders.map((o) => [`${o.placedAt}|${o.symbol}|${o.side}`, o]));
  for (const e of entries) {
    if (e.type !== 'signal' || e.warmup) continue;
    const time = formatTime(e.placedAt);
    const bt = btOrder.get(`${time}|${e.request.symbol}|${e.request.side}`);
    const backtestPrice = bt?.fillPrice ?? null;
    const o = orders.get(e.clientOrderId);
    const blocked = entries.find((x) => x.type === 'blocked' && x.clientOrderId === e.clientOrderId);
    const filledQty = o?.filledQty ?? 0;
    const paid = o?.fills.reduce((s, f) => s + f.qty * f.price, 0) ?? 0;
    const livePrice = filledQty > 0 ? paid / filledQty : null;
    const dir = e.request.side === 'buy' ? 1 : -1;
    const slippage = livePrice !== null && backtestPrice !== null ? (livePrice - backtestPrice) * dir : null;
    let note: string | undefined;
    if (blocked && blocked.type === 'blocked') note = `blocked (${blocked.rule}): ${blocked.reason}`;
    else if (o?.status === 'rejected' || o?.status === 'lost') note = `${o.status}: ${o.reason ?? ''}`.trim();
    else if (o && filledQty > 0 && filledQty < o.qty) note = 'partial fill';
    else if (o && o.fills.length > 1) note = `filled in ${o.fills.length} parts`;
    else if (!o || filledQty === 0) note = 'not filled';
    fills.push({
      clientOrderId: e.clientOrderId, time, symbol: e.request.symbol, side: e.request.side, qty: o?.qty ?? 0, filledQty, parts: o?.fills.length ?? 0, livePrice, backtestPrice, slippage,
      slippageBps: slippage !== null && backtestPrice ? (slippage / backtestPrice) * 10_000 : null, ...(note ? { note } : {}),
    });
  }
  return { matched, onlyLive, onlyBacktest, fills, exits: compareExits(entries, result), sameSignals: onlyLive.length === 0 && onlyBacktest.length === 0 };
}

const EXIT_TAGS = new Set(['stop-loss', 'take-profit', 'trailing-stop']);

/** Per live entry with protective exits: its levels and exit next to the backtest's (levels from the entry fill there). */
function compareExits(entries: readonly JournalEntry[], result: BacktestResult): ExitDifference[] {
  const orders = [...journaledOrders(entries).values()];
  const out: ExitDifference[] = [];
  for (const e of entries) {
    if (e.type !== 'submit' || e.parent !== undefined || (e.orderClass === undefined && e.trailPercent === undefined)) continue;
    const signal = entries.find((x) => x.type === 'signal' && x.clientOrderId === e.clientOrderId);
    const request = signal && signal.type === 'signal' ? signal.request : undefined;
    const time = formatTime(e.placedAt);
    const liveLevels: ExitLevels = { ...(e.stopLoss !== undefined ? { stopLoss: e.stopLoss } : {}), ...(e.takeProfit !== undefined ? { takeProfit: e.takeProfit } : {}), ...(e.trailPercent !== undefined ? { trailPercent: e.trailPercent } : {}) };
    const exitOrder = orders.find((o) => o.parent === e.clientOrderId && o.filledQty > 0);
    const liveExit = exitOrder ? { kind: exitOrder.exit!, time: formatTime(exitOrder.fills[0].time), price: exitOrder.fills.reduce((s, f) => s + f.qty * f.price, 0) / exitOrder.filledQty } : null;
    const bt = result.orders.find((o) => o.placedAt === time && o.symbol === e.symbol && o.side === e.side && !EXIT_TAGS.has(o.tag ?? ''));
    let backtestLevels: ExitLevels | null = null;
    let backtestExit: ExitDifference['backtestExit'] = null;
    if (bt?.fillPrice !== undefined && request) {
      const long = e.side === 'buy';
      const pct = (p: number | undefined, sign: number) => (p === undefined ? undefined : bt.fillPrice! * (1 + (sign * p) / 100));
      const stopLoss = request.stopLoss ?? pct(request.stopLossPct, long ? -1 : 1);
      const takeProfit = request.takeProfit ?? pct(request.takeProfitPct, long ? 1 : -1);
      backtestLevels = { ...(stopLoss !== undefined ? { stopLoss } : {}), ...(takeProfit !== undefined ? { takeProfit } : {}), ...(request.trailingStopPct !== undefined ? { trailPercent: request.trailingStopPct } : {}) };
      const x = result.orders.find((o) => o.symbol === e.symbol && EXIT_TAGS.has(o.tag ?? '') && o.filledAt !== undefined && o.filledAt >= bt.filledAt! && o.fillPrice !== undefined);
      if (x) backtestExit = { kind: x.tag!, time: x.filledAt!, price: x.fillPrice! };
    }
    const notes: string[] = [];
    const money = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(2));
    if (backtestLevels) {
      for (const k of ['stopLoss', 'takeProfit'] as const) {
        if (liveLevels[k] !== undefined && backtestLevels[k] !== undefined && Math.abs(liveLevels[k]! - backtestLevels[k]!) >= 0.005) notes.push(`${k === 'stopLoss' ? 'stop-loss' : 'take-profit'} ${money(liveLevels[k])} live vs ${money(backtestLevels[k])} backtest (live levels come from the reference price when the entry is sent, the backtest's from its fill)`);
      }
    }
    if (!liveExit && backtestExit) notes.push(`the backtest exited by ${backtestExit.kind} on ${backtestExit.time}; live the position is still protected or was closed otherwise`);
    else if (liveExit && !backtestExit) notes.push(`live exited by ${liveExit.kind} on ${liveExit.time}; the backtest did not`);
    else if (liveExit && backtestExit) {
      if (liveExit.kind !== backtestExit.kind) notes.push(`exited by ${liveExit.kind} live, by ${backtestExit.kind} in the backtest`);
      if (liveExit.time.slice(0, 10) !== backtestExit.time.slice(0, 10)) notes.push(`exit on ${liveExit.time} live, ${backtestExit.time} in the backtest`);
      if (Math.abs(liveExit.price - backtestExit.price) >= 0.005) notes.push(`exit price ${liveExit.price.toFixed(4)} live vs ${backtestExit.price.toFixed(4)} backtest`);
    }
    out.push({ clientOrderId: e.clientOrderId, time, symbol: e.symbol, liveLevels, backtestLevels, liveExit, backtestExit, notes });
  }
  return out;
}

/** A few lines for the terminal or the panel. */
export function formatParity(r: ParityReport): string {
  const lines = [r.sameSignals ? `Signals: the backtest of the recorded bars makes the same ${r.matched.length} signal(s).` : `Signals DIFFER: ${r.matched.length} shared, ${r.onlyLive.length} only live, ${r.onlyBacktest.length} only in the backtest.`];
  for (const s of r.onlyLive) lines.push(`  only live: ${s.time} ${s.side} ${s.symbol}`);
  for (const s of r.onlyBacktest) lines.push(`  only backtest: ${s.time} ${s.side} ${s.symbol}`);
  for (const f of r.fills) {
    const price = f.slippage === null ? '' : ` live ${f.livePrice!.toFixed(4)} vs backtest ${f.backtestPrice!.toFixed(4)} (${f.slippage >= 0 ? '+' : ''}${f.slippage.toFixed(4)}/share, ${f.slippageBps!.toFixed(1)} bps)`;
    lines.push(`  ${f.time} ${f.side} ${f.symbol}: ${f.filledQty}/${f.qty} filled${price}${f.note ? ` — ${f.note}` : ''}`);
  }
  for (const x of r.exits ?? []) {
    const levels = (l: ExitLevels | null) => (l === null ? 'none' : [l.stopLoss !== undefined ? `stop ${l.stopLoss.toFixed(2)}` : '', l.takeProfit !== undefined ? `target ${l.takeProfit.toFixed(2)}` : '', l.trailPercent !== undefined ? `trail ${l.trailPercent}%` : ''].filter(Boolean).join(', '));
    lines.push(`  exits of ${x.time} ${x.symbol}: live ${levels(x.liveLevels)}; backtest ${levels(x.backtestLevels)}${x.notes.length ? ` — ${x.notes.join('; ')}` : ' — same'}`);
  }
  return `${lines.join('\n')}\n`;
}
