/**
 * The indicators' JSDoc becomes the SDK `.d.ts` (editor hover, LLM prompt): every export
 * and every public member must be documented, and every indicator must state its warm-up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './helpers';

const entry = resolve(repoRoot, 'core/sdk/indicators/index.ts');
const program = ts.createProgram([entry], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true });
const checker = program.getTypeChecker();
const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
const exportsOf = checker.getExportsOfModule(moduleSymbol).map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));
const doc = (s: ts.Symbol) => ts.displayPartsToString(s.getDocumentationComment(checker)).trim();

test('the indicators module type-checks cleanly', () => {
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(problems, []);
});

test('every export of strategy-lab/indicators has JSDoc', () => {
  assert.ok(exportsOf.length >= 20, `only ${exportsOf.length} exports`);
  const missing = exportsOf.filter((s) => doc(s) === '').map((s) => s.name);
  assert.deepEqual(missing, []);
});

test('every public member of every exported class and interface has JSDoc', () => {
  const missing: string[] = [];
  for (const symbol of exportsOf) {
    const decl = symbol.declarations?.[0];
    if (!decl || !(ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl))) continue;
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    for (const member of checker.getPropertiesOfType(type)) {
      const memberDecl = member.declarations?.[0];
      // Members inherited from the standard library (Error.message, …) are documented there.
      if (!memberDecl || !memberDecl.getSourceFile().fileName.includes('/core/sdk/indicators/')) continue;
      const flags = ts.getCombinedModifierFlags(memberDecl);
      if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (doc(member) === '') missing.push(`${symbol.name}.${member.name}`);
    }
    if (ts.isClassDeclaration(decl)) {
      const ctor = decl.members.find(ts.isConstructorDeclaration);
      for (const p of ctor?.parameters ?? []) {
        const tags = ts.getJSDocParameterTags(p);
        if (tags.length === 0 || !tags[0].comment) missing.push(`${symbol.name} constructor @param ${p.name.getText()}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

test('every indicator class documents its warm-up and has a numeric `warmup`', () => {
  const classes = exportsOf.filter((s) => s.declarations?.[0] && ts.isClassDeclaration(s.declarations[0]) && s.name !== 'IndicatorError' && s.name !== 'Cross');
  assert.ok(classes.length >= 13, classes.map((c) => c.name).join(', '));
  for (const c of classes) {
    assert.match(doc(c), /Warm-up/, `${c.name} class JSDoc must state its warm-up`);
    const warmup = checker.getPropertyOfType(checker.getDeclaredTypeOfSymbol(c), 'warmup');
    assert.ok(warmup, `${c.name} has no warmup property`);
  }
});

test('the SDK declaration emitter turns the indicators into one clean `strategy-lab/indicators` block', async () => {
  const { generateSdkDeclarations } = await import('../../core/sdk/declarations/index');
  const sdk = generateSdkDeclarations(resolve(repoRoot, 'core/sdk'));
  assert.deepEqual(sdk.problems, []);
  const block = sdk.modules['strategy-lab/indicators'] ?? '';
  for (const symbol of exportsOf) {
    assert.match(block, new RegExp(`export (declare )?(abstract )?(class|interface|type|function) ${symbol.name}\\b`), `${symbol.name} missing from the .d.ts`);
  }
  assert.match(block, /Warm-up: `period` bars return `undefined`/, 'JSDoc survives into the .d.ts');
});
