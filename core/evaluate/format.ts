/**
 * The evaluation as text for a terminal: one line per evaluator, its reasons, findings on lines, trade reasons,
 * and last (where a terminal user reads) the verdict with its reasons and the checks apart.
 */
import type { EvaluationSummary } from '../history/types';
import { formatVerdictBlock } from '../report/verdictText';
import { findingsToDiagnostics } from './code/diagnostics';
import type { EvaluationReport } from './types';

const MARK = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP', error: 'ERR ' } as const;

export function formatReport(report: EvaluationReport & Pick<EvaluationSummary, 'checks' | 'verdict'>, source: string, options: { trades?: number } = {}): string {
  const out: string[] = [];
  const width = Math.max(...report.evaluators.map((e) => e.name.length));
  for (const e of report.evaluators) {
    out.push(`${MARK[e.status]}  ${e.name.padEnd(width)}  ${e.score === null ? '  — ' : e.score.toFixed(2)}  ${e.reasons[0] ?? ''}`);
    for (const r of e.reasons.slice(1, 6)) out.push(`${' '.repeat(width + 14)}${r}`);
  }
  const diagnostics = findingsToDiagnostics(source, report.findings);
  if (diagnostics.length) {
    out.push('', 'On the code:');
    for (const d of diagnostics.slice(0, 20)) out.push(`  line ${d.line}: ${d.severity}: ${d.message}`);
  }
  const shown = options.trades ?? 5;
  if (report.tradeReasons.length && shown > 0) {
    out.push('', `Trades (${Math.min(shown, report.tradeReasons.length)} of ${report.tradeReasons.length}):`);
    for (const t of report.tradeReasons.slice(0, shown)) out.push(`  ${t.trade + 1}. ${t.text}`);
  }
  out.push('', report.summary, '', formatVerdictBlock(report), '');
  return out.join('\n');
}
