/**
 * Journal vs account, after a restart (or on demand): what the journal says the
 * session's positions and open orders should be, and how the account differs.
 * Differences are reported, never "fixed" by trading: a human decides.
 */
import type { BrokerOrderState, BrokerPosition } from './alpaca';
import { isSessionOrder } from './ids';
import { isFinalStatus, journaledOrders, type JournalEntry } from './journal';

export interface ReconcileInput {
  entries: readonly JournalEntry[];
  symbols: string[];
  positions: BrokerPosition[];
  openOrders: BrokerOrderState[];
  sessionId: string;
}

/** Shares per symbol the journal accounts for: the positions at the session's first start plus every journaled fill. */
export function journalPositions(entries: readonly JournalEntry[]): Map<string, number> {
  const out = new Map<string, number>();
  const first = entries.find((e) => e.type === 'positions');
  if (first && first.type === 'positions') for (const p of first.positions) out.set(p.symbol, p.shares);
  const orders = journaledOrders(entries);
  for (const o of orders.values()) {
    const filled = o.fills.reduce((s, f) => s + f.qty, 0);
    out.set(o.symbol, (out.get(o.symbol) ?? 0) + (o.side === 'buy' ? filled : -filled));
  }
  return out;
}

/** Human-readable differences; empty when the journal and the account agree. */
export function reconcile(input: ReconcileInput): string[] {
  const diffs: string[] = [];
  const hasBaseline = input.entries.some((e) => e.type === 'positions');
  if (hasBaseline) {
    const expected = journalPositions(input.entries);
    for (const symbol of input.symbols) {
      const want = round(expected.get(symbol) ?? 0);
      const have = round(input.positions.find((p) => p.symbol === symbol)?.qty ?? 0);
      if (want !== have) diffs.push(`${symbol}: the journal accounts for ${want} shares, the account holds ${have} (changed outside this session, or a fill the broker has not reported)`);
    }
  }
  const orders = journaledOrders(input.entries);
  const openIds = new Set(input.openOrders.map((b) => b.clientOrderId));
  for (const b of input.openOrders) {
    if (!isSessionOrder(input.sessionId, b.clientOrderId)) continue;
    const j = orders.get(b.clientOrderId);
    if (!j) diffs.push(`order ${b.clientOrderId} (${b.side} ${b.qty} ${b.symbol}) is open at Alpaca but not in the journal`);
    else if (isFinalStatus(j.status)) diffs.push(`order ${b.clientOrderId} is open at Alpaca but the journal says ${j.status}`);
  }
  for (const j of orders.values()) {
    if (!isFinalStatus(j.status) && j.brokerId !== undefined && !openIds.has(j.clientOrderId)) diffs.push(`order ${j.clientOrderId} is ${j.status} in the journal but not open at Alpaca`);
  }
  return diffs;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
