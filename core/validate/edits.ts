import ts from 'typescript';
import type { TextEdit } from './types';

/** Building blocks of quick fixes: edits expressed in LSP positions of `file`. */

export function replace(file: ts.SourceFile, start: number, end: number, newText: string): TextEdit {
  return { range: { start: file.getLineAndCharacterOfPosition(start), end: file.getLineAndCharacterOfPosition(end) }, newText };
}

export function insert(file: ts.SourceFile, pos: number, text: string): TextEdit {
  return replace(file, pos, pos, text);
}

/** Removes a statement with the line(s) it occupies (and a comment trailing it), so no blank line is left behind. */
export function removeStatement(file: ts.SourceFile, statement: ts.Node): TextEdit {
  const text = file.text;
  let start = statement.getStart(file);
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  let end = statement.getEnd();
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  // A trailing `// comment` belongs to the removed line.
  if (text.startsWith('//', end)) while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return replace(file, start, end, '');
}

/** The indentation one level inside `cls`'s body, guessed from its members (two spaces by default). */
export function memberIndent(file: ts.SourceFile, cls: ts.ClassLikeDeclaration): string {
  const first = cls.members[0];
  if (first) {
    const line = file.getLineAndCharacterOfPosition(first.getStart(file)).line;
    const lineStart = file.getPositionOfLineAndCharacter(line, 0);
    const indent = /^[ \t]*/.exec(file.text.slice(lineStart))?.[0];
    if (indent) return indent;
  }
  return '  ';
}

/** Inserts `memberText` (without indentation) as the first or last member of `cls`. */
export function addMember(file: ts.SourceFile, cls: ts.ClassLikeDeclaration, memberText: string, where: 'first' | 'last'): TextEdit {
  const indent = memberIndent(file, cls);
  const body = memberText
    .split('\n')
    .map((l) => (l ? indent + l : l))
    .join('\n');
  const open = cls.members.pos; // just after `{`
  const close = cls.end - 1; // the `}`
  if (where === 'first') return insert(file, open, `\n${body}\n`);
  // Before the closing brace, after the last member, on a fresh line.
  const lastEnd = cls.members.length ? cls.members[cls.members.length - 1].getEnd() : open;
  const gap = file.text.slice(lastEnd, close);
  const closingOnOwnLine = gap.includes('\n');
  return insert(file, lastEnd, `\n${cls.members.length ? '\n' : ''}${body}${closingOnOwnLine ? '' : '\n'}`);
}

/**
 * Makes sure `names` are imported from the SDK module: adds them to an
 * existing named import of the module, or adds an import line.
 */
export function ensureSdkImport(file: ts.SourceFile, names: { name: string; typeOnly?: boolean }[], module = 'strategy-lab'): TextEdit[] {
  const existing = file.statements.find(
    (s): s is ts.ImportDeclaration =>
      ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.moduleSpecifier.text === module && !s.importClause?.isTypeOnly && !!s.importClause?.namedBindings && ts.isNamedImports(s.importClause.namedBindings),
  );
  const imported = new Set<string>();
  for (const s of file.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.moduleSpecifier.text === module) {
      const bindings = s.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) imported.add((el.propertyName ?? el.name).text);
    }
  }
  const missing = names.filter((n) => !imported.has(n.name));
  if (!missing.length) return [];
  const spec = (n: { name: string; typeOnly?: boolean }) => (n.typeOnly ? `type ${n.name}` : n.name);
  if (existing) {
    const bindings = existing.importClause!.namedBindings as ts.NamedImports;
    const last = bindings.elements[bindings.elements.length - 1];
    if (last) return [insert(file, last.getEnd(), `, ${missing.map(spec).join(', ')}`)];
    return [replace(file, bindings.getStart(file), bindings.getEnd(), `{ ${missing.map(spec).join(', ')} }`)];
  }
  const imports = file.statements.filter(ts.isImportDeclaration);
  const line = `import { ${missing.map(spec).join(', ')} } from '${module}';\n`;
  if (imports.length) {
    const after = imports[imports.length - 1];
    return [insert(file, after.getEnd(), `\n${line.trimEnd()}`)];
  }
  return [insert(file, 0, `${line}\n`)];
}
