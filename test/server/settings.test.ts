import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lspClient';
import { globToRegExp, isStrategyDocument, fileNameForUri } from '../../server/documents';

test('a custom strategyGlob from the initialization options selects files without an SDK import', async () => {
  const lsp = await startServer({ strategyGlob: '**/*.algo.ts' });
  try {
    const result = await lsp.open('file:///w/momentum.algo.ts', 'export const nothing = 1;\n');
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['SL010']);
  } finally {
    await lsp.stop();
  }
});

test('a changed strategyLab.strategyGlob setting applies to documents opened afterwards', async () => {
  const lsp = await startServer();
  try {
    await lsp.connection.sendNotification('workspace/didChangeConfiguration', { settings: { strategyLab: { strategyGlob: '**/*.algo.ts' } } });
    const result = await lsp.open('file:///w/later.algo.ts', 'export const nothing = 1;\n');
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['SL010']);
  } finally {
    await lsp.stop();
  }
});

test('the server also speaks LSP over node IPC (the transport the VS Code client uses)', async () => {
  const lsp = await startServer({}, 'ipc');
  try {
    const result = await lsp.open('file:///w/ipc.strategy.ts', "import { BaseStrategy } from 'strategy-lab';\nexport default class A extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n}\n");
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['SL020']);
  } finally {
    await lsp.stop();
  }
});

test('globs and URIs', () => {
  const glob = globToRegExp('**/*.strategy.ts');
  assert.ok(isStrategyDocument('file:///a/b/rsi.strategy.ts', '', glob));
  assert.ok(isStrategyDocument('file:///rsi.strategy.ts', '', glob));
  assert.ok(!isStrategyDocument('file:///a/b/rsi.ts', 'export {}', glob));
  assert.ok(isStrategyDocument('file:///a/b/rsi.ts', "import { BaseStrategy } from 'strategy-lab';", glob));
  assert.ok(globToRegExp('src/{a,b}/*.ts').test('/root/src/b/x.ts'));
  assert.equal(fileNameForUri('file:///home/me/My%20Strats/rsi.strategy.ts'), '/home/me/My Strats/rsi.strategy.ts');
  assert.equal(fileNameForUri('untitled:Untitled-1'), '/__untitled/Untitled-1.ts');
});
