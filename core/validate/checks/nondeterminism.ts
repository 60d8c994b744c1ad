import ts from 'typescript';
import { unwrap, type NodeVisitor, type RuleContext } from '../context';
import { libMemberOfAccess, libMemberOfBinding, libSignatureOf } from './typeFacts';

/**
 * SL042 by type: `Math.random`, `Date.now`, `new Date()` and `Date()` found by
 * the declaration they resolve to, so aliases (`const M = Math`), brackets
 * (`Math['random']`), destructuring (`const { now } = Date`) and aliased
 * constructors (`const D = Date; new D()`) count. `performance` has no type in
 * the strategy's library (no DOM, no Node), so `performance.now` goes by name.
 */
const WATCHED = new Set(['random', 'now']);

export function checkNondeterminism(ctx: RuleContext): NodeVisitor {
  return (node) => {
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      // Names first, the checker only for the few candidates (and for computed keys): this runs on every `a.b`.
      if (ts.isPropertyAccessExpression(node) && !WATCHED.has(node.name.text)) return;
      reportMember(ctx, node, libMemberOfAccess(ctx, node));
      if (ts.isPropertyAccessExpression(node) && isUntypedPerformanceNow(ctx, node)) ctx.report('SL042', 'clock', node, ['`performance.now()`']);
    } else if (ts.isBindingElement(node)) {
      reportMember(ctx, node, libMemberOfBinding(ctx, node));
    } else if (ts.isNewExpression(node) || (ts.isCallExpression(node) && !ts.isPropertyAccessExpression(unwrap(node.expression)))) {
      // `Date()` is called by a bare name (or an alias); a method call `a.b()` cannot be it.
      const signature = libSignatureOf(ctx, node);
      if (signature?.name === 'DateConstructor.new' && !node.arguments?.length) ctx.report('SL042', 'clock', node, [ts.isIdentifier(unwrap(node.expression)) && node.expression.getText(ctx.file) === 'Date' ? '`new Date()`' : `\`${node.getText(ctx.file)}\``]);
      else if (signature?.name === 'DateConstructor.call') ctx.report('SL042', 'clock', node, [`\`${node.getText(ctx.file)}\``]);
    }
  };
}

function reportMember(ctx: RuleContext, node: ts.Node, member: string | undefined): void {
  const text = node.getText(ctx.file);
  if (member === 'Math.random') {
    if (text === 'Math.random') ctx.report('SL042', 'random', node, []);
    else ctx.report('SL042', 'randomAlias', node, [text]);
  } else if (member === 'DateConstructor.now') {
    ctx.report('SL042', 'clock', node, [text === 'Date.now' ? '`Date.now()`' : `\`${text}\``]);
  }
}

function isUntypedPerformanceNow(ctx: RuleContext, node: ts.PropertyAccessExpression): boolean {
  const object = unwrap(node.expression);
  return ts.isIdentifier(object) && object.text === 'performance' && node.name.text === 'now' && ctx.isLibGlobal(object);
}
