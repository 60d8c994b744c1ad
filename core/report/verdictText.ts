/**
 * The verdict and the checks in words, for every surface (CLI text, history rows, status bar, compare, refine,
 * results view, HTML export): one place that decides what a person reads, so no surface invents its own wording.
 * Pure; no vscode or DOM import.
 *
 * Two answers, never mixed (docs/evaluate.md "The verdict on every surface"): the checks say whether the result can be
 * believed as computed, the verdict whether the strategy is worth trading. A failed check caps what is shown at
 * "Do not trust" and names the check, whatever the verdict object says.
 */
import type { EvaluationSummary, RunSummary } from '../history/types';
import { VERDICT_ORDER, VERDICT_TITLES, type CheckItem, type ChecksSummary, type Evidence, type Interval, type Verdict, type VerdictLabel } from '../evaluate/verdict/types';
import { formatNumber } from './metricCatalog';

/** What a record without a verdict says: never an invented one. */
export const NO_VERDICT_OLD_RUN = 'no verdict (run saved before verdicts)';
export const NO_VERDICT_NOT_EVALUATED = 'no verdict (not evaluated)';

/** The verdict as shown: the label (capped by a failed check), its title and reasons, most important first. */
export interface ShownVerdict {
  label: VerdictLabel;
  title: string;
  /** Failed checks first ("Integrity check failed: …"), then the verdict's own reasons. */
  reasons: string[];
  /** The checks that failed or errored (empty when all passed or there are no checks). */
  failedChecks: CheckItem[];
  evidence: Evidence | null;
}

/**
 * The verdict to show for an evaluation, or a sentence saying why there is none: `null` evaluation → not evaluated;
 * an evaluation without a verdict → saved before verdicts.
 */
export function shownVerdict(evaluation: Pick<EvaluationSummary, 'checks' | 'verdict'> | null | undefined): ShownVerdict | string {
  if (!evaluation) return NO_VERDICT_NOT_EVALUATED;
  const { verdict, checks } = evaluation;
  if (!verdict) return NO_VERDICT_OLD_RUN;
  const failedChecks = failedCheckItems(checks);
  // A failed check caps the verdict: the surface never shows a better word beside a failed check.
  const label: VerdictLabel = failedChecks.length ? 'do-not-trust' : verdict.label;
  const checkReasons = failedChecks.map(checkFailureSentence);
  return {
    label,
    title: VERDICT_TITLES[label],
    reasons: [...checkReasons, ...verdict.reasons.filter((r) => !checkReasons.includes(r))],
    failedChecks,
    evidence: verdict.evidence,
  };
}

/** "Integrity check failed: a fill at 101.20 lies outside its bar." */
export function checkFailureSentence(item: CheckItem): string {
  return `${item.name} ${item.status === 'error' ? 'could not run' : 'failed'}${item.reason ? `: ${item.reason}` : ''}`;
}

function failedCheckItems(checks: ChecksSummary | undefined): CheckItem[] {
  if (!checks) return [];
  const byStatus = checks.items.filter((c) => c.status === 'failed' || c.status === 'error');
  // `failed` is authoritative; an id listed there without an item still shows, by its id.
  const missing = checks.failed.filter((id) => !byStatus.some((c) => c.id === id)).map((id): CheckItem => ({ id, name: id, status: 'failed', reason: '' }));
  return [...byStatus, ...missing];
}

/** "all 5 checks passed" / "2 of 5 checks failed: integrity, lookahead" / "1 check skipped" added when some did not run. */
export function checksHeadline(checks: ChecksSummary | undefined): string {
  if (!checks) return 'no checks (run saved before verdicts)';
  const failed = failedCheckItems(checks);
  const skipped = checks.items.filter((c) => c.status === 'skipped').length;
  const total = checks.items.length;
  const head = failed.length
    ? `${failed.length} of ${total} check${total === 1 ? '' : 's'} failed: ${failed.map((c) => c.id).join(', ')}`
    : `${skipped ? `${total - skipped} of ${total}` : `all ${total}`} check${total === 1 ? '' : 's'} passed`;
  return skipped ? `${head} (${skipped} skipped: ${checks.items.filter((c) => c.status === 'skipped').map((c) => c.id).join(', ')})` : head;
}

export const CHECK_MARK: Readonly<Record<CheckItem['status'], string>> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP', error: 'ERR ' };

/** "0.61 (95 % CI 0.12 to 1.10)". */
function withInterval(value: number | null, ci: Interval | null, digits: number, unit = ''): string {
  const v = value === null ? 'n/a' : `${formatNumber(value, digits)}${unit}`;
  return ci ? `${v} (${Math.round(ci.level * 100)} % CI ${formatNumber(ci.low, digits)}${unit} to ${formatNumber(ci.high, digits)}${unit})` : v;
}

/** The evidence in one line: "42 trades over 10.0 years · Sharpe 0.61 (95 % CI …) · PSR 0.93 · deflated Sharpe 0.71 (4 trials)". */
export function evidenceLine(e: Evidence): string {
  const parts = [`${e.trades} trade${e.trades === 1 ? '' : 's'} over ${formatNumber(e.years, 1)} years`, `Sharpe ${withInterval(e.sharpe, e.sharpeCI, 2)}`];
  if (e.returnCI) parts.push(`annual return ${Math.round(e.returnCI.level * 100)} % CI ${formatNumber(e.returnCI.low, 1)} % to ${formatNumber(e.returnCI.high, 1)} %`);
  if (e.probabilisticSharpe !== null) parts.push(`probabilistic Sharpe ${formatNumber(e.probabilisticSharpe, 2)}`);
  parts.push(`deflated Sharpe ${e.deflatedSharpe === null ? 'n/a' : formatNumber(e.deflatedSharpe, 2)} (${e.trials} trial${e.trials === 1 ? '' : 's'})`);
  return parts.join(' · ');
}

/**
 * The terminal block the CLI prints (evaluate, and generate --refine's final pick):
 *
 *     Verdict: Weak evidence
 *       - Only 14 trades: …
 *       Evidence: 14 trades over 3.0 years · …
 *     Checks: all 5 checks passed
 *       PASS  Validation   …
 */
export function formatVerdictBlock(evaluation: Pick<EvaluationSummary, 'checks' | 'verdict'> | null | undefined): string {
  const shown = shownVerdict(evaluation);
  const out: string[] = [];
  if (typeof shown === 'string') out.push(`Verdict: ${shown}`);
  else {
    out.push(`Verdict: ${shown.title}`);
    for (const r of shown.reasons) out.push(`  - ${r}`);
    if (shown.evidence) out.push(`  Evidence: ${evidenceLine(shown.evidence)}`);
  }
  const checks = evaluation?.checks;
  if (evaluation) {
    out.push(`Checks: ${checksHeadline(checks)}`);
    const width = Math.max(0, ...(checks?.items ?? []).map((c) => c.name.length));
    for (const c of checks?.items ?? []) out.push(`  ${CHECK_MARK[c.status]}  ${c.name.padEnd(width)}  ${c.reason}`.trimEnd());
  }
  return out.join('\n');
}

/**
 * A history row's verdict in a few words: "Promising", "Do not trust (integrity failed)",
 * or why there is none. For run summaries (no reasons kept).
 */
export function verdictBrief(run: Pick<RunSummary, 'verdict' | 'failedChecks'>): string {
  if (run.verdict === null) return NO_VERDICT_NOT_EVALUATED;
  if (!run.verdict) return NO_VERDICT_OLD_RUN;
  const failed = run.failedChecks ?? [];
  if (failed.length) return `${VERDICT_TITLES['do-not-trust']} (${failed.join(', ')} failed)`;
  return run.verdict.title;
}

/** The shown verdict's label for a summary (capped by failed checks), or null without one: for sorting and icons. */
export function summaryLabel(run: Pick<RunSummary, 'verdict' | 'failedChecks'>): VerdictLabel | null {
  if (!run.verdict) return null;
  return run.failedChecks?.length ? 'do-not-trust' : run.verdict.label;
}

/** One verdict in a short line for notifications and refine lines: "Weak evidence (only 14 trades: …)". */
export function verdictInBrief(verdict: Pick<Verdict, 'title' | 'reasons'> | null | undefined, checks?: ChecksSummary): string {
  const shown = shownVerdict(verdict ? { verdict: verdict as Verdict, checks } : { checks });
  if (typeof shown === 'string') return shown;
  return shown.reasons.length ? `${shown.title} (${shown.reasons[0]})` : shown.title;
}

/** The shown word of an evaluation (capped by a failed check), or why there is none. */
export function verdictWord(evaluation: Pick<EvaluationSummary, 'checks' | 'verdict'> | null | undefined): string {
  const shown = shownVerdict(evaluation);
  return typeof shown === 'string' ? shown : shown.title;
}

/** Which of two evaluations has the better shown verdict word (VERDICT_ORDER); null when equal or either has none. */
export function betterVerdict(a: Pick<EvaluationSummary, 'checks' | 'verdict'> | null | undefined, b: Pick<EvaluationSummary, 'checks' | 'verdict'> | null | undefined): 'a' | 'b' | null {
  const sa = shownVerdict(a);
  const sb = shownVerdict(b);
  if (typeof sa === 'string' || typeof sb === 'string') return null;
  const d = VERDICT_ORDER.indexOf(sb.label) - VERDICT_ORDER.indexOf(sa.label);
  return d === 0 ? null : d > 0 ? 'b' : 'a';
}

/** Re-exported for surfaces that only need the words. */
export { VERDICT_TITLES };
