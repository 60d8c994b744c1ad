/**
 * Code validation: the validator's own findings (the ones the editor shows). Errors fail it; each warning
 * costs a little (a pass never scores below 0.5: types.ts `scored`).
 */
import { validateStrategySource } from '../../validate/index';
import type { EvalContext } from '../context';
import { IN_SAMPLE_CODE } from '../verdict/verdict';
import { scored, type EvaluatorResult, type Finding } from '../types';

export const VALIDATION = { id: 'validation', name: 'Code validation', kind: 'deterministic' } as const;

export function evaluateValidation(ctx: EvalContext): EvaluatorResult {
  const result = validateStrategySource(ctx.source, ctx.fileName);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
  const findings: Finding[] = [...errors, ...warnings].map((d) => ({
    message: `${d.code} ${d.message}`,
    severity: d.severity === 'error' ? 'error' : 'warning',
    anchor: { kind: 'line', line: d.range.start.line + 1 },
  }));
  const reasons = [...errors, ...warnings].slice(0, 10).map((d) => `line ${d.range.start.line + 1}: ${d.code} ${d.message}`);
  if (errors.length === 0 && warnings.length === 0) reasons.push('No validator errors or warnings.');
  else reasons.unshift(`${errors.length} error(s), ${warnings.length} warning(s) from the validator.`);
  const score = errors.length ? 0 : 1 - ctx.settings.validation.warningPenalty * warnings.length;
  return scored(
    VALIDATION,
    score,
    errors.length === 0,
    reasons,
    {
      errors: errors.length,
      warnings: warnings.length,
      codes: result.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning').map((d) => d.code),
      // Dates and date tables in the code, at any severity: the verdict counts them (verdict/verdict.ts).
      inSample: result.diagnostics.filter((d) => d.code === IN_SAMPLE_CODE).map((d) => ({ line: d.range.start.line + 1, message: d.message })),
    },
    findings,
  );
}
