/**
 * The refine loop's results in words and as data, shared by `strategy-lab
 * generate --refine N` and VS Code's "Generate and Refine": the iteration count
 * check, the progress text ("iteration 2/3: backtesting"), one line per
 * iteration (score, key metrics, what changed), the outcome (what to write,
 * whether it can be trusted) and the --json report. No vscode import.
 */
import { describeEvent } from '../generate/events';
import { formatMetric } from '../report/metricCatalog';
import type { RefineEvent, RefineIteration, RefineResult } from './refine';

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
      return `${at}: ${event.score === null ? 'no score' : `score ${event.score.toFixed(2)}`} · ${event.result.failedAt === 'generate' ? 'generation failed' : describeChanges(event.result)}`;
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

/**
 * One line per iteration:
 * `iteration 2/3: score 0.74 · 12 trades, return 23.40 %, Sharpe 0.61, max drawdown -18.20 % · changed: entry: RSI(14) < 10 → RSI(14) < 15 (nothing traded)`.
 */
export function iterationLine(it: RefineIteration, total: number): string {
  const head = `iteration ${it.iteration}/${total}: ${it.score === null ? 'no score' : `score ${it.score.toFixed(2)}`}`;
  if (it.failedAt === 'generate') return `${head} · generation failed: ${firstLine(it.error)}`;
  const parts = [head, keyMetrics(it), describeChanges(it)];
  if (it.failedAt === 'evaluate') parts.push(`could not be evaluated: ${firstLine(it.error)}`);
  const critical = it.report?.criticalFailures ?? [];
  if (critical.length) parts.push(`do not trust: ${critical.join(', ')} failed`);
  return parts.join(' · ');
}

export interface RefineOutcome {
  /** The iteration to write (the best one), or undefined when none has code that could be evaluated. */
  write: RefineIteration | undefined;
  /** Why nothing is written. */
  problem?: string;
  /** Critical evaluators the written iteration still fails (its numbers cannot be trusted): exit 1. */
  criticalFailures: string[];
}

/** What to do with a refine result: write the best iteration unless no iteration was evaluated at all. */
export function refineOutcome(result: RefineResult): RefineOutcome {
  const best = result.best;
  if (best.failedAt === 'generate' || !best.report) {
    const what = best.failedAt === 'generate' ? 'generated' : 'backtested and evaluated';
    return { write: undefined, problem: `no iteration could be ${what}: ${best.error ?? 'unknown error'}`, criticalFailures: [] };
  }
  return { write: best, criticalFailures: [...best.report.criticalFailures] };
}

/** "Best: iteration 2 of 3 (score 0.74). Stopped: ran all 3 iteration(s)." */
export function refineSummary(result: RefineResult): string {
  const b = result.best;
  return `Best: iteration ${b.iteration} of ${result.iterations.length} (${b.score === null ? 'no score' : `score ${b.score.toFixed(2)}`}). Stopped: ${result.stoppedBecause}.`;
}

/** Every iteration's score and what it changed, in one line for a notification: "#1 0.78 first version · #2 0.89 entry: … (best)". */
export function iterationsInBrief(result: RefineResult): string {
  return result.iterations
    .map((it) => `#${it.iteration} ${it.score === null ? 'no score' : it.score.toFixed(2)} ${it.failedAt === 'generate' ? 'generation failed' : it.changes.length ? it.changes.join('; ') : describeChanges(it)}${it === result.best ? ' (best)' : ''}`)
    .join(' · ');
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
    iterations: result.iterations.map((it) => ({
      iteration: it.iteration,
      best: it === result.best,
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
