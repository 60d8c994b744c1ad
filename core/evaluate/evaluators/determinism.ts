/**
 * Determinism: the same strategy on the same data with the same options must give the same run. The
 * strategy runs once more on the full data and its orders and final equity are compared with the first
 * run. A difference is diagnosed from the look-ahead's cut runs, which ran after both: when every cut run
 * agrees with the second full run up to its cut, state survives from one run into the next (a global or
 * static cache: a later run reads what an earlier one saw, its future on cut data); otherwise the strategy
 * draws on randomness or a clock (`Math.random`, `Date.now`, `new Date()`), which is nondeterminism, not
 * future data.
 */
import type { EvalContext } from '../context';
import { fmt } from '../context';
import type { RerunJob, RerunOutcome, RerunStats } from '../reruns';
import { errored, scored, skipped, type EvaluatorResult } from '../types';
import { cutOf, declaresOnEnd, firstDifference } from './lookahead';

export const DETERMINISM = { id: 'determinism', name: 'Determinism', kind: 'deterministic' } as const;

export const REPEAT = 'full data again';

export function determinismJobs(ctx: EvalContext): RerunJob[] {
  return ctx.result ? [{ label: REPEAT, series: ctx.series }] : [];
}

export type Nondeterminism = 'state-between-runs' | 'random-or-clock';

/**
 * @param repeat the second full run; @param cuts the look-ahead's cut runs (they ran after it), used to tell
 *   state kept between runs from randomness.
 */
export function evaluateDeterminism(ctx: EvalContext, repeat: RerunOutcome | undefined, cuts: RerunOutcome[], stats: RerunStats): EvaluatorResult {
  const first = ctx.result;
  if (!first) return skipped(DETERMINISM, 'Skipped: the backtest did not complete.');
  if (!repeat) return skipped(DETERMINISM, 'Skipped: no second run was made.');
  const details: Record<string, unknown> = { reruns: stats.runs, mode: stats.mode };
  if (!repeat.ok) return errored(DETERMINISM, `The second full run failed although the first completed: ${repeat.error}`, details);
  const second = repeat.result;
  const bars = first.equity.length;
  const diff = firstDifference(first, second, bars);
  const endFirst = first.equity[bars - 1]?.equity;
  const endSecond = second.equity[second.equity.length - 1]?.equity;
  if (!diff && endFirst === endSecond) {
    return scored(DETERMINISM, 1, true, [`A second full run repeats the first exactly: ${first.orders.length} orders, final equity ${fmt(endFirst)}.`], details);
  }
  const onEnd = declaresOnEnd(ctx.source);
  const ranCuts = cuts.filter((c): c is Extract<RerunOutcome, { ok: true }> => c.ok);
  const kind: Nondeterminism = ranCuts.length > 0 && ranCuts.every((c) => firstDifference(second, c.result, cutOf(c.label), onEnd) === undefined) ? 'state-between-runs' : 'random-or-clock';
  details.kind = kind;
  const where = diff ? `from bar ${diff.bar} (${diff.time}) on (first run: ${diff.full}; second: ${diff.rerun})` : `in final equity (${fmt(endFirst)} vs ${fmt(endSecond)})`;
  if (diff) Object.assign(details, { firstDifferenceBar: diff.bar, firstDifferenceTime: diff.time });
  const reason = kind === 'state-between-runs'
    ? `Running the same data twice gave different orders ${where}, and every later run agrees with the second: state survives from one run into the next (a global or static cache), which lets a run read what an earlier run saw, i.e. future data on cut data.`
    : `The strategy is nondeterministic: two full runs on the same data gave different orders ${where}. Randomness or a clock (Math.random, Date.now, new Date()) decides its trades, so its numbers cannot be reproduced; this is not future data.`;
  return scored(DETERMINISM, 0, false, [reason], details, [
    { message: `Determinism: ${kind === 'state-between-runs' ? 'state kept between runs changes the decisions' : 'randomness or a clock changes the decisions'} (first difference ${diff ? `on bar ${diff.bar}` : 'in final equity'}).`, severity: 'error', anchor: { kind: 'method', name: 'onBar' } },
  ]);
}
