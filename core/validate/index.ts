import type ts from 'typescript';
import { checkConfig } from './checks/config';
import { checkLookAhead, checkUnboundedLoops } from './checks/hazards';
import { checkFunctionRoutes } from './checks/functionRoutes';
import { checkInSampleDates } from './checks/inSampleDates';
import { checkIsolation } from './checks/isolation';
import { checkNondeterminism } from './checks/nondeterminism';
import { checkParams } from './checks/params';
import { checkLifecycleNames, checkOnBar, checkStrategyClass } from './checks/structure';
import { createContext, diagnostic, runChecks, sdkLookup, type Check } from './context';
import { projectFileName, StrategyProject } from './project';
import { carryOver, regionTypeDiagnostics, textChange } from './region';
import { oneDiagnosticPerRootCause } from './rootCause';
import { outlineOf } from './outline';
import { syntaxDiagnostics, typeDiagnostics } from './typecheck';
import { ValidationCancelled, type CancellationToken, type StrategyDiagnostic, type ValidationResult } from './types';

export { RULES, RULE_CODES, type RuleCode } from './rules';
export { StrategyProject, projectFileName, STRATEGY_COMPILER_OPTIONS, SDK_DTS_PATH } from './project';
export * from './types';
export { sdkLookup, type SdkLookup } from './context';
export { configFields, timeframes, staticConfigMember } from './checks/config';
export { ensureSdkImport } from './edits';
export { isBlankSource, strategySkeleton, skeletonClassName } from './skeleton';

/** The rule checks in the order they run (after SL001/SL002). */
const CHECKS: readonly Check[] = [
  checkStrategyClass,
  checkOnBar,
  checkLifecycleNames,
  checkConfig,
  checkIsolation,
  checkFunctionRoutes,
  checkNondeterminism,
  checkLookAhead,
  checkInSampleDates,
  checkUnboundedLoops,
  checkParams,
];

/**
 * The structural rules (SL010–SL030: the class, onBar, lifecycle names, config): all a file above
 * MAX_FULL_CHECK_CHARS gets, since they need no type check of the code inside the methods.
 */
const STRUCTURAL_CHECKS: readonly Check[] = [checkStrategyClass, checkOnBar, checkLifecycleNames, checkConfig];

/**
 * Files longer than this (in UTF-16 characters, about 512 KB of ASCII) get only syntax and the structural rules in
 * the editor, plus a notice saying so (docs/validation.md, "Size limit"): a full check of a 5 MB file takes
 * 10 s or more of CPU and about 1 GB of memory, for a file no strategy needs to be.
 */
export const MAX_FULL_CHECK_CHARS = 512 * 1024;

/** From this many syntax errors on, the file is not type-checked (only SL001 is reported). */
export const MAX_SYNTAX_ERRORS_TYPE_CHECKED = 200;

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2, hint: 3 } as const;

/**
 * Validates strategy files: a type check against the SDK declarations, then
 * every SL rule. Holds one incremental StrategyProject, so re-validating an
 * edited file re-parses only that file.
 */
export class StrategyValidator {
  constructor(readonly project: StrategyProject = new StrategyProject()) {}

  /** Validates `fileName` (its text set with `project.setFile`, or passed here), all at once. */
  validate(fileName: string, text?: string): ValidationResult {
    const phases = this.phases(fileName, text, {});
    let step = phases.next();
    while (!step.done) step = phases.next();
    return step.value;
  }

  /**
   * Same as `validate`, but yields to the event loop between phases (parse,
   * rules, type check) so a server stays responsive, and stops with
   * ValidationCancelled once `token` is cancelled (the document changed).
   * With `options.previous` and `options.onPartial`, a quick result comes first (see ValidateOptions).
   */
  async validateAsync(fileName: string, token: CancellationToken, text?: string, options: ValidateOptions = {}): Promise<ValidationResult> {
    const phases = this.phases(fileName, text, options);
    for (;;) {
      if (token.isCancellationRequested) throw new ValidationCancelled();
      const step = phases.next();
      if (step.done) return step.value;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Syntax and the structural rules only, plus an SL000 notice saying the rest was not checked (the language
   * server's check of a file above MAX_FULL_CHECK_CHARS, run in a worker thread with a project of its own).
   */
  validateStructure(fileName: string, text: string): ValidationResult {
    const { outline, syntaxErrors: syntactic } = outlineOf(fileName, text);
    this.project.setFile(fileName, outline);
    const program = this.project.program();
    const file = program.getSourceFile(fileName)!;
    const diagnostics = syntaxDiagnostics(file, syntactic);
    if (syntactic.length === 0) runChecks(createContext(file, program, diagnostics), STRUCTURAL_CHECKS);
    const kb = Math.round(text.length / 1024).toLocaleString('en-US');
    const notice = `This file is ${kb} KB, above the ${MAX_FULL_CHECK_CHARS / 1024} KB Strategy Lab checks in full: only syntax and the structural rules (SL010–SL030) ran; type errors and the other rules are not checked. Move data out of the strategy (tables, generated code) to get the full check.`;
    diagnostics.push(diagnostic(file, 'SL000', 'info', notice, 0, 0));
    return assemble(file, diagnostics);
  }

  private *phases(fileName: string, text: string | undefined, options: ValidateOptions): Generator<void, ValidationResult> {
    if (text !== undefined) this.project.setFile(fileName, text);
    if (!this.project.hasFile(fileName)) throw new Error(`${fileName} is not open in the validator: pass its text.`);
    const service = this.project.service;
    const syntactic = service.getSyntacticDiagnostics(fileName);
    const program = this.project.program();
    const file = program.getSourceFile(fileName)!;
    const syntax = syntaxDiagnostics(file, syntactic);
    yield;
    const ruleDiagnostics: StrategyDiagnostic[] = [];
    // On a file that does not parse, structural rules would flicker while the user types: wait for SL001 to clear.
    if (syntactic.length === 0) {
      runChecks(createContext(file, program, ruleDiagnostics), CHECKS);
      yield;
    }
    const { previous, onPartial } = options;
    const change = previous && onPartial && syntactic.length === 0 ? textChange(previous.text, file.text) : undefined;
    const region = change && regionTypeDiagnostics(service, file, change);
    if (change && region) {
      const carried = carryOver(previous!.result.diagnostics.filter((d) => d.code === 'SL002'), change, region.spans, file);
      onPartial!({ ...assemble(file, [...syntax, ...typeDiagnostics(file, region.diagnostics, ruleDiagnostics, sdkLookup(program)), ...carried, ...ruleDiagnostics]), partial: true });
      yield;
    }
    // Hundreds of syntax errors: not TypeScript yet (random text, a binary pasted in). Its type errors would be
    // noise, and checking them costs seconds.
    if (syntactic.length >= MAX_SYNTAX_ERRORS_TYPE_CHECKED) return assemble(file, syntax);
    const semantic = service.getSemanticDiagnostics(fileName);
    return assemble(file, [...syntax, ...typeDiagnostics(file, semantic, ruleDiagnostics, sdkLookup(program)), ...ruleDiagnostics]);
  }
}

/**
 * Asks for a quick result before the complete one (the language server on long files): the type check covers
 * only the statements around the edit since `previous`, all rules and syntax are checked in full, and the
 * type errors `previous` found elsewhere are carried over, moved with the text (core/validate/region.ts).
 */
export interface ValidateOptions {
  /** The last complete result of this file and the exact text it was computed on. */
  previous?: { text: string; result: ValidationResult };
  /** Receives the quick result (`partial: true`); not called when TypeScript cannot narrow the check. */
  onPartial?: (result: ValidationResult) => void;
}

function assemble(file: ts.SourceFile, all: StrategyDiagnostic[]): ValidationResult {
  const fileName = file.fileName;
  const diagnostics = oneDiagnosticPerRootCause(file, all);
  diagnostics.sort((a, b) => a.start - b.start || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.code.localeCompare(b.code));
  return {
    fileName,
    diagnostics,
    errorCount: diagnostics.filter((d) => d.severity === 'error').length,
    warningCount: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

let shared: StrategyValidator | undefined;

/**
 * One-shot validation of a strategy's source (CLI, evaluation pipeline).
 * Reuses one process-wide project so lib and SDK are parsed once.
 */
export function validateStrategySource(source: string, fileName = 'strategy.ts'): ValidationResult {
  shared ??= new StrategyValidator();
  const name = projectFileName(fileName);
  try {
    return { ...shared.validate(name, source), fileName };
  } finally {
    shared.project.removeFile(name);
  }
}
