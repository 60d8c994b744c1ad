import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getSdkDeclarations, SDK_MODULE_NAMES } from '../../core/sdk/dts';
import { validateStrategySource } from '../../core/validate/index';

const repoRoot = resolve(__dirname, '..', '..');

test('the SDK declarations declare both modules from the SDK source, cached', () => {
  const sdk = getSdkDeclarations();
  assert.equal(getSdkDeclarations(), sdk, 'second call returns the cached object');
  assert.deepEqual(sdk.problems, [], 'the SDK source type-checks');
  for (const name of SDK_MODULE_NAMES) assert.match(sdk.text, new RegExp(`declare module '${name.replace('/', '\\/')}' \\{`));
  const main = sdk.modules['strategy-lab']!;
  assert.match(main, /export abstract class BaseStrategy \{/);
  assert.match(main, /export interface Bar \{/);
  assert.match(main, /export type Timeframe = /);
  assert.match(main, /Buy `symbol`\. With no size/, 'JSDoc from the source is kept');
  const indicators = sdk.modules['strategy-lab/indicators']!;
  for (const name of ['RSI', 'SMA', 'EMA', 'MACD', 'BollingerBands', 'ATR']) assert.match(indicators, new RegExp(`export (declare )?class ${name}\\b`));
});

test('engine internals stay out of the public declarations', () => {
  const { text } = getSdkDeclarations();
  for (const hidden of ['bindBroker', 'brokerOf', 'withParamOverrides', 'currentOverrides', 'paramsStore']) assert.doesNotMatch(text, new RegExp(`\\b${hidden}\\b`));
  const imported = validateStrategySource(
    "import { BaseStrategy, type Bar, brokerOf } from 'strategy-lab';\nexport default class S extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n  onBar(bar: Bar) { brokerOf(this); }\n}\n",
  );
  assert.ok(imported.diagnostics.some((d) => d.code === 'SL002' && /brokerOf/.test(d.message)), 'brokerOf is not importable');
});

test("the issue's RSI example type-checks with zero diagnostics (timeframe: '1d' without `as const`)", () => {
  const source = [
    "import { BaseStrategy, type Bar } from 'strategy-lab';",
    "import { RSI } from 'strategy-lab/indicators';",
    '',
    'export default class RsiReversion extends BaseStrategy {',
    "  static config = { symbols: ['AAPL'], timeframe: '1d' };",
    '  params = { period: 14, buyBelow: 35, sellAbove: 65 };',
    '  private rsi = new RSI(this.params.period);',
    '  onBar(bar: Bar) {',
    '    const value = this.rsi.update(bar.close);',
    '    if (value === undefined) return;',
    '    if (value < this.params.buyBelow && !this.position(bar.symbol)) this.buy(bar.symbol);',
    '    else if (value > this.params.sellAbove && this.position(bar.symbol)) this.close(bar.symbol);',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(validateStrategySource(source, 'rsi.strategy.ts').diagnostics, []);
});

test('Node types and the DOM are not available: process and document are type errors too', () => {
  const result = validateStrategySource(
    "import { BaseStrategy, type Bar } from 'strategy-lab';\nexport default class S extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n  onBar(bar: Bar) { this.log(document.title, bar.close); }\n}\n",
  );
  assert.deepEqual(result.diagnostics.map((d) => d.code), ['SL002']);
  assert.match(result.diagnostics[0].message, /Cannot find name 'document'/);
});

test('the build hook writes dist-style strategy-lab.d.ts equal to the in-memory text', () => {
  const out = mkdtempSync(join(tmpdir(), 'sdk-dts-'));
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'core/sdk/dts.ts'), '--out', out], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(readFileSync(join(out, 'strategy-lab.d.ts'), 'utf8'), getSdkDeclarations().text);
});

test('a written strategy-lab.d.ts reads back into the same modules (packaged server without the SDK source)', async () => {
  const { parseSdkDeclarationsFile } = await import('../../core/sdk/declarations/index');
  const sdk = getSdkDeclarations();
  const back = parseSdkDeclarationsFile(sdk.text, 'dist/sdk/strategy-lab.d.ts');
  assert.deepEqual(back.modules, sdk.modules);
  assert.throws(() => parseSdkDeclarationsFile('// empty\n', 'x.d.ts'), /x\.d\.ts has no declarations for 'strategy-lab'\. Rebuild it\./);
});
