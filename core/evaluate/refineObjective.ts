/**
 * What the refine loop optimises (docs/evaluate.md "Refine"): the strategy verdict, never a weighted score.
 * A new iteration is kept only when its verdict ranks higher than the kept one's AND its return and max drawdown
 * are not worse beyond the tolerances below; each iteration says what flaw it aimed at and whether it fixed it.
 * Pure functions over evaluation reports and metrics.
 */
import type { Metrics } from '../metrics/types';
import { formatMetric } from '../report/metricCatalog';
import { verdictWord } from '../report/verdictText';
import type { EvaluationSummary } from '../history/types';
import type { EvaluationReport } from './types';

/** A report as the pipeline returns it once it computes verdicts (optional until then: older reports have none). */
export type VerdictReport = EvaluationReport & Pick<EvaluationSummary, 'checks' | 'verdict'>;

/**
 * How much worse than the kept version a new one may be on return and drawdown and still be kept (when its verdict
 * is better): the larger of a fixed number of percentage points and a fraction of the kept value's size.
 * E.g. kept return 230 %: a new version may lose up to 23 points (→ 207 %); kept return 8 %: up to 2 points.
 */
export const REFINE_TOLERANCES = {
  /** Total return may drop by max(returnPoints, returnFraction × |kept return|) percentage points. */
  returnPoints: 2,
  returnFraction: 0.1,
  /** Max drawdown may deepen by max(drawdownPoints, drawdownFraction × |kept drawdown|) percentage points. */
  drawdownPoints: 2,
  drawdownFraction: 0.1,
} as const;

/** The flaw an iteration's change was meant to fix, and how to tell whether it did. */
export type AimTarget =
  /** A risk check (risk evaluator details.checks[name]) that failed, e.g. 'trades' or 'max drawdown'. */
  | { kind: 'risk-check'; name: string }
  /** The exit rule that never fired (a finding on the exit). */
  | { kind: 'exit-fires' }
  /** An evaluator that failed (LLM feedback names every failed one). */
  | { kind: 'evaluator'; id: string }
  /** The verdict itself: any better word counts. */
  | { kind: 'verdict' };

export interface RefineAim {
  /** In words: "too few trades (risk check 'trades': 0)". */
  flaw: string;
  target: AimTarget;
}

export interface AimResult {
  flaw: string;
  /** null: could not tell (the iteration was not evaluated). */
  reached: boolean | null;
  /** What was measured: "risk check 'trades' now passes (14)". */
  detail: string;
}

export interface RefineDecision {
  kept: boolean;
  /** Why kept or not, in one sentence with the numbers. */
  why: string;
  /** Ways a kept version is worse than the one it replaced (within the tolerances), said so the user knows. */
  worse: string[];
}

interface RiskCheck { name: string; ok: boolean; value: number | null }

function riskChecks(report: EvaluationReport): RiskCheck[] {
  return (report.evaluators.find((e) => e.id === 'risk')?.details?.checks as RiskCheck[] | undefined) ?? [];
}

/** The verdict's rank as shown: a failed check caps it within "do not trust" (rank below 1). Null without a verdict. */
export function shownRank(report: VerdictReport | null | undefined): number | null {
  const v = report?.verdict;
  if (!v) return null;
  const failed = report.checks ? !report.checks.passed || report.checks.failed.length > 0 : false;
  return failed ? v.rank - Math.floor(v.rank) : v.rank;
}

/** A report's verdict word (capped by a failed check); a report without one says so (an evaluation that computed none). */
export function reportVerdictWord(report: VerdictReport | null | undefined): string {
  if (!report) return 'not evaluated';
  return report.verdict ? verdictWord(report) : 'no verdict';
}

/** Whether an iteration's aim was reached, judged on its own report (and the previous one for the verdict). */
export function aimOutcome(aim: RefineAim, report: VerdictReport | null, previous: VerdictReport | null): AimResult {
  const flaw = aim.flaw;
  if (!report) return { flaw, reached: null, detail: 'not evaluated' };
  const t = aim.target;
  switch (t.kind) {
    case 'risk-check': {
      const c = riskChecks(report).find((x) => x.name === t.name);
      if (!c) return { flaw, reached: null, detail: `the risk check '${t.name}' did not run` };
      return { flaw, reached: c.ok, detail: `risk check '${t.name}' ${c.ok ? 'now passes' : 'still fails'} (${c.value === null ? 'n/a' : formatMetric(c.value, 'ratio')})` };
    }
    case 'exit-fires': {
      const stillNever = report.findings.some((f) => f.anchor.kind === 'rule' && f.anchor.role === 'exit' && /never fired/.test(f.message));
      return { flaw, reached: !stillNever, detail: stillNever ? 'the exit still never fires' : 'the exit fires now' };
    }
    case 'evaluator': {
      const e = report.evaluators.find((x) => x.id === t.id);
      if (!e || e.status === 'skipped' || e.status === 'error') return { flaw, reached: null, detail: `${t.id} did not run` };
      return { flaw, reached: e.status === 'passed', detail: `${e.name} ${e.status === 'passed' ? 'passes now' : `still fails: ${e.reasons[0] ?? ''}`}`.trim() };
    }
    case 'verdict': {
      const before = shownRank(previous);
      const after = shownRank(report);
      if (before === null || after === null) return { flaw, reached: null, detail: 'no verdict to compare' };
      return { flaw, reached: after > before, detail: `verdict ${reportVerdictWord(previous)} → ${reportVerdictWord(report)}` };
    }
  }
}

/** Both aims and their outcomes in one phrase: "aimed at too few trades: reached (risk check 'trades' now passes (14))". */
export function describeAims(results: AimResult[]): string {
  if (!results.length) return '';
  return results.map((r) => `aimed at ${r.flaw}: ${r.reached === null ? 'unknown' : r.reached ? 'reached' : 'missed'} (${r.detail})`).join('; ');
}

export interface Candidate {
  iteration: number;
  report: VerdictReport | null;
  metrics?: Metrics;
}

/** Largest drop allowed from `kept` (a return or a drawdown, %), in percentage points. */
export function tolerance(kept: number, points: number, fraction: number): number {
  return Math.max(points, fraction * Math.abs(kept));
}

/** Keep `candidate` over `kept`? Only when the verdict improves and return and drawdown stay within the tolerances. */
export function judgeCandidate(candidate: Candidate, kept: Candidate): RefineDecision {
  const no = (why: string): RefineDecision => ({ kept: false, why, worse: [] });
  if (!candidate.report || !candidate.metrics) return no('not kept: it could not be backtested and evaluated');
  const after = shownRank(candidate.report);
  const before = shownRank(kept.report);
  const words = `${reportVerdictWord(kept.report)} → ${reportVerdictWord(candidate.report)}`;
  if (after === null || before === null) return no(`not kept: no verdict to compare (${words})`);
  if (after <= before) return no(`not kept: the verdict did not improve (${words}, rank ${before.toFixed(2)} → ${after.toFixed(2)})`);
  if (!kept.metrics) return { kept: true, why: `kept: the verdict improved (${words})`, worse: [] };
  // A version that never traded has a 0 % return and no drawdown by construction: nothing to protect.
  if (kept.metrics.tradeCount === 0) return { kept: true, why: `kept: the verdict improved (${words}); iteration ${kept.iteration} made no trade, so it had no return or drawdown to protect`, worse: [] };
  const problems: string[] = [];
  const worse: string[] = [];
  const ret = compareLoss('return', kept.metrics.returnPct, candidate.metrics.returnPct, REFINE_TOLERANCES.returnPoints, REFINE_TOLERANCES.returnFraction, kept.iteration);
  const dd = compareLoss('max drawdown', kept.metrics.maxDrawdownPct, candidate.metrics.maxDrawdownPct, REFINE_TOLERANCES.drawdownPoints, REFINE_TOLERANCES.drawdownFraction, kept.iteration);
  for (const c of [ret, dd]) {
    if (c?.beyond) problems.push(c.text);
    else if (c) worse.push(c.text);
  }
  if (problems.length) return no(`not kept: the verdict improved (${words}) but ${problems.join(' and ')}`);
  return { kept: true, why: `kept: the verdict improved (${words})${worse.length ? `; ${worse.join(' and ')}` : ''}`, worse };
}

/**
 * How much lower `now` is than `before` (higher is better for both return and drawdown, which is ≤ 0), in words,
 * or null when it is not lower. A missing number is a loss beyond any tolerance: it cannot be shown to be no worse.
 */
function compareLoss(name: string, before: number | null, now: number | null, points: number, fraction: number, keptIteration: number): { text: string; beyond: boolean } | null {
  if (before === null) return null;
  if (now === null) return { text: `its ${name} is not available (iteration ${keptIteration}: ${formatMetric(before, '%')})`, beyond: true };
  const drop = before - now;
  if (!(drop > 0)) return null;
  const tol = tolerance(before, points, fraction);
  const text = `${name} ${formatMetric(now, '%')} is ${formatMetric(drop, 'ratio')} points worse than ${formatMetric(before, '%')} in iteration ${keptIteration} (tolerance ${formatMetric(tol, 'ratio')})`;
  return { text, beyond: drop > tol };
}
