/**
 * Statistical evidence: enough closed trades over a long enough test for any statistic to mean something,
 * with the confidence intervals, PSR and DSR computed by verdict/evidence.ts. Too few trades or too short a
 * test fails it, and the verdict is then "insufficient evidence" whatever else passed.
 */
import type { EvalContext } from '../context';
import { fmt } from '../context';
import { computeEvidence, evidenceIsStrong, evidenceShortfalls } from '../verdict/evidence';
import type { Evidence, Interval } from '../verdict/types';
import { scored, skipped, type EvaluatorResult } from '../types';

export const EVIDENCE = { id: 'evidence', name: 'Statistical evidence', kind: 'deterministic' } as const;

export function evaluateEvidence(ctx: EvalContext, trials: number): { result: EvaluatorResult; evidence: Evidence | null } {
  const r = ctx.result;
  if (!r) return { result: skipped(EVIDENCE, 'Skipped: the backtest did not complete.'), evidence: null };
  const s = ctx.settings.evidence;
  const e = computeEvidence(r, s, trials);
  const shortfalls = evidenceShortfalls(e, s);
  const numbers = describeEvidence(e);
  if (shortfalls.length) {
    const share = Math.min(e.trades / s.minTrades, e.years / s.minYears);
    return { result: scored(EVIDENCE, share, false, [`Insufficient evidence: ${shortfalls.join('; ')}.`, numbers], { evidence: e }), evidence: e };
  }
  const strong = evidenceIsStrong(e, s);
  const reasons = [
    strong
      ? `Strong evidence: deflated Sharpe ratio ${fmt(e.deflatedSharpe)} over ${e.trials} variant(s) tried (≥ ${s.minDeflatedSharpe}) and the Sharpe interval lies above 0.`
      : `Weak evidence: ${weakness(e, s.minDeflatedSharpe)}.`,
    numbers,
  ];
  return { result: scored(EVIDENCE, e.deflatedSharpe ?? 0.5, true, reasons, { evidence: e, strong }), evidence: e };
}

function weakness(e: Evidence, minDsr: number): string {
  const parts: string[] = [];
  if (e.deflatedSharpe === null) parts.push('no deflated Sharpe ratio (no spread in the returns)');
  else if (e.deflatedSharpe < minDsr) parts.push(`the deflated Sharpe ratio is ${fmt(e.deflatedSharpe)} over ${e.trials} variant(s) tried, below ${minDsr}: the result could be luck`);
  if (!e.sharpeCI) parts.push('no Sharpe interval');
  else if (e.sharpeCI.low <= 0) parts.push(`the ${Math.round(e.sharpeCI.level * 100)} % Sharpe interval ${interval(e.sharpeCI)} includes 0`);
  return parts.join('; ');
}

/** "42 trades over 23.1 years; Sharpe 0.61 (95 % CI 0.18 … 1.02); annual return 8.10 % (…); PSR 0.99; DSR 0.97 over 5 variants" */
export function describeEvidence(e: Evidence): string {
  return [
    `${e.trades} closed trades over ${e.years.toFixed(1)} years`,
    `Sharpe ${fmt(e.sharpe)}${e.sharpeCI ? ` (${Math.round(e.sharpeCI.level * 100)} % CI ${interval(e.sharpeCI)})` : ''}`,
    `annual return ${e.returnCI ? `${Math.round(e.returnCI.level * 100)} % CI ${interval(e.returnCI, '%')}` : 'n/a'}`,
    `mean trade return ${e.tradeReturnCI ? `${Math.round(e.tradeReturnCI.level * 100)} % CI ${interval(e.tradeReturnCI, '%')}` : 'n/a (too few trades)'}`,
    `PSR ${fmt(e.probabilisticSharpe)}`,
    `DSR ${fmt(e.deflatedSharpe)} over ${e.trials} variant(s)`,
  ].join('; ') + '.';
}

function interval(i: Interval, unit = ''): string {
  return `${fmt(i.low)}${unit} … ${fmt(i.high)}${unit}`;
}
