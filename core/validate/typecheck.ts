import ts from 'typescript';
import { diagnostic } from './context';
import { ruleMessage } from './rules';
import type { StrategyDiagnostic } from './types';

/** SL001: what the parser rejects. */
export function syntaxDiagnostics(file: ts.SourceFile, diagnostics: readonly ts.Diagnostic[]): StrategyDiagnostic[] {
  return diagnostics.map((d) => fromTs(file, d, 'SL001', ruleMessage('SL001', 'syntax', flatten(d)).message));
}

/**
 * SL002: type errors against the SDK, minus the ones a rule reports better at
 * the same place (the rule's message says what to do; TypeScript's does not):
 * unresolvable imports (SL040/SL041), the widened `static config` literal
 * (SL030 checks it field by field), a missing or mistyped `onBar` (SL020) and
 * non-numeric params (SL060).
 */
export function typeDiagnostics(file: ts.SourceFile, diagnostics: readonly ts.Diagnostic[], ruleDiagnostics: StrategyDiagnostic[]): StrategyDiagnostic[] {
  const has = (code: string, where?: (d: StrategyDiagnostic) => boolean) => ruleDiagnostics.some((r) => r.code === code && (!where || where(r)));
  const superseded = (d: ts.Diagnostic, text: string): boolean => {
    switch (d.code) {
      case 2307: // Cannot find module
      case 2792:
        return has('SL040', (r) => covers(r, d)) || has('SL041', (r) => covers(r, d));
      case 2417: // class static side incompatible: the config literal widened
        return /'config/.test(text);
      case 2515: // does not implement inherited abstract member
      case 2653:
      case 2654:
        return /\bonBar\b/.test(text) && has('SL020');
      case 2416: // property incompatible with the base class
        return (/\bonBar\b/.test(text) && has('SL020')) || (/\bparams\b/.test(text) && has('SL060'));
      default:
        return false;
    }
  };
  const out: StrategyDiagnostic[] = [];
  for (const d of diagnostics) {
    // "Do you need to install type definitions for node?": no, Node APIs are off limits (SL041 says so).
    const text = flatten(d).replace(/\. Do you need to (install|change).*$/s, '');
    if (!superseded(d, text)) out.push(fromTs(file, d, 'SL002', ruleMessage('SL002', 'type', `${text} (TS${d.code})`).message));
  }
  return out;
}

function covers(r: StrategyDiagnostic, d: ts.Diagnostic): boolean {
  return d.start !== undefined && r.start <= d.start && d.start < r.start + Math.max(r.length, 1);
}

function fromTs(file: ts.SourceFile, d: ts.Diagnostic, code: 'SL001' | 'SL002', message: string): StrategyDiagnostic {
  const start = d.start ?? 0;
  const severity = d.category === ts.DiagnosticCategory.Warning ? 'warning' : d.category === ts.DiagnosticCategory.Suggestion ? 'hint' : 'error';
  return diagnostic(file, code, code === 'SL001' ? 'error' : severity, message, start, start + (d.length ?? 0));
}

function flatten(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\.$/, '');
}
