/**
 * The VariantEngine contract: every engine returns, for each variant, the numbers a plain backtest of
 * that variant gives (its params, its costs, its window of bars).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolve } from 'node:path';
import { loadCsv } from '../../core/data/csv';
import type { BarSeries } from '../../core/data/series';
import { overviewInThisProcess, runInThisProcess, summarizeInThisProcess } from '../../core/run/runStrategy';
import { overviewOf } from '../../core/engine/backtest';
import { inProcessEngine, perRunEngine } from '../../core/run/variantEngines';
import { seriesInWindow, summarize, type Variant, type VariantBatch } from '../../core/run/variants';
import { compileStrategy } from '../../core/strategy/compile';
import { example, realAapl, sampleAapl } from '../evaluate/helpers';

describe('variant engines', () => {
  it('in-process and per-run engines give each variant the numbers of its own plain backtest', async () => {
    const compiled = await compileStrategy(example('rsi-reversion'), 'rsi-reversion.strategy.ts');
    const series = [sampleAapl()];
    const mid = series[0].time[Math.floor(series[0].length / 2)];
    const variants: Variant[] = [
      { id: 'base' },
      { id: 'p10', params: { period: 10 } },
      { id: 'cost', options: { commission: 0.002 } },
      { id: 'second-half', window: { fromTime: mid } },
      { id: 'bad', params: { period: -5 } },
    ];
    const batch = (detail: VariantBatch['detail']): VariantBatch => ({ compiled, series, options: { cash: 25_000 }, variants, detail });
    const seen: string[] = [];
    const inProc = await inProcessEngine().run({ ...batch('full'), onOutcome: (o, done, total) => seen.push(`${o.id}:${done}/${total}`) });
    assert.deepEqual(seen, ['base:1/5', 'p10:2/5', 'cost:3/5', 'second-half:4/5', 'bad:5/5']);
    const perRun = await perRunEngine('none', undefined, 2).run(batch('summary'));
    for (const [i, v] of variants.entries()) {
      const a = inProc[i];
      const b = perRun[i];
      assert.equal(a.id, v.id);
      assert.equal(b.id, v.id);
      let plain;
      try {
        plain = runInThisProcess({ compiled, series: seriesInWindow(series, v.window), options: { cash: 25_000, ...v.options, params: v.params } });
      } catch {
        plain = undefined;
      }
      if (!plain) {
        assert.equal(a.ok, false, `${v.id} fails in a plain run, so it fails in the batch`);
        assert.equal(b.ok, false);
        continue;
      }
      assert.ok(a.ok && a.result && b.ok && b.summary, v.id);
      assert.deepEqual(a.result.metrics, plain.metrics, v.id);
      assert.deepEqual(b.summary.metrics, plain.metrics, v.id);
      assert.equal(b.summary.equity.length, plain.equity.length);
      assert.equal(b.summary.trades, plain.trades.length);
    }
    assert.notDeepEqual((inProc[0] as { result: { metrics: unknown } }).result.metrics, (inProc[1] as { result: { metrics: unknown } }).result.metrics, 'params reach the run');
    assert.ok((inProc[3] as { result: { run: { bars: number } } }).result.run.bars < series[0].length, 'the window cuts the bars');
  });

  it('cancelling stops the batch with an abort, not a list of failures', async () => {
    const compiled = await compileStrategy(example('rsi-reversion'), 'rsi-reversion.strategy.ts');
    const controller = new AbortController();
    const variants = Array.from({ length: 50 }, (_, i) => ({ id: String(i), params: { period: 5 + i } }));
    await assert.rejects(
      inProcessEngine().run({
        compiled, series: [sampleAapl()], options: {}, variants, detail: 'summary', signal: controller.signal,
        onOutcome: (_o, done) => { if (done === 3) controller.abort(); },
      }),
      (err: Error) => err.name === 'AbortError',
    );
  });
});

describe('the summary path (runBacktestSummary)', () => {
  // A sweep's summary is built straight from the simulation; it must equal the summary of the full result
  // in every field, for long and short strategies, open trades at the end, no trades, several symbols,
  // intraday bars and costs.
  const cases: { name: string; source: string; series: () => Promise<BarSeries[]>; options?: VariantBatch['options'] }[] = [
    { name: 'rsi, sample AAPL', source: example('rsi-reversion'), series: async () => [sampleAapl()] },
    { name: 'sma crossover, real AAPL, costs', source: example('sma-crossover'), series: async () => [await realAapl()], options: { commission: 0.002, cash: 5_000 } },
    { name: 'breakout with stop, real AAPL', source: example('breakout-with-stop'), series: async () => [await realAapl()] },
    {
      name: 'short, still open at the end, one-minute SPY',
      source: strategy("if (bar.index === 20) this.sell(bar.symbol, { shares: 3 }); if (bar.index === 300) this.close(bar.symbol); if (bar.index === 400) this.sell(bar.symbol);", ['SPY'], '1m'),
      series: async () => [await loadCsv(SPY_MINUTES, { symbol: 'SPY' })],
    },
    { name: 'never trades', source: strategy('', ['AAPL']), series: async () => [sampleAapl()] },
    {
      name: 'two symbols, both traded',
      source: strategy("if (bar.index % 37 === 0) this.buy(bar.symbol, { percent: 30 }); if (bar.index % 37 === 20) this.close(bar.symbol);", ['AAPL', 'SPY']),
      series: async () => [await loadCsv(AAPL_DAILY, { symbol: 'AAPL' }), await loadCsv(SPY_DAILY, { symbol: 'SPY' })],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const compiled = await compileStrategy(c.source, 'case.strategy.ts');
      const series = await c.series();
      const full = runInThisProcess({ compiled, series, options: c.options ?? {} });
      const fast = summarizeInThisProcess({ compiled, series, options: c.options ?? {} });
      const slow = summarize(full);
      assert.deepEqual(fast.metrics, slow.metrics);
      assert.deepEqual([...fast.time], [...slow.time]);
      assert.deepEqual([...fast.equity], [...slow.equity]);
      assert.equal(fast.trades, slow.trades);
      assert.deepEqual(fast.params, slow.params);
      if (c.name !== 'never trades') assert.ok(fast.trades > 0, 'the case trades');
      // The CLI's text summary path (overviewInThisProcess) stops at the same metrics.
      const overview = overviewInThisProcess({ compiled, series, options: c.options ?? {} });
      assert.deepEqual(overview, overviewOf(full));
      if (c.name.includes('still open')) assert.equal(overview.openTrades, 1, 'the open trade is counted');
    });
  }
});

describe('a run without a chart fails exactly as a charted one', () => {
  // The summary paths skip reading the indicator plots, not checking them: a plot() the full run refuses, or a
  // plotted indicator's `current` the full run has pinned, must end the summary runs the same way.
  const cases = [
    {
      name: 'plot() names a symbol the run does not have',
      onStart: "this.plot(this.rsi, { symbol: 'MSFT' });",
      onBar: '',
      error: /plot\(\): symbol 'MSFT' is not one of this run's symbols/,
    },
    {
      name: 'a plotted indicator\'s current turned into a getter',
      onStart: '',
      onBar: "if (bar.index === 50) Object.defineProperty(this.rsi, 'current', { get: () => 1 });",
      error: /Cannot redefine property: current/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const source = `import { BaseStrategy, type Bar } from 'strategy-lab';
import { RSI } from 'strategy-lab/indicators';
export default class Plotted extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' };
  private rsi = new RSI(14);
  onStart(): void { ${c.onStart} }
  onBar(bar: Bar): void { this.rsi.update(bar.close); ${c.onBar} }
}
`;
      const compiled = await compileStrategy(source, 'plotted.strategy.ts');
      const series = [sampleAapl()];
      assert.throws(() => runInThisProcess({ compiled, series, options: {} }), c.error, 'the full run');
      assert.throws(() => summarizeInThisProcess({ compiled, series, options: {} }), c.error, 'the sweep summary');
      assert.throws(() => overviewInThisProcess({ compiled, series, options: {} }), c.error, 'the text summary');
    });
  }
});

const SHARED = resolve(__dirname, '..', '..', '..', 'shared', 'data');
const SPY_MINUTES = resolve(SHARED, 'SPY_1min_2013-10-04_2013-10-11_lean.csv');
const AAPL_DAILY = resolve(SHARED, 'AAPL_daily_1998_2021_lean.csv');
const SPY_DAILY = resolve(SHARED, 'SPY_daily_1998_2021_lean.csv');

function strategy(body: string, symbols: string[], timeframe = '1d'): string {
  return `import { BaseStrategy, type Bar } from 'strategy-lab';
export default class Case extends BaseStrategy {
  static config = { symbols: ${JSON.stringify(symbols)}, timeframe: '${timeframe}' };
  onBar(bar: Bar): void { ${body} }
}
`;
}

describe('the in-process engine compiles once and evaluates the module per variant', () => {
  it('module-level and static state does not carry from one variant to the next', async () => {
    const source = `import { BaseStrategy, type Bar } from 'strategy-lab';
let runs = 0;
export default class Stateful extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' };
  static seen = 0;
  constructor() { super(); runs++; Stateful.seen++; }
  onBar(bar: Bar): void {
    // Trades only in the first run of this module: a carried counter would make later variants flat.
    if (runs === 1 && Stateful.seen === 1 && bar.index === 10) this.buy(bar.symbol);
    if (bar.index === 60) this.close(bar.symbol);
  }
}
`;
    const compiled = await compileStrategy(source, 'stateful.strategy.ts');
    const variants = Array.from({ length: 4 }, (_, i) => ({ id: String(i) }));
    for (const detail of ['full', 'summary', 'record'] as const) {
      const outcomes = await inProcessEngine().run({ compiled, series: [sampleAapl()], options: {}, variants, detail });
      const trades = outcomes.map((o) => (o.ok ? (o.result ? o.result.trades.length : o.summary ? o.summary.trades : o.record.trades) : -1));
      assert.deepEqual(trades, [1, 1, 1, 1], detail);
    }
  });
});
