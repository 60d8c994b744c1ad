import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lspClient';
import { globToRegExp, isStrategyDocument, fileNameForUri, StrategyGlob } from '../../server/documents';

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

test('over LSP, a relative strategyGlob is matched inside the workspace folder (rootUri), not anywhere in the path', async () => {
  const lsp = await startServer({ strategyGlob: 'strategies/*.ts' });
  try {
    const { pathToFileURL } = await import('node:url');
    const { repoRoot } = await import('./lspClient');
    const inFolder = pathToFileURL(`${repoRoot}/strategies/relative-glob.ts`).href;
    const deeper = pathToFileURL(`${repoRoot}/lib/strategies/relative-glob.ts`).href;
    lsp.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: deeper, languageId: 'typescript', version: 1, text: 'export const nothing = 1;\n' } });
    const result = await lsp.open(inFolder, 'export const nothing = 1;\n');
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['SL010']);
    assert.equal(lsp.published.filter((p) => p.uri === deeper).length, 0, 'lib/strategies/ is not the folder\'s strategies/');
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

test('the glob is relative to the workspace folders; outside every folder any trailing part of the path may match', () => {
  const glob = new StrategyGlob('strategies/*.ts', ['/work/proj', '/work/proj/nested']);
  assert.ok(glob.matches('/work/proj/strategies/a.ts'));
  assert.ok(!glob.matches('/work/proj/lib/strategies/a.ts'), 'not in the folder\'s strategies/');
  assert.ok(glob.matches('/work/proj/nested/strategies/a.ts'), 'the innermost folder is the base');
  assert.ok(!glob.matches('/work/proj/strategies/deep/a.ts'));
  assert.ok(glob.matches('/elsewhere/x/strategies/a.ts'), 'a file outside every folder');
  assert.ok(new StrategyGlob('./strategies/*.ts', ['/w']).matches('/w/strategies/a.ts'), 'a leading ./ is the folder itself');
  assert.ok(new StrategyGlob('**/*.strategy.ts', ['/w']).matches('/w/a/b/c.strategy.ts'));
  assert.ok(isStrategyDocument('file:///w/strategies/a%20b.ts', '', new StrategyGlob('strategies/*.ts', ['/w'])), 'URIs are decoded');
});

test('globs and URIs', () => {
  const glob = new StrategyGlob('**/*.strategy.ts');
  assert.ok(isStrategyDocument('file:///a/b/rsi.strategy.ts', '', glob));
  assert.ok(isStrategyDocument('file:///rsi.strategy.ts', '', glob));
  assert.ok(!isStrategyDocument('file:///a/b/rsi.ts', 'export {}', glob));
  assert.ok(isStrategyDocument('file:///a/b/rsi.ts', "import { BaseStrategy } from 'strategy-lab';", glob));
  assert.ok(globToRegExp('src/{a,b}/*.ts').test('src/b/x.ts'));
  assert.ok(!globToRegExp('src/{a,b}/*.ts').test('lib/src/b/x.ts'), 'a relative glob is anchored at its folder');
  assert.equal(fileNameForUri('file:///home/me/My%20Strats/rsi.strategy.ts'), '/home/me/My Strats/rsi.strategy.ts');
  assert.equal(fileNameForUri('untitled:Untitled-1'), '/__untitled/Untitled-1.ts');
});
