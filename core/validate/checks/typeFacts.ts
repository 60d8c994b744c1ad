import ts from 'typescript';
import { unwrap, type RuleContext } from '../context';

/**
 * What the type checker knows about a node, for rules that must see through
 * aliases, brackets and destructuring rather than match spellings.
 */

/** A string a key expression always has: a literal, a literal-typed value (`const k = 'x'`), or a sum of those. */
export function constantKey(ctx: RuleContext, node: ts.Expression): string | undefined {
  const e = unwrap(node);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e)) return e.text;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = constantKey(ctx, e.left);
    const right = left === undefined ? undefined : constantKey(ctx, e.right);
    return right === undefined ? undefined : left! + right;
  }
  if (ts.isTemplateExpression(e)) {
    let out = e.head.text;
    for (const span of e.templateSpans) {
      const part = constantKey(ctx, span.expression);
      if (part === undefined) return undefined;
      out += part + span.literal.text;
    }
    return out;
  }
  // Only names can carry a literal type from elsewhere (`const k = 'x'`, `o.k` typed 'x'); skip the checker for the rest.
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e) && !ts.isElementAccessExpression(e) && !ts.isCallExpression(e)) return undefined;
  const type = ctx.checker.getTypeAtLocation(e);
  if (type.isStringLiteral()) return type.value;
  if (type.isNumberLiteral()) return String(type.value);
  if (ts.isIdentifier(e)) {
    // `const k = 'constr' + 'uctor'` types as string: fold the const's initializer.
    const decl = ctx.checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && isConst(decl) && decl.initializer !== node) return constantKey(ctx, decl.initializer);
  }
  return undefined;
}

export function isConst(decl: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0;
}

/** The name of the property a member access reads: `a.b`, `a['b']`, `a[k]` with a constant `k`. */
export function accessedName(ctx: RuleContext, node: ts.PropertyAccessExpression | ts.ElementAccessExpression): string | undefined {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return constantKey(ctx, node.argumentExpression);
}

/**
 * `Interface.member` for a symbol declared in TypeScript's own lib (`Math.random`,
 * `DateConstructor.now`, `ObjectConstructor.getPrototypeOf`), else undefined.
 */
export function libMemberName(ctx: RuleContext, symbol: ts.Symbol | undefined): string | undefined {
  const decl = symbol?.declarations?.[0];
  if (!decl || !ctx.program.isSourceFileDefaultLibrary(decl.getSourceFile())) return undefined;
  const owner = decl.parent;
  if (ts.isInterfaceDeclaration(owner)) return `${owner.name.text}.${symbol!.name}`;
  if (ts.isModuleBlock(owner)) return `${owner.parent.name.text}.${symbol!.name}`;
  return undefined;
}

/** The lib member a member access reads, by the type of its object (aliases and brackets included). */
export function libMemberOfAccess(ctx: RuleContext, node: ts.PropertyAccessExpression | ts.ElementAccessExpression): string | undefined {
  const name = accessedName(ctx, node);
  if (name === undefined) return undefined;
  const symbol = ctx.checker.getTypeAtLocation(node.expression).getProperty(name);
  return libMemberName(ctx, symbol);
}

/** The lib member `{ name }` / `{ name: alias }` takes out of the destructured value. */
export function libMemberOfBinding(ctx: RuleContext, element: ts.BindingElement): string | undefined {
  const pattern = element.parent;
  if (!ts.isObjectBindingPattern(pattern)) return undefined;
  const keyNode = element.propertyName ?? element.name;
  const name = ts.isIdentifier(keyNode) || ts.isStringLiteral(keyNode) ? keyNode.text : ts.isComputedPropertyName(keyNode) ? constantKey(ctx, keyNode.expression) : undefined;
  if (name === undefined) return undefined;
  const symbol = ctx.checker.getTypeAtLocation(pattern).getProperty(name);
  return libMemberName(ctx, symbol);
}

/** The lib declaration a call or `new` resolves to (`Interface.member`, or `DateConstructor.new` for a construct signature). */
export function libSignatureOf(ctx: RuleContext, node: ts.CallExpression | ts.NewExpression): { name: string; parameters: number } | undefined {
  const decl = ctx.checker.getResolvedSignature(node)?.declaration;
  if (!decl || ts.isJSDocSignature(decl) || !ctx.program.isSourceFileDefaultLibrary(decl.getSourceFile())) return undefined;
  const owner = decl.parent;
  if (!ts.isInterfaceDeclaration(owner)) return undefined;
  const member = ts.isConstructSignatureDeclaration(decl) ? 'new' : ts.isCallSignatureDeclaration(decl) ? 'call' : decl.name && ts.isIdentifier(decl.name) ? decl.name.text : undefined;
  return member === undefined ? undefined : { name: `${owner.name.text}.${member}`, parameters: decl.parameters.length };
}

/** True for `any`, `unknown`, the bare `Function` interface, and anything callable or constructible. */
export function isUntypedOrFunction(ctx: RuleContext, node: ts.Expression): boolean {
  const type = ctx.checker.getTypeAtLocation(node);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  return isFunctionType(ctx, type);
}

export function isFunctionType(ctx: RuleContext, type: ts.Type): boolean {
  if (type.isUnion()) return type.types.some((t) => isFunctionType(ctx, t));
  if (type.getCallSignatures().length || type.getConstructSignatures().length) return true;
  return isLibInterface(ctx, type, 'Function') || isLibInterface(ctx, type, 'FunctionConstructor');
}

export function isLibInterface(ctx: RuleContext, type: ts.Type, name: string): boolean {
  const symbol = type.getSymbol();
  return !!symbol && symbol.name === name && !!symbol.declarations?.some((d) => ctx.program.isSourceFileDefaultLibrary(d.getSourceFile()));
}
