/**
 * Risk: drawdown, time in the market, trade count, worst trade and leverage
 * against thresholds; and whether the entry and exit ever fired (findings on
 * the lines that place those orders).
 */
import type { EvalContext } from '../context';
import { count, fmt } from '../context';
import { readCodeFacts } from '../code/facts';
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
  let maxLeverage = 0;
  let maxLeverageBar = 0;
  for (let i = 0; i < ledger.leverage.length; i++) {
    if (ledger.leverage[i] > maxLeverage) {
      maxLeverage = ledger.leverage[i];
      maxLeverageBar = i;
    }
  }
  const drawdown = m.maxDrawdownPct === null ? 0 : -m.maxDrawdownPct;
  const checks: RiskCheck[] = [
    { name: 'max drawdown', value: drawdown, limit: `≥ −${t.maxDrawdownPct}%`, ok: drawdown <= t.maxDrawdownPct },
    { name: 'exposure', value: m.exposureTimePct, limit: `≤ ${t.maxExposurePct}%`, ok: (m.exposureTimePct ?? 0) <= t.maxExposurePct },
    { name: 'trades', value: m.tradeCount, limit: `≥ ${t.minTrades}`, ok: m.tradeCount >= t.minTrades },
    { name: 'worst trade', value: m.worstTradePct, limit: `≥ −${t.maxTradeLossPct}%`, ok: (m.worstTradePct ?? 0) >= -t.maxTradeLossPct },
    { name: 'leverage', value: maxLeverage, limit: `≤ ${t.maxLeverage}×`, ok: maxLeverage <= t.maxLeverage },
  ];
  const failed = checks.filter((c) => !c.ok);
  const reasons = failed.map((c) => explain(c, maxLeverageBar, r.equity[maxLeverageBar]?.time));
  if (!failed.length) reasons.push(`Within every risk limit: ${checks.map((c) => `${c.name} ${show(c)} (${c.limit})`).join(', ')}.`);
  const findings = activityFindings(ctx);
  for (const f of findings) reasons.push(f.message);
  // With no trade the other checks hold vacuously: score what was shown, i.e. nothing.
  const score = m.tradeCount === 0 ? 0 : (checks.length - failed.length) / checks.length;
  return scored(RISK, score, failed.length === 0, reasons, {
    checks: checks.map((c) => ({ ...c })),
    maxLeverageTime: r.equity[maxLeverageBar]?.time ?? null,
  }, findings);
}

function show(c: RiskCheck): string {
  if (c.value === null) return 'n/a';
  if (c.name === 'trades') return String(c.value);
  if (c.name === 'leverage') return `${fmt(c.value)}×`;
  return `${fmt(c.name === 'max drawdown' ? -c.value : c.value)}%`;
}

function explain(c: RiskCheck, bar: number, time: string | undefined): string {
  switch (c.name) {
    case 'max drawdown':
      return `Max drawdown −${fmt(c.value)}% is deeper than the ${c.limit.slice(2)} limit (strategyLab.evaluate.risk.maxDrawdownPct).`;
    case 'exposure':
      return `In the market ${fmt(c.value)}% of the time, above the ${c.limit.slice(2)} limit.`;
    case 'trades':
      return `Only ${c.value} trade(s): fewer than ${c.limit.slice(2)}, too few for the statistics to mean much.`;
    case 'worst trade':
      return `The worst trade lost ${fmt(-(c.value ?? 0))}%, more than the ${c.limit.slice(3)} limit.`;
    default:
      return `Leverage reached ${fmt(c.value)}× on bar ${bar}${time ? ` (${time})` : ''}, above the ${c.limit.slice(2)} limit.`;
  }
}

/** "The entry condition never fired in 1,842 bars" and its exit twin, pointed at the order calls. */
export function activityFindings(ctx: EvalContext): Finding[] {
  const r = ctx.result!;
  const bars = r.run.bars;
  const entries = r.trades.length;
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
