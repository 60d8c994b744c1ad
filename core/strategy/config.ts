import ts from 'typescript';
import type { StrategyConfig } from '../sdk/types';

export interface StaticStrategyInfo {
  className: string | null;
  /** The `static config` literal when every field is a literal; null when absent or computed. */
  config: Partial<StrategyConfig> | null;
  /** Why config could not be read, if it could not. */
  problem?: string;
}

/**
 * Reads a strategy's class name and `static config` from its source without
 * running it: the host must know which data to fetch before untrusted code
 * runs in the sandbox.
 */
export function readStrategyInfo(source: string, fileName = 'strategy.ts'): StaticStrategyInfo {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const cls = file.statements.find(
    (s): s is ts.ClassDeclaration =>
      ts.isClassDeclaration(s) && !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) && !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword),
  );
  if (!cls) return { className: null, config: null, problem: 'no default-exported class' };
  const className = cls.name?.text ?? null;
  const member = cls.members.find(
    (m): m is ts.PropertyDeclaration =>
      ts.isPropertyDeclaration(m) && !!m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword) && ts.isIdentifier(m.name) && m.name.text === 'config',
  );
  if (!member?.initializer) return { className, config: null, problem: 'no `static config = { … }` on the class' };
  const value = literalValue(member.initializer);
  if (value === undefined || typeof value !== 'object' || Array.isArray(value) || value === null) {
    return { className, config: null, problem: '`static config` is not a plain object literal' };
  }
  return { className, config: value as Partial<StrategyConfig> };
}

/**
 * The strategy's declared `params = { … }` (an instance field of the default-exported class), read without
 * running it: sweeps validate their parameter space against it. null with `problem` when absent or computed.
 */
export function readDeclaredParams(source: string, fileName = 'strategy.ts'): { params: Record<string, number | boolean> | null; problem?: string } {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const cls = file.statements.find(
    (s): s is ts.ClassDeclaration =>
      ts.isClassDeclaration(s) && !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) && !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword),
  );
  if (!cls) return { params: null, problem: 'no default-exported class' };
  const member = cls.members.find(
    (m): m is ts.PropertyDeclaration =>
      ts.isPropertyDeclaration(m) && !m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword) && ts.isIdentifier(m.name) && m.name.text === 'params',
  );
  if (!member?.initializer) return { params: null, problem: 'the class declares no `params = { … }`' };
  let init: ts.Expression = member.initializer;
  while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
  if (!ts.isObjectLiteralExpression(init)) return { params: null, problem: '`params` is not a plain object literal' };
  const params: Record<string, number | boolean> = {};
  for (const p of init.properties) {
    const key = ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
    if (key === undefined || !ts.isPropertyAssignment(p)) return { params: null, problem: '`params` is not a plain object literal' };
    // Params may be negative (-0.02): a minus before a number literal is allowed here.
    const v = ts.isPrefixUnaryExpression(p.initializer) && p.initializer.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(p.initializer.operand)
      ? -Number(p.initializer.operand.text)
      : literalValue(p.initializer);
    if (typeof v !== 'number' && typeof v !== 'boolean') return { params: null, problem: `param '${key}' is not a number or boolean literal` };
    params[key] = v;
  }
  return { params };
}

function literalValue(node: ts.Expression): unknown {
  while (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node)) node = node.expression;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isArrayLiteralExpression(node)) {
    const items = node.elements.map((e) => literalValue(e));
    return items.some((i) => i === undefined) ? undefined : items;
  }
  if (ts.isObjectLiteralExpression(node)) {
    const out: Record<string, unknown> = {};
    for (const p of node.properties) {
      if (!ts.isPropertyAssignment(p)) return undefined;
      const key = ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : undefined;
      if (key === undefined) return undefined;
      const v = literalValue(p.initializer);
      if (v === undefined) return undefined;
      out[key] = v;
    }
    return out;
  }
  return undefined;
}
