/**
 * The refine loop's results in words and as data, shared by `strategy-lab
 * generate --refine N` and VS Code's "Generate and Refine": the iteration count
 * check, the progress text ("iteration 2/3: backtesting"), one line per
 * iteration (verdict, key metrics, what changed, what it aimed to fix and
 * whether it did, kept or not), the outcome (what to write, whether it can be
 * trusted, how it is worse than the first version) and the --json report. No vscode import.
 */
import { describeEvent } from '../generate/events';
import { formatMetric } from '../report/metricCatalog';
import type { RefineEvent, RefineIteration, RefineResult } from './refine';
import { describeAims, REFINE_TOLERANCES, reportVerdictWord } from './refineObjective';

/** Iterations of one refine run: the default and the bounds (CLI `--refine N`, setting `strategyLab.refine.iterations`). */
export const REFINE_ITERATIONS = { default: 3, min: 1, max: 10 } as const;

/** What is wrong with an iteration count as typed (`name` says where it came from), or undefined when it is a whole number in range. */
export function refineCountProblem(value: string | number | undefined, name = 'the number of iterations'): string | undefined {
  const text = String(value ?? '').trim();
  const n = Number(text);
  if (text === '' || !/^[+]?\d+$/.test(text) || !Number.isInteger(n) || n < REFINE_ITERATIONS.min || n > REFINE_ITERATIONS.max) {
    return `${name} must be a whole number of iterations from ${REFINE_ITERATIONS.min} to ${REFINE_ITERATIONS.max}, got '${text}'`;
  }
  return undefined;
}

/** Progress text for an event: "iteration 2/3: backtesting"; undefined for events with nothing to show. */
export function describeRefineEvent(event: RefineEvent, total: number): string | undefined {
  const at = `iteration ${event.iteration}/${total}`;
  switch (event.type) {
    case 'generating':
      return `${at}: ${event.feedback ? 'regenerating from the findings' : 'generating'}`;
    case 'generate-progress':
      return `${at}: generating: ${describeEvent(event.event)}`;
    case 'loading-data':
      return `${at}: loading data`;
    case 'backtesting':
      return `${at}: backtesting`;
    case 'evaluating':
      return `${at}: evaluating`;
    case 'evaluate-progress':
      return `${at}: evaluating: ${event.message}`;
    case 'scored':
      return `${at}: ${verdictOf(event.result)} · ${event.result.failedAt === 'generate' ? 'generation failed' : describeChanges(event.result)} · ${event.result.decision.kept ? 'kept' : 'not kept'}`;
    case 'stopped':
      return undefined;
  }
}

/** "12 trades, return 23.40 %, Sharpe 0.61, max drawdown -18.20 %" (or why there are none). */
export function keyMetrics(it: RefineIteration): string {
  const m = it.metrics;
  if (!m) return 'no backtest result';
  return `${m.tradeCount} trade${m.tradeCount === 1 ? '' : 's'}, return ${formatMetric(m.returnPct, '%')}, Sharpe ${formatMetric(m.sharpeRatio, 'ratio')}, max drawdown ${formatMetric(m.maxDrawdownPct, '%')}`;
}

/** What an iteration changed, in words. */
export function describeChanges(it: RefineIteration): string {
  if (it.changes.length) return `changed: ${it.changes.join('; ')}`;
  if (it.iteration === 1) return `first version (${it.provider === 'offline' ? 'offline generator' : 'model'})`;
  return it.failedAt === 'generate' ? 'no new version' : 'unchanged';
}

/** The iteration's verdict word (capped by a failed check), or why it has none. */
export function verdictOf(it: RefineIteration): string {
  return reportVerdictWord(it.report);
}

/**
 * One line per iteration:
 * `iteration 2/3: Weak evidence · 12 trades, return 23.40 %, Sharpe 0.61, max drawdown -18.20 % · changed: entry: RSI(14) < 10 → RSI(14) < 15 (nothing traded)
 *  · aimed at too few trades (nothing traded): reached (risk check 'trades' now passes (12.00)) · kept: the verdict improved (…)`.
 */
export function iterationLine(it: RefineIteration, total: number): string {
  const head = `iteration ${it.iteration}/${total}: ${verdictOf(it)}`;
  if (it.failedAt === 'generate') return `${head} · generation failed: ${firstLine(it.error)}`;
  const parts = [head, keyMetrics(it), describeChanges(it)];
  if (it.failedAt === 'evaluate') parts.push(`could not be evaluated: ${firstLine(it.error)}`);
  const critical = it.report?.criticalFailures ?? [];
  // Without a verdict (older pipeline) the critical failures are the only "do not trust" signal: say it.
  if (critical.length && !it.report?.verdict) parts.push(`do not trust: ${critical.join(', ')} failed`);
  const aims = describeAims(it.aimResults);
  if (aims) parts.push(aims);
  parts.push(it.decision.why);
  return parts.join(' · ');
}

export interface RefineOutcome {
  /** The iteration to write (the best one), or undefined when none has code that could be evaluated. */
  write: RefineIteration | undefined;
  /** Why nothing is written. */
  problem?: string;
  /** Critical evaluators the written iteration still fails (its numbers cannot be trusted): exit 1. */
  criticalFailures: string[];
  /** How the written version is worse than the first evaluated one on return or drawdown (never silent). */
  worseThanFirst: string[];
}

/** What to do with a refine result: write the best iteration unless no iteration was evaluated at all. */
export function refineOutcome(result: RefineResult): RefineOutcome {
  const best = result.best;
  if (best.failedAt === 'generate' || !best.report) {
    const what = best.failedAt === 'generate' ? 'generated' : 'backtested and evaluated';
    return { write: undefined, problem: `no iteration could be ${what}: ${best.error ?? 'unknown error'}`, criticalFailures: [], worseThanFirst: [] };
  }
  return { write: best, criticalFailures: [...best.report.criticalFailures], worseThanFirst: worseThanFirst(result) };
}

/**
 * Each kept step is within the tolerances of the one before, so several kept steps can add up: compare the written
 * version with the first evaluated one and say every way it is worse (with the tolerance it would have had).
 */
function worseThanFirst(result: RefineResult): string[] {
  const first = result.iterations.find((it) => it.report && it.metrics);
  const best = result.best;
  if (!first || first === best || !best.metrics || !first.metrics) return [];
  const out: string[] = [];
  const compare = (name: string, a: number | null, b: number | null) => {
    if (a === null || b === null || !(a - b > 0)) return;
    out.push(`${name} ${formatMetric(b, '%')} against ${formatMetric(a, '%')} in iteration ${first.iteration} (${formatMetric(a - b, 'ratio')} points worse)`);
  };
  compare('return', first.metrics.returnPct, best.metrics.returnPct);
  compare('max drawdown', first.metrics.maxDrawdownPct, best.metrics.maxDrawdownPct);
  return out;
}

/**
 * "Kept: iteration 2 of 3 (Weak evidence). Stopped: ran all 3 iteration(s)." and, when the kept version is worse
 * than the first on return or drawdown, " Worse than the first version: return 3.20 % against 230.00 % …".
 */
export function refineSummary(result: RefineResult): string {
  const b = result.best;
  if (!b.decision.kept) return `Nothing kept: no iteration could be evaluated. Stopped: ${result.stoppedBecause}.`;
  const worse = refineOutcome(result).worseThanFirst;
  return `Kept: iteration ${b.iteration} of ${result.iterations.length} (${verdictOf(b)}). Stopped: ${result.stoppedBecause}.${worse.length ? ` Worse than the first version: ${worse.join('; ')}.` : ''}`;
}

/** Every iteration's verdict, what it changed and whether it was kept, in one line for a notification. */
export function iterationsInBrief(result: RefineResult): string {
  return result.iterations
    .map((it) => `#${it.iteration} ${verdictOf(it)} ${it.failedAt === 'generate' ? 'generation failed' : it.changes.length ? it.changes.join('; ') : describeChanges(it)}${it === result.best ? ' (kept)' : it.decision.kept ? ' (kept, then replaced)' : ' (not kept)'}`)
    .join(' · ');
}

/** The tolerances in words, for help texts and the --json report. */
export function describeTolerances(): string {
  const t = REFINE_TOLERANCES;
  return `a change is kept only when the verdict improves and the return drops by at most max(${t.returnPoints} points, ${t.returnFraction * 100} % of the kept return) and the max drawdown deepens by at most max(${t.drawdownPoints} points, ${t.drawdownFraction * 100} % of the kept drawdown)`;
}

/** The structured report of `generate --refine N --json`: every iteration with its code, scores, metrics and changes. */
export function refineJson(result: RefineResult, extra: { idea: string; requested: number; sandbox: string; written: string | null }) {
  return {
    idea: extra.idea,
    provider: result.best.provider,
    requested: extra.requested,
    sandbox: extra.sandbox,
    stoppedBecause: result.stoppedBecause,
    best: result.best.iteration,
    written: extra.written,
    objective: describeTolerances(),
    trials: result.trials,
    worseThanFirst: refineOutcome(result).worseThanFirst,
    iterations: result.iterations.map((it) => ({
      iteration: it.iteration,
      best: it === result.best,
      kept: it.decision.kept,
      decision: it.decision.why,
      verdict: it.report?.verdict ?? null,
      checks: it.report?.checks ?? null,
      aims: it.aimResults,
      trial: it.trials,
      score: it.score,
      summary: it.report?.summary ?? null,
      criticalFailures: it.report?.criticalFailures ?? [],
      changes: it.changes,
      ...(it.feedback !== undefined ? { feedback: it.feedback } : {}),
      ...(it.error !== undefined ? { error: it.error, failedAt: it.failedAt } : {}),
      data: it.data ?? null,
      metrics: it.metrics ?? null,
      evaluators: (it.report?.evaluators ?? []).map((e) => ({ id: e.id, name: e.name, kind: e.kind, status: e.status, score: e.score, reasons: e.reasons })),
      line: iterationLine(it, extra.requested),
      source: it.failedAt === 'generate' ? null : it.source,
    })),
  };
}

function firstLine(text: string | undefined): string {
  return (text ?? 'unknown error').split('\n')[0];
}
