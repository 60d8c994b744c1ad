/** Findings land on the responsible lines, resolved on the AST. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findingsToDiagnostics } from '../../core/evaluate/code/diagnostics';
import { readCodeFacts } from '../../core/evaluate/code/facts';
import { evaluateStrategy } from '../../core/evaluate/pipeline';
import type { CodeAnchor } from '../../core/evaluate/types';
import { generateOffline } from '../../core/generate/index';
import { sampleAapl } from './helpers';

const source = generateOffline('Buy AAPL when RSI drops below 3, sell when it rises above 97').source;
const lineOf = (text: string) => source.split('\n').findIndex((l) => l.includes(text)) + 1;

describe('findings as diagnostics', () => {
  const cases: [string, CodeAnchor, string][] = [
    ['entry rule', { kind: 'rule', role: 'entry' }, 'this.buy(bar.symbol'],
    ['exit rule', { kind: 'rule', role: 'exit' }, 'this.close(bar.symbol)'],
    ['param', { kind: 'param', name: 'entryRsiBelow' }, 'entryRsiBelow: 3,'],
    ['indicator', { kind: 'indicator', className: 'RSI' }, 'new RSI('],
    ['config', { kind: 'config', field: 'symbols' }, 'static override config'],
    ['method', { kind: 'method', name: 'onBar' }, 'onBar(bar: Bar)'],
    ['line', { kind: 'line', line: 5 }, "import { BaseStrategy"],
  ];
  for (const [what, anchor, text] of cases) {
    it(`puts the ${what} finding on its line`, () => {
      const [d] = findingsToDiagnostics(source, [{ message: 'm', severity: 'warning', anchor }]);
      assert.equal(d.line, lineOf(text), `${what} → line ${d.line}: ${source.split('\n')[d.line - 1]}`);
      assert.equal(d.range.start.line, d.line - 1);
      assert.equal(d.source, 'strategy-lab-evaluate');
    });
  }

  it('falls back to onBar for an anchor it cannot find (never a wrong precise line)', () => {
    const [d] = findingsToDiagnostics(source, [{ message: 'm', severity: 'info', anchor: { kind: 'param', name: 'nope' } }]);
    assert.equal(d.line, lineOf('onBar(bar: Bar)'));
  });

  it('publishes "the entry never fired in N bars" on the buy call, end to end', async () => {
    const report = await evaluateStrategy({ source, series: [sampleAapl()], mode: 'none', settings: { lookahead: { cutPoints: 1 } } });
    const diagnostics = findingsToDiagnostics(source, report.findings);
    const d = diagnostics.find((x) => /entry condition never fired in 2,588 bars/.test(x.message));
    assert.ok(d, JSON.stringify(diagnostics));
    assert.equal(d.line, lineOf('this.buy(bar.symbol'));
    assert.equal(d.severity, 'warning');
  });

  it('reads facts from the AST: params resolved, comments and strings ignored', () => {
    const facts = readCodeFacts(`// 99 in a comment
import { BaseStrategy, type Bar } from 'strategy-lab';
import { SMA } from 'strategy-lab/indicators';
const LEVEL = 42;
export default class S extends BaseStrategy {
  static config = { symbols: ['SPY'], timeframe: '1d' as const };
  params = { fast: 10, stopPct: 3 };
  private sma = new SMA(this.params.fast);
  onBar(bar: Bar) {
    const v = this.sma.update(bar.close);
    const label = 'threshold 77';
    if (v !== undefined && v > LEVEL && bar.close < 1.5 * v) this.buy(bar.symbol, { stopLossPct: this.params.stopPct, percent: 50 });
  }
}`);
    assert.deepEqual(facts.symbols, ['SPY']);
    assert.deepEqual(facts.indicators.map((i) => [i.className, i.args, i.argParams]), [['SMA', [10], ['fast']]]);
    assert.deepEqual(facts.orders[0].options, { stopLossPct: 3, percent: 50 });
    assert.deepEqual(facts.thresholds.map((t) => t.value).sort(), [1.5, 42]);
    assert.equal(facts.numbers.has(99), false);
    assert.equal(facts.numbers.has(77), false);
  });
});
