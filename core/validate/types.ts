/** Shapes the validator hands to the language server, the CLI and the evaluation pipeline (LSP-compatible positions). */

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** 0-based line and UTF-16 character, as in LSP and TypeScript. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A code action that repairs a diagnostic: edits to the same file. */
export interface QuickFix {
  title: string;
  edits: TextEdit[];
}

export interface StrategyDiagnostic {
  /** Stable rule code, e.g. `SL030` (see RULES). */
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  /** Offset of the range's start in the file (UTF-16 units). */
  start: number;
  length: number;
  /** Fixes offered for this diagnostic, cheapest first (may be empty). */
  fixes: QuickFix[];
  /**
   * The "did you mean" of the message, structured: replacing `range` with `replacement` is the suggested repair
   * (also offered as the first fix). The language server carries it in the LSP diagnostic's `data`.
   */
  suggestion?: Suggestion;
}

/** A "did you mean" replacement: the text at `range` becomes `replacement`. */
export interface Suggestion {
  range: Range;
  /** The text now at `range`. */
  original: string;
  replacement: string;
}

export interface ValidationResult {
  fileName: string;
  diagnostics: StrategyDiagnostic[];
  errorCount: number;
  warningCount: number;
  /**
   * Set on the language server's quick result: only the edited region was type-checked, other type errors are
   * the last complete check's (see ValidateOptions). The complete result follows.
   */
  partial?: true;
}

/** Asked between validation phases; a superseded run stops early. */
export interface CancellationToken {
  readonly isCancellationRequested: boolean;
}

export class ValidationCancelled extends Error {
  constructor() {
    super('Validation cancelled: the document changed.');
    this.name = 'ValidationCancelled';
  }
}
