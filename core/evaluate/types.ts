/**
 * Shapes of the evaluation pipeline: what an evaluator returns, what the
 * pipeline returns, and the findings that point at code. `EvaluatorResult`
 * and `EvaluationReport` are structurally compatible with the run history's
 * `EvaluatorOutcome` / `EvaluationSummary` (core/history/types.ts).
 */
import type { ChecksSummary, Verdict } from './verdict/types';

export type EvaluatorKind = 'deterministic' | 'llm';
export type EvaluatorStatus = 'passed' | 'failed' | 'skipped' | 'error';

export type EvaluatorId =
  | 'validation'
  | 'execution'
  | 'integrity'
  | 'lookahead'
  | 'risk'
  | 'robustness'
  | 'alignment'
  | 'conformance'
  | 'determinism'
  | 'evidence'
  | 'costs'
  | 'toogood'
  | 'intent'
  | 'quality'
  | 'realism';

/** Where in the strategy's code a finding belongs; resolved to lines on the AST by `findingsToDiagnostics`. */
export type CodeAnchor =
  /** A call of `this.buy`, `this.sell` or `this.close` (every one in the class). */
  | { kind: 'call'; method: 'buy' | 'sell' | 'close' }
  /** The entry or exit: the `buy`/`sell` calls that open positions, or the `close`/`sell` calls that end them. */
  | { kind: 'rule'; role: 'entry' | 'exit' }
  /** A key of the `params` object literal. */
  | { kind: 'param'; name: string }
  /** A `new X(...)` of an indicator class. */
  | { kind: 'indicator'; className: string }
  /** The `static config` member (or one of its fields). */
  | { kind: 'config'; field?: 'symbols' | 'timeframe' }
  /** A lifecycle method, e.g. onBar. */
  | { kind: 'method'; name: string }
  /** A 1-based line, when an evaluator knows it (validator, LLM reviews). */
  | { kind: 'line'; line: number };

export interface Finding {
  message: string;
  severity: 'error' | 'warning' | 'info';
  anchor: CodeAnchor;
}

export interface EvaluatorResult {
  id: EvaluatorId;
  /** Human-readable name, e.g. "Look-ahead check". */
  name: string;
  kind: EvaluatorKind;
  status: EvaluatorStatus;
  /** 0..1; null when skipped or errored. In [0.5, 1] when passed, in [0, 0.49] when failed. */
  score: number | null;
  /** null when skipped or errored. */
  passed: boolean | null;
  /** Plain sentences, most important first. */
  reasons: string[];
  /** Evaluator-specific numbers (JSON-serialisable). */
  details?: Record<string, unknown>;
  /** Findings that point at lines of the strategy's code. */
  findings?: Finding[];
}

/** One trade explained in words from the indicator values at its signal bar. */
export interface TradeReason {
  /** Index in BacktestResult.trades. */
  trade: number;
  text: string;
}

export interface EvaluationReport {
  evaluators: EvaluatorResult[];
  /** Can the result be believed as computed? (validation, execution, integrity, look-ahead, determinism) */
  checks: ChecksSummary;
  /** Is the strategy worth trading? A word with its reasons, capped at "do not trust" by any failed check. The answer to show. */
  verdict: Verdict;
  /**
   * Legacy: the weighted mean of the scores of the evaluators that ran (null when none ran). Kept in the JSON
   * for older readers only; it mixes the checks with the strategy's quality and is NOT the answer: use `verdict`.
   */
  overallScore: number | null;
  /** How many evaluators the overall score is based on. */
  basedOn: number;
  /** How many evaluators there were in all (including skipped and errored ones). */
  of: number;
  /** Ids of failed evaluators whose failure means the numbers cannot be trusted at all. */
  criticalFailures: EvaluatorId[];
  /** One line: "0.72 from 8 of 11 evaluators (3 LLM evaluators skipped: no LLM configured)". */
  summary: string;
  /** Per-trade reasons, when the request could be read as a spec. */
  tradeReasons: TradeReason[];
  /** Every finding that points at code, from all evaluators. */
  findings: Finding[];
  /** Wall time of the whole evaluation, ms. */
  elapsedMs: number;
}

/** Lowest score of a passed evaluator, and highest of a failed one. */
export const PASS_FLOOR = 0.5;
export const FAIL_CEILING = 0.49;

export function scored(
  base: { id: EvaluatorId; name: string; kind: EvaluatorKind },
  score: number,
  passed: boolean,
  reasons: string[],
  details?: Record<string, unknown>,
  findings?: Finding[],
): EvaluatorResult {
  const raw = Math.min(1, Math.max(0, Number.isFinite(score) ? score : 0));
  // A score never contradicts its status (docs/evaluate.md): a pass scores at least 0.5, a failure below 0.5.
  const s = passed ? Math.max(raw, PASS_FLOOR) : Math.min(raw, FAIL_CEILING);
  return { ...base, status: passed ? 'passed' : 'failed', score: s, passed, reasons, ...(details ? { details } : {}), ...(findings?.length ? { findings } : {}) };
}

export function skipped(base: { id: EvaluatorId; name: string; kind: EvaluatorKind }, reason: string, details?: Record<string, unknown>): EvaluatorResult {
  return { ...base, status: 'skipped', score: null, passed: null, reasons: [reason], ...(details ? { details } : {}) };
}

export function errored(base: { id: EvaluatorId; name: string; kind: EvaluatorKind }, reason: string, details?: Record<string, unknown>): EvaluatorResult {
  return { ...base, status: 'error', score: null, passed: null, reasons: [reason], ...(details ? { details } : {}) };
}
