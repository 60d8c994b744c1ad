/**
 * What the language server publishes when the full list of problems cannot be shown (code SL000, not a rule;
 * docs/validation.md): a check that failed, and the cap on diagnostics per file.
 */
import { MAX_FULL_CHECK_CHARS, type StrategyDiagnostic, type ValidationResult } from '../core/validate/index';

/** SL000 (the list shown is incomplete, docs/validation.md): the check itself failed (e.g. a file nested too deeply for the parser); the message says what to do. */
export function validationFailed(fileName: string, error: unknown): ValidationResult {
  const reason = String((error as Error)?.message ?? error).split('\n')[0].slice(0, 200);
  const why = /call stack|too much recursion/i.test(reason) ? `${reason}: it is nested too deeply for the TypeScript parser, e.g. hundreds of brackets or template literals inside each other` : reason;
  const message = `Strategy Lab could not check this file (${why}), so no problems are listed for it and hover and completion are off here. Simplify what changed last (flatten deeply nested expressions), or see the "Strategy Lab" output channel.`;
  const diagnostic: StrategyDiagnostic = { code: 'SL000', severity: 'warning', message, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, start: 0, length: 0, fixes: [] };
  return { fileName, diagnostics: [diagnostic], errorCount: 0, warningCount: 1 };
}

/**
 * At most this many diagnostics are published per file (errors first), then one line saying how many more there
 * are: a file of random bytes gives tens of thousands, which no one reads and which stall the editor.
 */
export const MAX_DIAGNOSTICS_PER_FILE = 200;

export function capped(diagnostics: StrategyDiagnostic[]): StrategyDiagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS_PER_FILE) return diagnostics;
  const rank = { error: 0, warning: 1, info: 2, hint: 3 } as const;
  const kept = [...diagnostics].sort((a, b) => rank[a.severity] - rank[b.severity] || a.start - b.start).slice(0, MAX_DIAGNOSTICS_PER_FILE);
  const more = diagnostics.length - kept.length;
  const zero = { line: 0, character: 0 };
  kept.push({ code: 'SL000', severity: 'info', message: `${more.toLocaleString('en-US')} more problems are not listed (the first ${MAX_DIAGNOSTICS_PER_FILE} are, errors first): fix these, or check that this is a strategy file.`, range: { start: zero, end: zero }, start: 0, length: 0, fixes: [] });
  return kept;
}


/**
 * How a document is checked: `full` (the shared project: every rule, the type check, hover and completion),
 * `structure` (above MAX_FULL_CHECK_CHARS: syntax and the structural rules, in a worker thread), or `binary`
 * (a NUL or more than 1 % control characters in the first 64 KB: not source code, so not parsed at all; parsing
 * 256 KB of random bytes costs seconds and yields tens of thousands of meaningless errors).
 */
export type CheckKind = 'full' | 'structure' | 'binary';

export function checkKind(text: string): CheckKind {
  if (looksBinary(text)) return 'binary';
  return text.length > MAX_FULL_CHECK_CHARS ? 'structure' : 'full';
}

function looksBinary(text: string): boolean {
  const sample = text.slice(0, 64 * 1024);
  if (sample.includes('\0')) return true;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || (c >= 0x7f && c < 0xa0)) control++;
  }
  return sample.length > 0 && control / sample.length > 0.01;
}

/** SL000 for a binary document: said once, instead of thousands of syntax errors. */
export function binaryNotice(fileName: string): ValidationResult {
  const message = 'This file holds binary data (NUL or control characters), not TypeScript, so Strategy Lab does not check it. If it should be a strategy, restore its text (e.g. from version control).';
  const diagnostic: StrategyDiagnostic = { code: 'SL000', severity: 'warning', message, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, start: 0, length: 0, fixes: [] };
  return { fileName, diagnostics: [diagnostic], errorCount: 0, warningCount: 1 };
}
