/**
 * What a sweep keeps of each variant (a few metrics, the moments of its period returns and per-block sums for
 * CSCV: a few hundred bytes, whatever the length of the data), the objective and the constraints, and the
 * ranking. docs/optimize.md, "Objective" and "Constraints".
 */
import type { VariantSummary } from '../run/variants';
import { detectSampling, periodReturns } from '../metrics/periods';
import { moments, probabilisticSharpe, type Moments } from '../evaluate/verdict/stats';
import type { StrategyParams } from '../sdk/types';
import { blockSums } from './pbo';

export type Objective = 'sharpe' | 'return' | 'calmar' | 'verdict';
export const OBJECTIVES: readonly Objective[] = ['sharpe', 'return', 'calmar', 'verdict'];

export const OBJECTIVE_LABELS: Record<Objective, string> = {
  sharpe: 'Sharpe ratio (annualised)',
  return: 'Return [%]',
  calmar: 'Calmar ratio',
  verdict: 'verdict evidence score (probabilistic Sharpe ratio, 0–1)',
};

export interface Constraints {
  /** Fewest trades (the metrics' trade count, open ones included). */
  minTrades?: number;
  /** Deepest drawdown allowed, in percent (20 = the equity never fell more than 20 % below its peak). */
  maxDrawdownPct?: number;
}

/** One variant's numbers: the journal line and the table row. */
export interface VariantRecord {
  id: string;
  params: StrategyParams;
  ok: boolean;
  error?: string;
  sharpe: number | null;
  returnPct: number | null;
  returnAnnPct: number | null;
  calmar: number | null;
  maxDrawdownPct: number | null;
  trades: number;
  /** Probabilistic Sharpe ratio of the period returns (the verdict's evidence statistic). */
  psr: number | null;
  /** Per-period Sharpe (mean / std of the period returns), the deflated Sharpe's input. */
  periodSharpe: number | null;
  moments: Moments | null;
  /** CSCV input: [count, Σr, Σr²] per block of the period returns (flattened); absent when not requested. */
  blocks?: number[];
}

export interface RankedVariant extends VariantRecord {
  objective: number | null;
  feasible: boolean;
  /** Why the variant breaks a constraint (empty when feasible). */
  violations: string[];
  rank: number;
}

export function periodReturnsOf(summary: Pick<VariantSummary, 'time' | 'equity'>): Float64Array {
  return periodReturns(summary.time, summary.equity, detectSampling(summary.time).period);
}

/** A finished variant's record without its id (ids stay on the host): what a sandbox sends back for detail 'record'. */
export type SummaryRecord = Omit<VariantRecord, 'id'> & { ok: true };

/** A finished variant reduced to its record; `splits` (CSCV blocks) when the sweep computes the PBO. */
export function summaryRecord(summary: VariantSummary, splits?: number): SummaryRecord {
  const returns = periodReturnsOf(summary);
  const m = moments(returns);
  const sr = m ? m.mean / m.std : null;
  const x = summary.metrics;
  return {
    params: summary.params,
    ok: true,
    sharpe: x.sharpeRatio,
    returnPct: x.returnPct,
    returnAnnPct: x.returnAnnPct,
    calmar: x.calmarRatio,
    maxDrawdownPct: x.maxDrawdownPct,
    trades: summary.trades,
    psr: m && sr !== null ? probabilisticSharpe(sr, m.n, m.skew, m.kurtosis) : null,
    periodSharpe: sr,
    moments: m,
    ...(splits ? { blocks: Array.from(blockSums(returns, splits)) } : {}),
  };
}

export function recordOf(id: string, summary: VariantSummary, splits?: number): VariantRecord {
  return { id, ...summaryRecord(summary, splits) };
}

/** Checks a record that crossed a boundary (a sandbox's outcome): the fields the table, ranking and PBO read. */
export function isSummaryRecord(v: unknown): v is SummaryRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const numOrNull = (k: string) => r[k] === null || typeof r[k] === 'number';
  return r.ok === true && typeof r.params === 'object' && r.params !== null && typeof r.trades === 'number'
    && ['sharpe', 'returnPct', 'returnAnnPct', 'calmar', 'maxDrawdownPct', 'psr', 'periodSharpe'].every(numOrNull)
    && (r.moments === null || (typeof r.moments === 'object' && r.moments !== null))
    && (r.blocks === undefined || (Array.isArray(r.blocks) && r.blocks.every((b) => b === null || typeof b === 'number')));
}

export function failedRecord(id: string, params: StrategyParams, error: string): VariantRecord {
  return { id, params, ok: false, error, sharpe: null, returnPct: null, returnAnnPct: null, calmar: null, maxDrawdownPct: null, trades: 0, psr: null, periodSharpe: null, moments: null };
}

export function objectiveOf(r: VariantRecord, objective: Objective): number | null {
  if (!r.ok) return null;
  const v = objective === 'sharpe' ? r.sharpe : objective === 'return' ? r.returnPct : objective === 'calmar' ? r.calmar : r.psr;
  return v !== null && Number.isFinite(v) ? v : null;
}

export function violationsOf(r: VariantRecord, c: Constraints): string[] {
  if (!r.ok) return [`failed: ${r.error}`];
  const out: string[] = [];
  if (c.minTrades !== undefined && r.trades < c.minTrades) out.push(`${r.trades} trade(s) < ${c.minTrades}`);
  if (c.maxDrawdownPct !== undefined && r.maxDrawdownPct !== null && -r.maxDrawdownPct > c.maxDrawdownPct) {
    out.push(`drawdown ${(-r.maxDrawdownPct).toFixed(1)} % > ${c.maxDrawdownPct} %`);
  }
  return out;
}

/**
 * Best first: variants meeting every constraint before the others, then by objective (higher is better; a
 * variant without one comes after those with one), then by id so equal scores always rank the same way.
 */
export function rankVariants(records: readonly VariantRecord[], objective: Objective, constraints: Constraints): RankedVariant[] {
  const rows = records.map((r) => {
    const violations = violationsOf(r, constraints);
    return { ...r, objective: objectiveOf(r, objective), feasible: violations.length === 0, violations, rank: 0 };
  });
  rows.sort((a, b) => {
    if (a.feasible !== b.feasible) return a.feasible ? -1 : 1;
    if ((a.objective === null) !== (b.objective === null)) return a.objective === null ? 1 : -1;
    if (a.objective !== null && b.objective !== null && a.objective !== b.objective) return b.objective - a.objective;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  rows.forEach((r, i) => (r.rank = i + 1));
  return rows;
}

/** The best variant: first in rank, only if it meets the constraints and has an objective. */
export function bestOf(ranked: readonly RankedVariant[]): RankedVariant | null {
  const top = ranked[0];
  return top && top.feasible && top.objective !== null ? top : null;
}
