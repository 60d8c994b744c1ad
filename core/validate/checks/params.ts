import ts from 'typescript';
import { isStatic, memberName, unwrap, type NodeVisitor, type RuleContext } from '../context';

/** SL060: every parameter is read, and the ones read are numbers or booleans the optimizer can tune. */
export function checkParams(ctx: RuleContext): NodeVisitor | undefined {
  const { shape, checker } = ctx;
  const cls = shape.main;
  if (!cls) return undefined;
  const member = cls.members.find((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && !isStatic(m) && memberName(m) === 'params');
  const literal = member?.initializer && unwrap(member.initializer);
  if (!literal || !ts.isObjectLiteralExpression(literal)) return undefined;
  const usage = { names: new Set<string>(), all: false };
  const visitor: NodeVisitor = (node) => recordParamUse(node, usage);
  visitor.finish = () => {
    for (const prop of literal.properties) {
      const name = memberName(prop);
      if (!name || !prop.name) continue;
      if (!usage.all && !usage.names.has(name)) {
        ctx.report('SL060', 'unused', prop.name, [name]);
        continue;
      }
      const type = checker.getTypeAtLocation(ts.isPropertyAssignment(prop) ? prop.initializer : prop.name);
      if (!isTunable(type)) ctx.report('SL060', 'notNumeric', prop.name, [name, describe(checker, type)]);
    }
  };
  return visitor;
}

function isTunable(type: ts.Type): boolean {
  const parts = type.isUnion() ? type.types : [type];
  return parts.every((t) => !!(t.flags & (ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike)));
}

function describe(checker: ts.TypeChecker, type: ts.Type): string {
  if (type.flags & ts.TypeFlags.StringLike) return 'a string';
  if (checker.isArrayType(type)) return 'an array';
  if (type.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) return 'null or undefined';
  return `of type '${checker.typeToString(checker.getBaseTypeOfLiteralType(type))}'`;
}

/** Names read through `this.params`; `all` when `this.params` escapes whole (spread, passed along, dynamic key). */
function recordParamUse(node: ts.Node, usage: { names: Set<string>; all: boolean }): void {
  if (!isThisParams(node)) return;
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node) usage.names.add(parent.name.text);
  else if (ts.isElementAccessExpression(parent) && parent.expression === node && ts.isStringLiteralLike(parent.argumentExpression)) usage.names.add(parent.argumentExpression.text);
  else if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isObjectBindingPattern(parent.name)) {
    for (const el of parent.name.elements) {
      const key = el.propertyName ?? el.name;
      if (el.dotDotDotToken || !ts.isIdentifier(key)) usage.all = true;
      else usage.names.add(key.text);
    }
  } else if (!(ts.isBinaryExpression(parent) && parent.left === node)) usage.all = true;
}

function isThisParams(node: ts.Node): node is ts.PropertyAccessExpression {
  return ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword && node.name.text === 'params';
}
