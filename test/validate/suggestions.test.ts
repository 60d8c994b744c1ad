import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateStrategySource, type StrategyDiagnostic } from '../../core/validate/index';
import { applyEdits } from '../server/lspClient';

const CLEAN = `import { BaseStrategy, type Bar } from 'strategy-lab';
import { SMA } from 'strategy-lab/indicators';

export default class Suggested extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d', start: '2015-01-02' };
  private sma = new SMA(20);
  private closes: number[] = [];

  onBar(bar: Bar): void {
    this.closes.push(bar.close);
    const average = this.sma.update(bar.close);
    if (average !== undefined && bar.close > average) this.buy(bar.symbol);
  }
}
`;

/** [what, replaced text, replacement, code, the suggestion's original text, its replacement] */
const CASES: [string, string, string, string, string, string][] = [
  ['timeframe daily', "timeframe: '1d'", "timeframe: 'daily'", 'SL030', 'daily', '1d'],
  ['timeframe weekly', "timeframe: '1d'", "timeframe: 'weekly'", 'SL030', 'weekly', '1wk'],
  ['timeframe 60m', "timeframe: '1d'", "timeframe: '60m'", 'SL030', '60m', '1h'],
  ['timeframe upper case', "timeframe: '1d'", "timeframe: '1D'", 'SL030', '1D', '1d'],
  ['lower-case ticker', "symbols: ['AAPL']", "symbols: ['msft']", 'SL030', 'msft', 'MSFT'],
  ['ticker with a slash', "symbols: ['AAPL']", "symbols: ['brk/b']", 'SL030', 'brk/b', 'BRK-B'],
  ['config field symbol', "symbols: ['AAPL']", "symbol: ['AAPL']", 'SL030', 'symbol', 'symbols'],
  ['config field interval', "timeframe: '1d'", "interval: '1d'", 'SL030', 'interval', 'timeframe'],
  ['config field misspelt', "start: '2015-01-02'", "strat: '2015-01-02'", 'SL030', 'strat', 'start'],
  ['config field quoted', "start: '2015-01-02'", "'strat': '2015-01-02'", 'SL030', 'strat', 'start'],
  ['misspelt onBar', 'onBar(bar: Bar)', 'onbar(bar: Bar)', 'SL021', 'onbar', 'onBar'],
  ['misspelt Bar field', 'this.buy(bar.symbol)', 'this.buy(bar.symbl)', 'SL002', 'symbl', 'symbol'],
  ['misspelt SDK method', 'this.buy(bar.symbol)', 'this.buyy(bar.symbol)', 'SL002', 'buyy', 'buy'],
  ['a field without this', 'this.closes.push(bar.close)', 'closes.push(bar.close)', 'SL002', 'closes', 'this.closes'],
  ['misspelt import', "import { SMA } from 'strategy-lab/indicators';", "import { Sma } from 'strategy-lab/indicators';", 'SL002', 'Sma', 'SMA'],
];

function describe(ds: StrategyDiagnostic[]): string {
  return ds.map((d) => `${d.code} ${d.message}`).join('\n');
}

for (const [what, from, to, code, original, replacement] of CASES) {
  test(`"did you mean" is a quick fix: ${what} ('${original}' → '${replacement}')`, () => {
    assert.ok(CLEAN.includes(from), `not in the clean strategy: ${from}`);
    const source = CLEAN.replace(from, to);
    const { diagnostics } = validateStrategySource(source, 'suggested.strategy.ts');
    const d = diagnostics.find((x) => x.code === code && x.suggestion);
    assert.ok(d, `no ${code} with a suggestion:\n${describe(diagnostics)}`);
    assert.equal(d.suggestion!.original, original);
    assert.equal(d.suggestion!.replacement, replacement);
    assert.match(d.message, new RegExp(`[Dd]id you mean .*'${replacement.replace('.', '\\.')}'|Rename it to '${replacement}'`), 'the message names the same suggestion');
    // The first fix applies it, and the file is then clean.
    const fixed = applyEdits(source, d.fixes[0].edits);
    assert.deepEqual(validateStrategySource(fixed, 'suggested.strategy.ts').diagnostics.map((x) => `${x.code} ${x.message}`), [], fixed);
  });
}

test('every diagnostic whose message says "did you mean" carries a suggestion (audit over the corpus)', () => {
  let seen = 0;
  for (const [, from, to] of CASES) {
    for (const d of validateStrategySource(CLEAN.replace(from, to), 'suggested.strategy.ts').diagnostics) {
      if (!/did you mean/i.test(d.message)) continue;
      seen++;
      assert.ok(d.suggestion && d.fixes.length, `no structured suggestion: ${d.code} ${d.message}`);
    }
  }
  assert.ok(seen >= 10, `only ${seen} "did you mean" messages in the corpus`);
});

test('no suggestion when the suggested field is already there (renaming would duplicate it)', () => {
  const source = CLEAN.replace("timeframe: '1d'", "timeframe: '1d', symbol: 'AAPL'");
  const d = validateStrategySource(source, 'suggested.strategy.ts').diagnostics.find((x) => x.code === 'SL030');
  assert.ok(d);
  assert.equal(d.suggestion, undefined);
});

test('an unknown SDK name gets the import as its quick fix (value and type)', () => {
  const cases: [string, string, string][] = [
    ['new SMA(20)', 'new EMA(20)', "import { SMA, EMA } from 'strategy-lab/indicators';"],
    ["import { BaseStrategy, type Bar } from 'strategy-lab';", "import { BaseStrategy } from 'strategy-lab';", "import { BaseStrategy, type Bar } from 'strategy-lab';"],
  ];
  for (const [from, to, expectedImport] of cases) {
    const source = CLEAN.replace(from, to);
    const d = validateStrategySource(source, 'suggested.strategy.ts').diagnostics.find((x) => /Cannot find name/.test(x.message));
    assert.ok(d, `no unknown-name error after ${to}`);
    assert.match(d.fixes[0].title, /^Import '(EMA|Bar)' from 'strategy-lab(\/indicators)?'$/);
    const fixed = applyEdits(source, d.fixes[0].edits);
    assert.ok(fixed.includes(expectedImport), fixed);
    assert.deepEqual(validateStrategySource(fixed, 'suggested.strategy.ts').diagnostics, []);
  }
});
