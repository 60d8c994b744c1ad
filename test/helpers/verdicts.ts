/**
 * Verdicts and checks written against the contract (core/evaluate/verdict/types.ts), for the surfaces' tests:
 * each surface is tested on every label, a failed check, and a run saved before verdicts.
 */
import { VERDICT_TITLES, verdictRank, type CheckItem, type ChecksSummary, type Verdict, type VerdictLabel } from '../../core/evaluate/verdict/types';

export const CHECK_NAMES: Record<string, string> = {
  validation: 'Validation', execution: 'Execution', integrity: 'Integrity', lookahead: 'Look-ahead', determinism: 'Determinism',
};

/** Five checks, all passed unless named in `failed` (with a reason of their own). */
export function checksFixture(failed: Record<string, string> = {}): ChecksSummary {
  const items: CheckItem[] = Object.entries(CHECK_NAMES).map(([id, name]) => failed[id]
    ? { id, name, status: 'failed', reason: failed[id] }
    : { id, name, status: 'passed', reason: `${name} found nothing wrong.` });
  return { passed: Object.keys(failed).length === 0, failed: Object.keys(failed), items };
}

export function verdictFixture(label: VerdictLabel, reasons: string[] = [`${VERDICT_TITLES[label]} because of the fixture.`], quality = 0.5): Verdict {
  return {
    label,
    title: VERDICT_TITLES[label],
    rank: verdictRank(label, quality),
    reasons,
    evidence: {
      trades: 42, years: 9.9, sharpe: 0.61,
      sharpeCI: { low: 0.12, high: 1.1, level: 0.95, method: 'stationary block bootstrap of daily returns' },
      returnCI: { low: -2.5, high: 14.2, level: 0.95, method: 'stationary block bootstrap of daily returns' },
      tradeReturnCI: null, probabilisticSharpe: 0.93, deflatedSharpe: 0.71, trials: 4,
    },
  };
}
