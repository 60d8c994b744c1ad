/**
 * The evaluation pipeline: strategy source (+ request) + a backtest → every
 * evaluator's result, the checks and the strategy verdict (verdict/verdict.ts),
 * and the legacy weighted overall score. Untrusted code runs only
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
import { costJobs, evaluateCosts } from './evaluators/costs';
import { determinismJobs, evaluateDeterminism } from './evaluators/determinism';
import { evaluateEvidence } from './evaluators/evidence';
import { evaluateRisk } from './evaluators/risk';
import { evaluateTooGood } from './evaluators/toogood';
import { evaluateRobustness, robustnessJobs } from './evaluators/robustness';
import { evaluateValidation } from './evaluators/validation';
import type { ChatClient } from './llm/client';
import { REVIEWERS, runReviewers } from './llm/reviewers';
import { runBatch, type RerunOutcome } from './reruns';
import { overallScore } from './score';
import { resolveEvaluateSettings, type EvaluateSettingsInput } from './settings';
import type { EvaluationReport, EvaluatorId, EvaluatorResult } from './types';
import { checksOf, verdictOf, type InSampleFinding } from './verdict/verdict';

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
  /** Structured progress: how many evaluators have finished of how many, and what runs now (the editor shows "n of N"). */
  onStep?: (step: EvaluatorStep) => void;
  /**
   * Variants of this strategy tried before this evaluation (refine iterations, earlier parameter sweeps; the
   * run history keeps the count per strategy), this run included; default 1. The deflated Sharpe ratio counts
   * them, plus the parameter variants the robustness check runs now.
   */
  trials?: number;
}

/** One progress report of the evaluation: `done` of `total` evaluators have a result; `current` is what runs now. */
export interface EvaluatorStep {
  done: number;
  total: number;
  current: string;
}

/** Evaluators that do not ask an LLM (validation … conformance); the LLM reviewers add theirs (skipped or not). */
const CODE_EVALUATORS = 12;

export async function evaluateStrategy(input: EvaluateInput): Promise<EvaluationReport> {
  const started = performance.now();
  const settings = resolveEvaluateSettings(input.settings);
  const results: EvaluatorResult[] = [];
  const total = CODE_EVALUATORS + REVIEWERS.length;
  // Every progress line is also a step: the count is what has a result now, the line says what runs.
  const progress = (current: string) => { input.onProgress?.(current); input.onStep?.({ done: results.length, total, current }); };
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
  progress('validating the code');
  results.push(evaluateValidation(ctx));
  results.push(evaluateExecution(ctx, facts));
  results.push(evaluateIntegrity(ctx));

  // One batch for every re-run: the look-ahead cuts, the repeat run, the sample split, the param shifts, the cost ladder.
  const ran = !!(result && compiled);
  const groups = {
    lookahead: ran ? lookaheadJobs(ctx) : [],
    determinism: ran ? determinismJobs(ctx) : [],
    robustness: ran ? robustnessJobs(ctx) : [],
    costs: ran ? costJobs(ctx) : [],
  };
  const jobs = [...groups.lookahead, ...groups.determinism, ...groups.robustness, ...groups.costs];
  if (jobs.length) progress(`re-running the strategy ${jobs.length} times (${input.mode})`);
  const onRunDone = (done: number, all: number) => input.onStep?.({ done: results.length, total, current: `re-run ${done} of ${all} (look-ahead, determinism, robustness, costs)` });
  const batch = compiled && jobs.length
    ? await runBatch({ compiled, mode: input.mode, runner: input.runner, options, signal: input.signal, concurrency: settings.concurrency, series: input.series, onRunDone }, jobs)
    : { outcomes: [], stats: { runs: 0, failed: 0, elapsedMs: 0, mode: input.mode } };
  const outcomesOf = sliceGroups(batch.outcomes, groups);
  const statsOf = (k: keyof typeof groups) => ({ ...batch.stats, runs: groups[k].length });
  const determinism = evaluateDeterminism(ctx, outcomesOf.determinism[0], outcomesOf.lookahead, statsOf('determinism'));
  results.push(evaluateLookahead(ctx, outcomesOf.lookahead, statsOf('lookahead'), determinism.status !== 'failed'));
  results.push(determinism);
  results.push(evaluateRisk(ctx));
  results.push(evaluateRobustness(ctx, outcomesOf.robustness, statsOf('robustness')));
  results.push(evaluateCosts(ctx, outcomesOf.costs, statsOf('costs')));
  // Every parameter variant the robustness check tried is one more trial for the deflated Sharpe ratio.
  const trials = Math.max(1, Math.round(input.trials ?? 1)) + groups.robustness.filter((j) => j.params).length;
  const evidence = evaluateEvidence(ctx, trials);
  results.push(evidence.result);
  results.push(evaluateTooGood(ctx));
  results.push(evaluateAlignment(ctx));
  const conformance = evaluateConformance(ctx);
  results.push(conformance.result);

  if (input.llm) progress(`asking ${input.llm.model} for 3 reviews`);
  results.push(...(await runReviewers(ctx, input.llm, results)));
  input.onStep?.({ done: results.length, total, current: 'done' });

  const overall = overallScore(results, settings.weights);
  const inSample = (results.find((r) => r.id === 'validation')?.details?.inSample ?? []) as InSampleFinding[];
  return {
    evaluators: results,
    ...overall,
    checks: checksOf(results),
    verdict: verdictOf(results, evidence.evidence, inSample, settings),
    tradeReasons: conformance.reasons,
    findings: results.flatMap((r) => r.findings ?? []),
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** The batch's outcomes cut back into the groups the jobs came from (same order). */
function sliceGroups<K extends string>(outcomes: RerunOutcome[], groups: Record<K, unknown[]>): Record<K, RerunOutcome[]> {
  const out = {} as Record<K, RerunOutcome[]>;
  let at = 0;
  for (const k of Object.keys(groups) as K[]) {
    out[k] = outcomes.slice(at, at + groups[k].length);
    at += groups[k].length;
  }
  return out;
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
