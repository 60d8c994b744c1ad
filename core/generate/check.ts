/**
 * Checks generated code with the project's strategy validator, so both
 * providers are held to exactly what the editor shows. Only errors block a
 * file; warnings are reported.
 */
import ts from 'typescript';
import { projectFileName, StrategyProject } from '../validate/project';

export interface CodeProblem {
  /** Validator rule code, e.g. `SL002`. */
  code: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
  /** 1-based line of the generated file. */
  line: number;
  message: string;
}

export interface CheckReport {
  errors: CodeProblem[];
  warnings: CodeProblem[];
}

let project: StrategyProject | undefined;
/** Each check gets its own file name: the document registry caches by name and version. */
let counter = 0;

export function checkStrategySource(source: string, fileName = 'generated.strategy.ts'): CheckReport {
  project ??= new StrategyProject();
  const name = projectFileName(`/__generate__/${++counter}/${fileName.replace(/^.*[\\/]/, '')}`);
  project.setFile(name, source);
  try {
    const service = project.service;
    const diagnostics = [...service.getSyntacticDiagnostics(name), ...service.getSemanticDiagnostics(name)];
    const file = project.program().getSourceFile(name)!;
    const problems: CodeProblem[] = diagnostics.map((d) => ({
      code: d.code < 2000 ? 'SL001' : 'SL002',
      severity: d.category === ts.DiagnosticCategory.Error ? 'error' : 'warning',
      line: d.start === undefined ? 1 : file.getLineAndCharacterOfPosition(d.start).line + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));
    return { errors: problems.filter((p) => p.severity === 'error'), warnings: problems.filter((p) => p.severity !== 'error') };
  } finally {
    project.removeFile(name);
  }
}

/** "line 12: SL002 Property 'foo' does not exist…", one per line. */
export function formatProblems(problems: CodeProblem[]): string {
  return problems.map((p) => `line ${p.line}: ${p.code} ${p.message}`).join('\n');
}
