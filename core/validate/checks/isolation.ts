import ts from 'typescript';
import { builtinModules } from 'node:module';
import type { NodeVisitor, RuleContext } from '../context';
import { removeStatement } from '../edits';
import { SDK_MODULE_NAMES } from '../../sdk/declarations/index';

const NODE_BUILTINS = new Set(builtinModules);

/** Globals a strategy must not touch, and why (shown in the message). */
const FORBIDDEN_GLOBALS = new Map<string, string>(Object.entries({
  require: 'it loads modules from outside the sandbox',
  module: 'there is no module system inside the sandbox',
  exports: 'there is no module system inside the sandbox',
  process: 'it reaches the host process and its environment',
  global: 'it reaches the shared global object',
  globalThis: 'it reaches the shared global object',
  eval: 'it runs code the validator cannot see',
  Function: 'it runs code the validator cannot see',
  Reflect: 'it reaches object internals (prototypes, constructors, private members) the validator cannot follow',
  Proxy: 'it turns property reads into calls the validator cannot follow',
  fetch: 'strategies have no network access',
  XMLHttpRequest: 'strategies have no network access',
  WebSocket: 'strategies have no network access',
  setTimeout: 'timers run outside the bar loop, so results depend on timing',
  setInterval: 'timers run outside the bar loop, so results depend on timing',
  setImmediate: 'timers run outside the bar loop, so results depend on timing',
  clearTimeout: 'timers run outside the bar loop',
  clearInterval: 'timers run outside the bar loop',
  clearImmediate: 'timers run outside the bar loop',
  queueMicrotask: 'callbacks run outside the bar loop, so results depend on timing',
  Worker: 'strategies cannot start threads',
  SharedArrayBuffer: 'memory shared between threads is not available',
  Atomics: 'memory shared between threads is not available',
  WebAssembly: 'it runs code the validator cannot see',
  Buffer: 'it is a Node API, not available in the sandbox',
  __dirname: 'strategies have no file system',
  __filename: 'strategies have no file system',
}));

/** SL040/SL041 on imports; SL041 on globals by name (a visitor of the shared walk; routes by type are checks/functionRoutes.ts). */
export function checkIsolation(ctx: RuleContext): NodeVisitor {
  const { file } = ctx;
  for (const statement of file.statements) {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) spec = statement.moduleSpecifier;
    else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) spec = statement.moduleReference.expression;
    if (!spec || !ts.isStringLiteral(spec)) continue;
    const name = spec.text;
    if ((SDK_MODULE_NAMES as readonly string[]).includes(name)) continue;
    const fix = [{ title: `Remove the import of '${name}'`, edits: [removeStatement(file, statement)] }];
    if (name.startsWith('node:') || NODE_BUILTINS.has(name) || NODE_BUILTINS.has(name.split('/')[0])) ctx.report('SL041', 'builtinModule', spec, [name], fix);
    else ctx.report('SL040', 'forbidden', spec, [name], fix);
  }
  return (node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      ctx.report('SL041', 'dynamicImport', node, []);
    } else if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      ctx.report('SL041', 'importMeta', node, []);
    } else if (ts.isIdentifier(node)) {
      checkIdentifier(ctx, node);
    }
  };
}

function checkIdentifier(ctx: RuleContext, id: ts.Identifier): void {
  const why = FORBIDDEN_GLOBALS.get(id.text);
  if (!why || !isValueReference(id)) return;
  if (!ctx.isLibGlobal(id)) return;
  ctx.report('SL041', 'global', id, [id.text, why]);
}

/** True when `id` reads a variable (not a property name, a declaration name or a label). */
function isValueReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (!parent) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodSignature(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent) || ts.isEnumMember(parent)) && parent.name === id) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isClassDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === id) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === id) return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isQualifiedName(parent) || ts.isTypeReferenceNode(parent)) return false;
  return true;
}
