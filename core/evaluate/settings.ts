/**
 * Weights and thresholds of the evaluators. Every field is a VS Code setting
 * `strategyLab.evaluate.<path>` (e.g. `strategyLab.evaluate.risk.maxDrawdownPct`)
 * and is documented with its default in docs/evaluate.md.
 */
import type { EvaluatorId } from './types';

export interface EvaluateSettings {
  /** Weight of each evaluator in the overall score (0 leaves it out of the score but still runs it). */
  weights: Record<EvaluatorId, number>;
  validation: {
    /** Score lost per validator warning. */
    warningPenalty: number;
  };
  integrity: {
    /** Relative tolerance when comparing money amounts (equity, metrics). */
    relativeTolerance: number;
  };
  lookahead: {
    /** How many truncated re-runs (cut points spread evenly over the data). */
    cutPoints: number;
  };
  risk: {
    /** Max drawdown allowed, percent (a positive number: 35 means −35 %). */
    maxDrawdownPct: number;
    /** Highest share of time in the market allowed, percent. */
    maxExposurePct: number;
    /** Fewest trades for the statistics to mean anything. */
    minTrades: number;
    /** Worst single trade allowed, percent loss (a positive number). */
    maxTradeLossPct: number;
    /** Highest gross exposure / equity allowed at any bar. */
    maxLeverage: number;
  };
  robustness: {
    /** Share of the data kept for the out-of-sample run (the last part). */
    outOfSampleFraction: number;
    /** How far each numeric param is moved, percent (both ways). */
    paramShiftPct: number;
    /** Return change (percentage points, relative to max(|return|, returnFloorPct)) that scores 0. */
    maxReturnChange: number;
    /** Floor of the denominator when comparing returns, percentage points. */
    returnFloorPct: number;
    /** At most this many numeric params are shifted (the first ones in `params`). */
    maxParams: number;
  };
  alignment: Record<string, never>;
  conformance: {
    /** Relative tolerance when re-checking a threshold at the signal bar. */
    relativeTolerance: number;
  };
  /** Re-runs (look-ahead, robustness) in flight at once. */
  concurrency: number;
  /** Score at or above which an LLM evaluator passes (deterministic ones have their own rules). */
  llmPassScore: number;
}

export const DEFAULT_EVALUATE_SETTINGS: EvaluateSettings = {
  weights: {
    validation: 1,
    execution: 1,
    integrity: 2,
    lookahead: 2,
    risk: 1,
    robustness: 1,
    alignment: 1,
    conformance: 1,
    intent: 1,
    quality: 0.5,
    realism: 1,
  },
  validation: { warningPenalty: 0.1 },
  integrity: { relativeTolerance: 1e-6 },
  lookahead: { cutPoints: 5 },
  risk: { maxDrawdownPct: 35, maxExposurePct: 100, minTrades: 5, maxTradeLossPct: 25, maxLeverage: 1.05 },
  robustness: { outOfSampleFraction: 0.3, paramShiftPct: 20, maxReturnChange: 1, returnFloorPct: 5, maxParams: 8 },
  alignment: {},
  conformance: { relativeTolerance: 1e-6 },
  concurrency: 2,
  llmPassScore: 0.6,
};

export type EvaluateSettingsInput = { [K in keyof EvaluateSettings]?: EvaluateSettings[K] extends object ? Partial<EvaluateSettings[K]> : EvaluateSettings[K] };

/** Defaults overlaid with whatever the user set; bad values are reported, not silently used. */
export function resolveEvaluateSettings(input: EvaluateSettingsInput = {}): EvaluateSettings {
  const d = DEFAULT_EVALUATE_SETTINGS;
  const merged: EvaluateSettings = {
    weights: { ...d.weights, ...defined(input.weights) },
    validation: { ...d.validation, ...defined(input.validation) },
    integrity: { ...d.integrity, ...defined(input.integrity) },
    lookahead: { ...d.lookahead, ...defined(input.lookahead) },
    risk: { ...d.risk, ...defined(input.risk) },
    robustness: { ...d.robustness, ...defined(input.robustness) },
    alignment: {},
    conformance: { ...d.conformance, ...defined(input.conformance) },
    concurrency: input.concurrency ?? d.concurrency,
    llmPassScore: input.llmPassScore ?? d.llmPassScore,
  };
  const problems: string[] = [];
  for (const [id, w] of Object.entries(merged.weights)) if (!(w >= 0 && Number.isFinite(w))) problems.push(`weights.${id} must be a number ≥ 0, got ${w}`);
  const positive = (path: string, v: number) => {
    if (!(v > 0 && Number.isFinite(v))) problems.push(`${path} must be a positive number, got ${v}`);
  };
  positive('risk.maxDrawdownPct', merged.risk.maxDrawdownPct);
  positive('risk.maxExposurePct', merged.risk.maxExposurePct);
  positive('risk.maxTradeLossPct', merged.risk.maxTradeLossPct);
  positive('risk.maxLeverage', merged.risk.maxLeverage);
  positive('robustness.paramShiftPct', merged.robustness.paramShiftPct);
  positive('robustness.maxReturnChange', merged.robustness.maxReturnChange);
  positive('robustness.returnFloorPct', merged.robustness.returnFloorPct);
  if (!(merged.risk.minTrades >= 0)) problems.push(`risk.minTrades must be ≥ 0, got ${merged.risk.minTrades}`);
  if (!(merged.robustness.outOfSampleFraction > 0 && merged.robustness.outOfSampleFraction < 1)) {
    problems.push(`robustness.outOfSampleFraction must be between 0 and 1, got ${merged.robustness.outOfSampleFraction}`);
  }
  if (!(Number.isInteger(merged.lookahead.cutPoints) && merged.lookahead.cutPoints >= 1)) problems.push(`lookahead.cutPoints must be a whole number ≥ 1, got ${merged.lookahead.cutPoints}`);
  if (!(Number.isInteger(merged.concurrency) && merged.concurrency >= 1)) problems.push(`concurrency must be a whole number ≥ 1, got ${merged.concurrency}`);
  if (!(merged.llmPassScore >= 0 && merged.llmPassScore <= 1)) problems.push(`llmPassScore must be between 0 and 1, got ${merged.llmPassScore}`);
  if (problems.length) throw new RangeError(`Invalid strategyLab.evaluate settings: ${problems.join('; ')}. Fix them in your settings (see docs/evaluate.md).`);
  return merged;
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
