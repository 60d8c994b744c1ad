import ts from 'typescript';
import { unwrap, type NodeVisitor, type RuleContext } from '../context';
import { SDK_DTS_PATH } from '../project';
import { accessedName, isLibInterface, isUntypedOrFunction, libMemberOfAccess, libMemberOfBinding } from './typeFacts';

/** Object internals with no use in a strategy: each leads to prototypes and from there to the Function constructor. */
const PROTOTYPE_KEYS = new Set(['__proto__', '__lookupGetter__', '__lookupSetter__', '__defineGetter__', '__defineSetter__']);
const PROTOTYPE_MEMBERS = new Set([
  'ObjectConstructor.getPrototypeOf',
  'ObjectConstructor.setPrototypeOf',
  'ObjectConstructor.getOwnPropertyDescriptor',
  'ObjectConstructor.getOwnPropertyDescriptors',
]);

const PROTOTYPE_NAMES = new Set([...PROTOTYPE_MEMBERS].map((m) => m.split('.')[1]));

/**
 * SL041 by type: every route to the Function constructor (and to the engine's
 * private members) the checker can see, whatever the spelling — `x.constructor`
 * on anything but `this`, `['constr' + 'uctor']`, calls of `Function`-typed
 * values, run-time keys on untyped values or functions, prototype getters
 * reached through aliases or destructuring, brackets on SDK private members.
 * (`Function`, `eval`, `Reflect`, `globalThis` by name are checks/isolation.ts.)
 */
export function checkFunctionRoutes(ctx: RuleContext): NodeVisitor {
  const text = (node: ts.Node) => node.getText(ctx.file);
  return (node) => {
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) checkAccess(ctx, node, text(node));
    else if (ts.isBindingElement(node) && PROTOTYPE_MEMBERS.has(libMemberOfBinding(ctx, node) ?? '')) ctx.report('SL041', 'prototype', node, [text(node)]);
    else if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && callsFunctionType(ctx, node)) ctx.report('SL041', 'callsFunctionType', node, [text(node)]);
  };
}

function checkAccess(ctx: RuleContext, node: ts.PropertyAccessExpression | ts.ElementAccessExpression, text: string): void {
  const name = accessedName(ctx, node);
  const object = unwrap(node.expression);
  if (name === 'constructor') {
    // `this.constructor` is the strategy's own class (read for its statics); any other `constructor` may be Function.
    // A chain is reported once, at its outermost link.
    const chained = (ts.isPropertyAccessExpression(node.parent) || ts.isElementAccessExpression(node.parent)) && node.parent.expression === node && accessedName(ctx, node.parent) === 'constructor';
    if (object.kind !== ts.SyntaxKind.ThisKeyword && !chained) ctx.report('SL041', 'functionConstructor', node, [text]);
  } else if (name !== undefined && PROTOTYPE_KEYS.has(name)) {
    ctx.report('SL041', 'prototype', node, [text]);
  } else if (name !== undefined && PROTOTYPE_NAMES.has(name) && PROTOTYPE_MEMBERS.has(libMemberOfAccess(ctx, node) ?? '')) {
    ctx.report('SL041', 'prototype', node, [text]);
  } else if (name === undefined && ts.isElementAccessExpression(node) && !isNumberKey(ctx, node.argumentExpression) && isUntypedOrFunction(ctx, node.expression)) {
    ctx.report('SL041', 'dynamicKey', node, [text]);
  } else if (name !== undefined && (ts.isElementAccessExpression(node) || object !== node.expression) && isSdkPrivate(ctx, object, name)) {
    // `this['broker']` type-checks (brackets skip `private`), and so does `(this as any).broker`.
    ctx.report('SL041', 'privateMember', node, [name]);
  }
}

const ARITHMETIC = new Set([ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PercentToken, ts.SyntaxKind.AsteriskAsteriskToken]);

function isNumberKey(ctx: RuleContext, key: ts.Expression): boolean {
  const e = unwrap(key);
  // Arithmetic is a number whatever its operands: no need to ask the checker (this runs on every `xs[i - 1]`).
  if (ts.isNumericLiteral(e) || (ts.isBinaryExpression(e) && ARITHMETIC.has(e.operatorToken.kind)) || ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) return true;
  return (ctx.checker.getTypeAtLocation(key).flags & ts.TypeFlags.NumberLike) !== 0;
}

/** A private or protected member declared by the SDK, looked up on the object's own type (before any cast). */
function isSdkPrivate(ctx: RuleContext, object: ts.Expression, name: string): boolean {
  const symbol = ctx.checker.getTypeAtLocation(object).getProperty(name);
  return !!symbol?.declarations?.some((d) => d.getSourceFile().fileName === SDK_DTS_PATH && (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0);
}

/** A call of a value typed as the bare `Function` interface (what `x.constructor` is); the name `Function` itself is SL041 already. */
function callsFunctionType(ctx: RuleContext, call: ts.CallExpression | ts.NewExpression): boolean {
  // A call that resolves to a declared signature is not an untyped `Function` call (the type check resolves it anyway).
  const e = unwrap(call.expression);
  const declaration = ctx.checker.getResolvedSignature(call)?.declaration;
  if (declaration && !ts.isJSDocSignature(declaration)) {
    const owner = declaration.parent;
    const functionConstructor = ts.isInterfaceDeclaration(owner) && owner.name.text === 'FunctionConstructor' && ctx.program.isSourceFileDefaultLibrary(declaration.getSourceFile());
    return functionConstructor && !(ts.isIdentifier(e) && e.text === 'Function' && ctx.isLibGlobal(e));
  }
  if (ts.isIdentifier(e) && e.text === 'Function' && ctx.isLibGlobal(e)) return false;
  if ((ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) && accessedName(ctx, e) === 'constructor') return false; // reported at the access
  const type = ctx.checker.getTypeAtLocation(e);
  return isLibInterface(ctx, type, 'Function') || isLibInterface(ctx, type, 'FunctionConstructor');
}
