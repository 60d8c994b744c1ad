import ts from 'typescript';
import { ruleMessage, type RuleCode, type VariantOf, RULES } from './rules';
import type { QuickFix, StrategyDiagnostic } from './types';
import { SDK_DTS_PATH } from './project';

/** What the structural rules know about the file's classes. */
export interface StrategyShape {
  /** Classes in the file whose base chain reaches the SDK's BaseStrategy. */
  strategyClasses: ts.ClassLikeDeclaration[];
  /** The default export when it is a class (strategy or not). */
  defaultClass: ts.ClassLikeDeclaration | undefined;
  /** The default export's node when it is something other than a class. */
  defaultNonClass: ts.Node | undefined;
  /** The class the engine would run: the default-exported strategy class. */
  main: ts.ClassLikeDeclaration | undefined;
  /** `export default Name;` or `export { Name as default }` naming the class elsewhere (the host cannot read that form). */
  separateDefaultExport: ts.Statement | ts.ExportSpecifier | undefined;
}

/**
 * Called for every node of the file in one shared walk (types excluded: they
 * have no run-time effect), so adding a rule does not add a pass over the file.
 * `finish` runs after the walk.
 */
export type NodeVisitor = ((node: ts.Node) => void) & { finish?: () => void };

/** A rule: reports directly, and/or returns a visitor for the shared walk. */
export type Check = (ctx: RuleContext) => NodeVisitor | void | undefined;

/** Runs `checks`, then one walk over the file feeding every visitor they returned. */
export function runChecks(ctx: RuleContext, checks: readonly Check[]): void {
  const visitors = checks.map((check) => check(ctx)).filter((v): v is NodeVisitor => typeof v === 'function');
  const visit = (node: ts.Node): void => {
    for (const visitor of visitors) visitor(node);
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    ts.forEachChild(node, visit);
  };
  if (visitors.length) visit(ctx.file);
  for (const visitor of visitors) visitor.finish?.();
}

/** Everything a rule sees; rules only read it and call `report`. */
export interface RuleContext {
  file: ts.SourceFile;
  program: ts.Program;
  checker: ts.TypeChecker;
  shape: StrategyShape;
  report<C extends RuleCode, V extends VariantOf<C>>(
    code: C,
    variant: V,
    node: ts.Node | { start: number; end: number },
    args: Parameters<(typeof RULES)[C]['variants'][V] extends { message: (...a: infer A) => string } ? (...a: A) => string : never>,
    fixes?: QuickFix[],
    /** The message's "did you mean": `at` (a node or offsets) is replaced by `replacement`. */
    suggestion?: { at: ts.Node | { start: number; end: number }; replacement: string },
  ): void;
  /** The SDK's exported symbol `name` from 'strategy-lab' (or the indicators module), aliases resolved. */
  sdkSymbol(name: string, module?: string): ts.Symbol | undefined;
  /** True when `node`'s type is the SDK's `Bar`. */
  isBar(node: ts.Expression): boolean;
  /** True when `id` refers to a global from TypeScript's lib (or to nothing at all). */
  isLibGlobal(id: ts.Identifier): boolean;
}

/** Looks up the SDK's declarations in a program (rules, hover and completion use it). */
export interface SdkLookup {
  checker: ts.TypeChecker;
  sdkSymbol(name: string, module?: string): ts.Symbol | undefined;
}

export function sdkLookup(program: ts.Program): SdkLookup {
  const checker = program.getTypeChecker();
  const moduleSymbols = new Map<string, ts.Symbol | undefined>();
  const sdkSymbol = (name: string, module = 'strategy-lab') => {
    if (!moduleSymbols.has(module)) {
      const ambient = checker.getAmbientModules().find((m) => m.name.replace(/^"|"$/g, '') === module);
      moduleSymbols.set(module, ambient);
    }
    const m = moduleSymbols.get(module);
    const symbol = m ? checker.getExportsOfModule(m).find((s) => s.name === name) : undefined;
    return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  };
  return { checker, sdkSymbol };
}

export function createContext(file: ts.SourceFile, program: ts.Program, out: StrategyDiagnostic[]): RuleContext {
  const { checker, sdkSymbol } = sdkLookup(program);
  const barSymbol = sdkSymbol('Bar');
  const ctx: RuleContext = {
    file,
    program,
    checker,
    shape: undefined as unknown as StrategyShape,
    report(code, variant, node, args, fixes = [], suggestion) {
      const start = 'kind' in node ? node.getStart(file) : node.start;
      const end = 'kind' in node ? node.getEnd() : node.end;
      const { severity, message } = (ruleMessage as (c: string, v: unknown, ...a: unknown[]) => ReturnType<typeof ruleMessage>)(code, variant, ...(args as unknown[]));
      const d = diagnostic(file, code, severity, message, start, end, fixes);
      if (suggestion) {
        const at = 'kind' in suggestion.at ? { start: suggestion.at.getStart(file), end: suggestion.at.getEnd() } : suggestion.at;
        withSuggestion(d, file, at.start, at.end, suggestion.replacement);
      }
      out.push(d);
    },
    sdkSymbol,
    isBar(node) {
      const symbol = checker.getTypeAtLocation(node).getSymbol();
      return !!symbol && !!barSymbol && symbol === barSymbol;
    },
    isLibGlobal(id) {
      const symbol = checker.getSymbolAtLocation(id);
      // Unresolved names, and built-ins without a declaration (globalThis), are globals.
      if (!symbol || !symbol.declarations?.length) return true;
      return symbol.declarations.every((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
    },
  };
  ctx.shape = strategyShape(file, checker, sdkSymbol('BaseStrategy'));
  return ctx;
}

export function diagnostic(file: ts.SourceFile, code: string, severity: StrategyDiagnostic['severity'], message: string, start: number, end: number, fixes: QuickFix[] = []): StrategyDiagnostic {
  const s = file.getLineAndCharacterOfPosition(start);
  const e = file.getLineAndCharacterOfPosition(end);
  return { code, severity, message, start, length: end - start, range: { start: s, end: e }, fixes };
}

/**
 * Adds a "did you mean" to `d`: the structured suggestion and, first among its fixes, the edit that applies it
 * (unless a fix already makes exactly that edit).
 */
export function withSuggestion(d: StrategyDiagnostic, file: ts.SourceFile, start: number, end: number, replacement: string): StrategyDiagnostic {
  const range = { start: file.getLineAndCharacterOfPosition(start), end: file.getLineAndCharacterOfPosition(end) };
  const original = file.text.slice(start, end);
  d.suggestion = { range, original, replacement };
  const same = (f: QuickFix) => f.edits.some((e) => e.newText === replacement && e.range.start.line === range.start.line && e.range.start.character === range.start.character);
  if (!d.fixes.some(same)) d.fixes.unshift({ title: `Change '${original}' to '${replacement}'`, edits: [{ range, newText: replacement }] });
  return d;
}

/** The text inside a string literal's quotes (what a suggestion for a string replaces). */
export function literalContent(node: ts.StringLiteralLike, file: ts.SourceFile): { start: number; end: number } {
  return { start: node.getStart(file) + 1, end: node.getEnd() - 1 };
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === kind);
}

export function isAbstract(node: ts.ClassLikeDeclaration): boolean {
  return hasModifier(node, ts.SyntaxKind.AbstractKeyword);
}

export function isStatic(node: ts.Node): boolean {
  return hasModifier(node, ts.SyntaxKind.StaticKeyword);
}

function strategyShape(file: ts.SourceFile, checker: ts.TypeChecker, baseStrategy: ts.Symbol | undefined): StrategyShape {
  const classes: ts.ClassLikeDeclaration[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) classes.push(node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  const baseDecl = baseStrategy?.declarations?.[0];
  const extendsBase = (cls: ts.ClassLikeDeclaration): boolean => {
    const seen = new Set<ts.Node>();
    let current: ts.ClassLikeDeclaration | undefined = cls;
    while (current && !seen.has(current)) {
      seen.add(current);
      const heritage = current.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
      if (!heritage) return false;
      let symbol = checker.getSymbolAtLocation(heritage.expression);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const decl = symbol?.declarations?.find((d) => ts.isClassLike(d));
      if (!decl) return false;
      if (decl === baseDecl || (decl.getSourceFile().fileName === SDK_DTS_PATH && symbol?.name === 'BaseStrategy')) return true;
      current = decl as ts.ClassLikeDeclaration;
    }
    return false;
  };
  const strategyClasses = classes.filter(extendsBase);

  let defaultClass: ts.ClassLikeDeclaration | undefined;
  let defaultNonClass: ts.Node | undefined;
  let separateDefaultExport: ts.Statement | ts.ExportSpecifier | undefined;
  for (const statement of file.statements) {
    if (ts.isClassDeclaration(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword) && hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) {
      defaultClass = statement;
    } else if ((ts.isFunctionDeclaration(statement) || ts.isInterfaceDeclaration(statement)) && hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) {
      defaultNonClass = statement;
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const cls = classOf(statement.expression, checker);
      if (cls) {
        defaultClass = cls;
        separateDefaultExport = statement;
      } else defaultNonClass = statement;
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const el of statement.exportClause.elements) {
        if (el.name.text !== 'default') continue;
        const cls = classOf(el.propertyName ?? el.name, checker);
        if (cls) {
          defaultClass = cls;
          separateDefaultExport = el;
        } else defaultNonClass = el;
      }
    }
  }
  const main = defaultClass && strategyClasses.includes(defaultClass) ? defaultClass : undefined;
  return { strategyClasses, defaultClass, defaultNonClass, main, separateDefaultExport };
}

function classOf(expression: ts.Node, checker: ts.TypeChecker): ts.ClassLikeDeclaration | undefined {
  let node = expression;
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) node = node.expression;
  if (ts.isClassExpression(node)) return node;
  let symbol = checker.getSymbolAtLocation(node);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol?.valueDeclaration;
  if (decl && ts.isClassDeclaration(decl)) return decl;
  if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isClassExpression(decl.initializer)) return decl.initializer;
  return undefined;
}

/** The class's name node, or its `class` keyword when anonymous: where class-level diagnostics go. */
export function classAnchor(cls: ts.ClassLikeDeclaration, file: ts.SourceFile): { start: number; end: number } {
  if (cls.name) return { start: cls.name.getStart(file), end: cls.name.getEnd() };
  const keyword = cls.getChildren(file).find((c) => c.kind === ts.SyntaxKind.ClassKeyword);
  const start = keyword ? keyword.getStart(file) : cls.getStart(file);
  return { start, end: start + 5 };
}

export function className(cls: ts.ClassLikeDeclaration): string {
  return cls.name?.text ?? 'the default class';
}

/** Members of `cls` and of its in-file base classes up to (not including) the SDK's BaseStrategy. */
export function ownAndLocalBaseMembers(cls: ts.ClassLikeDeclaration, checker: ts.TypeChecker): ts.ClassElement[] {
  const members: ts.ClassElement[] = [];
  const seen = new Set<ts.Node>();
  let current: ts.ClassLikeDeclaration | undefined = cls;
  while (current && !seen.has(current) && current.getSourceFile().fileName !== SDK_DTS_PATH) {
    seen.add(current);
    members.push(...current.members);
    const heritage = current.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (!heritage) break;
    let symbol = checker.getSymbolAtLocation(heritage.expression);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    current = symbol?.declarations?.find((d): d is ts.ClassLikeDeclaration => ts.isClassLike(d));
  }
  return members;
}

export function memberName(member: ts.ClassElement | ts.ObjectLiteralElementLike): string | undefined {
  const name = member.name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** Strips `as`, `satisfies`, `!` and parentheses around an expression. */
export function unwrap(node: ts.Expression): ts.Expression {
  while (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) node = node.expression;
  return node;
}
