/**
 * Evaluator findings as diagnostics on the strategy's lines: each anchor is
 * resolved on the AST (code/facts.ts) to the responsible code, e.g. "the exit
 * condition never fired" lands on the `this.close(…)` call. The language
 * server publishes these next to the validator's diagnostics.
 */
import type { Finding } from '../types';
import { readCodeFacts, type CodeFacts, type Span } from './facts';

export interface FindingDiagnostic {
  /** 1-based line of the start (for CLI output). */
  line: number;
  /** 0-based LSP range. */
  range: Span;
  message: string;
  severity: Finding['severity'];
  /** Always 'strategy-lab-evaluate', so clients can tell them from validator diagnostics. */
  source: 'strategy-lab-evaluate';
}

export function findingsToDiagnostics(source: string, findings: readonly Finding[], fileName = 'strategy.ts'): FindingDiagnostic[] {
  if (findings.length === 0) return [];
  const facts = readCodeFacts(source, fileName);
  const lines = source.split('\n');
  const out: FindingDiagnostic[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    for (const span of spansFor(f, facts, lines)) {
      const key = `${span.start.line}:${span.start.character}:${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ line: span.start.line + 1, range: span, message: f.message, severity: f.severity, source: 'strategy-lab-evaluate' });
    }
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

function spansFor(f: Finding, facts: CodeFacts, lines: string[]): Span[] {
  const a = f.anchor;
  const fallback = (): Span[] => {
    const cls = facts.methods.get('onBar') ?? facts.configSpan;
    return cls ? [cls] : [wholeLine(0, lines)];
  };
  switch (a.kind) {
    case 'line':
      return a.line >= 1 && a.line <= lines.length ? [wholeLine(a.line - 1, lines)] : fallback();
    case 'call': {
      const spans = facts.orders.filter((o) => o.method === a.method).map((o) => o.span);
      return spans.length ? spans : fallback();
    }
    case 'rule': {
      const buys = facts.orders.filter((o) => o.method === 'buy');
      const sells = facts.orders.filter((o) => o.method === 'sell');
      const closes = facts.orders.filter((o) => o.method === 'close');
      // A long strategy enters with buy and exits with close/sell; a short one the other way round.
      const shortOnly = buys.length === 0 && sells.length > 0;
      const entry = shortOnly ? sells : buys;
      const exit = closes.length ? closes : shortOnly ? [] : sells;
      const spans = (a.role === 'entry' ? entry : exit).map((o) => o.span);
      return spans.length ? spans : fallback();
    }
    case 'param': {
      const p = facts.params.get(a.name);
      return p ? [p.span] : fallback();
    }
    case 'indicator': {
      const spans = facts.indicators.filter((i) => i.className === a.className).map((i) => i.span);
      return spans.length ? spans : fallback();
    }
    case 'config':
      return facts.configSpan ? [facts.configSpan] : fallback();
    case 'method': {
      const m = facts.methods.get(a.name);
      return m ? [m] : fallback();
    }
  }
}

function wholeLine(line: number, lines: string[]): Span {
  const text = lines[line] ?? '';
  const first = text.length - text.trimStart().length;
  return { start: { line, character: first }, end: { line, character: text.replace(/\r$/, '').length } };
}
