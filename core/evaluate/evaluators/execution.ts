/** Execution: the backtest ran to completion in its sandbox, without a runtime error, within the limits. */
import type { EvalContext } from '../context';
import { count } from '../context';
import { scored, type EvaluatorResult, type Finding } from '../types';

export const EXECUTION = { id: 'execution', name: 'Execution', kind: 'deterministic' } as const;

export interface ExecutionFacts {
  /** The error the run ended with (compile, load, runtime, timeout, memory, sandbox), if any. */
  error?: unknown;
  elapsedMs?: number;
  logLines?: number;
}

export function evaluateExecution(ctx: EvalContext, facts: ExecutionFacts): EvaluatorResult {
  const details: Record<string, unknown> = { mode: ctx.mode, ...(facts.elapsedMs !== undefined ? { elapsedMs: facts.elapsedMs } : {}), ...(facts.logLines !== undefined ? { logLines: facts.logLines } : {}) };
  if (facts.error !== undefined || !ctx.result) {
    const e = facts.error as (Error & { phase?: string; time?: string | null }) | undefined;
    const name = e?.name ?? 'Error';
    const message = e?.message ?? 'The backtest produced no result.';
    const findings: Finding[] = [];
    if (e?.phase) findings.push({ message: `Runtime error: ${message}`, severity: 'error', anchor: { kind: 'method', name: e.phase } });
    const line = (e as { line?: number } | undefined)?.line;
    if (typeof line === 'number') findings.push({ message, severity: 'error', anchor: { kind: 'line', line } });
    return scored(EXECUTION, 0, false, [`The backtest did not complete (${name}): ${message}`], { ...details, error: name, message }, findings);
  }
  const r = ctx.result;
  const reasons = [`Ran ${count(r.run.bars)} bars of ${r.run.symbols.join(', ')} in ${modeWords(ctx.mode)} to completion, with no runtime error.`];
  if (r.run.bars === 0) return scored(EXECUTION, 0, false, ['The run covered no bars: there is nothing to evaluate.'], details);
  return scored(EXECUTION, 1, true, reasons, { ...details, bars: r.run.bars, start: r.run.start, end: r.run.end });
}

function modeWords(mode: EvalContext['mode']): string {
  return mode === 'docker' ? 'the Docker sandbox' : mode === 'process' ? 'process mode' : 'this process (no sandbox)';
}
