import ts from 'typescript';
import type { StrategyDiagnostic } from './types';

/**
 * Region-first type checking, as tsserver does for long files: after an edit, TypeScript checks only the
 * statements around the change (a fraction of the whole-file check), and the type errors found elsewhere by the
 * last complete check are carried over, moved with the text. The complete check follows and replaces them.
 */

/** Where `before` and `after` differ: one span, in both texts' offsets (common prefix and suffix kept out). */
export interface TextChange {
  start: number;
  /** End of the replaced text in `before`. */
  oldEnd: number;
  /** End of the inserted text in `after`. */
  newEnd: number;
}

/** The single span that covers every difference between two texts; undefined when they are equal. */
export function textChange(before: string, after: string): TextChange | undefined {
  if (before === after) return undefined;
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start: prefix, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}

/**
 * The type errors of the previous complete check that still stand where they were: those before the change
 * keep their offsets, those after it move by the change's length, those touching it are dropped, and so are
 * those inside the spans TypeScript has just re-checked (its fresh answer replaces them). Ranges are
 * recomputed on the new file.
 */
export function carryOver(previous: readonly StrategyDiagnostic[], change: TextChange, checked: readonly ts.TextSpan[], file: ts.SourceFile): StrategyDiagnostic[] {
  const delta = change.newEnd - change.oldEnd;
  const out: StrategyDiagnostic[] = [];
  for (const d of previous) {
    const end = d.start + d.length;
    let start: number;
    if (end <= change.start && d.start < change.start) start = d.start;
    else if (d.start >= change.oldEnd) start = d.start + delta;
    else continue;
    if (checked.some((s) => start < s.start + s.length && start + d.length > s.start)) continue;
    out.push({
      ...d,
      start,
      range: { start: file.getLineAndCharacterOfPosition(start), end: file.getLineAndCharacterOfPosition(start + d.length) },
    });
  }
  return out;
}

/** `LanguageService.getRegionSemanticDiagnostics` (TypeScript ≥ 5.6; used by tsserver, absent from the public typings). */
type RegionService = ts.LanguageService & {
  getRegionSemanticDiagnostics?(fileName: string, ranges: ts.TextRange[]): { diagnostics: ts.Diagnostic[]; spans: ts.TextSpan[] } | undefined;
};

/** Whether this TypeScript offers region checks (a test pins it for the TypeScript version we ship). */
export function supportsRegionCheck(service: ts.LanguageService): boolean {
  return typeof (service as RegionService).getRegionSemanticDiagnostics === 'function';
}

/**
 * Type errors of the statements around `change` only, and the spans checked. Undefined when TypeScript cannot
 * narrow the check (the change covers the whole file, or the whole-file result is already cached).
 */
export function regionTypeDiagnostics(service: ts.LanguageService, file: ts.SourceFile, change: TextChange): { diagnostics: ts.Diagnostic[]; spans: ts.TextSpan[] } | undefined {
  if (!supportsRegionCheck(service)) return undefined;
  // A pure deletion is an empty span: widen it by one character so the statement around it is re-checked.
  const end = Math.min(file.end, Math.max(change.newEnd, change.start + 1));
  return (service as RegionService).getRegionSemanticDiagnostics!(file.fileName, [{ pos: Math.min(change.start, end), end }]);
}
