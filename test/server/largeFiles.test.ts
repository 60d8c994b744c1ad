import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HoverRequest, CompletionRequest } from 'vscode-languageserver-protocol/node';
import { MAX_FULL_CHECK_CHARS } from '../../core/validate/index';
import { startServer, type LspSession } from './lspClient';
import { hugeStrategy, SMALL_HOVER, SMALL_STRATEGY } from './hostileInputs';
import { cpuMs, rssMb } from './procStats';

let lsp: LspSession;
const small = 'file:///w/small.strategy.ts';

before(async () => {
  lsp = await startServer({ debounceMs: 5 });
  await lsp.open(small, SMALL_STRATEGY);
});
after(async () => {
  await lsp?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function hoverSmallMs(): Promise<number> {
  const started = performance.now();
  const hover = await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri: small }, position: SMALL_HOVER });
  assert.match(JSON.stringify(hover?.contents), /Bar\.close/);
  return performance.now() - started;
}

test('a file above the full-check limit gets syntax and the structural rules plus a notice; hover and completion are off in it', async () => {
  const uri = 'file:///w/large.strategy.ts';
  const text = hugeStrategy(MAX_FULL_CHECK_CHARS + 20_000, 'onbar').replace('return x * 0 +', "const s: string = 1; return x * 0 +");
  assert.ok(text.length > MAX_FULL_CHECK_CHARS);
  const opened = lsp.nextDiagnostics(uri, 1, 120_000);
  lsp.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  const published = await opened;
  const codes = published.diagnostics.map((d) => d.code).sort();
  assert.deepEqual(codes, ['SL000', 'SL021'], JSON.stringify(published.diagnostics.map((d) => d.message)));
  const notice = published.diagnostics.find((d) => d.code === 'SL000')!;
  assert.equal(notice.severity, 3, 'information');
  assert.match(String(notice.message), /above the 512 KB Strategy Lab checks in full: only syntax and the structural rules \(SL010–SL030\) ran/);
  const sl021 = published.diagnostics.find((d) => d.code === 'SL021')!;
  assert.equal(text.split('\n')[sl021.range.start.line].slice(sl021.range.start.character, sl021.range.end.character), 'onbar', 'ranges are positions in the real file');
  assert.equal(await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 5, character: 12 } }), null);
  assert.deepEqual(await lsp.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 5, character: 12 } }), []);

  // A syntax error anywhere in it is still found.
  const broken = lsp.nextValidated(uri, 2, true, 120_000);
  lsp.change(uri, 2, [{ text: text.replace('return x * 7 +', 'return x * 7 +)') }]);
  assert.ok((await broken).diagnostics.some((d) => d.code === 'SL001'));

  // Shrunk below the limit, it is checked in full again.
  const shrunk = lsp.nextValidated(uri, 3);
  lsp.change(uri, 3, [{ text: SMALL_STRATEGY.replace('bar.close > bar.open', 'bar.close > "x"') }]);
  assert.deepEqual((await shrunk).diagnostics.map((d) => d.code), ['SL002']);
  lsp.close(uri);
});

test('a 5 MB file does not stall hover in another file, and closing it stops its check at once', async () => {
  const pid = lsp.process.pid!;
  const uri = 'file:///w/five-mb.strategy.ts';
  const text = hugeStrategy(5 * 1024 * 1024);
  lsp.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  const hovers: number[] = [];
  for (let i = 0; i < 8; i++) {
    await sleep(100);
    hovers.push(await hoverSmallMs());
  }
  const sorted = [...hovers].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  // The bench records the real figure (~30 ms median on a loaded machine); these bounds hold even when the test
  // shares two cores with a dozen other processes, and still catch the old behaviour (hover stalled 7–29 s).
  assert.ok(median < 500, `hover while a 5 MB file is checked: ${hovers.map((h) => h.toFixed(0)).join(', ')} ms`);
  assert.ok(sorted[sorted.length - 1] < 3000, `hover while a 5 MB file is checked: ${hovers.map((h) => h.toFixed(0)).join(', ')} ms`);
  assert.equal(lsp.published.filter((p) => p.uri === uri).length, 0, 'still being checked');

  const cleared = lsp.nextDiagnostics(uri);
  lsp.close(uri);
  assert.deepEqual((await cleared).diagnostics, []);
  await sleep(200);
  const idle = cpuMs(pid)!;
  await sleep(1000);
  assert.ok(cpuMs(pid)! - idle < 300, `the check stopped with the close: ${(cpuMs(pid)! - idle).toFixed(0)} ms of CPU in the next second`);
  assert.deepEqual(lsp.published.filter((p) => p.uri === uri).map((p) => p.diagnostics.length), [0], 'nothing is published for it after the close');
});

test('memory of a large file is freed when it is closed', async () => {
  const pid = lsp.process.pid!;
  const baseline = rssMb(pid);
  const uri = 'file:///w/one-mb.strategy.ts';
  const opened = lsp.nextDiagnostics(uri, 1, 120_000);
  lsp.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: hugeStrategy(1024 * 1024) } });
  assert.deepEqual((await opened).diagnostics.map((d) => d.code), ['SL000']);
  assert.ok(rssMb(pid) > baseline, 'the open file takes memory');
  const cleared = lsp.nextDiagnostics(uri);
  lsp.close(uri);
  await cleared;
  // The worker's heap goes when its thread has ended, which a busy machine can delay by a few seconds.
  for (let i = 0; i < 80 && rssMb(pid) >= baseline + 100; i++) await sleep(250);
  const after = rssMb(pid);
  assert.ok(after < baseline + 100, `RSS ${baseline.toFixed(0)} MB before, ${after.toFixed(0)} MB after the close`);
  assert.ok((await hoverSmallMs()) < 1000);
});
