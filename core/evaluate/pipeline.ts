/**
 * The evaluation pipeline: strategy source (+ request) + a backtest → every
 * evaluator's verdict and a weighted overall score. Untrusted code runs only
 * through `runStrategy` in the caller's sandbox mode; the re-runs of the
 * look-ahead and robustness checks go out as one bounded batch.
 */
import type { BarSeries } from '../data/series';
import type { BacktestOptions, BacktestResult } from '../engine/types';
import { readRequestFromSource } from '../generate/header';
import { parseIdea } from '../generate/idea/parseIdea';
import type { StrategySpec } from '../generate/spec';
import { runStrategy, type SandboxMode } from '../run/runStrategy';
import type { SandboxRunner } from '../sandbox/runner';
import { compileStrategy, type CompiledStrategy } from '../strategy/compile';
import type { EvalContext } from './context';
import { evaluateAlignment } from './evaluators/alignment';
import { evaluateConformance } from './evaluators/conformance';
import { evaluateExecution, type ExecutionFacts } from './evaluators/execution';
import { evaluateIntegrity } from './evaluators/integrity';
import { evaluateLookahead, lookaheadJobs } from './evaluators/lookahead';
import { evaluateRisk } from './evaluators/risk';
import { evaluateRobustness, robustnessJobs } from './evaluators/robustness';
import { evaluateValidation } from './evaluators/validation';
import type { ChatClient } from './llm/client';
import { runReviewers } from './llm/reviewers';
import { runBatch } from './reruns';
import { overallScore } from './score';
import { resolveEvaluateSettings, type EvaluateSettingsInput } from './settings';
import type { EvaluationReport, EvaluatorId, EvaluatorResult } from './types';

export interface EvaluateInput {
  source: string;
  fileName?: string;
  /** The user's request; defaults to the file's `// Request:` header. */
  request?: string;
  series: BarSeries[];
  /** Options of the run (cash, commission, fill, params). */
  options?: BacktestOptions;
  /** Where the strategy's code runs (the first run when `result` is not given, and every re-run). */
  mode: SandboxMode;
  /** A long-lived runner (warm pool, the user's sandbox settings) for those runs; without one each run starts a fresh one. */
  runner?: SandboxRunner;
  /** The backtest to evaluate; when omitted the pipeline runs it. */
  result?: BacktestResult;
  /** The error the caller's run ended with, when it failed (then `result` is omitted). */
  runError?: unknown;
  /** The spec the code was written from (offline generator, refine loop); trades are checked against it. Default: the request's. */
  spec?: StrategySpec;
  /** Already compiled code (saves a compile). */
  compiled?: CompiledStrategy;
  settings?: EvaluateSettingsInput;
  /** The LLM for the LLM evaluators; undefined → they are skipped. */
  llm?: ChatClient;
  signal?: AbortSignal;
  /** Progress lines ("look-ahead: 6 re-runs…"). */
  onProgress?: (message: string) => void;
}

export async function evaluateStrategy(input: EvaluateInput): Promise<EvaluationReport> {
  const started = performance.now();
  const settings = resolveEvaluateSettings(input.settings);
  const progress = input.onProgress ?? (() => {});
  const fileName = input.fileName ?? 'strategy.ts';
  const request = input.request?.trim() || readRequestFromSource(input.source)?.trim() || undefined;
  const { spec, specProblem, partialSpec } = readSpec(request);
  const options = input.options ?? {};

  const facts: ExecutionFacts = {};
  let compiled = input.compiled;
  let result = input.result;
  if (!result) {
    if (input.runError !== undefined) facts.error = input.runError;
    else {
      const t0 = performance.now();
      let logLines = 0;
      try {
        compiled ??= await compileStrategy(input.source, fileName);
        progress(`running the backtest (${input.mode})`);
        result = await runStrategy({ compiled, series: input.series, options, mode: input.mode, runner: input.runner, signal: input.signal, onLog: () => logLines++ });
        facts.elapsedMs = Math.round(performance.now() - t0);
        facts.logLines = logLines;
      } catch (err) {
        if (input.signal?.aborted) throw err;
        facts.error = err;
      }
    }
  }
  if (result && !compiled) {
    try {
      compiled = await compileStrategy(input.source, fileName);
    } catch (err) {
      facts.error = err;
    }
  }

  const ctx: EvalContext = { source: input.source, fileName, request, spec, codeSpec: input.spec, specProblem, partialSpec, series: input.series, options, mode: input.mode, compiled, result, settings, signal: input.signal };
  const results: EvaluatorResult[] = [];
  progress('validating the code');
  results.push(evaluateValidation(ctx));
  results.push(evaluateExecution(ctx, facts));
  results.push(evaluateIntegrity(ctx));

  // One batch for every re-run: the look-ahead cuts, the sample split and the param shifts.
  const look = result && compiled ? lookaheadJobs(ctx) : [];
  const robust = result && compiled ? robustnessJobs(ctx) : [];
  if (look.length + robust.length) progress(`re-running the strategy ${look.length + robust.length} times (${input.mode})`);
  const batch = compiled && look.length + robust.length
    ? await runBatch({ compiled, mode: input.mode, runner: input.runner, options, signal: input.signal, concurrency: settings.concurrency }, [...look, ...robust])
    : { outcomes: [], stats: { runs: 0, failed: 0, elapsedMs: 0, mode: input.mode } };
  results.push(evaluateLookahead(ctx, batch.outcomes.slice(0, look.length), { ...batch.stats, runs: look.length }));
  results.push(evaluateRisk(ctx));
  results.push(evaluateRobustness(ctx, batch.outcomes.slice(look.length), { ...batch.stats, runs: robust.length }));
  results.push(evaluateAlignment(ctx));
  const conformance = evaluateConformance(ctx);
  results.push(conformance.result);

  if (input.llm) progress(`asking ${input.llm.model} for 3 reviews`);
  results.push(...(await runReviewers(ctx, input.llm, results)));

  const overall = overallScore(results, settings.weights);
  return {
    evaluators: results,
    ...overall,
    tradeReasons: conformance.reasons,
    findings: results.flatMap((r) => r.findings ?? []),
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** The request as a structured spec, through the generator's own parser. */
export function readSpec(request: string | undefined): Pick<EvalContext, 'spec' | 'specProblem' | 'partialSpec'> {
  if (!request) return { spec: undefined, specProblem: 'no request (give --request, or keep the `// Request:` header)' };
  const parsed = parseIdea(request);
  if (parsed.ok) return { spec: parsed.spec, specProblem: undefined };
  const specProblem = `the request could not be read as rules (not understood: ${parsed.notUnderstood.map((t) => `"${t}"`).join(', ')})`;
  // Leave out what was not understood and try again: alignment can still check the rest.
  let rest = request;
  for (const words of parsed.notUnderstood) rest = rest.replace(new RegExp(`\\b${words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+')}\\b`, 'i'), ' ');
  const retry = rest !== request ? parseIdea(rest.replace(/\s+/g, ' ').replace(/\s+([,.])/g, '$1').trim()) : undefined;
  return { spec: undefined, specProblem, ...(retry?.ok ? { partialSpec: { spec: retry.spec, ignoredWords: parsed.notUnderstood } } : {}) };
}

export type { EvaluatorId };
