import ts from 'typescript';

/**
 * The outline of a large file for its structural check: the same text with every function body and every
 * initializer except `static config`'s blanked out (kept the same length, line breaks kept, so every position
 * and range stays where it is in the real file), and the parser's syntax errors of the real text.
 *
 * Why: the structural rules (SL010–SL030) read only declarations, and TypeScript's LanguageService over a 5 MB
 * file spends 10 s and more, most of it collecting garbage; over its outline, a fraction of that.
 */
export function outlineOf(fileName: string, text: string): { outline: string; syntaxErrors: readonly ts.DiagnosticWithLocation[] } {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  // `parseDiagnostics` is what LanguageService.getSyntacticDiagnostics returns for a .ts file; it is not in the
  // public typings.
  const syntaxErrors = (file as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const spans: { start: number; end: number; keep: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && ts.isBlock(node.body as ts.Node)) {
      const body = node.body as ts.Block;
      spans.push({ start: body.getStart(file) + 1, end: body.getEnd() - 1, keep: '' });
      return;
    }
    if ((ts.isPropertyDeclaration(node) || ts.isVariableDeclaration(node)) && node.initializer && !isStaticConfig(node)) {
      spans.push({ start: node.initializer.getStart(file), end: node.initializer.getEnd(), keep: '0' });
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let outline = '';
  let at = 0;
  for (const span of spans) {
    outline += text.slice(at, span.start) + span.keep + text.slice(span.start + span.keep.length, span.end).replace(/[^\n\r]/g, ' ');
    at = span.end;
  }
  return { outline: outline + text.slice(at), syntaxErrors };
}

function isStaticConfig(node: ts.PropertyDeclaration | ts.VariableDeclaration): boolean {
  return ts.isPropertyDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === 'config' && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
}
