import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompletionRequest, HoverRequest, SignatureHelpRequest, type CompletionItem, type Hover } from 'vscode-languageserver-protocol/node';
import { MAX_DIAGNOSTICS_PER_FILE } from '../../server/limits';
import { startServer, type LspSession } from './lspClient';
import { hostileCorpus, SMALL_HOVER, SMALL_STRATEGY, withCondition } from './hostileInputs';

let lsp: LspSession;
const healthy = 'file:///w/healthy.strategy.ts';

before(async () => {
  lsp = await startServer({ debounceMs: 5 });
  await lsp.open(healthy, SMALL_STRATEGY);
});
after(async () => {
  await lsp?.stop();
});

async function hoverHealthy(): Promise<Hover | null> {
  return lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri: healthy }, position: SMALL_HOVER });
}

test('1,000 nested parentheses: one SL000 saying the file could not be checked and why, stale diagnostics cleared, requests answer', async () => {
  const uri = 'file:///w/nested.strategy.ts';
  const broken = SMALL_STRATEGY.replace("timeframe: '1d'", "timeframe: 'daily'");
  const first = await lsp.open(uri, broken);
  assert.deepEqual(first.diagnostics.map((d) => d.code), ['SL030'], 'a diagnostic to go stale');

  const nested = lsp.nextValidated(uri, 2);
  lsp.change(uri, 2, [{ text: withCondition(`${'('.repeat(1000)}bar.close${')'.repeat(1000)} > 1`).replace("timeframe: '1d'", "timeframe: 'daily'") }]);
  const published = await nested;
  assert.deepEqual(published.diagnostics.map((d) => d.code), ['SL000'], 'the stale SL030 is gone');
  assert.equal(published.diagnostics[0].severity, 2);
  assert.match(String(published.diagnostics[0].message), /could not check this file \(Maximum call stack size exceeded: it is nested too deeply/);

  // Hover, completion and signature help in the file answer (empty), never with an error.
  const position = { line: 5, character: 1010 };
  assert.equal(await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position }), null);
  assert.deepEqual(await lsp.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position }), []);
  assert.equal(await lsp.connection.sendRequest(SignatureHelpRequest.type, { textDocument: { uri }, position }), null);
  // The rest of the server is unharmed.
  assert.match(JSON.stringify((await hoverHealthy())?.contents), /Bar\.close/);

  // Flattening it brings the real diagnostics back.
  const fixed = lsp.nextValidated(uri, 3);
  lsp.change(uri, 3, [{ text: broken }]);
  assert.deepEqual((await fixed).diagnostics.map((d) => d.code), ['SL030']);
  const hover = (await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: SMALL_HOVER })) as Hover | null;
  assert.match(JSON.stringify(hover?.contents), /Bar\.close/, 'hover works again in the repaired file');
  lsp.close(uri);
});

for (const [i, { name, text }] of hostileCorpus().entries()) {
  test(`hostile input: ${name} — published, bounded, and the server stays responsive`, async () => {
    const uri = `file:///w/hostile-${i}.strategy.ts`;
    const started = performance.now();
    const published = await lsp.open(uri, text);
    const elapsed = performance.now() - started;
    assert.ok(published.diagnostics.length >= 1, 'something is published: a hostile file is never silently "clean"');
    assert.ok(published.diagnostics.length <= MAX_DIAGNOSTICS_PER_FILE + 1, `${published.diagnostics.length} diagnostics`);
    assert.ok(JSON.stringify(published).length < 200_000, 'the notification stays small');
    const notices = published.diagnostics.filter((d) => d.code === 'SL000');
    for (const notice of notices) assert.match(String(notice.message), /could not check this file \(.+\)|more problems are not listed|holds binary data/);
    if (published.diagnostics.length > MAX_DIAGNOSTICS_PER_FILE) {
      assert.match(String(published.diagnostics[MAX_DIAGNOSTICS_PER_FILE].message), /^[\d,]+ more problems are not listed/);
    }
    const items = (await lsp.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } })) as CompletionItem[] | null;
    assert.ok(Array.isArray(items) || items === null);
    assert.match(JSON.stringify((await hoverHealthy())?.contents), /Bar\.close/, 'hover in another file still works');
    assert.ok(elapsed < 15_000, `took ${elapsed.toFixed(0)} ms`);
    const cleared = lsp.nextDiagnostics(uri);
    lsp.close(uri);
    assert.deepEqual((await cleared).diagnostics, [], 'closing clears its diagnostics');
  });
}

test('256 KB of random printable text gives the capped list: 200 diagnostics, errors first, and one line counting the rest', async () => {
  const { text } = hostileCorpus().find((c) => c.name === '256 KB of printable text without brackets')!;
  const uri = 'file:///w/random-capped.strategy.ts';
  const published = await lsp.open(uri, text);
  assert.equal(published.diagnostics.length, MAX_DIAGNOSTICS_PER_FILE + 1);
  const count = published.diagnostics[MAX_DIAGNOSTICS_PER_FILE];
  assert.equal(count.code, 'SL000');
  const more = Number(/^([\d,]+) more/.exec(String(count.message))![1].replace(/,/g, ''));
  assert.ok(more > 100, `${more} more`);
  const severities = published.diagnostics.slice(0, MAX_DIAGNOSTICS_PER_FILE).map((d) => d.severity!);
  assert.deepEqual(severities, [...severities].sort((a, b) => a - b), 'errors first');
  lsp.close(uri);
});

test('256 KB of random bytes: one SL000 saying it is binary, not 40,000 syntax errors; nothing of it enters the project', async () => {
  const { text } = hostileCorpus().find((c) => c.name === '256 KB of random bytes')!;
  const uri = 'file:///w/random-bytes.strategy.ts';
  const started = performance.now();
  const published = await lsp.open(uri, text);
  assert.deepEqual(published.diagnostics.map((d) => d.code), ['SL000']);
  assert.match(String(published.diagnostics[0].message), /holds binary data/);
  assert.ok(performance.now() - started < 2000, 'not parsed: answered at once');
  assert.equal(await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 1 } }), null);
  // Text again (the user restored it): checked normally.
  const restored = lsp.nextValidated(uri, 2);
  lsp.change(uri, 2, [{ text: SMALL_STRATEGY.replace("'AAPL'", "'msft'") }]);
  assert.deepEqual((await restored).diagnostics.map((d) => d.code), ['SL030']);
  lsp.close(uri);
});
