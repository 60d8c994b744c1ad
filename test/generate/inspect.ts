/** Reads facts back out of a generated file's AST (not its text), so tests check structure, not wording. */
import ts from 'typescript';

export interface CodeFacts {
  className?: string;
  symbols: string[];
  timeframe?: string;
  params: Record<string, number>;
  /** Classes constructed with `new`. */
  constructed: string[];
  /** Functions and methods called by name (`crossedAbove`, `buy`, `sell`, `close`). */
  calls: string[];
  /** Property names of object literals passed to buy/sell. */
  orderOptions: string[];
}

export function inspectStrategy(source: string): CodeFacts {
  const file = ts.createSourceFile('s.ts', source, ts.ScriptTarget.ES2022, true);
  const facts: CodeFacts = { symbols: [], params: {}, constructed: [], calls: [], orderOptions: [] };
  const visit = (node: ts.Node) => {
    if (ts.isClassDeclaration(node) && node.name) facts.className = node.name.text;
    if (ts.isPropertyDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isObjectLiteralExpression(node.initializer)) {
      for (const p of node.initializer.properties) {
        if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) continue;
        if (node.name.text === 'params' && ts.isNumericLiteral(p.initializer)) facts.params[p.name.text] = Number(p.initializer.text);
        if (node.name.text === 'config' && p.name.text === 'symbols' && ts.isArrayLiteralExpression(p.initializer)) {
          facts.symbols = p.initializer.elements.filter(ts.isStringLiteral).map((e) => e.text);
        }
        if (node.name.text === 'config' && p.name.text === 'timeframe' && ts.isStringLiteral(p.initializer)) facts.timeframe = p.initializer.text;
      }
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) facts.constructed.push(node.expression.text);
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (name) facts.calls.push(name);
      if ((name === 'buy' || name === 'sell') && node.arguments[1] && ts.isObjectLiteralExpression(node.arguments[1])) {
        for (const p of node.arguments[1].properties) if (p.name && ts.isIdentifier(p.name)) facts.orderOptions.push(p.name.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return facts;
}
