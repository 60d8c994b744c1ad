/**
 * The contract between the evaluators and every surface (CLI text and --json, results view, history, compare,
 * refine, HTML export): two answers that are never mixed.
 *
 * - **Checks**: can this result be believed as computed? (validation, execution, integrity, look-ahead,
 *   determinism). Pass/fail each; any failure caps the verdict at "do-not-trust".
 * - **Verdict**: is the strategy worth trading? (risk, robustness, costs, statistical evidence, too-good-to-be-true).
 *   A word with its reasons, never an average.
 *
 * Plain data only (JSON-serialisable): run records store it as is.
 */

/** From worst to best; `VERDICT_ORDER` is the order every surface sorts and compares by. */
export type VerdictLabel = 'do-not-trust' | 'insufficient-evidence' | 'fragile' | 'weak-evidence' | 'promising';

export const VERDICT_ORDER: readonly VerdictLabel[] = ['do-not-trust', 'insufficient-evidence', 'fragile', 'weak-evidence', 'promising'];

/** The word a person reads. */
export const VERDICT_TITLES: Readonly<Record<VerdictLabel, string>> = {
  'do-not-trust': 'Do not trust',
  'insufficient-evidence': 'Insufficient evidence',
  fragile: 'Fragile',
  'weak-evidence': 'Weak evidence',
  promising: 'Promising',
};

export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'error';

/** One "can this be believed" check. */
export interface CheckItem {
  /** Evaluator id, e.g. 'integrity'. */
  id: string;
  name: string;
  status: CheckStatus;
  /** The first (most important) reason, one sentence. */
  reason: string;
}

export interface ChecksSummary {
  /** True when no check failed or errored (skipped checks are listed, and do not pass silently: see `items`). */
  passed: boolean;
  /** Ids of the checks that failed or errored. */
  failed: string[];
  items: CheckItem[];
}

/** A two-sided confidence interval. */
export interface Interval {
  low: number;
  high: number;
  /** e.g. 0.95 */
  level: number;
  /** How it was computed, e.g. "stationary block bootstrap of daily returns, 2,000 resamples, block 10". */
  method: string;
}

/** The statistical evidence behind the verdict. Any figure that cannot be computed is null, never 0 or 1. */
export interface Evidence {
  trades: number;
  /** Length of the test in years (calendar). */
  years: number;
  /** Annualised Sharpe ratio of the run (docs/metrics.md). */
  sharpe: number | null;
  sharpeCI: Interval | null;
  /** Annualised return, % */
  returnCI: Interval | null;
  /** Mean trade return CI from a bootstrap of trades, %, when there are enough trades. */
  tradeReturnCI: Interval | null;
  /** P(true Sharpe > 0), Bailey & López de Prado. */
  probabilisticSharpe: number | null;
  /** PSR against the expected maximum Sharpe of `trials` independent tries. */
  deflatedSharpe: number | null;
  /** Every variant tried for this strategy (refine iterations, robustness re-runs, sweeps), this run included. */
  trials: number;
}

export interface Verdict {
  label: VerdictLabel;
  /** VERDICT_TITLES[label] */
  title: string;
  /**
   * Sort key, higher is better: VERDICT_ORDER.indexOf(label) + a within-label quality in [0, 1).
   * So any flawed strategy ranks below any strategy with a better label, whatever its numbers.
   */
  rank: number;
  /** Plain sentences: why this label, most important first (name the evaluator and the number). */
  reasons: string[];
  evidence: Evidence | null;
}

export function verdictRank(label: VerdictLabel, quality: number): number {
  const q = Number.isFinite(quality) ? Math.min(0.999, Math.max(0, quality)) : 0;
  return VERDICT_ORDER.indexOf(label) + q;
}
