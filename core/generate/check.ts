/**
 * Checks generated code with the project's strategy validator (the one the
 * language server uses), so both providers are held to exactly what the
 * editor shows. Only errors block a file; warnings are passed on as notes.
 */
import { projectFileName, StrategyValidator, type StrategyDiagnostic } from '../validate/index';

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
 * One validator and one file name kept for all generated code: each check
 * replaces the file's text (a new version), so TypeScript re-checks only that
 * file and reuses the parsed lib and SDK. (Removing and re-adding a name would
 * restart its version and could return the previous text's result.)
 */
let validator: StrategyValidator | undefined;
const FILE_NAME = projectFileName('/__generate__/generated.strategy.ts');

export function checkStrategySource(source: string): CheckReport {
  validator ??= new StrategyValidator();
  const result = validator.validate(FILE_NAME, source);
  const problems = result.diagnostics.map(
    (d): CodeProblem => ({ code: d.code, severity: d.severity, line: d.range.start.line + 1, message: d.message }),
  );
  return { errors: problems.filter((p) => p.severity === 'error'), warnings: problems.filter((p) => p.severity === 'warning') };
}

/** "line 12: SL002 Property 'foo' does not exist…", one per line. */
export function formatProblems(problems: CodeProblem[]): string {
  return problems.map((p) => `line ${p.line}: ${p.code} ${p.message}`).join('\n');
}
