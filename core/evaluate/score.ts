/** The overall score: a weighted mean over the evaluators that ran, and a sentence saying what it rests on. */
import type { EvaluationReport, EvaluatorId, EvaluatorResult } from './types';

/** Evaluators whose failure means the backtest's numbers cannot be trusted whatever the rest says. */
export const CRITICAL: readonly EvaluatorId[] = ['validation', 'execution', 'integrity', 'lookahead', 'determinism'];

export function overallScore(results: EvaluatorResult[], weights: Record<EvaluatorId, number>): Pick<EvaluationReport, 'overallScore' | 'basedOn' | 'of' | 'criticalFailures' | 'summary'> {
  let sum = 0;
  let total = 0;
  let basedOn = 0;
  for (const r of results) {
    if (r.score === null) continue;
    basedOn++;
    const w = weights[r.id] ?? 1;
    sum += w * r.score;
    total += w;
  }
  const overall = basedOn === 0 ? null : total > 0 ? sum / total : null;
  const criticalFailures = results.filter((r) => r.status === 'failed' && CRITICAL.includes(r.id)).map((r) => r.id);
  const skippedLlm = results.filter((r) => r.kind === 'llm' && r.status === 'skipped').length;
  const otherSkipped = results.filter((r) => r.kind !== 'llm' && r.status === 'skipped').length;
  const errors = results.filter((r) => r.status === 'error').length;
  const notes = [
    skippedLlm ? `${skippedLlm} LLM evaluator${skippedLlm > 1 ? 's' : ''} skipped${skippedLlm === results.filter((r) => r.kind === 'llm').length && results.find((r) => r.kind === 'llm')?.reasons[0]?.includes('no LLM') ? ': no LLM configured' : ''}` : '',
    otherSkipped ? `${otherSkipped} other${otherSkipped > 1 ? 's' : ''} skipped` : '',
    errors ? `${errors} errored` : '',
  ].filter(Boolean);
  // No number in the sentence: the weighted score stays in the JSON as a legacy field, and the text a person reads
  // says only what the evaluation rests on; the verdict is the answer (verdict/verdict.ts).
  const head = basedOn === 0 ? 'No results: no evaluator could run' : `Results from ${basedOn} of ${results.length} evaluators`;
  const critical = criticalFailures.length ? ` Do not trust these numbers: ${criticalFailures.join(', ')} failed.` : '';
  return { overallScore: overall, basedOn, of: results.length, criticalFailures, summary: `${head}${notes.length ? ` (${notes.join('; ')})` : ''}.${critical}` };
}
