/** What every evaluator is given: one object built once by the pipeline. */
import type { BarSeries } from '../data/series';
import type { BacktestOptions, BacktestResult } from '../engine/types';
import type { StrategySpec } from '../generate/spec';
import type { SandboxMode } from '../run/runStrategy';
import type { CompiledStrategy } from '../strategy/compile';
import type { EvaluateSettings } from './settings';

export interface EvalContext {
  source: string;
  fileName: string;
  /** The user's request (argument or the file's `// Request:` header). */
  request: string | undefined;
  /** The request read as a structured spec by the generator's idea parser, when it could be. */
  spec: StrategySpec | undefined;
  /**
   * The spec the code was written from, when known (the offline generator's,
   * or the refine loop's adjusted one): the trades are checked against it.
   * Defaults to `spec`.
   */
  codeSpec?: StrategySpec;
  /**
   * For request alignment only: the spec of the request with the words the
   * parser did not understand left out (`ignoredWords`), when the whole
   * request does not parse. Trades are never checked against it: a dropped
   * "or" alternative would make it stricter than what was asked.
   */
  partialSpec?: { spec: StrategySpec; ignoredWords: string[] };
  /** Why there is no spec (no request, or the parser did not understand all of it). */
  specProblem?: string;
  series: BarSeries[];
  options: BacktestOptions;
  mode: SandboxMode;
  compiled: CompiledStrategy | undefined;
  /** The run being evaluated; undefined when it failed. */
  result: BacktestResult | undefined;
  settings: EvaluateSettings;
  signal?: AbortSignal;
}

/** "1,842" */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** 12.345 → "12.35" (and -0 → "0"). */
export function fmt(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined) return 'n/a';
  if (!Number.isFinite(n)) return String(n);
  const s = n.toFixed(digits);
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}
