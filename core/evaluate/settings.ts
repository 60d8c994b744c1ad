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
    /** Highest gross exposure allowed at any bar, percent of equity (a full short that ran 25 % against the strategy is at 150). */
    maxExposurePct: number;
    /** Fewest trades for the statistics to mean anything. */
    minTrades: number;
    /** Worst single trade allowed, percent loss (a positive number). */
    maxTradeLossPct: number;
    /** Highest gross exposure / equity allowed on a bar where a position is opened or added to. */
    maxLeverage: number;
    /** Highest share of orders the broker may reject (for lack of buying power, bad sizes), percent. */
    maxRejectedPct: number;
  };
  robustness: {
    /** Share of the data kept for the out-of-sample run (the last part). */
    outOfSampleFraction: number;
    /** How far each numeric param is moved, percent (both ways). */
    paramShiftPct: number;
    /** Drop of the Sharpe ratio under a param shift, relative to max(|Sharpe|, sharpeFloor), that scores 0. */
    maxSharpeChange: number;
    /** Floor of the Sharpe ratio the sensitivity check divides by. */
    sharpeFloor: number;
    /** At most this many numeric params are shifted (the first ones in `params`). */
    maxParams: number;
  };
  alignment: Record<string, never>;
  evidence: {
    /** Fewest closed trades for any statistic to count as evidence. */
    minTrades: number;
    /** Shortest test, calendar years. */
    minYears: number;
    /** Bootstrap resamples per interval. */
    resamples: number;
    /** Confidence level of the intervals, e.g. 0.95. */
    level: number;
    /** Deflated Sharpe ratio at or above which the evidence is strong ("promising"). */
    minDeflatedSharpe: number;
  };
  costs: {
    /** Realistic commission per side, basis points of traded value (US equities: 5). */
    realisticCommissionBps: number;
    /** Realistic slippage per market/stop fill, basis points. */
    realisticSlippageBps: number;
    /** The strategy must still make money at this multiple of the realistic costs. */
    safetyMultiple: number;
  };
  toogood: {
    /** Fewest trades before the too-good flags apply (fewer: the evidence check speaks instead). */
    minTrades: number;
    /** Annualised Sharpe above which a daily-bar result is flagged. */
    maxSharpe: number;
    /** Win rate above which a result is flagged, percent. */
    maxWinRatePct: number;
    /** R² of log equity against time above which the curve is too smooth. */
    maxSmoothness: number;
  };
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
    determinism: 2,
    evidence: 1,
    costs: 1,
    toogood: 1,
    intent: 1,
    quality: 0.5,
    realism: 1,
  },
  validation: { warningPenalty: 0.1 },
  integrity: { relativeTolerance: 1e-6 },
  lookahead: { cutPoints: 5 },
  risk: { maxDrawdownPct: 35, maxExposurePct: 150, minTrades: 5, maxTradeLossPct: 25, maxLeverage: 1.05, maxRejectedPct: 10 },
  robustness: { outOfSampleFraction: 0.3, paramShiftPct: 20, maxSharpeChange: 1, sharpeFloor: 0.25, maxParams: 8 },
  alignment: {},
  evidence: { minTrades: 30, minYears: 2, resamples: 1000, level: 0.95, minDeflatedSharpe: 0.95 },
  costs: { realisticCommissionBps: 5, realisticSlippageBps: 5, safetyMultiple: 2 },
  toogood: { minTrades: 30, maxSharpe: 3, maxWinRatePct: 85, maxSmoothness: 0.99 },
  conformance: { relativeTolerance: 1e-6 },
  concurrency: 2,
  llmPassScore: 0.6,
};

export type EvaluateSettingsInput = { [K in keyof EvaluateSettings]?: EvaluateSettings[K] extends object ? Partial<EvaluateSettings[K]> : EvaluateSettings[K] };

/** One evaluator setting: its key under `strategyLab.evaluate.`, what it means, and the values it may take. */
export interface EvaluateSettingSpec {
  /** Path in EvaluateSettings, e.g. 'risk.maxDrawdownPct'; the VS Code setting is `strategyLab.evaluate.<key>`. */
  key: string;
  description: string;
  /** 'integer': whole numbers only. */
  type: 'number' | 'integer';
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

const EVALUATOR_NAMES: Record<EvaluatorId, string> = {
  validation: 'code validation',
  execution: 'execution',
  integrity: 'result integrity',
  lookahead: 'look-ahead',
  risk: 'risk',
  robustness: 'robustness',
  alignment: 'request alignment',
  conformance: 'spec conformance',
  determinism: 'determinism',
  evidence: 'statistical evidence',
  costs: 'cost stress',
  toogood: 'too good to be true',
  intent: 'intent (LLM)',
  quality: 'code quality (LLM)',
  realism: 'realism (LLM)',
};

/**
 * Every setting the user can change, in docs/evaluate.md order. The package.json contribution
 * (`EVALUATE_SETTINGS_SCHEMA`), the validation below and the CLI's `--set` all come from this table;
 * defaults come from DEFAULT_EVALUATE_SETTINGS.
 */
export const EVALUATE_SETTING_SPECS: readonly EvaluateSettingSpec[] = [
  ...(Object.keys(EVALUATOR_NAMES) as EvaluatorId[]).map((id): EvaluateSettingSpec => ({
    key: `weights.${id}`,
    type: 'number',
    minimum: 0,
    description: `Weight of the ${EVALUATOR_NAMES[id]} evaluator in the overall score (0: it still runs and is shown, but does not count).`,
  })),
  { key: 'validation.warningPenalty', type: 'number', minimum: 0, maximum: 1, description: 'Code validation score lost per validator warning.' },
  { key: 'integrity.relativeTolerance', type: 'number', minimum: 0, maximum: 0.01, description: 'Relative tolerance when the integrity check compares money amounts and recomputed metrics.' },
  { key: 'lookahead.cutPoints', type: 'integer', minimum: 1, maximum: 50, description: 'Truncated re-runs of the look-ahead check (cut points spread evenly over the data); each is one more sandbox run.' },
  { key: 'risk.maxDrawdownPct', type: 'number', exclusiveMinimum: 0, maximum: 100, description: 'Deepest max drawdown the risk check allows, percent (35 means no deeper than −35 %).' },
  { key: 'risk.maxExposurePct', type: 'number', exclusiveMinimum: 0, description: 'Highest gross exposure the risk check allows at any bar, percent of equity (a short that runs against the strategy grows past 100).' },
  { key: 'risk.minTrades', type: 'integer', minimum: 0, description: 'Fewest trades for the risk check to pass (fewer trades: the statistics mean little).' },
  { key: 'risk.maxTradeLossPct', type: 'number', exclusiveMinimum: 0, maximum: 100, description: 'Worst single trade the risk check allows, percent loss (25 means no worse than −25 %).' },
  { key: 'risk.maxLeverage', type: 'number', exclusiveMinimum: 0, description: 'Highest gross position value / equity the risk check allows when a position is opened or added to (the leverage a strategy takes on).' },
  { key: 'risk.maxRejectedPct', type: 'number', minimum: 0, maximum: 100, description: 'Highest share of orders the broker may reject (not enough buying power, bad sizes) before the risk check fails, percent.' },
  { key: 'robustness.outOfSampleFraction', type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Last share of the data run separately as the out-of-sample part (0.3 = the last 30 %).' },
  { key: 'robustness.paramShiftPct', type: 'number', exclusiveMinimum: 0, maximum: 100, description: 'How far the parameter sensitivity check moves each numeric param, percent, both ways.' },
  { key: 'robustness.maxSharpeChange', type: 'number', exclusiveMinimum: 0, description: 'Drop of the Sharpe ratio under a param shift, relative to the Sharpe as written, that scores 0 (1 = the Sharpe falls by its own size, to 0); the check fails at half of it.' },
  { key: 'robustness.sharpeFloor', type: 'number', exclusiveMinimum: 0, description: 'Floor of the Sharpe ratio the parameter sensitivity check divides by (so a near-zero Sharpe does not blow the relative drop up).' },
  { key: 'robustness.maxParams', type: 'integer', minimum: 0, maximum: 50, description: 'Most numeric params shifted by the sensitivity check (the first ones in `params`); each costs two sandbox runs.' },
  { key: 'evidence.minTrades', type: 'integer', minimum: 1, description: 'Fewest closed trades for the result to count as evidence; fewer makes the verdict "insufficient evidence".' },
  { key: 'evidence.minYears', type: 'number', exclusiveMinimum: 0, description: 'Shortest test, calendar years; shorter makes the verdict "insufficient evidence".' },
  { key: 'evidence.resamples', type: 'integer', minimum: 100, maximum: 100000, description: 'Bootstrap resamples per confidence interval.' },
  { key: 'evidence.level', type: 'number', exclusiveMinimum: 0.5, exclusiveMaximum: 1, description: 'Confidence level of the intervals (0.95 = 95 %).' },
  { key: 'evidence.minDeflatedSharpe', type: 'number', minimum: 0, maximum: 1, description: 'Deflated Sharpe ratio at or above which the evidence counts as strong (verdict "promising").' },
  { key: 'costs.realisticCommissionBps', type: 'number', minimum: 0, maximum: 1000, description: 'Realistic commission per side, basis points of traded value (5 for US equities), used by the cost stress re-runs.' },
  { key: 'costs.realisticSlippageBps', type: 'number', minimum: 0, maximum: 1000, description: 'Realistic slippage per market or stop fill, basis points, used by the cost stress re-runs.' },
  { key: 'costs.safetyMultiple', type: 'number', minimum: 1, maximum: 100, description: 'The strategy must still make money at this multiple of the realistic costs.' },
  { key: 'toogood.minTrades', type: 'integer', minimum: 1, description: 'Fewest trades before the too-good-to-be-true flags apply.' },
  { key: 'toogood.maxSharpe', type: 'number', exclusiveMinimum: 0, description: 'Annualised Sharpe ratio above which a result is flagged as too good to be true.' },
  { key: 'toogood.maxWinRatePct', type: 'number', exclusiveMinimum: 0, maximum: 100, description: 'Win rate above which a result is flagged as too good to be true, percent.' },
  { key: 'toogood.maxSmoothness', type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'R² of log equity against time above which an equity curve is flagged as too smooth to be true.' },
  { key: 'conformance.relativeTolerance', type: 'number', minimum: 0, maximum: 0.01, description: 'Relative tolerance when the spec conformance check re-checks a threshold at the signal bar.' },
  { key: 'concurrency', type: 'integer', minimum: 1, maximum: 16, description: 'Evaluator re-runs (look-ahead, robustness) in flight at once.' },
  { key: 'llmPassScore', type: 'number', minimum: 0, maximum: 1, description: 'Score (0–1) at which an LLM evaluator passes.' },
];

/** The setting keys under `strategyLab.evaluate.` (e.g. 'risk.maxDrawdownPct'). */
export const EVALUATE_SETTING_KEYS: readonly string[] = EVALUATE_SETTING_SPECS.map((s) => s.key);

/** The value of a setting key in a settings object (undefined when absent). */
export function settingValue(settings: object, key: string): unknown {
  let v: unknown = settings;
  for (const part of key.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/** The package.json `contributes.configuration.properties` entries of the evaluator settings (tested against package.json). */
export function evaluateSettingsSchema(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const spec of EVALUATE_SETTING_SPECS) {
    const { key, type, description, ...range } = spec;
    out[`strategyLab.evaluate.${key}`] = { type, default: settingValue(DEFAULT_EVALUATE_SETTINGS, key), ...range, description };
  }
  return out;
}

/** Bad evaluator settings, each problem named by its key (`problems`), for the caller to phrase. */
export class EvaluateSettingsError extends RangeError {
  constructor(readonly problems: string[], hint = 'Fix them in your settings (strategyLab.evaluate.*, see docs/evaluate.md).') {
    super(`Invalid strategyLab.evaluate settings: ${problems.join('; ')}. ${hint}`);
    this.name = 'EvaluateSettingsError';
  }
}

/** "a number > 0 and ≤ 100", "a whole number ≥ 1" */
function allowed(spec: EvaluateSettingSpec): string {
  const bounds = [
    spec.minimum !== undefined ? `≥ ${spec.minimum}` : spec.exclusiveMinimum !== undefined ? `> ${spec.exclusiveMinimum}` : '',
    spec.maximum !== undefined ? `≤ ${spec.maximum}` : spec.exclusiveMaximum !== undefined ? `< ${spec.exclusiveMaximum}` : '',
  ].filter(Boolean);
  return `${spec.type === 'integer' ? 'a whole number' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}

function problemOf(spec: EvaluateSettingSpec, v: unknown): string | undefined {
  const ok = typeof v === 'number' && Number.isFinite(v)
    && (spec.type !== 'integer' || Number.isInteger(v))
    && (spec.minimum === undefined || v >= spec.minimum)
    && (spec.maximum === undefined || v <= spec.maximum)
    && (spec.exclusiveMinimum === undefined || v > spec.exclusiveMinimum)
    && (spec.exclusiveMaximum === undefined || v < spec.exclusiveMaximum);
  return ok ? undefined : `${spec.key} must be ${allowed(spec)}, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
}

/** Defaults overlaid with whatever the user set; bad values are reported (EvaluateSettingsError), not silently used. */
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
    evidence: { ...d.evidence, ...defined(input.evidence) },
    costs: { ...d.costs, ...defined(input.costs) },
    toogood: { ...d.toogood, ...defined(input.toogood) },
    conformance: { ...d.conformance, ...defined(input.conformance) },
    concurrency: input.concurrency ?? d.concurrency,
    llmPassScore: input.llmPassScore ?? d.llmPassScore,
  };
  const problems = EVALUATE_SETTING_SPECS.map((spec) => problemOf(spec, settingValue(merged, spec.key))).filter((p): p is string => p !== undefined);
  if (problems.length) throw new EvaluateSettingsError(problems);
  return merged;
}

/**
 * The one place raw user values become evaluator settings: flat keys as in VS Code
 * (`{ 'weights.risk': 2, 'risk.maxDrawdownPct': 30 }`, with or without the `strategyLab.evaluate.` prefix;
 * undefined/null = the default). Unknown keys and bad values throw an EvaluateSettingsError naming each.
 * The extension passes its `strategyLab.evaluate.*` values, the CLI its `--set` pairs.
 */
export function evaluateSettingsFromFlat(raw: Record<string, unknown>, hint?: string): EvaluateSettings {
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [rawKey, value] of Object.entries(raw)) {
    const key = rawKey.replace(/^strategyLab\.evaluate\./, '');
    if (key === 'afterBacktest') continue; // the on/off switch, not an evaluator setting
    const spec = EVALUATE_SETTING_SPECS.find((s) => s.key === key);
    if (!spec) {
      problems.push(`unknown setting '${rawKey}' (known: ${EVALUATE_SETTING_KEYS.join(', ')})`);
      continue;
    }
    if (value === undefined || value === null) continue;
    const problem = problemOf(spec, value);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const [group, field] = key.split('.');
    if (field === undefined) input[group] = value;
    else input[group] = { ...(input[group] as object | undefined), [field]: value };
  }
  if (problems.length) throw new EvaluateSettingsError(problems, hint);
  return resolveEvaluateSettings(input as EvaluateSettingsInput);
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
