import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RULES, RULE_CODES, validateStrategySource } from '../../core/validate/index';

const wrap = (members: string, imports = "import { BaseStrategy, type Bar } from 'strategy-lab';") =>
  `${imports}\n\nexport default class S extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n${members}\n}\n`;

function codes(source: string): string[] {
  return validateStrategySource(source, 's.strategy.ts').diagnostics.map((d) => d.code);
}

function messages(source: string, code: string): string[] {
  return validateStrategySource(source, 's.strategy.ts').diagnostics.filter((d) => d.code === code).map((d) => d.message);
}

test('docs/validation.md documents every rule with its code and severity', () => {
  const doc = readFileSync(resolve(__dirname, '..', '..', 'docs', 'validation.md'), 'utf8');
  for (const code of RULE_CODES) {
    const section = doc.split(/^## /m).find((s) => s.startsWith(code));
    assert.ok(section, `docs/validation.md has no "## ${code}" section`);
    assert.match(section, new RegExp(`Severity: \\*\\*${RULES[code].severity}\\*\\*`), `${code} severity in the doc`);
    assert.match(section, /```ts/, `${code} has an example`);
    assert.match(section, /\*\*Fix/, `${code} says how to fix it`);
  }
});

test('rule codes are stable and well formed', () => {
  assert.deepEqual(RULE_CODES, ['SL001', 'SL002', 'SL010', 'SL011', 'SL012', 'SL020', 'SL021', 'SL030', 'SL040', 'SL041', 'SL042', 'SL050', 'SL051', 'SL060', 'SL070']);
});

test('SL020 variants: property, static, parameters', () => {
  assert.match(messages(wrap('  onBar = 5;'), 'SL020')[0], /must be a method/);
  assert.match(messages(wrap('  static onBar(bar: Bar) {}'), 'SL020')[0], /instance method/);
  assert.match(messages(wrap('  onBar(bar: Bar, extra: number) {}'), 'SL020')[0], /exactly one parameter/);
  assert.deepEqual(codes(wrap('  onBar = (bar: Bar): void => { this.buy(bar.symbol); };')), [], 'an arrow-function field is callable as onBar');
  assert.deepEqual(codes(wrap('  onBar() {}')), [], 'ignoring the bar is allowed');
});

test('SL021 foreign framework names only when onBar is missing', () => {
  assert.match(messages(wrap('  onData(bar: Bar) { this.buy(bar.symbol); }'), 'SL021')[0], /another framework's name for 'onBar'/);
  assert.deepEqual(codes(wrap('  onBar(bar: Bar) {}\n  onData(x: number) { return x; }')), []);
});

test('SL030 suggestions: timeframe aliases, field names, lower-case tickers, date order, non-literals', () => {
  const config = (literal: string) =>
    messages(`import { BaseStrategy, type Bar } from 'strategy-lab';\nexport default class S extends BaseStrategy {\n  static config = ${literal};\n  onBar(bar: Bar) {}\n}\n`, 'SL030');
  assert.match(config("{ symbols: ['AAPL'], timeframe: '60m' }")[0], /Did you mean '1h'/);
  assert.match(config("{ symbols: ['AAPL'], timeframe: 'weekly' }")[0], /Did you mean '1wk'/);
  assert.match(config("{ symbol: 'AAPL', timeframe: '1d' }").join('\n'), /Unknown config field 'symbol' \(did you mean 'symbols'\?\)/);
  assert.match(config("{ symbols: ['aapl'], timeframe: '1d' }")[0], /Did you mean 'AAPL'/);
  assert.match(config("{ symbols: ['AAPL'], timeframe: '1d', start: '2020-01-01', end: '2019-01-01' }")[0], /swap them/);
  assert.match(config("makeConfig()")[0], /plain object literal/);
  assert.match(config("{ symbols: 'AAPL', timeframe: '1d' }")[0], /list of ticker strings/);
  assert.match(config("{ timeframe: '1d' }")[0], /config has no 'symbols'/);
  assert.deepEqual(config("{ symbols: ['AAPL'], timeframe: '1d' } satisfies { symbols: string[]; timeframe: string }"), []);
});

test('SL041 does not flag names the strategy declares itself', () => {
  assert.deepEqual(codes(wrap('  onBar(bar: Bar) {\n    const setTimeout = (x: number) => x;\n    this.log(setTimeout(bar.close));\n  }')), []);
  assert.deepEqual(codes(wrap('  onBar(bar: Bar) {\n    const f: Function | undefined = undefined;\n    this.log(f, bar.close);\n  }')), [], 'Function as a type is harmless');
});

test('SL050 flags bar.index + k only where it picks an element', () => {
  assert.deepEqual(codes(wrap('  private xs: number[] = [];\n  onBar(bar: Bar) {\n    this.log(this.xs.at(bar.index + 1), this.xs[(bar.index + 2)]);\n  }')), ['SL050', 'SL050']);
  assert.deepEqual(codes(wrap('  private xs: number[] = [];\n  onBar(bar: Bar) {\n    const seen = bar.index + 1;\n    this.log(seen, this.xs.slice(0, bar.index + 1));\n  }')), [], 'a count and a slice end are not look-ahead');
});

test('SL050 ignores past offsets and indices of other things', () => {
  assert.deepEqual(codes(wrap('  private xs: number[] = [];\n  onBar(bar: Bar) {\n    const i = 3;\n    this.log(this.xs[i + 1], this.xs[bar.index - 1], bar.time > 5);\n  }')), []);
});

test('SL051 counts return and throw as exits, but not a return inside a nested function', () => {
  assert.deepEqual(codes(wrap('  onBar(bar: Bar) {\n    while (true) {\n      if (bar.close > 1) return;\n    }\n  }')), []);
  assert.deepEqual(codes(wrap('  onBar(bar: Bar) {\n    while (true) {\n      if (bar.close > 1) throw new Error("x");\n    }\n  }')), []);
  assert.deepEqual(codes(wrap('  onBar(bar: Bar) {\n    while (1) {\n      [1].forEach(() => { return; });\n    }\n  }')), ['SL051']);
  assert.deepEqual(codes(wrap('  onBar(bar: Bar) {\n    do {\n      this.log(bar.close);\n    } while (true);\n  }')), ['SL051']);
});

test('SL060 treats a params object that escapes whole as fully used', () => {
  assert.deepEqual(codes(wrap("  params = { a: 1, b: 2 };\n  onBar(bar: Bar) {\n    this.log(JSON.stringify(this.params), bar.close);\n  }")), []);
});

test('with a syntax error only SL001/SL002 are reported (no flicker of structural rules while typing)', () => {
  const result = codes("import { BaseStrategy } from 'strategy-lab';\nexport default class S extends BaseStrategy {\n  onBar(bar: Bar {\n  }\n}\n");
  assert.ok(result.includes('SL001'));
  assert.ok(result.every((c) => c === 'SL001' || c === 'SL002'), result.join(','));
});
