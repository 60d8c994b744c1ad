import ts from 'typescript';
import { unwrap, type NodeVisitor, type RuleContext } from '../context';
import { isDateValue } from './inSampleDates';
import { isConst } from './typeFacts';

/** SL050: look-ahead the static check can see (a visitor of the shared walk). */
export function checkLookAhead(ctx: RuleContext): NodeVisitor {
  return (node) => {
    if (ts.isBinaryExpression(node)) {
      if (node.operatorToken.kind === ts.SyntaxKind.PlusToken && isIndexUse(node) && (isFutureOffset(ctx, node.left, node.right) || isFutureOffset(ctx, node.right, node.left))) {
        ctx.report('SL050', 'futureIndex', node, [node.getText(ctx.file)]);
      } else if (isComparison(node.operatorToken.kind) && (isDateCondition(ctx, node.left, node.right) || isDateCondition(ctx, node.right, node.left))) {
        ctx.report('SL050', 'hardCodedDate', node, [node.getText(ctx.file)]);
      }
    }
  };
}

/**
 * Only where the sum picks an element: `xs[bar.index + 1]`, `xs.at(bar.index + 1)`.
 * `bar.index + 1` as a count of bars seen, or as the exclusive end of `slice`, is fine.
 */
function isIndexUse(node: ts.Expression): boolean {
  let child: ts.Node = node;
  let parent = node.parent;
  while (parent && ts.isParenthesizedExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  if (ts.isElementAccessExpression(parent)) return parent.argumentExpression === child;
  return ts.isCallExpression(parent) && ts.isPropertyAccessExpression(parent.expression) && parent.expression.name.text === 'at' && parent.arguments[0] === child;
}

/** `bar.index + 1`: an index past the bar being processed. */
function isFutureOffset(ctx: RuleContext, indexSide: ts.Expression, offsetSide: ts.Expression): boolean {
  const offset = unwrap(offsetSide);
  return isBarIndex(ctx, unwrap(indexSide), 0) && ts.isNumericLiteral(offset) && Number(offset.text) > 0;
}

/** `bar.index`, or a const holding it (`const i = bar.index; xs[i + 1]`), through a few aliases. */
function isBarIndex(ctx: RuleContext, node: ts.Expression, depth: number): boolean {
  if (ts.isPropertyAccessExpression(node)) return node.name.text === 'index' && ctx.isBar(node.expression);
  if (!ts.isIdentifier(node) || depth > 4) return false;
  const decl = ctx.checker.getSymbolAtLocation(node)?.valueDeclaration;
  return !!decl && ts.isVariableDeclaration(decl) && isConst(decl) && !!decl.initializer && isBarIndex(ctx, unwrap(decl.initializer), depth + 1);
}

function isComparison(kind: ts.SyntaxKind): boolean {
  return [
    ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken,
    ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ].includes(kind);
}

const YEAR_GETTERS = new Set(['getFullYear', 'getUTCFullYear']);

/** `bar.time > Date.UTC(2020, 2, 1)`, `new Date(bar.time).getFullYear() === 2020`: a condition on a calendar date. */
function isDateCondition(ctx: RuleContext, timeSide: ts.Expression, valueSide: ts.Expression): boolean {
  const time = unwrap(timeSide);
  const value = unwrap(valueSide);
  if (ts.isPropertyAccessExpression(time) && time.name.text === 'time' && ctx.isBar(time.expression)) return isDateValue(ctx, value);
  if (ts.isCallExpression(time) && ts.isPropertyAccessExpression(time.expression) && YEAR_GETTERS.has(time.expression.name.text)) {
    return ts.isNumericLiteral(value) && Number(value.text) >= 1900 && Number(value.text) <= 2100;
  }
  return false;
}

/** SL051: `while (true)` and friends with nothing that leaves the loop (a visitor of the shared walk). */
export function checkUnboundedLoops(ctx: RuleContext): NodeVisitor {
  return (node) => {
    if ((ts.isWhileStatement(node) || ts.isDoStatement(node)) && isAlwaysTrue(node.expression)) report(ctx, node);
    else if (ts.isForStatement(node) && (!node.condition || isAlwaysTrue(node.condition))) report(ctx, node);
  };
}

function report(ctx: RuleContext, loop: ts.IterationStatement): void {
  const label = ts.isLabeledStatement(loop.parent) ? loop.parent.label.text : undefined;
  if (leavesLoop(loop.statement, label, true)) return;
  // The loop head: `while (true)` / `for (;;)`, or `do` for a do-while.
  const start = loop.getStart(ctx.file);
  const end = ts.isDoStatement(loop) ? start + 2 : loop.statement.getStart(ctx.file);
  ctx.report('SL051', 'unbounded', { start, end: ctx.file.text.slice(start, end).trimEnd().length + start }, []);
}

function isAlwaysTrue(node: ts.Expression): boolean {
  const e = unwrap(node);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (ts.isNumericLiteral(e)) return Number(e.text) !== 0;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = unwrap(e.operand);
    return (ts.isNumericLiteral(inner) && Number(inner.text) === 0) || inner.kind === ts.SyntaxKind.FalseKeyword;
  }
  return false;
}

/**
 * True when something in `node` exits the loop: `return`, `throw`, a `break`
 * aimed at it (unlabelled and not inside a nested loop or switch, or with its
 * label). Nested functions do not count: their returns leave only themselves.
 */
function leavesLoop(node: ts.Node, label: string | undefined, direct: boolean): boolean {
  if (ts.isReturnStatement(node) || ts.isThrowStatement(node)) return true;
  if (ts.isBreakStatement(node)) return node.label ? node.label.text === label : direct;
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  const nestedBreakTarget = ts.isIterationStatement(node, false) || ts.isSwitchStatement(node);
  return !!ts.forEachChild(node, (child) => leavesLoop(child, label, direct && !nestedBreakTarget) || undefined);
}
