/** Long files over LSP: each edit publishes a quick result (edited region type-checked) and then the complete one. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { validateStrategySource } from '../../core/validate/index';
import { startServer, type LspSession } from './lspClient';
import { longStrategy } from '../helpers/longStrategy';

let lsp: LspSession;
before(async () => {
  lsp = await startServer({ debounceMs: 5 });
});
after(async () => {
  await lsp?.stop();
});


const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
const summary = (ds: { range: { start: { line: number } }; message: unknown; code?: unknown }[]) => ds.map((d) => `${d.range.start.line} ${String(d.code)} ${String(d.message)}`).sort();

test('a 250-line strategy: the quick result comes first with the new error and the earlier one, then the complete result equal to the validator', async () => {
  const uri = 'file:///work/strategies/long.strategy.ts';
  const text = longStrategy(250);
  const opened = await lsp.open(uri, text);
  assert.equal(opened.diagnostics.filter((d) => d.code === 'SL002').length, 1, 'helper0 has a type error');

  const line = lineOf(text, 'helper200(');
  const column = text.split('\n')[line].indexOf('> limit') + 2;
  const quick = lsp.nextValidated(uri, 2, false);
  const complete = lsp.nextValidated(uri, 2, true);
  const before = lsp.published.length;
  lsp.change(uri, 2, [{ range: { start: { line, character: column }, end: { line, character: column } }, text: "'a' + " }]);
  const q = await quick;
  const c = await complete;
  const edited = text.split('\n').map((l, i) => (i === line ? l.slice(0, column) + "'a' + " + l.slice(column) : l)).join('\n');
  const expected = validateStrategySource(edited, 'long.strategy.ts').diagnostics.map((d) => ({ range: d.range, message: d.message, code: d.code }));
  assert.deepEqual(summary(c.diagnostics), summary(expected));
  assert.deepEqual(summary(q.diagnostics), summary(expected), 'here the quick result already has every error');
  assert.ok(q.diagnostics.some((d) => d.range.start.line === line && d.code === 'SL002'), 'the new error, found by the region check');
  const order = lsp.published.slice(before).filter((p) => p.uri === uri).map((p) => p.version);
  assert.deepEqual(order, [2, 2], 'two publications for the edit: quick, then complete');
  lsp.close(uri);
});

test('a short strategy publishes once per edit (the complete result)', async () => {
  const uri = 'file:///work/strategies/short.strategy.ts';
  const text = longStrategy(20);
  await lsp.open(uri, text);
  const line = lineOf(text, 'helper10(');
  const before = lsp.published.length;
  const complete = lsp.nextValidated(uri, 2, true);
  lsp.change(uri, 2, [{ range: { start: { line, character: 2 }, end: { line, character: 2 } }, text: ' ' }]);
  await complete;
  assert.deepEqual(lsp.published.slice(before).filter((p) => p.uri === uri).map((p) => p.version), [2]);
  lsp.close(uri);
});
