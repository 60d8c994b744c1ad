/**
 * What a strategy's code says, read from its AST (TypeScript compiler API,
 * nothing executed): params and their values, indicators constructed with
 * their resolved arguments, order calls with their options, the numbers used
 * in comparisons, and where each of these is. Request alignment checks these
 * facts; findings are mapped onto their lines.
 */
import ts from 'typescript';
import { readStrategyInfo } from '../../strategy/config';
import * as indicators from '../../sdk/indicators/index';

/** A place in the file: 0-based line/character (LSP) of a node's start and end. */
export interface Span {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface IndicatorUse {
  className: string;
  /** Constructor arguments resolved to numbers (literals, `this.params.x`, constants); null when not resolvable. */
  args: (number | null)[];
  /** Names of the params the arguments read, when they do. */
  argParams: (string | null)[];
  span: Span;
}

export interface OrderCall {
  method: 'buy' | 'sell' | 'close';
  /** Order options given as an object literal: name → resolved number (null when not a number). */
  options: Record<string, number | null>;
  span: Span;
}

export interface Threshold {
  value: number;
  /** The param it comes from, if it is `this.params.x`. */
  param: string | null;
  operator: string;
  span: Span;
}

export interface CodeFacts {
  className: string | null;
  symbols: string[] | null;
  timeframe: string | null;
  configSpan: Span | null;
  params: Map<string, { value: number | boolean | null; span: Span }>;
  indicators: IndicatorUse[];
  orders: OrderCall[];
  /** Numbers on either side of a comparison (<, <=, >, >=), and cross-helper arguments. */
  thresholds: Threshold[];
  /** Every numeric literal in the file, with params resolved (for loose checks). */
  numbers: Set<number>;
  methods: Map<string, Span>;
}

const INDICATOR_CLASSES = new Set(Object.keys(indicators).filter((k) => /^[A-Z]/.test(k) && k !== 'IndicatorError' && k !== 'Cross'));

export function readCodeFacts(source: string, fileName = 'strategy.ts'): CodeFacts {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const info = readStrategyInfo(source, fileName);
  const span = (node: ts.Node): Span => {
    const s = file.getLineAndCharacterOfPosition(node.getStart(file));
    const e = file.getLineAndCharacterOfPosition(node.getEnd());
    return { start: s, end: e };
  };
  const constants = new Map<string, number>();
  const params = new Map<string, { value: number | boolean | null; span: Span }>();
  const facts: CodeFacts = {
    className: info.className,
    symbols: Array.isArray(info.config?.symbols) ? info.config!.symbols! : null,
    timeframe: typeof info.config?.timeframe === 'string' ? info.config.timeframe : null,
    configSpan: null,
    params,
    indicators: [],
    orders: [],
    thresholds: [],
    numbers: new Set(),
    methods: new Map(),
  };

  const cls = file.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword));
  // Module-level `const X = 30` constants, so `rsi < OVERSOLD` still counts as 30.
  for (const st of file.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer) {
        const v = numberOf(d.initializer, constants, params);
        if (typeof v === 'number') constants.set(d.name.text, v);
      }
    }
  }
  if (cls) {
    for (const m of cls.members) {
      const name = m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? m.name.text : undefined;
      if (!name) continue;
      if (ts.isPropertyDeclaration(m) && name === 'params' && m.initializer) {
        const init = unwrap(m.initializer);
        if (ts.isObjectLiteralExpression(init)) {
          for (const p of init.properties) {
            if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
            const v = unwrap(p.initializer);
            const value = v.kind === ts.SyntaxKind.TrueKeyword ? true : v.kind === ts.SyntaxKind.FalseKeyword ? false : numberOf(v, constants, params);
            params.set(p.name.text, { value: value ?? null, span: span(p) });
          }
        }
      } else if (ts.isPropertyDeclaration(m) && name === 'config' && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) {
        facts.configSpan = span(m);
      } else if (ts.isMethodDeclaration(m)) {
        facts.methods.set(name, span(m.name));
      }
    }
  }

  const visit = (node: ts.Node) => {
    if (ts.isNumericLiteral(node)) facts.numbers.add(Number(node.text));
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && INDICATOR_CLASSES.has(node.expression.text)) {
      const args = node.arguments ?? ts.factory.createNodeArray();
      facts.indicators.push({
        className: node.expression.text,
        args: args.map((a) => numberOf(a, constants, params)),
        argParams: args.map((a) => paramName(a)),
        span: span(node),
      });
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const method = node.expression.name.text;
      if (method === 'buy' || method === 'sell' || method === 'close') {
        const options: Record<string, number | null> = {};
        const arg = node.arguments[1] && unwrap(node.arguments[1]);
        if (arg && ts.isObjectLiteralExpression(arg)) {
          for (const p of arg.properties) {
            if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) options[p.name.text] = numberOf(p.initializer, constants, params);
            else if (ts.isShorthandPropertyAssignment(p)) options[p.name.text] = null;
          }
        }
        facts.orders.push({ method, options, span: span(node) });
      }
      if (method === 'crossedAbove' || method === 'crossedBelow') addCrossArgs(node);
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && (node.expression.text === 'crossedAbove' || node.expression.text === 'crossedBelow')) addCrossArgs(node);
    if (ts.isBinaryExpression(node) && COMPARISONS.has(node.operatorToken.kind)) {
      for (const side of [node.left, node.right]) {
        for (const leaf of numericLeaves(side)) {
          const v = numberOf(leaf, constants, params);
          if (v !== null) facts.thresholds.push({ value: v, param: paramName(leaf), operator: node.operatorToken.getText(file), span: span(node) });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  const addCrossArgs = (node: ts.CallExpression) => {
    for (const a of node.arguments) {
      for (const leaf of numericLeaves(a)) {
        const v = numberOf(leaf, constants, params);
        if (v !== null) facts.thresholds.push({ value: v, param: paramName(leaf), operator: 'cross', span: span(node) });
      }
    }
  };
  visit(file);
  for (const p of params.values()) if (typeof p.value === 'number') facts.numbers.add(p.value);
  return facts;
}

const COMPARISONS = new Set([
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);

/** Sub-expressions that can stand for a number: literals, params, constants, and factors of products (`1.5 * avg`). */
function numericLeaves(node: ts.Expression): ts.Expression[] {
  const n = unwrap(node);
  if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.AsteriskToken || n.operatorToken.kind === ts.SyntaxKind.SlashToken)) {
    return [...numericLeaves(n.left), ...numericLeaves(n.right)];
  }
  return [n];
}

function unwrap(node: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node)) node = node.expression;
  return node;
}

/** `this.params.x` → "x". */
function paramName(node: ts.Expression): string | null {
  const n = unwrap(node);
  if (ts.isPropertyAccessExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'params' && n.expression.expression.kind === ts.SyntaxKind.ThisKeyword) {
    return n.name.text;
  }
  return null;
}

function numberOf(node: ts.Expression, constants: Map<string, number>, params: Map<string, { value: number | boolean | null }>): number | null {
  const n = unwrap(node);
  if (ts.isNumericLiteral(n)) return Number(n.text);
  if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.MinusToken) {
    const v = numberOf(n.operand, constants, params);
    return v === null ? null : -v;
  }
  const p = paramName(n);
  if (p !== null) {
    const v = params.get(p)?.value;
    return typeof v === 'number' ? v : null;
  }
  if (ts.isIdentifier(n) && constants.has(n.text)) return constants.get(n.text)!;
  return null;
}
