/**
 * Risk: drawdown, peak gross exposure, trade count, worst trade, leverage taken
 * on at entries and orders the broker rejected, against thresholds; and whether the entry and exit ever fired (findings on
 * the lines that place those orders).
 */
import type { EvalContext } from '../context';
import { count, fmt } from '../context';
import { readCodeFacts } from '../code/facts';
import { lowerBound } from '../../data/series';
import { rebuildLedger } from '../ledger';
import { scored, skipped, type EvaluatorResult, type Finding } from '../types';

export const RISK = { id: 'risk', name: 'Risk', kind: 'deterministic' } as const;

interface RiskCheck {
  name: string;
  value: number | null;
  limit: string;
  ok: boolean;
}

export function evaluateRisk(ctx: EvalContext): EvaluatorResult {
  const r = ctx.result;
  if (!r) return skipped(RISK, 'Skipped: the backtest did not complete.');
  const t = ctx.settings.risk;
  const m = r.metrics;
  const ledger = rebuildLedger(ctx.series, r.fills, r.run.options.cash);
  // Exposure: the peak of gross position value / equity at any bar (a short running against the strategy grows it).
  const peak = argMax(ledger.leverage);
  // Leverage: the same ratio right after each fill that opened or added to a position, at its fill price: what the strategy chose to take on.
  const lev = entryLeverage(ctx.series, ledger.grid, r);
  const rejected = rejections(r);
  const drawdown = m.maxDrawdownPct === null ? 0 : -m.maxDrawdownPct;
  const exposurePct = peak.value * 100;
  const checks: RiskCheck[] = [
    { name: 'max drawdown', value: drawdown, limit: `≥ −${t.maxDrawdownPct}%`, ok: drawdown <= t.maxDrawdownPct },
    { name: 'exposure', value: exposurePct, limit: `≤ ${t.maxExposurePct}%`, ok: exposurePct <= t.maxExposurePct + 1e-9 },
    { name: 'trades', value: m.tradeCount, limit: `≥ ${t.minTrades}`, ok: m.tradeCount >= t.minTrades },
    { name: 'worst trade', value: m.worstTradePct, limit: `≥ −${t.maxTradeLossPct}%`, ok: (m.worstTradePct ?? 0) >= -t.maxTradeLossPct },
    { name: 'leverage', value: lev.value, limit: `≤ ${t.maxLeverage}×`, ok: lev.value <= t.maxLeverage },
    { name: 'rejected orders', value: rejected.pct, limit: `≤ ${t.maxRejectedPct}%`, ok: rejected.pct <= t.maxRejectedPct },
  ];
  const failed = checks.filter((c) => !c.ok);
  const reasons = failed.map((c) => explain(c, c.name === 'exposure' ? peak.index : lev.index, r.equity[c.name === 'exposure' ? peak.index : lev.index]?.time, rejected, r.orders.length));
  if (!failed.length) reasons.push(`Within every risk limit: ${checks.map((c) => `${c.name} ${show(c)} (${c.limit})`).join(', ')}.`);
  const findings = activityFindings(ctx);
  for (const f of findings) reasons.push(f.message);
  // With no trade the other checks hold vacuously: score what was shown, i.e. nothing.
  const score = m.tradeCount === 0 ? 0 : (checks.length - failed.length) / checks.length;
  return scored(RISK, score, failed.length === 0, reasons, {
    checks: checks.map((c) => ({ ...c })),
    maxExposureTime: r.equity[peak.index]?.time ?? null,
    maxLeverageTime: r.equity[lev.index]?.time ?? null,
    rejected: { count: rejected.count, of: r.orders.length, reasons: rejected.reasons },
  }, findings);
}

function argMax(values: Float64Array): { value: number; index: number } {
  let value = 0;
  let index = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > value) [value, index] = [values[i], i];
  }
  return { value, index };
}

/**
 * Gross position value / equity right after each fill that opened or added to a position, valued at the fill
 * price (other symbols at their last close before it): the leverage taken on, not a later move of the price.
 */
function entryLeverage(series: EvalContext['series'], grid: Float64Array, r: NonNullable<EvalContext['result']>): { value: number; index: number } {
  const bySymbol = new Map(series.map((s) => [s.symbol, s]));
  const held = new Map<string, number>();
  let cash = r.run.options.cash;
  let value = 0;
  let index = 0;
  for (const f of [...r.fills].sort((a, b) => a.time - b.time)) {
    const before = held.get(f.symbol) ?? 0;
    const after = before + (f.side === 'buy' ? f.shares : -f.shares);
    held.set(f.symbol, after);
    cash -= (f.side === 'buy' ? f.shares : -f.shares) * f.price + f.commission;
    if (Math.abs(after) <= Math.abs(before) + 1e-12) continue;
    let gross = 0;
    let net = 0;
    for (const [symbol, shares] of held) {
      if (shares === 0) continue;
      const s = bySymbol.get(symbol);
      const price = symbol === f.symbol ? f.price : s ? s.close[Math.max(0, lowerBound(s.time, f.time) - 1)] : NaN;
      gross += Math.abs(shares * price);
      net += shares * price;
    }
    const equity = cash + net;
    const lev = equity > 0 ? gross / equity : Infinity;
    if (lev > value) [value, index] = [lev, lowerBound(grid, f.time)];
  }
  return { value, index };
}

export interface Rejections {
  count: number;
  /** Share of all orders, percent (0 with no order). */
  pct: number;
  /** The broker's reasons with how often each was given, most frequent first. */
  reasons: { reason: string; count: number }[];
}

/**
 * Orders the broker rejected, grouped by its reason (numbers in the reason left out, so "needs 10,512.20"
 * and "needs 9,871.00" are one reason). "Nothing to close" is not counted: closing a flat position is a
 * harmless no-op, not a strategy asking for what it cannot have.
 */
export function rejections(r: NonNullable<EvalContext['result']>): Rejections {
  const rejected = r.orders.filter((o) => o.status === 'rejected' && !/^nothing to close/.test(o.reason ?? ''));
  const counts = new Map<string, number>();
  for (const o of rejected) {
    const reason = (o.reason ?? 'no reason given').replace(/:.*$/, '').trim();
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  const reasons = [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
  return { count: rejected.length, pct: r.orders.length ? (rejected.length / r.orders.length) * 100 : 0, reasons };
}

/** "708 of 708 orders were rejected by the broker (not enough buying power ×708)" */
export function describeRejections(rej: Rejections, orders: number): string {
  return `${count(rej.count)} of ${count(orders)} orders were rejected by the broker (${rej.reasons.slice(0, 3).map((x) => `${x.reason} ×${count(x.count)}`).join('; ')})`;
}

function show(c: RiskCheck): string {
  if (c.value === null) return 'n/a';
  if (c.name === 'trades') return String(c.value);
  if (c.name === 'rejected orders') return `${fmt(c.value)}%`;
  if (c.name === 'leverage') return `${fmt(c.value)}×`;
  return `${fmt(c.name === 'max drawdown' ? -c.value : c.value)}%`;
}

function explain(c: RiskCheck, bar: number, time: string | undefined, rejected: Rejections, orders: number): string {
  switch (c.name) {
    case 'max drawdown':
      return `Max drawdown −${fmt(c.value)}% is deeper than the ${c.limit.slice(2)} limit (strategyLab.evaluate.risk.maxDrawdownPct).`;
    case 'exposure':
      if (c.value === Infinity) return `Equity fell to 0 or below on bar ${bar}${time ? ` (${time})` : ''} while a position was open: the position (typically a short with no stop) lost more than the whole account (strategyLab.evaluate.risk.maxExposurePct).`;
      return `Gross exposure reached ${fmt(c.value)}% of equity on bar ${bar}${time ? ` (${time})` : ''}, above the ${c.limit.slice(2)} limit: a position (typically a short with no stop) grew far beyond its size at entry (strategyLab.evaluate.risk.maxExposurePct).`;
    case 'rejected orders':
      return `${describeRejections(rejected, orders)}: ${fmt(c.value)}% of the orders, above the ${c.limit.slice(2)} limit. The backtest is not the strategy as written; size orders within the buying power (no leverage).`;
    case 'trades':
      return `Only ${c.value} trade(s): fewer than ${c.limit.slice(2)}, too few for the statistics to mean much.`;
    case 'worst trade':
      return `The worst trade lost ${fmt(-(c.value ?? 0))}%, more than the ${c.limit.slice(3)} limit.`;
    default:
      return `Leverage taken on at an entry reached ${fmt(c.value)}× on bar ${bar}${time ? ` (${time})` : ''}, above the ${c.limit.slice(2)} limit.`;
  }
}

/** "The entry condition never fired in 1,842 bars" and its exit twin, pointed at the order calls. */
export function activityFindings(ctx: EvalContext): Finding[] {
  const r = ctx.result!;
  const bars = r.run.bars;
  const entries = r.trades.length;
  const rejected = rejections(r);
  if (entries === 0 && rejected.count > 0) {
    return [{ message: `The entry fired but no order filled: ${describeRejections(rejected, r.orders.length)}. No trade was made.`, severity: 'warning', anchor: { kind: 'rule', role: 'entry' } }];
  }
  if (entries === 0) {
    return [{ message: `The entry condition never fired in ${count(bars)} bars: no trade was made. Its thresholds may be too strict for this data.`, severity: 'warning', anchor: { kind: 'rule', role: 'entry' } }];
  }
  const signalExits = r.trades.filter((t) => t.exitReason === 'signal').length;
  if (signalExits === 0 && hasExitCall(ctx.source)) {
    const firstEntry = Math.min(...r.trades.map((t) => t.entryBar));
    const after = bars - firstEntry;
    const how = r.trades.some((t) => !t.open) ? 'only stops closed positions' : 'positions stayed open to the end';
    return [{ message: `The exit condition never fired in ${count(after)} bars after the first entry: ${how}.`, severity: 'warning', anchor: { kind: 'rule', role: 'exit' } }];
  }
  return [];
}

/** The code has a call that ends a position: `close`, or both `buy` and `sell` (one of them exits). */
function hasExitCall(source: string): boolean {
  const methods = new Set(readCodeFacts(source).orders.map((o) => o.method));
  return methods.has('close') || (methods.has('buy') && methods.has('sell'));
}
