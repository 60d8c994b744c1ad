/**
 * The two answers of an evaluation (docs/evaluate.md, "The verdict"), from the evaluators' results:
 *
 * - `checksOf`: can the result be believed as computed? validation, execution, integrity, look-ahead,
 *   determinism, each pass/fail.
 * - `verdictOf`: is the strategy worth trading? The worst cap applies:
 *   do-not-trust     a failed or errored check; in-sample knowledge in the code (validator rule SL070:
 *                    dates or date tables); a result too good to be true; code that does not do what the
 *                    request asks (alignment, conformance);
 *   insufficient-evidence   too few closed trades or too short a test;
 *   fragile          risk, robustness or cost stress failed;
 *   weak-evidence    a verdict evaluator could not judge (skipped or errored), or the deflated Sharpe ratio
 *                    is below its bar, or the Sharpe interval includes 0;
 *   promising        none of the above.
 * Never an average: one failed check is "do not trust" whatever the rest says.
 */
import type { EvaluateSettings } from '../settings';
import type { EvaluatorId, EvaluatorResult } from '../types';
import { evidenceIsStrong } from './evidence';
import { VERDICT_ORDER, VERDICT_TITLES, verdictRank, type CheckItem, type ChecksSummary, type Evidence, type Verdict, type VerdictLabel } from './types';

/** The "can this be believed as computed" checks, in display order. */
export const CHECK_IDS: readonly EvaluatorId[] = ['validation', 'execution', 'integrity', 'lookahead', 'determinism'];

/** The evaluators that judge whether the strategy is worth trading (each caps the verdict at "fragile" when it fails). */
export const STRATEGY_IDS: readonly EvaluatorId[] = ['risk', 'robustness', 'costs'];

/** Code the validator gives dates, date ranges and per-date tables written into the code (in-sample knowledge). */
export const IN_SAMPLE_CODE = 'SL070';

export function checksOf(results: readonly EvaluatorResult[]): ChecksSummary {
  const items: CheckItem[] = CHECK_IDS.flatMap((id) => {
    const r = results.find((x) => x.id === id);
    return r ? [{ id, name: r.name, status: r.status, reason: r.reasons[0] ?? '' }] : [];
  });
  const failed = items.filter((i) => i.status === 'failed' || i.status === 'error').map((i) => i.id);
  return { passed: failed.length === 0, failed, items };
}

/** One place in the code where the validator found in-sample knowledge (SL070). */
export interface InSampleFinding {
  line: number;
  message: string;
}

interface Cap {
  label: VerdictLabel;
  reason: string;
}

export function verdictOf(
  results: readonly EvaluatorResult[],
  evidence: Evidence | null,
  inSample: readonly InSampleFinding[],
  settings: Pick<EvaluateSettings, 'evidence'>,
): Verdict {
  const byId = new Map(results.map((r) => [r.id, r]));
  const caps: Cap[] = [];
  const checks = checksOf(results);
  for (const item of checks.items) {
    if (item.status === 'failed') caps.push({ label: 'do-not-trust', reason: `Check failed — ${item.name}: ${item.reason}` });
    else if (item.status === 'error') caps.push({ label: 'do-not-trust', reason: `Check could not run — ${item.name}: ${item.reason}` });
  }
  if (inSample.length) {
    const first = inSample[0];
    caps.push({ label: 'do-not-trust', reason: `In-sample knowledge in the code (${IN_SAMPLE_CODE}, ${inSample.length} place(s), first line ${first.line}): ${first.message} Dates chosen with hindsight make any backtest look good.` });
  }
  for (const id of ['toogood', 'alignment', 'conformance'] as const) {
    const r = byId.get(id);
    if (r?.status !== 'failed') continue;
    const why = id === 'toogood' ? '' : 'The code does not do what the request asks, so this is not a result of the strategy asked for. ';
    caps.push({ label: 'do-not-trust', reason: `${r.name}: ${why}${r.reasons[0] ?? ''}` });
  }
  const ev = byId.get('evidence');
  if (ev?.status === 'failed') caps.push({ label: 'insufficient-evidence', reason: `${ev.name}: ${ev.reasons[0]}` });
  for (const id of STRATEGY_IDS) {
    const r = byId.get(id);
    if (!r) continue;
    if (r.status === 'failed') caps.push({ label: 'fragile', reason: `${r.name} failed: ${r.reasons[0] ?? ''}` });
    else if (r.status === 'error' || r.status === 'skipped') caps.push({ label: 'weak-evidence', reason: `${r.name} could not judge the strategy, so it is unknown (not passed): ${r.reasons[0] ?? ''}` });
  }
  if (evidence && ev?.status === 'passed' && !evidenceIsStrong(evidence, settings.evidence)) caps.push({ label: 'weak-evidence', reason: `${ev.name}: ${ev.reasons[0]}` });
  if (!evidence && !caps.length) caps.push({ label: 'do-not-trust', reason: 'No backtest result to judge.' });

  const label = caps.reduce<VerdictLabel>((worst, c) => (rankOf(c.label) < rankOf(worst) ? c.label : worst), 'promising');
  const reasons = [...caps].sort((a, b) => rankOf(a.label) - rankOf(b.label)).map((c) => c.reason);
  if (label === 'promising' && ev) reasons.push(`${ev.name}: ${ev.reasons[0]}`, ...STRATEGY_IDS.map((id) => byId.get(id)).filter((r): r is EvaluatorResult => !!r).map((r) => `${r.name}: ${r.reasons[0]}`));
  if (evidence && ev?.reasons[1]) reasons.push(ev.reasons[1]);
  return { label, title: VERDICT_TITLES[label], rank: verdictRank(label, quality(label, results, evidence, settings)), reasons, evidence };
}

function rankOf(label: VerdictLabel): number {
  return VERDICT_ORDER.indexOf(label);
}

/** Position within the label, in [0, 1): how close it came to the next label up. */
function quality(label: VerdictLabel, results: readonly EvaluatorResult[], evidence: Evidence | null, settings: Pick<EvaluateSettings, 'evidence'>): number {
  const passedShare = (ids: readonly EvaluatorId[]) => {
    const rs = results.filter((r) => ids.includes(r.id));
    return rs.length ? rs.filter((r) => r.status === 'passed').length / rs.length : 0;
  };
  switch (label) {
    case 'do-not-trust':
      return passedShare([...CHECK_IDS, ...STRATEGY_IDS, 'evidence', 'toogood', 'alignment', 'conformance']);
    case 'insufficient-evidence':
      return evidence ? Math.min(1, evidence.trades / settings.evidence.minTrades, evidence.years / settings.evidence.minYears) : 0;
    case 'fragile':
      return 0.5 * passedShare(STRATEGY_IDS) + 0.5 * (evidence?.probabilisticSharpe ?? 0);
    default:
      return evidence?.deflatedSharpe ?? evidence?.probabilisticSharpe ?? 0;
  }
}
