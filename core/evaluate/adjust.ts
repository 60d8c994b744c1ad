/**
 * The offline refine step: deterministic changes to a StrategySpec from what
 * the evaluation found, each said in words. Nothing traded → the entry's
 * thresholds are relaxed one step; the exit never fired → the exit's are;
 * drawdown beyond the limit with no stop → a stop-loss is added.
 */
import { describeRule, type Comparison, type Operand, type Rule, type StrategySpec, comparisonsOf } from '../generate/spec';
import type { RefineAim } from './refineObjective';
import type { EvaluationReport } from './types';

export interface Adjustment {
  spec: StrategySpec;
  /** "entry: RSI(14) < 35 → RSI(14) < 40 (no trade in 2,588 bars)". Empty when nothing could be changed. */
  changes: string[];
  /** The flaws the changes aim to fix (one per kind of change), so the next evaluation can say whether they did. */
  aims: RefineAim[];
}

/** Oscillators bounded 0..100: a threshold moves 5 points per step. */
const BOUNDED = new Set(['RSI', 'Stochastic', 'ADX']);
const STEP_POINTS = 5;
/** Other numbers (multipliers, price levels) move 10 % per step; channel periods shrink 25 %. */
const STEP_FRACTION = 0.1;
const PERIOD_FRACTION = 0.25;
/** The stop-loss added when drawdown is beyond the limit and the spec has no stop. */
export const ADDED_STOP_LOSS_PCT = 8;

export function adjustSpec(spec: StrategySpec, report: EvaluationReport): Adjustment {
  const next: StrategySpec = structuredClone(spec);
  const changes: string[] = [];
  const aims: RefineAim[] = [];
  const risk = report.evaluators.find((e) => e.id === 'risk');
  const checks = (risk?.details?.checks as { name: string; ok: boolean; value: number | null }[] | undefined) ?? [];
  const trades = checks.find((c) => c.name === 'trades');
  const tradeCount = trades?.value ?? 0;
  const exitNeverFired = report.findings.some((f) => f.anchor.kind === 'rule' && f.anchor.role === 'exit' && /never fired/.test(f.message));

  if (risk && trades && !trades.ok) {
    const why = tradeCount === 0 ? 'nothing traded' : `only ${tradeCount} trade(s)`;
    const relaxed = relaxRule(next.entry, 'entry', why);
    changes.push(...relaxed);
    if (relaxed.length) aims.push({ flaw: `too few trades (${why})`, target: { kind: 'risk-check', name: 'trades' } });
  }
  if (exitNeverFired && next.exit) {
    const relaxed = relaxRule(next.exit, 'exit', 'the exit never fired');
    changes.push(...relaxed);
    if (relaxed.length) aims.push({ flaw: 'an exit that never fires', target: { kind: 'exit-fires' } });
  }
  const drawdown = checks.find((c) => c.name === 'max drawdown');
  if (drawdown && !drawdown.ok && next.risk.stopLossPct === undefined && next.risk.trailingStopPct === undefined && !next.risk.atrStop) {
    next.risk.stopLossPct = ADDED_STOP_LOSS_PCT;
    changes.push(`risk: added a ${ADDED_STOP_LOSS_PCT}% stop-loss (max drawdown −${drawdown.value?.toFixed(1)}% was beyond the limit and there was no stop)`);
    aims.push({ flaw: `a drawdown beyond the limit (−${drawdown.value?.toFixed(1)}%)`, target: { kind: 'risk-check', name: 'max drawdown' } });
  }
  return { spec: next, changes, aims };
}

/** Loosens every comparison of a rule one step, in place; returns what changed. */
function relaxRule(rule: Rule, role: 'entry' | 'exit', why: string): string[] {
  const changes: string[] = [];
  for (const c of comparisonsOf(rule)) {
    const before = describeRule(c);
    if (!relaxComparison(c)) continue;
    changes.push(`${role}: ${before} → ${describeRule(c)} (${why})`);
  }
  return changes;
}

/** Makes one comparison easier to satisfy. False when it has nothing numeric to move. */
function relaxComparison(c: Comparison): boolean {
  const bounded = c.left.kind === 'indicator' && BOUNDED.has(c.left.indicator.type);
  const move = (o: Operand, direction: 1 | -1): boolean => {
    if (o.kind === 'number') {
      const v = o.value;
      const moved = bounded ? clamp(v + direction * STEP_POINTS) : round(v === 0 ? v : v * (1 + direction * STEP_FRACTION * Math.sign(v)));
      if (moved === v) return false;
      o.value = moved;
      return true;
    }
    if (o.kind === 'indicator' && (o.indicator.type === 'Highest' || o.indicator.type === 'Lowest')) {
      const p = Math.max(2, Math.round(o.indicator.period * (1 - PERIOD_FRACTION)));
      if (p === o.indicator.period) return false;
      o.indicator.period = p;
      return true;
    }
    return false;
  };
  switch (c.op) {
    case 'below':
      return c.multiplier !== undefined ? scaleMultiplier(c, 1) : move(c.right, 1);
    case 'above':
      return c.multiplier !== undefined ? scaleMultiplier(c, -1) : move(c.right, -1);
    case 'between': {
      const a = move(c.right, -1);
      const b = c.upper ? move(c.upper, 1) : false;
      return a || b;
    }
    default:
      // A crossing of two lines has no threshold to loosen; of a line and a level, the level moves toward the line.
      return c.right.kind === 'number' && bounded ? move(c.right, c.op === 'crossesAbove' ? -1 : 1) : false;
  }
}

function scaleMultiplier(c: Comparison, direction: 1 | -1): boolean {
  const m = round(c.multiplier! * (1 + direction * STEP_FRACTION));
  if (m === c.multiplier) return false;
  c.multiplier = m;
  return true;
}

const clamp = (v: number) => Math.min(100, Math.max(0, v));
const round = (v: number) => Math.round(v * 1000) / 1000;
