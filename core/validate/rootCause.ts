import ts from 'typescript';
import type { StrategyDiagnostic } from './types';

/**
 * One root cause, one diagnostic. Several checks can see the same mistake (a misspelt `onbar` is also a class
 * without `onBar`; `process` is both an unknown name to TypeScript and a forbidden global): the user should read
 * it once, in the most actionable words, with its quick fix. Precedence, most actionable first (docs/validation.md,
 * "One root cause, one diagnostic"):
 *
 * 1. A rule (SL010–SL070) beats TypeScript's type error (SL002) about the same code: an SL002 whose range
 *    overlaps a rule's range, or lies in the expression a forbidden global or import starts (`globalThis.x`,
 *    `process.env.KEY`), is dropped: the rule says what to do instead, TypeScript only that the name is unknown.
 * 2. A misspelt lifecycle method (SL021, with its rename fix) beats "the class has no onBar" (SL020 `missing`)
 *    for the same class.
 * 3. An unknown config field whose suggestion is a missing field (`symbol`, did you mean `symbols`?) beats
 *    "config has no 'symbols'" (SL030 `missingField`).
 * 4. The same code on the same range is reported once (the first, which carries the fixes).
 */
export function oneDiagnosticPerRootCause(file: ts.SourceFile, diagnostics: StrategyDiagnostic[]): StrategyDiagnostic[] {
  const rules = diagnostics.filter((d) => d.code !== 'SL001' && d.code !== 'SL002');
  const ruleSpans = rules.map((r) => (r.code === 'SL041' || r.code === 'SL040' ? expressionSpan(file, r) : { start: r.start, end: r.start + r.length }));
  const misspeltOnBar = rules.some((r) => r.code === 'SL021' && r.suggestion?.replacement === 'onBar');
  const suggestedFields = new Set(rules.filter((r) => r.code === 'SL030' && r.suggestion && /^Unknown config field/.test(r.message)).map((r) => r.suggestion!.replacement));
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}:${d.start}:${d.length}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    if (d.code === 'SL002') return !ruleSpans.some((s) => overlaps(s, d));
    if (d.code === 'SL020' && misspeltOnBar && /has no onBar method/.test(d.message)) return false;
    if (d.code === 'SL030' && [...suggestedFields].some((f) => d.message.startsWith(`config has no '${f}'`))) return false;
    return true;
  });
}

function overlaps(span: { start: number; end: number }, d: StrategyDiagnostic): boolean {
  const end = d.start + Math.max(d.length, 1);
  return d.start < Math.max(span.end, span.start + 1) && span.start < end;
}

/**
 * The expression a forbidden name starts: from the name out through the member accesses, element accesses and
 * calls it is the head of (`process.env.KEY`, `globalThis.x`, `require('fs').readFileSync`), where TypeScript's
 * follow-on errors about the unknown value land.
 */
function expressionSpan(file: ts.SourceFile, d: StrategyDiagnostic): { start: number; end: number } {
  let node: ts.Node | undefined = tokenAt(file, d.start);
  if (!node || node.getStart(file) !== d.start) return { start: d.start, end: d.start + d.length };
  while (node.parent && isHeadOf(node.parent, node)) node = node.parent;
  return { start: d.start, end: Math.max(node.getEnd(), d.start + d.length) };
}

function isHeadOf(parent: ts.Node, child: ts.Node): boolean {
  return (
    ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent) || ts.isCallExpression(parent) || ts.isNonNullExpression(parent)) && parent.expression === child) ||
    (ts.isBinaryExpression(parent) && parent.left === child && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken)
  );
}

function tokenAt(file: ts.SourceFile, offset: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (offset < node.getFullStart() || offset >= node.getEnd()) return;
    found = node;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return found;
}
