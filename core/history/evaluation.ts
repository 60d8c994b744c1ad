/** The evaluation pipeline's report (core/evaluate) as a saved run keeps it. Pure. */
import type { EvaluationReport } from '../evaluate/types';
import type { EvaluationSummary } from './types';

export function summarizeEvaluation(report: EvaluationReport): EvaluationSummary {
  return {
    overallScore: report.overallScore,
    basedOn: report.basedOn,
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
  };
}
