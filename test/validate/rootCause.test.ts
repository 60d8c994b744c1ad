import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateStrategySource } from '../../core/validate/index';

/** A clean strategy: every seed below changes one thing in it. */
const CLEAN = `import { BaseStrategy, type Bar } from 'strategy-lab';
import { SMA } from 'strategy-lab/indicators';

export default class Seeded extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' };
  params = { period: 20 };
  private sma = new SMA(this.params.period);
  private closes: number[] = [];

  onBar(bar: Bar): void {
    this.closes.push(bar.close);
    const average = this.sma.update(bar.close);
    if (average === undefined) return;
    if (bar.close > average && !this.position(bar.symbol)) this.buy(bar.symbol);
  }
}
`;

const BODY = 'this.closes.push(bar.close);';

/** [what, replaced text, replacement, the one code expected] */
const SEEDS: [string, string, string, string][] = [
  ['misspelt onBar (lower case)', 'onBar(bar: Bar)', 'onbar(bar: Bar)', 'SL021'],
  ['misspelt onBar (plural)', 'onBar(bar: Bar)', 'onBars(bar: Bar)', 'SL021'],
  ['misspelt onBar (snake case)', 'onBar(bar: Bar)', 'on_bar(bar: Bar)', 'SL021'],
  ['foreign lifecycle name', 'onBar(bar: Bar)', 'onData(bar: Bar)', 'SL021'],
  ['process', BODY, 'const key = process.env.KEY;', 'SL041'],
  ['process (bare)', BODY, 'process.exit(1);', 'SL041'],
  ['require', BODY, "const fs = require('fs');", 'SL041'],
  ['require with a member', BODY, "require('fs').readFileSync('x');", 'SL041'],
  ['setTimeout', BODY, 'setTimeout(() => this.buy(bar.symbol), 10);', 'SL041'],
  ['setInterval', BODY, 'setInterval(() => 1, 10);', 'SL041'],
  ['setImmediate', BODY, 'setImmediate(() => 1);', 'SL041'],
  ['clearTimeout', BODY, 'clearTimeout(1);', 'SL041'],
  ['fetch', BODY, "void fetch('http://127.0.0.1/');", 'SL041'],
  ['globalThis assignment', BODY, 'globalThis.leak = 1;', 'SL041'],
  ['global', BODY, 'const g = global;', 'SL041'],
  ['Buffer', BODY, "const b = Buffer.from('x');", 'SL041'],
  ['__dirname', BODY, 'const d = __dirname;', 'SL041'],
  ['module', BODY, 'const m = module;', 'SL041'],
  ['exports', BODY, 'const e = exports;', 'SL041'],
  ['queueMicrotask', BODY, 'queueMicrotask(() => 1);', 'SL041'],
  ['Worker', BODY, "const w = new Worker('x');", 'SL041'],
  ['eval', BODY, "eval('1');", 'SL041'],
  ['node:fs import', "import { SMA } from 'strategy-lab/indicators';", "import { SMA } from 'strategy-lab/indicators';\nimport { readFileSync } from 'node:fs';", 'SL041'],
  ['package import', "import { SMA } from 'strategy-lab/indicators';", "import { SMA } from 'strategy-lab/indicators';\nimport { sma } from 'technicalindicators';", 'SL040'],
  ['relative import', "import { SMA } from 'strategy-lab/indicators';", "import { SMA } from 'strategy-lab/indicators';\nimport { helper } from './helper';", 'SL040'],
  ['timeframe alias', "timeframe: '1d'", "timeframe: 'daily'", 'SL030'],
  ['lower-case ticker', "symbols: ['AAPL']", "symbols: ['msft']", 'SL030'],
  ['config field singular', "symbols: ['AAPL']", "symbol: ['AAPL']", 'SL030'],
  ['config field interval', "timeframe: '1d'", "interval: '1d'", 'SL030'],
  ['config field typo', "timeframe: '1d'", "timeframe: '1d', strat: '2020-01-01'", 'SL030'],
  ['bad date', "timeframe: '1d'", "timeframe: '1d', start: '2020-13-01'", 'SL030'],
  ['missing config', "  static config = { symbols: ['AAPL'], timeframe: '1d' };\n", '', 'SL030'],
  ['missing onBar', 'onBar(bar: Bar): void {', 'private step(bar: Bar): void {', 'SL020'],
  ['async onBar', 'onBar(bar: Bar): void {', 'async onBar(bar: Bar): Promise<void> {', 'SL020'],
  ['not the default export', 'export default class', 'export class', 'SL010'],
  ['Math.random', BODY, 'if (Math.random() < 0.5) return;', 'SL042'],
  ['Date.now', BODY, 'const now = Date.now();', 'SL042'],
  ['look-ahead index', BODY, 'const next = this.closes[bar.index + 1];', 'SL050'],
  // At the end of onBar: code after a loop that never ends is unreachable, which TypeScript then narrows oddly.
  ['unbounded loop', 'if (bar.close > average && !this.position(bar.symbol)) this.buy(bar.symbol);', 'while (true) { this.buy(bar.symbol); }', 'SL051'],
  ['hard-coded date', BODY, "const d = '2020-03-23';", 'SL070'],
  ['unknown member', 'this.buy(bar.symbol)', 'this.purchase(bar.symbol)', 'SL002'],
  ['misspelt Bar field', 'this.buy(bar.symbol)', 'this.buy(bar.symbl)', 'SL002'],
  ['unknown indicator', 'new SMA(this.params.period)', 'new EMA(this.params.period)', 'SL002'],
  ['wrong option type', 'this.buy(bar.symbol)', "this.buy(bar.symbol, { shares: 'ten' })", 'SL002'],
  ['missing parenthesis', 'if (average === undefined) return;', 'if (average === undefined return;', 'SL001'],
];

for (const [what, from, to, code] of SEEDS) {
  test(`one root cause, one diagnostic: ${what} → ${code}`, () => {
    assert.ok(CLEAN.includes(from), `seed text not in the clean strategy: ${from}`);
    const source = CLEAN.replace(from, to);
    const diagnostics = validateStrategySource(source, 'seeded.strategy.ts').diagnostics.filter((d) => d.severity !== 'hint');
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      [code],
      diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`).join('\n'),
    );
  });
}

test('the clean strategy has no diagnostics (the corpus seeds exactly one error each)', () => {
  assert.deepEqual(validateStrategySource(CLEAN, 'seeded.strategy.ts').diagnostics, []);
});

test('two different root causes on one line still give two diagnostics', () => {
  const source = CLEAN.replace(BODY, 'const k = process.env.KEY; if (Math.random() < 0.5) return;');
  assert.deepEqual(validateStrategySource(source, 'seeded.strategy.ts').diagnostics.map((d) => d.code).sort(), ['SL041', 'SL042']);
});

test('a TypeScript error away from a forbidden global is kept', () => {
  const source = CLEAN.replace(BODY, "const key = process.env.KEY; this.purchase('x');");
  assert.deepEqual(validateStrategySource(source, 'seeded.strategy.ts').diagnostics.map((d) => d.code).sort(), ['SL002', 'SL041']);
});

