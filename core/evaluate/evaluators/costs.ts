/**
 * Cost stress: does the edge survive realistic trading costs? The strategy re-runs with commission and
 * slippage at 1, m, 2m and 4m times the realistic level (m = `costs.safetyMultiple`; realistic: 5 bps
 * commission per side and 5 bps slippage per market/stop fill for US equities, or the run's own costs when
 * higher). It fails when the return at realistic costs, or at m × them, is not positive. It reports the
 * break-even cost (where the return crosses 0 along that ladder) and the average edge per trade against the
 * cost per trade.
 */
import type { BacktestResult } from '../../engine/types';
import type { EvalContext } from '../context';
import { fmt } from '../context';
import type { RerunJob, RerunOutcome, RerunStats } from '../reruns';
import { errored, scored, skipped, type EvaluatorResult } from '../types';
import { closedTrades } from '../verdict/evidence';

export const COSTS = { id: 'costs', name: 'Cost stress', kind: 'deterministic' } as const;

const PREFIX = 'costs ×';

export interface CostLevel {
  multiple: number;
  /** Commission per side, bps of traded value. */
  commissionBps: number;
  /** Slippage per market/stop fill, bps. */
  slippageBps: number;
}

/** The realistic level: the settings' assumption, or the run's own costs where they are higher. */
export function realisticCosts(ctx: EvalContext, run: BacktestResult): { commissionBps: number; slippageBps: number } {
  return {
    commissionBps: Math.max(ctx.settings.costs.realisticCommissionBps, run.run.options.commission * 10_000),
    slippageBps: Math.max(ctx.settings.costs.realisticSlippageBps, run.run.options.slippageBps),
  };
}

/** The multiples of the realistic costs the stress runs at. */
export function costMultiples(safety: number): number[] {
  return [...new Set([1, safety, 2 * safety, 4 * safety])].sort((a, b) => a - b);
}

export function costJobs(ctx: EvalContext): RerunJob[] {
  const r = ctx.result;
  if (!r || r.trades.length === 0) return [];
  const base = realisticCosts(ctx, r);
  if (base.commissionBps === 0 && base.slippageBps === 0) return [];
  return costMultiples(ctx.settings.costs.safetyMultiple).map((m) => ({
    label: `${PREFIX}${m}`,
    series: ctx.series,
    options: { commission: (base.commissionBps * m) / 10_000, slippageBps: base.slippageBps * m },
  }));
}

export function evaluateCosts(ctx: EvalContext, outcomes: RerunOutcome[], stats: RerunStats): EvaluatorResult {
  const r = ctx.result;
  if (!r) return skipped(COSTS, 'Skipped: the backtest did not complete.');
  if (r.trades.length === 0) return skipped(COSTS, 'Skipped: no trades, so no costs to stress.');
  if (outcomes.length === 0) return skipped(COSTS, 'Skipped: the realistic costs are set to 0 (strategyLab.evaluate.costs.*).');
  const base = realisticCosts(ctx, r);
  const safety = ctx.settings.costs.safetyMultiple;
  const details: Record<string, unknown> = { reruns: stats.runs, mode: stats.mode, realistic: base, safetyMultiple: safety };
  const ladder: { multiple: number; returnPct: number | null; error?: string }[] = outcomes.map((o) => ({
    multiple: Number(o.label.slice(PREFIX.length)),
    returnPct: o.ok ? o.result.metrics.returnPct : null,
    ...(o.ok ? {} : { error: o.error }),
  }));
  details.ladder = ladder;
  const at = (m: number) => ladder.find((l) => l.multiple === m);
  const realistic = at(1);
  const stressed = at(safety);
  if (!realistic || realistic.returnPct === null || !stressed || stressed.returnPct === null) {
    return errored(COSTS, `The cost stress re-runs failed: ${ladder.map((l) => l.error).filter(Boolean).join('; ') || 'no return'}.`, details);
  }
  const edge = edgePerTrade(r);
  const costPerTrade = 2 * (base.commissionBps + base.slippageBps);
  const breakEven = breakEvenMultiple(r.run.options.commission * 10_000 + r.run.options.slippageBps, base.commissionBps + base.slippageBps, r.metrics.returnPct, ladder);
  details.edgePerTradeBps = edge;
  details.costPerTradeBps = costPerTrade;
  details.breakEven = breakEven === null ? null : { commissionBps: breakEven * base.commissionBps, slippageBps: breakEven * base.slippageBps, multiple: breakEven };
  const level = (m: number) => `${fmt(base.commissionBps * m, 1)} bps commission + ${fmt(base.slippageBps * m, 1)} bps slippage per side`;
  const breakEvenText = breakEven === null
    ? `it stays profitable up to ${level(ladder[ladder.length - 1].multiple)} (the most tried)`
    : breakEven <= 0 ? 'it does not make money even without costs'
    : `break-even at about ${level(breakEven)}`;
  // Each round trip pays commission twice and slippage on two market fills: alone, each breaks even at half the edge.
  const edgeText = edge === null ? 'no closed trade to measure the edge on'
    : `average edge ${fmt(edge, 1)} bps per trade before costs vs ${fmt(costPerTrade, 1)} bps cost per round trip at realistic costs (alone, a commission of about ${fmt(Math.max(0, edge / 2), 1)} bps per side, or slippage of about as much per fill, would take it all)`;
  const ok = realistic.returnPct > 0 && stressed.returnPct > 0;
  const reasons = [
    ok
      ? `The edge survives costs: return ${fmt(realistic.returnPct)}% at realistic costs (${level(1)}) and ${fmt(stressed.returnPct)}% at ${safety}× them; ${breakEvenText}.`
      : `The edge vanishes at realistic costs: return ${fmt(r.metrics.returnPct)}% as run, ${fmt(realistic.returnPct)}% at ${level(1)}, ${fmt(stressed.returnPct)}% at ${safety}× them; ${breakEvenText}.`,
    `${edgeText[0].toUpperCase()}${edgeText.slice(1)} (${closedTrades(r)} closed trades).`,
  ];
  // Score: how much of the stressed return is left relative to the run's own (1 when costs barely matter).
  const own = r.metrics.returnPct ?? 0;
  const score = ok ? Math.min(1, stressed.returnPct / Math.max(own, stressed.returnPct, 1e-9)) : 0;
  return scored(COSTS, score, ok, reasons, details, ok ? [] : [{ message: `Cost stress: the return falls to ${fmt(realistic.returnPct)}% at realistic costs (${level(1)}); trade less often or find a larger edge per trade.`, severity: 'warning', anchor: { kind: 'rule', role: 'entry' } }]);
}

/** Mean gross return per closed trade before commission, bps of the traded value. */
export function edgePerTrade(r: BacktestResult): number | null {
  const closed = r.trades.filter((t) => !t.open && t.entryPrice > 0 && t.size > 0);
  if (closed.length === 0) return null;
  return (closed.reduce((s, t) => s + (t.pnl + t.commission) / (t.entryPrice * t.size), 0) / closed.length) * 10_000;
}

/**
 * Where the return crosses 0 along the cost ladder, as a multiple of the realistic costs, interpolating
 * linearly between the run itself (at its own all-in cost `ownBps`) and the stress runs. null when it never
 * crosses (profitable at every level tried); ≤ 0 when it loses money at its own costs.
 */
export function breakEvenMultiple(ownBps: number, realisticBps: number, ownReturn: number | null, ladder: { multiple: number; returnPct: number | null }[]): number | null {
  const points = [{ multiple: realisticBps > 0 ? ownBps / realisticBps : 0, returnPct: ownReturn }, ...ladder]
    .filter((p): p is { multiple: number; returnPct: number } => p.returnPct !== null)
    .sort((a, b) => a.multiple - b.multiple);
  if (points.length === 0) return null;
  if (points[0].returnPct <= 0) return 0;
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    if (b.returnPct <= 0) return a.multiple + ((b.multiple - a.multiple) * a.returnPct) / (a.returnPct - b.returnPct);
  }
  return null;
}
