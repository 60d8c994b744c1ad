import ts from 'typescript';
import { CompletionItemKind, MarkupKind, type CompletionItem, type Hover, type MarkupContent, type SignatureHelp } from 'vscode-languageserver';
import { configFields, ensureSdkImport, isBlankSource, sdkLookup, staticConfigMember, strategySkeleton, timeframes, type StrategyProject } from '../core/validate/index';

/** Hover from the TypeScript service, whose docs come from the SDK's `.d.ts`; config fields get StrategyConfig's docs. */
export function hoverAt(project: StrategyProject, fileName: string, offset: number): Hover | null {
  const config = configContext(project, fileName, offset);
  if (config?.kind === 'name' && config.field) {
    const doc = configFieldDoc(project, config.field);
    if (doc) return { contents: markdown(`\`\`\`ts\n(config) ${doc.signature}\n\`\`\`\n${doc.documentation}`) };
  }
  const info = project.service.getQuickInfoAtPosition(fileName, offset);
  if (!info) return null;
  const signature = ts.displayPartsToString(info.displayParts);
  const documentation = ts.displayPartsToString(info.documentation);
  const tags = (info.tags ?? []).map((t) => `*@${t.name}*${t.text ? ` — ${ts.displayPartsToString(t.text)}` : ''}`).join('\n\n');
  return { contents: markdown([`\`\`\`ts\n${signature}\n\`\`\``, documentation, tags].filter(Boolean).join('\n\n')) };
}

function markdown(value: string): MarkupContent {
  return { kind: MarkupKind.Markdown, value };
}

/** Signature help inside a call (`this.buy(` shows symbol and OrderOptions with their docs). */
export function signatureHelpAt(project: StrategyProject, fileName: string, offset: number): SignatureHelp | null {
  const items = project.service.getSignatureHelpItems(fileName, offset, {});
  if (!items) return null;
  return {
    activeSignature: items.selectedItemIndex,
    activeParameter: items.argumentIndex,
    signatures: items.items.map((item) => {
      const parameters = item.parameters.map((p) => ({ label: ts.displayPartsToString(p.displayParts), documentation: ts.displayPartsToString(p.documentation) || undefined }));
      const label = [
        ts.displayPartsToString(item.prefixDisplayParts),
        parameters.map((p) => p.label).join(ts.displayPartsToString(item.separatorDisplayParts)),
        ts.displayPartsToString(item.suffixDisplayParts),
      ].join('');
      const documentation = ts.displayPartsToString(item.documentation);
      return { label, documentation: documentation ? markdown(documentation) : undefined, parameters };
    }),
  };
}

export interface CompletionData {
  fileName: string;
  offset: number;
  name: string;
  source?: string;
  data?: ts.CompletionEntryData;
}

/** The trigger characters TypeScript's completion API accepts (ts.CompletionsTriggerCharacter). */
const TS_TRIGGER_CHARACTERS = new Set(['.', '"', "'", '`', '/', '@', '<', '#', ' ']);

/** The modules a strategy may import: their exports are offered with the import they need (auto-import). */
const SDK_MODULES = new Set(['strategy-lab', 'strategy-lab/indicators']);

/**
 * Completions: the strategy skeleton in an empty file; `config` fields and timeframes inside `static config`;
 * otherwise TypeScript's (SDK methods, indicators, params), with SDK exports not yet imported offered together
 * with their import (`EMA` adds `import { EMA } from 'strategy-lab/indicators'`).
 */
export function completionsAt(project: StrategyProject, fileName: string, offset: number, triggerCharacter?: string): CompletionItem[] {
  const text = project.getText(fileName) ?? '';
  if (isBlankSource(text)) return [skeletonCompletion(fileName, text)];
  const config = configContext(project, fileName, offset);
  if (config?.kind === 'name') {
    return configFields(sdkLookup(project.program()))
      .filter((f) => !config.present.includes(f))
      .map((f, i) => {
        const doc = configFieldDoc(project, f);
        return { label: f, kind: CompletionItemKind.Field, detail: doc?.signature, documentation: doc && markdown(doc.documentation), sortText: `0${i}`, insertText: `${f}: ` };
      });
  }
  if (config?.kind === 'timeframe') {
    return timeframes(sdkLookup(project.program())).map((t, i) => ({ label: t, kind: CompletionItemKind.EnumMember, detail: 'Timeframe', sortText: `0${i}` }));
  }
  const completions = project.service.getCompletionsAtPosition(fileName, offset, {
    // `{` and `,` are advertised to the editor (order options after `this.buy(s, {`), but TypeScript accepts only
    // its own trigger characters and throws "Debug Failure. Illegal value" on others: for those, ask as if invoked.
    triggerCharacter: TS_TRIGGER_CHARACTERS.has(triggerCharacter ?? '') ? (triggerCharacter as ts.CompletionsTriggerCharacter) : undefined,
    includeCompletionsForModuleExports: true,
    includeCompletionsWithInsertText: true,
  });
  if (!completions) return [];
  const file = project.program().getSourceFile(fileName);
  return completions.entries.flatMap((entry): CompletionItem[] => {
    // Auto-imports from anywhere else cannot exist (nothing else resolves), but never offer one.
    const importFrom = entry.hasAction && entry.source ? entry.source : undefined;
    if (importFrom && !SDK_MODULES.has(importFrom)) return [];
    const data: CompletionData = { fileName, offset, name: entry.name, source: entry.source, data: entry.data };
    const item: CompletionItem = {
      label: entry.name,
      kind: completionKind(entry.kind),
      sortText: entry.sortText,
      insertText: entry.insertText,
      filterText: entry.filterText,
      data,
    };
    if (importFrom && file) {
      const typeOnly = entry.kind === ts.ScriptElementKind.interfaceElement || entry.kind === ts.ScriptElementKind.typeElement;
      item.labelDetails = { description: importFrom };
      item.detail = `Add import from '${importFrom}'`;
      item.additionalTextEdits = ensureSdkImport(file, [{ name: entry.name, typeOnly }], importFrom);
    }
    return [item];
  });
}

/** The whole skeleton for an empty strategy file (core/validate/skeleton.ts), replacing what blank text there is. */
function skeletonCompletion(fileName: string, text: string): CompletionItem {
  const lines = text.split('\n');
  const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
  const newText = strategySkeleton(fileName);
  return {
    label: 'strategy',
    labelDetails: { description: 'Strategy skeleton' },
    kind: CompletionItemKind.Snippet,
    detail: 'Insert strategy skeleton',
    documentation: markdown(`\`\`\`ts\n${newText}\`\`\``),
    filterText: 'strategy',
    sortText: '0',
    textEdit: { range: { start: { line: 0, character: 0 }, end }, newText: text.trim() ? `${text.trimEnd()}\n${newText}` : newText },
  };
}

/** Adds the signature and SDK documentation to a completion item. */
export function resolveCompletion(project: StrategyProject, item: CompletionItem): CompletionItem {
  const data = item.data as CompletionData | undefined;
  if (!data?.fileName) return item;
  const details = project.service.getCompletionEntryDetails(data.fileName, data.offset, data.name, {}, data.source, {}, data.data);
  if (!details) return item;
  item.detail = ts.displayPartsToString(details.displayParts);
  const documentation = ts.displayPartsToString(details.documentation);
  if (documentation) item.documentation = markdown(documentation);
  return item;
}

function completionKind(kind: ts.ScriptElementKind): CompletionItemKind {
  switch (kind) {
    case ts.ScriptElementKind.memberFunctionElement:
    case ts.ScriptElementKind.functionElement:
      return CompletionItemKind.Method;
    case ts.ScriptElementKind.memberVariableElement:
    case ts.ScriptElementKind.memberGetAccessorElement:
      return CompletionItemKind.Field;
    case ts.ScriptElementKind.classElement:
      return CompletionItemKind.Class;
    case ts.ScriptElementKind.interfaceElement:
      return CompletionItemKind.Interface;
    case ts.ScriptElementKind.typeElement:
      return CompletionItemKind.TypeParameter;
    case ts.ScriptElementKind.keyword:
      return CompletionItemKind.Keyword;
    case ts.ScriptElementKind.constElement:
    case ts.ScriptElementKind.letElement:
    case ts.ScriptElementKind.variableElement:
    case ts.ScriptElementKind.localVariableElement:
    case ts.ScriptElementKind.parameterElement:
      return CompletionItemKind.Variable;
    case ts.ScriptElementKind.moduleElement:
    case ts.ScriptElementKind.externalModuleName:
      return CompletionItemKind.Module;
    case ts.ScriptElementKind.string:
      return CompletionItemKind.Value;
    default:
      return CompletionItemKind.Text;
  }
}

type ConfigContext = { kind: 'name'; field?: string; present: string[] } | { kind: 'timeframe' };

/**
 * Where `offset` is inside a class's `static config = { … }` literal: on a
 * field name, or inside the `timeframe` string. TypeScript itself offers
 * nothing there, because a subclass's property initializer gets no
 * contextual type from BaseStrategy.config.
 */
function configContext(project: StrategyProject, fileName: string, offset: number): ConfigContext | undefined {
  const file = project.program().getSourceFile(fileName);
  if (!file) return undefined;
  let literal: ts.ObjectLiteralExpression | undefined;
  for (let n: ts.Node | undefined = findToken(file, offset); n; n = n.parent) {
    if (ts.isObjectLiteralExpression(n) && ts.isPropertyDeclaration(unwrapParents(n)) && ts.isClassLike(unwrapParents(n).parent)) {
      const member = unwrapParents(n) as ts.PropertyDeclaration;
      if (staticConfigMember(member.parent as ts.ClassLikeDeclaration) === member) literal = n;
      break;
    }
  }
  if (!literal || offset <= literal.getStart(file) || offset >= literal.getEnd()) return undefined;
  const present = literal.properties.map((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : '')).filter(Boolean);
  const property = literal.properties.find((p) => offset >= p.getStart(file) && offset <= p.getEnd());
  if (property && ts.isPropertyAssignment(property)) {
    const value = property.initializer;
    const name = ts.isIdentifier(property.name) || ts.isStringLiteral(property.name) ? property.name.text : undefined;
    if (offset >= property.name.getStart(file) && offset <= property.name.getEnd()) return { kind: 'name', field: name, present: present.filter((p) => p !== name) };
    if (name === 'timeframe' && ts.isStringLiteralLike(value) && offset > value.getStart(file) && offset < value.getEnd()) return { kind: 'timeframe' };
    return undefined;
  }
  if (property && ts.isShorthandPropertyAssignment(property)) return { kind: 'name', field: property.name.text, present: present.filter((p) => p !== property.name.text) };
  return { kind: 'name', present };
}

function unwrapParents(node: ts.Node): ts.Node {
  let n = node.parent;
  while (n && (ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isParenthesizedExpression(n))) n = n.parent;
  return n;
}

function findToken(file: ts.SourceFile, offset: number): ts.Node {
  let current: ts.Node = file;
  for (;;) {
    const child: ts.Node | undefined = current.getChildren(file).find((c) => c.getStart(file) <= offset && offset <= c.getEnd());
    if (!child || child === current) return current;
    current = child;
    if (child.getChildCount(file) === 0) return child;
  }
}

function configFieldDoc(project: StrategyProject, field: string): { signature: string; documentation: string } | undefined {
  const lookup = sdkLookup(project.program());
  const config = lookup.sdkSymbol('StrategyConfig');
  if (!config) return undefined;
  const property = lookup.checker.getPropertyOfType(lookup.checker.getDeclaredTypeOfSymbol(config), field);
  if (!property) return undefined;
  // As the SDK writes it (`Timeframe`), not expanded into its union.
  const declaration = property.valueDeclaration;
  const type = declaration && ts.isPropertySignature(declaration) && declaration.type ? declaration.type.getText() : lookup.checker.typeToString(lookup.checker.getTypeOfSymbol(property));
  return { signature: `${field}${property.flags & ts.SymbolFlags.Optional ? '?' : ''}: ${type}`, documentation: ts.displayPartsToString(property.getDocumentationComment(lookup.checker)) };
}
