/** The evaluation pipeline's report (core/evaluate) as a saved run keeps it. Pure. */
import { findingsToDiagnostics } from '../evaluate/code/diagnostics';
import type { EvaluationReport } from '../evaluate/types';
import type { EvaluationFinding, EvaluationSummary } from './types';

/**
 * @param code the exact source the report was computed on (and its file name): with it, every evaluator's
 *   findings are resolved to lines and kept as `findings` (without it they are left out).
 */
export function summarizeEvaluation(report: EvaluationReport & Pick<EvaluationSummary, 'checks' | 'verdict'>, code?: { source: string; fileName?: string }): EvaluationSummary {
  const findings = code ? resolveFindings(report, code.source, code.fileName) : [];
  return {
    overallScore: report.overallScore,
    basedOn: report.basedOn,
    ...(report.checks ? { checks: report.checks } : {}),
    ...(report.verdict ? { verdict: report.verdict } : {}),
    evaluators: report.evaluators.map((e) => ({
      id: e.id,
      name: e.name,
      kind: e.kind,
      status: e.status,
      score: e.score,
      reasons: e.reasons,
      ...(e.details ? { details: e.details } : {}),
    })),
    ...(report.tradeReasons.length ? { tradeReasons: report.tradeReasons } : {}),
    ...(findings.length ? { findings } : {}),
  };
}

/** Every evaluator's findings on the lines of `source`, in line order, each with the evaluator's id. */
function resolveFindings(report: EvaluationReport, source: string, fileName?: string): EvaluationFinding[] {
  const out: EvaluationFinding[] = [];
  for (const e of report.evaluators) {
    if (!e.findings?.length) continue;
    for (const d of findingsToDiagnostics(source, e.findings, fileName)) {
      out.push({ evaluator: e.id, line: d.line, range: d.range, message: d.message, severity: d.severity });
    }
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
