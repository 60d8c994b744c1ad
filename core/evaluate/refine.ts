/**
 * The refine loop: generate → validate → backtest → evaluate → feed the
 * findings back → regenerate, up to N iterations, keeping every iteration's
 * code and verdict. A new version replaces the kept one only when its verdict
 * improves without making return or drawdown worse beyond the tolerances
 * (refineObjective.ts); each iteration says what it aimed to fix and whether it
 * did. With the OpenAI(-compatible) provider the findings go back to the model;
 * offline, deterministic spec adjustments (adjust.ts) are applied and listed.
 */
import { seriesLabel } from '../data/provider';
import type { BarSeries } from '../data/series';
import type { BacktestOptions, BacktestResult } from '../engine/types';
import { GenerateError, type GenerateErrorKind } from '../generate/errors';
import { stripRequestHeader, withRequestHeader } from '../generate/header';
import { generateWithOpenAI } from '../generate/llm/openaiProvider';
import { generateOffline } from '../generate/offline/generateOffline';
import { writeStrategy } from '../generate/offline/writeStrategy';
import type { StrategySpec } from '../generate/spec';
import type { GenerateEvent, LlmSettings, ProviderName } from '../generate/types';
import type { Metrics } from '../metrics/types';
import { runStrategy, type SandboxMode } from '../run/runStrategy';
import type { SandboxRunner } from '../sandbox/runner';
import { assertMayRunInProcess } from '../run/trust';
import type { Timeframe } from '../sdk/types';
import { compileStrategy, type CompiledStrategy } from '../strategy/compile';
import { readStrategyInfo } from '../strategy/config';
import { adjustSpec } from './adjust';
import { findingsToDiagnostics } from './code/diagnostics';
import type { ChatClient } from './llm/client';
import { evaluateStrategy } from './pipeline';
import { aimOutcome, judgeCandidate, shownRank, type AimResult, type RefineAim, type RefineDecision, type VerdictReport } from './refineObjective';
import { VERDICT_ORDER, type VerdictLabel } from './verdict/types';
import type { EvaluateSettingsInput } from './settings';

export interface RefineOptions {
  idea: string;
  /** Most generations, the first included (≥ 1). */
  iterations: number;
  /** Resolved provider (the generator CLI's `resolveProvider(choice, apiKey)`). */
  provider: ProviderName;
  apiKey?: string;
  llm?: Partial<LlmSettings>;
  /** Bars for the generated strategy's symbols and timeframe. */
  loadSeries: (symbols: string[], timeframe: Timeframe) => Promise<BarSeries[]>;
  mode: SandboxMode;
  /** Required for mode 'none': the caller (the user, e.g. `--trust`) accepts running generated code in this process. */
  trustGeneratedCode?: boolean;
  /** A long-lived runner (warm pool, the caller's sandbox settings) for every run; without one each run starts a fresh one. */
  runner?: SandboxRunner;
  options?: BacktestOptions;
  settings?: EvaluateSettingsInput;
  /** The LLM evaluators' client (none → they are skipped). */
  judge?: ChatClient;
  /** Stop early once the kept version's verdict is this label (or better) with every check passed. Default 'promising'. */
  stopAt?: VerdictLabel;
  /**
   * Variants already tried for this strategy (the run history's trial count, RunStore.trialCount); iteration i is
   * evaluated as trial `trialsBefore + i`, which the deflated Sharpe counts.
   */
  trialsBefore?: number;
  /** The backtest and the evaluation of each iteration; tests replace them, callers leave them out. */
  steps?: Partial<RefineSteps>;
  signal?: AbortSignal;
  onEvent?: (event: RefineEvent) => void;
}

export interface RefineSteps {
  backtest: (input: { compiled: CompiledStrategy; series: BarSeries[]; options?: BacktestOptions; mode: SandboxMode; runner?: SandboxRunner; signal?: AbortSignal }) => Promise<BacktestResult>;
  evaluate: (input: Parameters<typeof evaluateStrategy>[0] & { trials: number }) => Promise<VerdictReport>;
}

const DEFAULT_STEPS: RefineSteps = {
  backtest: (input) => runStrategy(input),
  // `trials` is part of the input once the pipeline counts trials (the deflated Sharpe); passed through as is.
  evaluate: (input) => evaluateStrategy(input),
};

/** In order per iteration: generating (generate-progress…), loading-data, backtesting, evaluating (evaluate-progress…), scored. */
export type RefineEvent =
  | { type: 'generating'; iteration: number; feedback: boolean }
  | { type: 'generate-progress'; iteration: number; event: GenerateEvent }
  | { type: 'loading-data'; iteration: number }
  | { type: 'backtesting'; iteration: number }
  | { type: 'evaluating'; iteration: number }
  | { type: 'evaluate-progress'; iteration: number; message: string }
  /** Every iteration ends with one, a failed one too; `result` is the finished iteration. */
  | { type: 'scored'; iteration: number; score: number | null; summary: string; result: RefineIteration; kept: RefineIteration }
  | { type: 'stopped'; iteration: number; reason: string };

/** Generation failures that the next iteration would only repeat (no key, a rejected key, no such model). */
const FATAL_GENERATE_ERRORS: readonly GenerateErrorKind[] = ['no-api-key', 'auth', 'model-not-found', 'request-rejected', 'not-understood', 'cancelled'];

export interface RefineIteration {
  iteration: number;
  source: string;
  provider: ProviderName;
  /** What this iteration changed and why (offline), or the feedback it was generated from (LLM). */
  changes: string[];
  feedback?: string;
  report: VerdictReport | null;
  /** The evaluation's weighted score, kept for the --json report only: the loop decides by the verdict. */
  score: number | null;
  /** The trial number this iteration was evaluated as (trialsBefore + iteration). */
  trials: number;
  /** The flaws this iteration's change aimed to fix (empty for the first version). */
  aims: RefineAim[];
  /** Whether each aim was reached, judged on this iteration's evaluation. */
  aimResults: AimResult[];
  /** Kept or not, and why (with the numbers). The first evaluated version is the baseline and is kept. */
  decision: RefineDecision;
  /** The backtest's metrics, when it ran to completion. */
  metrics?: Metrics;
  /** The bars it ran on ("AAPL 1d, 2015-01-02 → 2024-12-31 (2,515 bars)"), once they were loaded. */
  data?: string;
  /** Why the iteration produced no report (generation or data failed). */
  error?: string;
  /** Where it failed: `generate` (no new code: `source` is the previous iteration's) or `evaluate` (data or evaluation). */
  failedAt?: 'generate' | 'evaluate';
}

export interface RefineResult {
  /** The kept version: the last one whose verdict improved within the tolerances (the baseline when none did). */
  best: RefineIteration;
  iterations: RefineIteration[];
  /** Why the loop ended. */
  stoppedBecause: string;
  /** Versions tried (every iteration with code of its own): add them to the strategy's trial count. */
  trials: number;
}

export async function refine(o: RefineOptions): Promise<RefineResult> {
  if (!(Number.isInteger(o.iterations) && o.iterations >= 1)) throw new RangeError(`--refine needs a whole number of iterations ≥ 1, got ${o.iterations}.`);
  assertMayRunInProcess(o.mode, o.trustGeneratedCode, 'generated');
  const emit = o.onEvent ?? (() => {});
  const stopAt = VERDICT_ORDER.indexOf(o.stopAt ?? 'promising');
  const steps: RefineSteps = { ...DEFAULT_STEPS, ...o.steps };
  const trialsBefore = o.trialsBefore ?? 0;
  const done: RefineIteration[] = [];
  let kept: RefineIteration | undefined;
  let spec: StrategySpec | undefined;
  let stoppedBecause = `ran all ${o.iterations} iteration(s)`;

  for (let i = 1; i <= o.iterations; i++) {
    o.signal?.throwIfAborted();
    const previous = done[done.length - 1];
    let source: string;
    let changes: string[] = [];
    let feedback: string | undefined;
    let aims: RefineAim[] = [];
    if (o.provider === 'offline') {
      if (!previous) {
        emit({ type: 'generating', iteration: i, feedback: false });
        const first = generateOffline(o.idea);
        spec = first.spec!;
        source = first.source;
      } else {
        if (!previous.report || !spec) {
          stoppedBecause = `iteration ${previous.iteration} could not be evaluated (${previous.error}); the offline generator has nothing to adjust`;
          break;
        }
        const adjusted = adjustSpec(spec, previous.report);
        if (adjusted.changes.length === 0) {
          stoppedBecause = `nothing left to adjust offline after iteration ${previous.iteration}`;
          break;
        }
        emit({ type: 'generating', iteration: i, feedback: true });
        spec = adjusted.spec;
        changes = adjusted.changes;
        aims = adjusted.aims;
        source = writeStrategy(spec);
      }
    } else {
      feedback = previous ? feedbackFor(previous) : undefined;
      aims = previous ? llmAims(previous) : [];
      emit({ type: 'generating', iteration: i, feedback: feedback !== undefined });
      try {
        const generated = await generateWithOpenAI({
          idea: feedback ? `${o.idea}\n\n${feedback}` : o.idea,
          nameFrom: o.idea,
          apiKey: o.apiKey,
          settings: o.llm,
          signal: o.signal,
          onEvent: (event) => emit({ type: 'generate-progress', iteration: i, event }),
        });
        // The header keeps the user's request only, not the feedback we added to it.
        source = withRequestHeader(o.idea, stripRequestHeader(generated.source));
      } catch (err) {
        if (o.signal?.aborted) throw err;
        // A failure the next attempt would only repeat ends the loop: with nothing to show, as the error itself.
        const fatal = err instanceof GenerateError && FATAL_GENERATE_ERRORS.includes(err.kind);
        if (fatal && !done.some((d) => d.report)) throw err;
        const failed: RefineIteration = {
          iteration: i, source: previous?.source ?? '', provider: o.provider, changes: [], feedback, report: null, score: null, trials: trialsBefore + i,
          aims, aimResults: aims.map((a) => aimOutcome(a, null, null)), decision: { kept: false, why: 'not kept: no new version was generated', worse: [] },
          error: (err as Error).message, failedAt: 'generate',
        };
        done.push(failed);
        emit({ type: 'scored', iteration: i, score: null, summary: `generation failed: ${failed.error}`, result: failed, kept: kept ?? failed });
        if (fatal) {
          stoppedBecause = `iteration ${i} could not be generated (${failed.error})`;
          break;
        }
        continue;
      }
      if (feedback) changes = [`regenerated with the findings of iteration ${previous!.iteration}`];
    }

    const iteration: RefineIteration = {
      iteration: i, source, provider: o.provider, changes, ...(feedback ? { feedback } : {}), report: null, score: null, trials: trialsBefore + i,
      aims, aimResults: [], decision: { kept: false, why: 'not kept: not evaluated', worse: [] },
    };
    try {
      emit({ type: 'loading-data', iteration: i });
      const info = readStrategyInfo(source);
      const symbols = info.config?.symbols;
      if (!symbols?.length) throw new Error(`the generated code has no readable config.symbols (${info.problem ?? 'empty'})`);
      const series = await o.loadSeries(symbols, (info.config?.timeframe ?? '1d') as Timeframe);
      iteration.data = seriesLabel(series);
      // The backtest runs here (not inside the evaluation) so its metrics are kept with the iteration.
      emit({ type: 'backtesting', iteration: i });
      let compiled: CompiledStrategy | undefined;
      let result: BacktestResult | undefined;
      let runError: unknown;
      try {
        compiled = await compileStrategy(source, 'strategy.ts');
        result = await steps.backtest({ compiled, series, options: o.options, mode: o.mode, runner: o.runner, signal: o.signal });
        iteration.metrics = result.metrics;
      } catch (err) {
        if (o.signal?.aborted) throw err;
        runError = err;
      }
      emit({ type: 'evaluating', iteration: i });
      iteration.report = await steps.evaluate({
        source, series, options: o.options, mode: o.mode, runner: o.runner, compiled, result, runError,
        settings: o.settings, llm: o.judge, signal: o.signal, spec: o.provider === 'offline' ? spec : undefined,
        onProgress: (message) => emit({ type: 'evaluate-progress', iteration: i, message }),
        trials: iteration.trials,
      });
      iteration.score = iteration.report.overallScore;
    } catch (err) {
      if (o.signal?.aborted) throw err;
      iteration.error = (err as Error).message;
      iteration.failedAt = 'evaluate';
    }
    // The aims are judged against the version the change was made from (the previous iteration).
    iteration.aimResults = aims.map((a) => aimOutcome(a, iteration.report, previous?.report ?? null));
    if (!kept) {
      iteration.decision = iteration.report
        ? { kept: true, why: 'kept: the first evaluated version, the baseline every change is measured against', worse: [] }
        : { kept: false, why: `not kept: it could not be evaluated (${iteration.error})`, worse: [] };
    } else iteration.decision = judgeCandidate(iteration, kept);
    if (iteration.decision.kept) kept = iteration;
    done.push(iteration);
    emit({ type: 'scored', iteration: i, score: iteration.score, summary: iteration.report?.summary ?? `failed: ${iteration.error}`, result: iteration, kept: kept ?? iteration });
    const k = kept?.report;
    const keptRank = shownRank(k);
    if (kept === iteration && k?.verdict && keptRank !== null && Math.floor(keptRank) >= stopAt) {
      stoppedBecause = `iteration ${i} reached the verdict ${k.verdict.title} with every check passed`;
      break;
    }
  }
  emit({ type: 'stopped', iteration: done.length, reason: stoppedBecause });
  return { best: kept ?? done.find((d) => d.failedAt !== 'generate') ?? done[0], iterations: done, stoppedBecause, trials: done.filter((d) => d.failedAt !== 'generate').length };
}

/** What an LLM regeneration aims to fix: every evaluator that failed, and a better verdict. */
function llmAims(previous: RefineIteration): RefineAim[] {
  if (!previous.report) return [];
  const failed: RefineAim[] = previous.report.evaluators.filter((e) => e.status === 'failed').map((e) => ({ flaw: `${e.name} failing`, target: { kind: 'evaluator', id: e.id } }));
  const v = previous.report.verdict;
  return v && v.label !== 'promising' ? [...failed, { flaw: `the verdict ${v.title}`, target: { kind: 'verdict' } }] : failed;
}

/** The previous iteration's problems in words the model can act on. */
export function feedbackFor(previous: RefineIteration): string {
  const lines: string[] = ['Your previous version of this strategy was backtested and evaluated. Fix these problems and keep everything the request asks for:'];
  if (!previous.report) lines.push(`- It could not be evaluated: ${previous.error}`);
  else {
    for (const e of previous.report.evaluators) {
      if (e.status !== 'failed') continue;
      lines.push(`- ${e.name} failed: ${e.reasons.slice(0, 3).join(' ')}`);
    }
    for (const d of findingsToDiagnostics(previous.source, previous.report.findings)) lines.push(`- line ${d.line}: ${d.message}`);
    for (const r of previous.report.verdict?.reasons ?? []) lines.push(`- Verdict ${previous.report.verdict!.title}: ${r}`);
    if (!previous.decision.kept && previous.iteration > 1) lines.push(`- That version was ${previous.decision.why}.`);
    const trades = previous.report.evaluators.find((e) => e.id === 'risk')?.details?.checks as { name: string; value: number | null }[] | undefined;
    if (trades?.find((c) => c.name === 'trades')?.value === 0) lines.push('- Zero trades: the entry thresholds are probably too strict for this data; loosen them within the spirit of the request.');
  }
  lines.push('', 'The previous code:', '```ts', previous.source.trim(), '```');
  return lines.join('\n');
}
