import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CodeActionRequest,
  CompletionRequest,
  CompletionResolveRequest,
  HoverRequest,
  SignatureHelpRequest,
  type SignatureHelp,
  type CodeAction,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type Hover,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { validateStrategySource } from '../../core/validate/index';
import { applyEdits, startServer, type LspSession } from './lspClient';

const fixtureDir = resolve(__dirname, '..', 'fixtures', 'validate');
let lsp: LspSession;

before(async () => {
  lsp = await startServer({ debounceMs: 5 });
});
after(async () => {
  await lsp?.stop();
});

const uri = (name: string) => `file:///work/strategies/${name}`;

function positionOf(text: string, needle: string, delta = 0) {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `'${needle}' not in text`);
  const before = text.slice(0, offset + delta);
  const lines = before.split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

const STRATEGY = `import { BaseStrategy, type Bar } from 'strategy-lab';
import { RSI } from 'strategy-lab/indicators';

export default class Live extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' };
  params = { period: 14 };
  private rsi = new RSI(this.params.period);
  onBar(bar: Bar) {
    const value = this.rsi.update(bar.close);
    if (value !== undefined && value < 30) this.buy(bar.symbol);
  }
}
`;

test('open, edit and fix: publishDiagnostics follows every version', async () => {
  const doc = uri('live.strategy.ts');
  const clean = await lsp.open(doc, STRATEGY);
  assert.deepEqual(clean.diagnostics, [], 'a correct strategy has no diagnostics');

  // Break it: rename onBar to onbar (one incremental edit of two characters).
  const at = positionOf(STRATEGY, 'onBar(bar', 2);
  const broken = lsp.nextDiagnostics(doc, 2);
  lsp.change(doc, 2, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: 'b' }]);
  const d2 = await broken;
  assert.deepEqual(d2.diagnostics.map((d) => d.code).sort(), ['SL021'], 'one root cause (the misspelt onBar), one diagnostic');
  const sl021 = d2.diagnostics.find((d) => d.code === 'SL021')!;
  assert.equal(sl021.source, 'strategy-lab');
  assert.deepEqual(sl021.range, { start: { line: at.line, character: at.character - 2 }, end: { line: at.line, character: at.character + 3 } }, 'the range is the method name');

  // Ask for the quick fix and apply it as an editor would.
  const actions = (await lsp.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: doc },
    range: sl021.range,
    context: { diagnostics: [sl021] },
  })) as CodeAction[];
  assert.equal(actions.length, 1);
  assert.equal(actions[0].title, "Rename 'onbar' to 'onBar'");
  assert.equal(actions[0].kind, 'quickfix');
  const brokenText = STRATEGY.replace('onBar(bar', 'onbar(bar');
  const fixed = applyEdits(brokenText, actions[0].edit!.changes![doc]);
  assert.equal(fixed, STRATEGY);
  const repaired = lsp.nextDiagnostics(doc, 3);
  lsp.change(doc, 3, [{ text: fixed }]);
  assert.deepEqual((await repaired).diagnostics, []);
  lsp.close(doc);
});

test('every quick fix the issue lists works over LSP', async () => {
  const cases: [string, string, RegExp][] = [
    ['SL011.fail.strategy.ts', 'SL011', /Extend BaseStrategy/],
    ['SL020.fail.strategy.ts', 'SL020', /Add an onBar method/],
    ['SL021.fail.strategy.ts', 'SL021', /Rename 'onstart' to 'onStart'/],
    ['SL040.fail.strategy.ts', 'SL040', /Remove the import of 'technicalindicators'/],
    ['SL030.missing.fail.strategy.ts', 'SL030', /Add static config for SPY/],
  ];
  for (const [fixture, code, title] of cases) {
    const doc = uri(`fix-${fixture}`);
    const text = readFileSync(join(fixtureDir, fixture), 'utf8');
    const opened = await lsp.open(doc, text);
    const diagnostic = opened.diagnostics.find((d) => d.code === code);
    assert.ok(diagnostic, `${fixture}: no ${code}`);
    const actions = (await lsp.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: doc }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) as CodeAction[];
    assert.ok(actions.length >= 1, `${fixture}: no code action`);
    assert.match(actions[0].title, title);
    const next = lsp.nextDiagnostics(doc, 2);
    lsp.change(doc, 2, [{ text: applyEdits(text, actions[0].edit!.changes![doc]) }]);
    const after = await next;
    const count = (ds: Diagnostic[]) => ds.filter((d) => d.code === code).length;
    assert.equal(count(after.diagnostics), count(opened.diagnostics) - 1, `${fixture}: the fix removes one ${code}`);
    lsp.close(doc);
  }
});

test('the server reports exactly what the validator reports, for every fixture', async () => {
  for (const fixture of readdirSync(fixtureDir).filter((f) => f.endsWith('.strategy.ts'))) {
    const text = readFileSync(join(fixtureDir, fixture), 'utf8');
    const doc = uri(`all/${fixture}`);
    const published = await lsp.open(doc, text);
    const expected = validateStrategySource(text, fixture).diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`);
    assert.deepEqual(published.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`), expected, fixture);
    lsp.close(doc);
  }
});

test('hover shows the SDK documentation', async () => {
  const doc = uri('hover.strategy.ts');
  await lsp.open(doc, STRATEGY);
  const hover = (await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri: doc }, position: positionOf(STRATEGY, 'buy(bar.symbol)', 1) })) as Hover;
  const value = (hover.contents as MarkupContent).value;
  assert.match(value, /BaseStrategy\.buy\(symbol: string, options\?: OrderOptions\): Order/);
  assert.match(value, /With no size: covers the whole short/);
  const config = (await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri: doc }, position: positionOf(STRATEGY, 'timeframe:', 2) })) as Hover;
  assert.match((config.contents as MarkupContent).value, /timeframe: Timeframe[\s\S]*Bar interval/);
  const indicator = (await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri: doc }, position: positionOf(STRATEGY, 'new RSI', 5) })) as Hover;
  assert.match((indicator.contents as MarkupContent).value, /RSI/);
  lsp.close(doc);
});

async function complete(doc: string, text: string, needle: string, delta: number, triggerCharacter?: string): Promise<CompletionItem[]> {
  const result = (await lsp.connection.sendRequest(CompletionRequest.type, {
    textDocument: { uri: doc },
    position: positionOf(text, needle, delta),
    context: triggerCharacter ? { triggerKind: 2, triggerCharacter } : { triggerKind: 1 },
  })) as CompletionItem[] | CompletionList;
  return Array.isArray(result) ? result : result.items;
}

test('completion: this. offers the SDK methods with docs, params entries, indicators, config fields and timeframes', async () => {
  const text = STRATEGY.replace('    const value', '    this.\n    const value');
  const doc = uri('complete.strategy.ts');
  await lsp.open(doc, text);
  const members = await complete(doc, text, 'this.\n', 5, '.');
  const labels = members.map((i) => i.label);
  for (const name of ['buy', 'sell', 'close', 'position', 'log', 'params', 'rsi']) assert.ok(labels.includes(name), `this. offers ${name}: ${labels.join(', ')}`);
  const buy = (await lsp.connection.sendRequest(CompletionResolveRequest.type, members.find((i) => i.label === 'buy')!)) as CompletionItem;
  assert.match(buy.detail ?? '', /buy\(symbol: string, options\?: OrderOptions\): Order/);
  assert.match((buy.documentation as MarkupContent).value, /Market order unless/);

  const paramsText = STRATEGY.replace('    const value', '    this.params.\n    const value');
  const paramsDoc = uri('params.strategy.ts');
  await lsp.open(paramsDoc, paramsText);
  const params = await complete(paramsDoc, paramsText, 'this.params.\n', 12, '.');
  assert.deepEqual(params.map((i) => i.label), ['period']);

  const importText = "import { BaseStrategy, type Bar } from 'strategy-lab';\nimport {  } from 'strategy-lab/indicators';\n";
  const importDoc = uri('imports.strategy.ts');
  await lsp.open(importDoc, importText);
  const indicators = (await complete(importDoc, importText, '{  }', 2)).map((i) => i.label);
  for (const name of ['RSI', 'SMA', 'EMA', 'MACD', 'BollingerBands', 'ATR']) assert.ok(indicators.includes(name), `indicators offer ${name}: ${indicators.join(', ')}`);

  const configText = STRATEGY.replace("static config = { symbols: ['AAPL'], timeframe: '1d' };", "static config = { symbols: ['AAPL'], timeframe: '', s };");
  const configDoc = uri('config.strategy.ts');
  await lsp.open(configDoc, configText);
  const fields = (await complete(configDoc, configText, ', s }', 3)).map((i) => i.label);
  assert.deepEqual(fields.sort(), ['end', 'start']);
  const timeframes = (await complete(configDoc, configText, "timeframe: ''", 12, "'")).map((i) => i.label);
  assert.deepEqual(timeframes, ['1m', '2m', '5m', '15m', '30m', '1h', '4h', '1d', '1wk']);
  for (const d of [doc, paramsDoc, importDoc, configDoc]) lsp.close(d);
});

test('inside this.buy( the order options are completed and the signature is shown with docs', async () => {
  const text = STRATEGY.replace('this.buy(bar.symbol);', 'this.buy(bar.symbol, {  });');
  const doc = uri('buy.strategy.ts');
  await lsp.open(doc, text);
  const options = (await complete(doc, text, '{  })', 2)).map((i) => i.label);
  for (const name of ['shares', 'cash', 'percent', 'limit', 'stop', 'stopLossPct', 'takeProfitPct', 'trailingStopPct']) assert.ok(options.includes(name), `offers ${name}: ${options.join(', ')}`);
  const help = (await lsp.connection.sendRequest(SignatureHelpRequest.type, { textDocument: { uri: doc }, position: positionOf(text, '{  })', 2) })) as SignatureHelp;
  assert.equal(help.signatures[0].label, 'buy(symbol: string, options?: OrderOptions): Order');
  assert.equal(help.activeParameter, 1);
  assert.match((help.signatures[0].documentation as MarkupContent).value, /Market order unless/);
  lsp.close(doc);
});

test('completion on the advertised trigger characters { and , answers (TypeScript rejects them as triggers) with the order options', async () => {
  for (const [typed, needle, delta, trigger] of [
    ['this.buy(bar.symbol, {', '{)', 1, '{'],
    ['this.buy(bar.symbol, { percent: 50,', '50,)', 3, ','],
  ] as const) {
    const text = STRATEGY.replace('this.buy(bar.symbol);', `${typed});`);
    const doc = uri(`trigger-${trigger === '{' ? 'brace' : 'comma'}.strategy.ts`);
    await lsp.open(doc, text);
    const items = await complete(doc, text, needle, delta, trigger);
    const labels = items.map((i) => i.label);
    for (const name of ['shares', 'stopLossPct', 'trailingStopPct']) assert.ok(labels.includes(name), `after '${trigger}' offers ${name}: ${labels.join(', ')}`);
    assert.equal(labels.includes('percent'), trigger === '{', 'an option already given is not offered again');
    lsp.close(doc);
  }
});

test('ordinary TypeScript files are left alone; the glob and SDK imports decide', async () => {
  const plain = uri('util.ts');
  const plainText = 'export const x: number = "not a number";\nprocess.exit(0);\n';
  const published = lsp.published.length;
  await lsp.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: plain, languageId: 'typescript', version: 1, text: plainText } });
  const hover = await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri: plain }, position: { line: 0, character: 14 } });
  assert.equal(hover, null);
  const completions = await lsp.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: plain }, position: { line: 1, character: 8 } });
  assert.deepEqual(completions, []);
  // A strategy opened afterwards gets diagnostics; the plain file never did.
  const importsSdk = uri('helper-without-suffix.ts');
  const result = await lsp.open(importsSdk, "import { BaseStrategy } from 'strategy-lab';\nexport default class A extends BaseStrategy {}\n");
  assert.ok(result.diagnostics.some((d) => d.code === 'SL020'), 'a file importing the SDK is a strategy whatever its name');
  assert.equal(lsp.published.slice(published).filter((p) => p.uri === plain).length, 0, 'no diagnostics for the plain file');
  lsp.close(plain);
  lsp.close(importsSdk);
});

test('a burst of edits publishes the final version, never an older one after it', async () => {
  const doc = uri('burst.strategy.ts');
  await lsp.open(doc, STRATEGY);
  const start = lsp.published.length;
  const final = lsp.nextDiagnostics(doc, 11);
  let text = STRATEGY;
  for (let v = 2; v <= 11; v++) {
    // Type "Math.random();" one chunk at a time at the start of onBar.
    const chunk = 'Math.random();'.slice((v - 2) * 2, (v - 1) * 2) || ' ';
    const at = positionOf(text, '    const value');
    text = text.replace('    const value', `${chunk}    const value`);
    lsp.change(doc, v, [{ range: { start: at, end: at }, text: chunk }]);
  }
  const last = await final;
  assert.ok(last.diagnostics.some((d) => d.code === 'SL042'), 'the final text has Math.random()');
  const versions = lsp.published.slice(start).filter((p) => p.uri === doc).map((p) => p.version!);
  assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `versions published in order: ${versions}`);
  assert.ok(versions.length < 10, `debounced and cancelled: ${versions.length} publications for 10 edits`);
  lsp.close(doc);
});

test('closing a document clears its diagnostics', async () => {
  const doc = uri('closing.strategy.ts');
  const opened = await lsp.open(doc, readFileSync(join(fixtureDir, 'SL040.fail.strategy.ts'), 'utf8'));
  assert.ok(opened.diagnostics.length > 0);
  const cleared = lsp.nextDiagnostics(doc);
  lsp.close(doc);
  assert.deepEqual((await cleared).diagnostics, []);
});

test('a file the check cannot handle gets one SL000 warning instead of stale diagnostics; a flood is capped at 200 plus a count', async () => {
  const doc = uri('deep.strategy.ts');
  const broken = STRATEGY.replace('this.buy(bar.symbol);', 'this.buy(42);');
  const first = await lsp.open(doc, broken);
  assert.ok(first.diagnostics.length > 0, 'a real problem is listed first');
  // Deep enough to overflow the parser's stack (the issue saw ~1,000 parentheses do it).
  const depth = 20_000;
  const deep = STRATEGY.replace('const value', `const deep = ${'('.repeat(depth)}1${')'.repeat(depth)};\n    const value`);
  const next = lsp.nextValidated(doc, 2, true, 60_000);
  lsp.change(doc, 2, [{ text: deep }]);
  const result = await next;
  assert.deepEqual(result.diagnostics.map((d) => d.code), ['SL000'], JSON.stringify(result.diagnostics.slice(0, 3)));
  assert.match(String(result.diagnostics[0].message), /could not check this file \(.+\)/);
  const hover = await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri: doc }, position: positionOf(deep, 'onBar', 1) });
  assert.ok(hover === null || typeof hover === 'object', 'hover answers (no error response)');
  lsp.close(doc);

  const noise = uri('noise.strategy.ts');
  let text = "import { BaseStrategy } from 'strategy-lab';\n";
  for (let i = 0; i < 400; i++) text += `const v${i}: number = 'x${i}';\n`;
  const flood = await lsp.open(noise, text);
  assert.equal(flood.diagnostics.length, 201, 'the first 200 and one line counting the rest');
  const last = flood.diagnostics.at(-1)!;
  assert.equal(last.code, 'SL000');
  assert.match(String(last.message), /^\d[\d,]* more problems are not listed/);
  const severities = flood.diagnostics.slice(0, 200).map((d) => d.severity!);
  assert.equal(severities[0], 1, 'errors are listed');
  assert.deepEqual(severities, [...severities].sort((a, b) => a - b), 'errors first');
  lsp.close(noise);
});
