import ts from 'typescript';
import { diagnostic, withSuggestion, type SdkLookup } from './context';
import { ensureSdkImport } from './edits';
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
export function typeDiagnostics(file: ts.SourceFile, diagnostics: readonly ts.Diagnostic[], ruleDiagnostics: StrategyDiagnostic[], sdk?: SdkLookup): StrategyDiagnostic[] {
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
    if (superseded(d, text)) continue;
    const converted = fromTs(file, d, 'SL002', ruleMessage('SL002', 'type', `${text} (TS${d.code})`).message);
    const suggested = didYouMean(file, d, text);
    if (suggested) withSuggestion(converted, file, converted.start, converted.start + converted.length, suggested);
    const missingImport = sdk && unknownSdkName(file, d, sdk);
    if (missingImport) converted.fixes.unshift({ title: `Import '${missingImport.name}' from '${missingImport.module}'`, edits: ensureSdkImport(file, [missingImport], missingImport.module) });
    out.push(converted);
  }
  return out;
}

/**
 * TypeScript's own "did you mean" for a misspelt name (`Property 'symbl' does not exist on type 'Bar'. Did you
 * mean 'symbol'?`, `Cannot find name 'closes'. Did you mean the instance member 'this.closes'?`, an import's
 * `…has no exported member named 'Sma'. Did you mean 'SMA'?`): the name it suggests for the marked identifier.
 */
function didYouMean(file: ts.SourceFile, d: ts.Diagnostic, text: string): string | undefined {
  const m = /Did you mean (?:the (?:instance|static) member )?'([\w$.]+)'\?$/.exec(text);
  if (!m || d.start === undefined || !d.length) return undefined;
  // Only where TypeScript marks exactly a name: the suggestion replaces it.
  return /^[A-Za-z_$][\w$]*$/.test(file.text.slice(d.start, d.start + d.length)) ? m[1] : undefined;
}

const SDK_MODULES = ['strategy-lab/indicators', 'strategy-lab'] as const;

/** "Cannot find name 'EMA'" where the name is one the SDK exports: the import it needs (a type-only one for types). */
function unknownSdkName(file: ts.SourceFile, d: ts.Diagnostic, sdk: SdkLookup): { name: string; module: string; typeOnly: boolean } | undefined {
  if ((d.code !== 2304 && d.code !== 2552) || d.start === undefined || !d.length) return undefined;
  const name = file.text.slice(d.start, d.start + d.length);
  for (const module of SDK_MODULES) {
    const symbol = sdk.sdkSymbol(name, module);
    if (symbol) return { name, module, typeOnly: !(symbol.flags & ts.SymbolFlags.Value) };
  }
  return undefined;
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
