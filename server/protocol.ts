/**
 * Strategy Lab's own LSP messages (beyond the standard protocol), shared by
 * the server and the extension's language client.
 */
import type { FindingDiagnostic } from '../core/evaluate/code/diagnostics';
import type { RunRecord } from '../core/history/types';

/**
 * Client → server: the evaluators' findings on a strategy's lines ("the exit
 * condition never fired in 1,842 bars"), computed on `source`. The server
 * publishes them beside the validator's diagnostics while the document's text
 * is still exactly `source`; after an edit they no longer point at the right
 * lines, so they are dropped until the next run.
 */
export const EVALUATION_FINDINGS = 'strategyLab/evaluationFindings';

export interface EvaluationFindingsParams {
  uri: string;
  source: string;
  findings: FindingDiagnostic[];
}

/**
 * The notification for a saved run: its findings on the exact source that ran (an empty list when it has
 * none, or no evaluation, so the previous run's findings go). `uri` is the document's URI as the language
 * client sends it (`document.uri.toString()`).
 */
export function evaluationFindingsParams(uri: string, run: Pick<RunRecord, 'strategy' | 'evaluation'>): EvaluationFindingsParams {
  return {
    uri,
    source: run.strategy.source,
    findings: (run.evaluation?.findings ?? []).map((f) => ({
      line: f.line,
      range: f.range,
      message: f.message,
      severity: f.severity,
      source: 'strategy-lab-evaluate',
    })),
  };
}

/**
 * Server → client, after each publishDiagnostics of a validation: `complete: false` for the quick result of a
 * long file (the edited region type-checked, other type errors carried over from the last complete check),
 * `complete: true` once the whole file is checked. Tests and the latency bench wait on it.
 */
export const VALIDATED = 'strategyLab/validated';

export interface ValidatedParams {
  uri: string;
  version: number;
  complete: boolean;
}
