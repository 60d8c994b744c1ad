/**
 * Robustness: does the result survive small changes? (1) Out-of-sample: the
 * strategy runs separately on the first part and the last part of the data
 * (default 70 % / 30 %), and the Sharpe ratios are compared. (2) Parameter
 * sensitivity: each numeric param is moved ±20 % (whole numbers stay whole
 * and move at least 1) and the drop in Sharpe ratio is measured (the Sharpe,
 * not the return: a sizing param scales the return by design). Each part must
 * hold (score = the lower of the two); a statistic a re-run cannot give
 * (no Sharpe without spread) is unknown, never 0 or 1.
 */
import { buildTimeGrid } from '../../engine/grid';
import type { BacktestResult } from '../../engine/types';
import type { EvalContext } from '../context';
import { fmt } from '../context';
import { seriesBefore, seriesFrom, type RerunJob, type RerunOutcome, type RerunStats } from '../reruns';
import { errored, scored, skipped, type EvaluatorResult, type Finding } from '../types';

export const ROBUSTNESS = { id: 'robustness', name: 'Robustness', kind: 'deterministic' } as const;

const IN_SAMPLE = 'in-sample';
const OUT_OF_SAMPLE = 'out-of-sample';

/** The param values a ±shift tries: whole numbers stay whole and move at least 1; the result never flips sign. */
export function shiftedValues(value: number, shiftPct: number): number[] {
  const f = shiftPct / 100;
  let lo = value * (1 - f);
  let hi = value * (1 + f);
  if (Number.isInteger(value)) {
    lo = Math.min(Math.round(lo), value - 1);
    hi = Math.max(Math.round(hi), value + 1);
    if (value > 0 && lo < 1) lo = value > 1 ? 1 : NaN;
  }
  return [lo, hi].filter((v) => Number.isFinite(v) && v !== value && Math.sign(v) === Math.sign(value));
}

/** Numeric params of the original run, the first `maxParams` of them. */
function numericParams(result: BacktestResult, max: number): [string, number][] {
  return Object.entries(result.run.params)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] !== 0 && Number.isFinite(e[1]))
    .slice(0, max);
}

export function robustnessJobs(ctx: EvalContext): RerunJob[] {
  if (!ctx.result || ctx.result.trades.length === 0) return [];
  const grid = buildTimeGrid(ctx.series);
  const split = Math.round(grid.length * (1 - ctx.settings.robustness.outOfSampleFraction));
  const jobs: RerunJob[] = [];
  if (split >= 2 && grid.length - split >= 2) {
    jobs.push({ label: IN_SAMPLE, series: seriesBefore(ctx.series, grid[split]), window: { toTime: grid[split] } });
    jobs.push({ label: OUT_OF_SAMPLE, series: seriesFrom(ctx.series, grid[split]), window: { fromTime: grid[split] } });
  }
  for (const [name, value] of numericParams(ctx.result, ctx.settings.robustness.maxParams)) {
    for (const v of shiftedValues(value, ctx.settings.robustness.paramShiftPct)) {
      jobs.push({ label: `param ${name}=${v}`, series: ctx.series, params: { [name]: v } });
    }
  }
  return jobs;
}

export function evaluateRobustness(ctx: EvalContext, outcomes: RerunOutcome[], stats: RerunStats): EvaluatorResult {
  const base = ctx.result;
  if (!base) return skipped(ROBUSTNESS, 'Skipped: the backtest did not complete.');
  // No trade is no evidence: nothing here can be called robust.
  if (base.trades.length === 0) return scored(ROBUSTNESS, 0, false, ['The strategy made no trade, so there is no result that could hold up out of sample or under other params.'], { reruns: 0 });
  if (outcomes.length === 0) return skipped(ROBUSTNESS, 'Skipped: too few bars to split and no numeric params to shift.');
  const s = ctx.settings.robustness;
  const reasons: string[] = [];
  const findings: Finding[] = [];
  const details: Record<string, unknown> = { reruns: stats.runs, elapsedMs: stats.elapsedMs, mode: stats.mode };
  const parts: number[] = [];

  const byLabel = new Map(outcomes.map((o) => [o.label, o]));
  const is = byLabel.get(IN_SAMPLE);
  const oos = byLabel.get(OUT_OF_SAMPLE);
  if (is?.ok && oos?.ok) {
    const a = is.result.metrics;
    const b = oos.result.metrics;
    const split = `${Math.round((1 - s.outOfSampleFraction) * 100)}/${Math.round(s.outOfSampleFraction * 100)}`;
    const halves = {
      inSample: { start: is.result.run.start, end: is.result.run.end, sharpe: a.sharpeRatio, returnPct: a.returnPct, trades: a.tradeCount },
      outOfSample: { start: oos.result.run.start, end: oos.result.run.end, sharpe: b.sharpeRatio, returnPct: b.returnPct, trades: b.tradeCount },
    };
    if (a.sharpeRatio === null || b.sharpeRatio === null) {
      // A missing statistic is unknown: neither a perfect score nor a zero.
      const missing = [a.sharpeRatio === null ? `in sample (${a.tradeCount} trades)` : '', b.sharpeRatio === null ? `out of sample (${b.tradeCount} trades)` : ''].filter(Boolean).join(' and ');
      details.outOfSample = { split, ...halves, score: null };
      reasons.push(`Out of sample: unknown — no Sharpe ratio ${missing} (no spread in its returns), so the split cannot say whether the edge carries over (return ${fmt(b.returnPct)}% out of sample vs ${fmt(a.returnPct)}% in sample).`);
    } else {
      const sa = a.sharpeRatio;
      const sb = b.sharpeRatio;
      // Degradation relative to the in-sample Sharpe (floored so a near-zero Sharpe does not blow it up).
      const degradation = Math.max(0, sa - sb) / Math.max(Math.abs(sa), 0.25);
      const score = Math.max(0, 1 - degradation);
      parts.push(score);
      details.outOfSample = { split, ...halves, score };
      reasons.push(
        `Out of sample (last ${Math.round(s.outOfSampleFraction * 100)}%, from ${oos.result.run.start}): Sharpe ${fmt(sb)} and return ${fmt(b.returnPct)}% vs in sample Sharpe ${fmt(sa)} and return ${fmt(a.returnPct)}%${score < 0.5 ? ': the edge does not carry over' : ''}.`,
      );
    }
  } else if (is || oos) {
    reasons.push(`The out-of-sample split could not run: ${[is, oos].filter((o) => o && !o.ok).map((o) => (o as { error: string }).error).join('; ')}`);
  }

  const shifts = outcomes.filter((o) => o.label.startsWith('param '));
  const baseSharpe = base.metrics.sharpeRatio;
  if (shifts.length && baseSharpe === null) {
    reasons.push('Parameter sensitivity: unknown — the run has no Sharpe ratio (no spread in its returns) to compare the shifted runs with.');
  } else if (shifts.length && baseSharpe !== null) {
    const baseReturn = base.metrics.returnPct;
    const denominator = Math.max(Math.abs(baseSharpe), s.sharpeFloor);
    const perParam = new Map<string, { worst: number; runs: Record<string, { sharpe: number | null; returnPct: number | null; trades: number } | null> }>();
    for (const o of shifts) {
      const [, name, value] = /^param (\w+)=(.+)$/.exec(o.label)!;
      const entry = perParam.get(name) ?? { worst: 0, runs: {} };
      if (!o.ok) {
        // A shift that crashes the strategy is as fragile as it gets.
        entry.runs[value] = null;
        entry.worst = Infinity;
      } else {
        const m = o.result.metrics;
        entry.runs[value] = { sharpe: m.sharpeRatio, returnPct: m.returnPct, trades: m.tradeCount };
        // No trade at all: a flat curve, whose edge is exactly 0 (known). Any other missing Sharpe is unknown and not counted.
        const sharpe = m.sharpeRatio ?? (m.tradeCount === 0 ? 0 : null);
        if (sharpe !== null) entry.worst = Math.max(entry.worst, Math.max(0, baseSharpe - sharpe) / denominator);
      }
      perParam.set(name, entry);
    }
    let worstName = '';
    let worst = -1;
    for (const [name, e] of perParam) if (e.worst > worst) [worst, worstName] = [e.worst, name];
    const score = Math.max(0, 1 - worst / s.maxSharpeChange);
    parts.push(score);
    details.sensitivity = { shiftPct: s.paramShiftPct, baseSharpe, baseReturnPct: baseReturn, params: Object.fromEntries([...perParam].map(([k, v]) => [k, { ...v.runs, relativeDrop: Number.isFinite(v.worst) ? v.worst : null }])), score };
    const e = perParam.get(worstName)!;
    const tried = Object.entries(e.runs).map(([v, r]) => `${worstName}=${v}: ${r === null ? 'failed' : `Sharpe ${fmt(r.sharpe)}, return ${fmt(r.returnPct)}%${r.trades === 0 ? ', no trade' : ''}`}`).join('; ');
    const line = `Moving each of ${perParam.size} numeric param(s) ±${s.paramShiftPct}%: the most sensitive is ${worstName} (${tried}; Sharpe ${fmt(baseSharpe)}, return ${fmt(baseReturn)}% as written)${score < 0.5 ? ': a fragile parameter, the edge falls apart next to the chosen value' : ''}.`;
    // The part that fails the check is said first.
    if (score < 0.5) reasons.unshift(line);
    else reasons.push(line);
    if (score < 0.5) {
      findings.push({ message: `Fragile parameter: moving ${worstName} by ±${s.paramShiftPct}% drops the Sharpe ratio from ${fmt(baseSharpe)} (${tried}).`, severity: 'warning', anchor: { kind: 'param', name: worstName } });
    }
  } else if (Object.keys(base.run.params).length === 0) {
    reasons.push('No numeric params to shift: put periods and thresholds in `params` so they can be tested and tuned.');
  }

  if (parts.length === 0) {
    if (outcomes.some((o) => o.ok)) return skipped(ROBUSTNESS, `Unknown: ${reasons.join(' ')}`, details);
    return errored(ROBUSTNESS, reasons.join(' ') || 'Every robustness re-run failed.', details);
  }
  // Each part must hold on its own: a fragile parameter fails the check however well the split went.
  const score = Math.min(...parts);
  return scored(ROBUSTNESS, score, score >= 0.5, reasons, details, findings);
}
