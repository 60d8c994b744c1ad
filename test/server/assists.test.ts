import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CodeActionRequest, CompletionRequest, CompletionResolveRequest, type CodeAction, type CompletionItem, type Diagnostic } from 'vscode-languageserver-protocol/node';
import { applyEdits, startServer, type LspSession } from './lspClient';

let lsp: LspSession;
before(async () => {
  lsp = await startServer({ debounceMs: 5 });
});
after(async () => {
  await lsp?.stop();
});

const STRATEGY = `import { BaseStrategy, type Bar } from 'strategy-lab';

export default class Assisted extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' };
  onBar(bar: Bar): void {
    if (bar.close > bar.open) this.buy(bar.symbol);
  }
}
`;

let counter = 0;
const nextUri = (name: string) => `file:///w/${name}-${++counter}.strategy.ts`;

async function codeActions(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
  return (await lsp.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) as CodeAction[];
}

/** Opens `text`, applies the first quick fix of the diagnostic `code`, and returns the fixed text and its diagnostics. */
async function applyFirstFix(text: string, code: string, title: RegExp): Promise<{ fixed: string; after: Diagnostic[]; diagnostic: Diagnostic }> {
  const uri = nextUri('fix');
  const opened = await lsp.open(uri, text);
  const diagnostic = opened.diagnostics.find((d) => d.code === code);
  assert.ok(diagnostic, `no ${code} in ${JSON.stringify(opened.diagnostics)}`);
  const actions = await codeActions(uri, diagnostic);
  assert.ok(actions.length >= 1, 'a quick fix is offered');
  assert.match(actions[0].title, title);
  assert.equal(actions[0].isPreferred, true);
  const fixed = applyEdits(text, actions[0].edit!.changes![uri]);
  const next = lsp.nextValidated(uri, 2);
  lsp.change(uri, 2, [{ text: fixed }]);
  const after = (await next).diagnostics;
  lsp.close(uri);
  return { fixed, after, diagnostic };
}

const SUGGESTIONS: [string, string, RegExp, string][] = [
  ["timeframe: '1d'", "timeframe: 'daily'", /^Change 'daily' to '1d'$/, "timeframe: '1d'"],
  ["symbols: ['AAPL']", "symbols: ['msft']", /^Change 'msft' to 'MSFT'$/, "symbols: ['MSFT']"],
  ["symbols: ['AAPL']", "symbol: ['AAPL']", /^Change 'symbol' to 'symbols'$/, "symbols: ['AAPL']"],
  ['this.buy(bar.symbol)', 'this.buy(bar.symbl)', /^Change 'symbl' to 'symbol'$/, 'this.buy(bar.symbol)'],
];

for (const [from, to, title, expected] of SUGGESTIONS) {
  test(`over LSP, "did you mean" is a quick fix and structured data: ${to} → ${expected}`, async () => {
    const { fixed, after, diagnostic } = await applyFirstFix(STRATEGY.replace(from, to), diagnosticCode(to), title);
    assert.ok(fixed.includes(expected), fixed);
    assert.deepEqual(after, [], 'the fixed file is clean');
    const suggestion = (diagnostic.data as { suggestion?: { replacement: string; original: string } } | undefined)?.suggestion;
    assert.ok(suggestion, 'the diagnostic carries data.suggestion');
    assert.ok(expected.includes(suggestion.replacement));
  });
}

function diagnosticCode(text: string): string {
  return text.includes('bar.symbl') ? 'SL002' : 'SL030';
}

test('"Cannot find name \'EMA\'" gets the quick fix importing it from strategy-lab/indicators', async () => {
  const text = STRATEGY.replace('  onBar(', '  private ema = new EMA(20);\n  onBar(');
  const { fixed, after } = await applyFirstFix(text, 'SL002', /^Import 'EMA' from 'strategy-lab\/indicators'$/);
  assert.match(fixed, /^import \{ BaseStrategy, type Bar \} from 'strategy-lab';\nimport \{ EMA \} from 'strategy-lab\/indicators';\n/);
  assert.deepEqual(after, []);
});

test('completing an SDK indicator that is not imported adds its import (additionalTextEdits)', async () => {
  const uri = nextUri('auto-import');
  const text = STRATEGY.replace('  onBar(', '  private ema = new EM\n  onBar(');
  await lsp.open(uri, text);
  const line = text.split('\n').findIndex((l) => l.includes('new EM'));
  const items = (await lsp.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character: text.split('\n')[line].length } })) as CompletionItem[];
  const ema = items.find((i) => i.label === 'EMA');
  assert.ok(ema, `EMA offered among ${items.length} items`);
  assert.equal(ema.labelDetails?.description, 'strategy-lab/indicators');
  assert.ok(ema.additionalTextEdits?.length, 'the import comes with the item');
  const resolved = (await lsp.connection.sendRequest(CompletionResolveRequest.type, ema)) as CompletionItem;
  assert.deepEqual(resolved.additionalTextEdits, ema.additionalTextEdits, 'resolving keeps the import');
  const completed = applyEdits(text, [...ema.additionalTextEdits!, { range: { start: { line, character: text.split('\n')[line].length - 2 }, end: { line, character: text.split('\n')[line].length } }, newText: 'EMA(20);' }]);
  assert.match(completed, /import \{ EMA \} from 'strategy-lab\/indicators';/);
  const next = lsp.nextValidated(uri, 2);
  lsp.change(uri, 2, [{ text: completed }]);
  assert.deepEqual((await next).diagnostics, [], completed);
  // Once imported, it is offered plainly (no second import).
  const again = (await lsp.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: line + 1, character: completed.split('\n')[line + 1].indexOf('EMA(') + 3 } })) as CompletionItem[];
  const plain = again.filter((i) => i.label === 'EMA');
  assert.equal(plain.length, 1);
  assert.equal(plain[0].additionalTextEdits, undefined);
  lsp.close(uri);
});

test('an already imported module gets the new name added to its import line', async () => {
  const uri = nextUri('auto-import-merge');
  const text = STRATEGY.replace("import { BaseStrategy, type Bar } from 'strategy-lab';", "import { BaseStrategy, type Bar } from 'strategy-lab';\nimport { SMA } from 'strategy-lab/indicators';").replace('  onBar(', '  private sma = new SMA(5);\n  private rsi = new RS\n  onBar(');
  await lsp.open(uri, text);
  const line = text.split('\n').findIndex((l) => l.includes('new RS'));
  const items = (await lsp.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character: text.split('\n')[line].length } })) as CompletionItem[];
  const rsi = items.find((i) => i.label === 'RSI');
  assert.ok(rsi?.additionalTextEdits);
  assert.match(applyEdits(text, rsi.additionalTextEdits), /import \{ SMA, RSI \} from 'strategy-lab\/indicators';/);
  lsp.close(uri);
});

for (const [name, blank] of [['empty', ''], ['blank lines', '\n\n  \n'], ['a comment only', '// my new strategy\n']] as const) {
  test(`an empty strategy file (${name}) is offered the skeleton, as a quick fix and as a completion, and it passes the validator`, async () => {
    const uri = `file:///w/mean-reversion-${name.replace(/ /g, '-')}.strategy.ts`;
    const opened = await lsp.open(uri, blank);
    const sl010 = opened.diagnostics.find((d) => d.code === 'SL010');
    assert.ok(sl010);
    const actions = await codeActions(uri, sl010);
    assert.equal(actions[0].title, 'Insert strategy skeleton');
    const fromFix = applyEdits(blank, actions[0].edit!.changes![uri]);
    assert.match(fromFix, /export default class MeanReversion\w*Strategy extends BaseStrategy/);

    const items = (await lsp.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } })) as CompletionItem[];
    assert.equal(items.length, 1);
    assert.equal(items[0].detail, 'Insert strategy skeleton');
    const textEdit = items[0].textEdit as { range: Diagnostic['range']; newText: string };
    const fromCompletion = applyEdits(blank, [textEdit]);
    for (const [version, text] of [[2, fromFix], [3, fromCompletion]] as const) {
      const next = lsp.nextValidated(uri, version);
      lsp.change(uri, version, [{ text }]);
      assert.deepEqual((await next).diagnostics, [], text);
    }
    lsp.close(uri);
  });
}
