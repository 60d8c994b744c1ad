import ts from 'typescript';
import { dirname, resolve } from 'node:path';
import type { EmittedSdk, PublicExport } from './emit';

/**
 * Turns the per-file declarations TypeScript emits into one self-contained
 * `declare module '<name>' { … }` block per SDK module: what a strategy (or
 * the LLM writing one) can see, with the SDK's file layout erased. Names a
 * module does not export stay private to its block; a later module (the
 * indicators) imports what it shares with an earlier one (`Bar`) from it, so
 * both see the same types.
 */
export function flattenDeclarations(emitted: EmittedSdk, moduleOrder: { name: string; entry: string }[], excluded: string[]): Map<string, string> {
  const owner = new Map<string, string>();
  const blocks = new Map<string, string>();
  for (const module of moduleOrder) {
    const entry = resolve(module.entry.replace(/\.ts$/, '.d.ts'));
    const publicNames = emitted.exports.get(module.name) ?? [];
    const files = reachableFiles(entry, emitted, owner, excluded, module.name);
    for (const f of files) owner.set(f, module.name);
    blocks.set(module.name, moduleBlock(module.name, files, publicNames, emitted, owner, blocks));
  }
  return blocks;
}

function reachableFiles(entry: string, emitted: EmittedSdk, owner: Map<string, string>, excluded: string[], moduleName: string): string[] {
  const seen: string[] = [];
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.includes(file) || owner.has(file)) continue;
    if (excluded.includes(file)) {
      throw new Error(`The public SDK module '${moduleName}' reaches ${file.replace(/\.d\.ts$/, '.ts')}, which must stay private: do not use its types in exported SDK declarations.`);
    }
    const text = emitted.files.get(file);
    if (text === undefined) throw new Error(`No declarations were emitted for ${file} (reached from '${moduleName}'). Is it a .ts file under core/sdk?`);
    seen.push(file);
    for (const ref of relativeReferences(parse(file, text))) queue.push(resolveReference(file, ref, emitted));
  }
  return seen;
}

function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

function isRelative(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../');
}

function specifierOf(node: ts.Node): string | undefined {
  if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
    return node.moduleSpecifier.text;
  }
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
    return node.argument.literal.text;
  }
  return undefined;
}

function relativeReferences(file: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    const spec = specifierOf(node);
    if (spec && isRelative(spec)) out.push(spec);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

function resolveReference(fromFile: string, spec: string, emitted: EmittedSdk): string {
  const base = resolve(dirname(fromFile), spec.replace(/\.(js|ts)$/, ''));
  for (const candidate of [`${base}.d.ts`, resolve(base, 'index.d.ts')]) if (emitted.files.has(candidate)) return candidate;
  throw new Error(`Cannot resolve '${spec}' from ${fromFile} among the emitted SDK declarations.`);
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function declaredNames(statement: ts.Statement): ts.Identifier[] {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.map((d) => d.name).filter((n): n is ts.Identifier => ts.isIdentifier(n));
  }
  const name = (statement as { name?: ts.Node }).name;
  return name && ts.isIdentifier(name) ? [name] : [];
}

function moduleBlock(
  moduleName: string,
  files: string[],
  publicNames: PublicExport[],
  emitted: EmittedSdk,
  owner: Map<string, string>,
  blocks: Map<string, string>,
): string {
  const exportsByDecl = new Map<string, string[]>();
  for (const p of publicNames) {
    const key = `${p.file}#${p.localName}`;
    exportsByDecl.set(key, [...(exportsByDecl.get(key) ?? []), p.exportedName]);
  }
  const declaredIn = new Map<string, string>();
  const imports = new Map<string, Set<string>>();
  const aliasExports: string[] = [];
  const bodies: string[] = [];

  const importFromEarlier = (fromFile: string, target: string, localName: string, importedAs: string) => {
    const earlier = owner.get(target)!;
    if (!blocks.has(earlier)) throw new Error(`'${moduleName}' uses ${target} before '${earlier}' is declared.`);
    const exportedName = publicExportName(emitted.exports.get(earlier) ?? [], target, localName);
    if (!exportedName) {
      throw new Error(
        `${fromFile.replace(/\.d\.ts$/, '.ts')} uses '${localName}' from ${target.replace(/\.d\.ts$/, '.ts')}, which '${earlier}' does not export. ` +
          `Export it from '${earlier}' so both modules share one declaration.`,
      );
    }
    const set = imports.get(earlier) ?? new Set<string>();
    set.add(exportedName === importedAs ? exportedName : `${exportedName} as ${importedAs}`);
    imports.set(earlier, set);
  };

  const sources = files.map((file) => parse(file, emitted.files.get(file)!));
  const unused = unreferencedPrivateDeclarations(sources, exportsByDecl);
  for (const source of sources) {
    const file = source.fileName;
    const edits: Edit[] = [];
    for (const statement of source.statements) {
      if (unused.has(statement)) {
        edits.push(removal(statement));
        continue;
      }
      const spec = specifierOf(statement);
      if (ts.isImportDeclaration(statement) && spec && isRelative(spec)) {
        const target = resolveReference(file, spec, emitted);
        if (owner.get(target) && owner.get(target) !== moduleName && !files.includes(target)) {
          const clause = statement.importClause;
          if (!clause || clause.name || !clause.namedBindings || !ts.isNamedImports(clause.namedBindings)) {
            throw new Error(`${file}: only named imports are supported between SDK modules (found '${statement.getText()}').`);
          }
          for (const el of clause.namedBindings.elements) importFromEarlier(file, target, (el.propertyName ?? el.name).text, el.name.text);
        }
        edits.push(removal(statement));
        continue;
      }
      if (ts.isExportDeclaration(statement)) {
        edits.push(removal(statement));
        continue;
      }
      if (ts.isExportAssignment(statement)) throw new Error(`${file}: default exports are not supported in the SDK; use named exports.`);
      const names = declaredNames(statement);
      if (names.length === 0) continue;
      for (const name of names) {
        const previous = declaredIn.get(name.text);
        if (previous && previous !== file) {
          throw new Error(`SDK module '${moduleName}' declares '${name.text}' in both ${previous} and ${file}; rename one of them.`);
        }
        declaredIn.set(name.text, file);
      }
      const exported = names.map((n) => exportsByDecl.get(`${file}#${n.text}`) ?? []);
      const keepsOwnName = names.some((n, i) => exported[i].includes(n.text));
      names.forEach((n, i) => {
        for (const alias of exported[i]) if (alias !== n.text) aliasExports.push(`export { ${n.text} as ${alias} };`);
      });
      const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
      for (const m of modifiers) {
        if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DeclareKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) {
          edits.push({ start: m.getStart(source), end: skipSpaces(source.text, m.getEnd()), text: '' });
        }
      }
      if (keepsOwnName) edits.push({ start: statement.getStart(source), end: statement.getStart(source), text: 'export ' });
    }
    // `import("./types").Bar` written by declaration emit → `Bar` (in scope once flattened).
    const visit = (node: ts.Node) => {
      const spec = specifierOf(node);
      if (ts.isImportTypeNode(node) && spec && isRelative(spec)) {
        if (!node.qualifier || !ts.isIdentifier(node.qualifier) || node.isTypeOf) throw new Error(`${file}: unsupported type reference '${node.getText()}'.`);
        const target = resolveReference(file, spec, emitted);
        if (!files.includes(target)) importFromEarlier(file, target, node.qualifier.text, node.qualifier.text);
        edits.push({ start: node.getStart(source), end: node.qualifier.getStart(source), text: '' });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    bodies.push(applyEdits(source.text, edits).trim());
  }

  const importLines = [...imports].map(([from, names]) => `import { ${[...names].sort().join(', ')} } from '${from}';`);
  const body = [...importLines, ...bodies.filter(Boolean), ...aliasExports, '// Only the names marked `export` are public.', 'export {};'].join('\n\n');
  const indented = body
    .split('\n')
    .map((line) => (line.length ? `  ${line}` : line))
    .join('\n');
  return `declare module '${moduleName}' {\n${indented}\n}\n`;
}

/**
 * Declarations a module keeps private and nothing public reaches (helpers one
 * SDK file exports to another): dropped, so the `.d.ts` shows only the surface.
 */
function unreferencedPrivateDeclarations(sources: ts.SourceFile[], exportsByDecl: Map<string, string[]>): Set<ts.Statement> {
  const candidates = new Map<ts.Statement, string[]>();
  const kept: ts.Statement[] = [];
  for (const source of sources) {
    for (const statement of source.statements) {
      const names = declaredNames(statement).map((n) => n.text);
      const isPublic = names.some((n) => exportsByDecl.has(`${source.fileName}#${n}`));
      if (names.length && !isPublic && !ts.isImportDeclaration(statement)) candidates.set(statement, names);
      else kept.push(statement);
    }
  }
  const referenced = new Set<string>();
  const collect = (node: ts.Node) => {
    if (ts.isIdentifier(node)) referenced.add(node.text);
    ts.forEachChild(node, collect);
  };
  kept.forEach(collect);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [statement, names] of candidates) {
      if (names.some((n) => referenced.has(n))) {
        candidates.delete(statement);
        collect(statement);
        changed = true;
      }
    }
  }
  return new Set(candidates.keys());
}

function publicExportName(exports: PublicExport[], file: string, localName: string): string | undefined {
  return exports.find((e) => e.file === file && e.localName === localName)?.exportedName;
}

function removal(statement: ts.Statement): Edit {
  return { start: statement.getFullStart(), end: statement.getEnd(), text: '' };
}

function skipSpaces(text: string, pos: number): number {
  while (text[pos] === ' ') pos++;
  return pos;
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  // Right to left; at one position the removal goes before the insertion it replaces.
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
