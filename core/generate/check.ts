/**
 * Checks generated code with the project's strategy validator (the one the
 * language server uses), so both providers are held to exactly what the
 * editor shows. Only errors block a file; warnings are passed on as notes.
 */
import { validateStrategySource, type StrategyDiagnostic } from '../validate/index';

export interface CodeProblem {
  /** Validator rule code, e.g. `SL002`. */
  code: string;
  severity: StrategyDiagnostic['severity'];
  /** 1-based line of the generated file. */
  line: number;
  message: string;
}

export interface CheckReport {
  errors: CodeProblem[];
  /** Warnings only (hints and infos are dropped: they do not concern a fresh file). */
  warnings: CodeProblem[];
}

/**
 * A fresh name per check: the validator's document registry caches parsed
 * files by name and version, and a removed-then-re-added name starts again at
 * version 1, so reusing one name could return the previous file's result.
 */
let counter = 0;

export function checkStrategySource(source: string, fileName = 'generated.strategy.ts'): CheckReport {
  const base = fileName.replace(/^.*[\\/]/, '');
  const result = validateStrategySource(source, `/__generate__/${++counter}/${base}`);
  const problems = result.diagnostics.map(
    (d): CodeProblem => ({ code: d.code, severity: d.severity, line: d.range.start.line + 1, message: d.message }),
  );
  return { errors: problems.filter((p) => p.severity === 'error'), warnings: problems.filter((p) => p.severity === 'warning') };
}

/** "line 12: SL002 Property 'foo' does not exist…", one per line. */
export function formatProblems(problems: CodeProblem[]): string {
  return problems.map((p) => `line ${p.line}: ${p.code} ${p.message}`).join('\n');
}
