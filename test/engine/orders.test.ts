import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BaseStrategy, type Bar, type OrderOptions } from 'strategy-lab';
import { simulate, StrategyRuntimeError, CancelledError } from '../../core/engine/simulate';
import type { StrategyClass } from '../../core/strategy/load';
import type { BacktestOptions } from '../../core/engine/types';
import { seriesOf, seriesFromCloses, type BarSpec } from '../helpers/series';

/** A strategy that runs a script of actions keyed by bar index. */
function scripted(actions: Record<number, (s: BaseStrategy, bar: Bar) => void>, symbols = ['AAA']): StrategyClass {
  return class Scripted extends BaseStrategy {
    static override config = { symbols, timeframe: '1d' as const };
    onBar(bar: Bar) {
      actions[bar.index]?.(this, bar);
    }
  } as unknown as StrategyClass;
}

const BARS: BarSpec[] = [
  { t: '2021-01-04', o: 100, h: 102, l: 99, c: 101 },
  { t: '2021-01-05', o: 102, h: 106, l: 101, c: 105 },
  { t: '2021-01-06', o: 104, h: 108, l: 96, c: 97 },
  { t: '2021-01-07', o: 95, h: 99, l: 90, c: 98 },
  { t: '2021-01-08', o: 99, h: 112, l: 98, c: 110 },
];

function run(actions: Record<number, (s: BaseStrategy, bar: Bar) => void>, options: BacktestOptions = {}, bars = BARS) {
  return simulate(scripted(actions), [seriesOf('AAA', bars)], options);
}

describe('market orders and fill policy', () => {
  test('a market buy placed on bar t fills at bar t+1 open with all cash in whole shares', () => {
    const { broker, equity } = run({ 0: (s) => s.buy('AAA') }, { cash: 1000 });
    assert.equal(broker.fills.length, 1);
    const f = broker.fills[0];
    assert.equal(f.price, 102);
    assert.equal(f.shares, 9); // floor(1000 / 102)
    assert.equal(f.time, Date.parse('2021-01-05T00:00:00Z'));
    assert.equal(equity[0], 1000);
    assert.equal(equity[1], 1000 - 9 * 102 + 9 * 105); // marked at bar 1 close
  });

  test("fill: 'close' fills at the signal bar's close", () => {
    const { broker } = run({ 0: (s) => s.buy('AAA') }, { cash: 1000, fill: 'close' });
    assert.equal(broker.fills[0].price, 101);
    assert.equal(broker.fills[0].shares, 9);
    assert.equal(broker.fills[0].time, Date.parse('2021-01-04T00:00:00Z'));
  });

  test('an order placed on the last bar is cancelled with the reason', () => {
    const { broker } = run({ 4: (s) => s.buy('AAA') });
    assert.equal(broker.fills.length, 0);
    assert.equal(broker.orders[0].status, 'cancelled');
    assert.match(broker.orders[0].reason!, /no later bar/);
  });
});

describe('sizing', () => {
  const cases: [string, OrderOptions, number][] = [
    ['shares', { shares: 3 }, 3],
    ['cash', { cash: 500 }, 4], // floor(500/102)
    ['percent of equity', { percent: 50 }, 4], // 50% of 1000 = 500
  ];
  for (const [name, opts, expected] of cases) {
    test(`by ${name}`, () => {
      const { broker } = run({ 0: (s) => s.buy('AAA', opts) }, { cash: 1000 });
      assert.equal(broker.fills[0].shares, expected);
    });
  }

  test('more than one size is rejected with a clear reason', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA', { shares: 1, cash: 100 }) });
    assert.equal(broker.orders[0].status, 'rejected');
    assert.match(broker.orders[0].reason!, /at most one of shares, cash, percent/);
  });

  test('an order needing more than the buying power is rejected (no leverage)', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA', { shares: 100 }) }, { cash: 1000 });
    assert.equal(broker.orders[0].status, 'rejected');
    assert.match(broker.orders[0].reason!, /not enough buying power/);
    assert.equal(broker.fills.length, 0);
  });

  test('unknown symbols are rejected, not thrown', () => {
    const { broker } = run({ 0: (s) => s.buy('ZZZ') });
    assert.equal(broker.orders[0].status, 'rejected');
    assert.match(broker.orders[0].reason!, /unknown symbol 'ZZZ'.*AAA/);
  });
});

describe('commission and slippage', () => {
  test('commission fraction and fixed fee are charged per side and included in all-in sizing', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA'), 2: (s) => s.close('AAA') }, { cash: 1000, commission: 0.01, commissionFixed: 1 });
    const [buy, sell] = broker.fills;
    // floor((1000 - 1) / (102 * 1.01)) = floor(9.697) = 9
    assert.equal(buy.shares, 9);
    assert.equal(buy.commission, 9 * 102 * 0.01 + 1);
    assert.equal(sell.price, 95);
    assert.equal(sell.commission, 9 * 95 * 0.01 + 1);
    assert.ok(Math.abs(broker.cash() - (1000 - 9 * 102 - buy.commission + 9 * 95 - sell.commission)) < 1e-9);
    assert.ok(Math.abs(broker.commissionsPaid - (buy.commission + sell.commission)) < 1e-12);
    const lot = broker.closedLots[0];
    assert.ok(Math.abs(lot.commission - (buy.commission + sell.commission)) < 1e-12);
  });

  test('slippage moves fills against the trader and stays inside the bar', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA', { shares: 1 }), 1: (s) => s.close('AAA') }, { slippageBps: 100 });
    assert.ok(Math.abs(broker.fills[0].price - 102 * 1.01) < 1e-9);
    assert.ok(Math.abs(broker.fills[1].price - 104 * 0.99) < 1e-9);
    const clamped = run({ 0: (s) => s.buy('AAA', { shares: 1 }) }, { slippageBps: 9000 });
    assert.equal(clamped.broker.fills[0].price, 106, 'clamped to the bar high');
  });
});

describe('limit and stop orders', () => {
  test('a buy limit fills when the low reaches it, at the limit or a better open', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA', { shares: 1, limit: 97 }) });
    assert.equal(broker.fills[0].price, 97);
    assert.equal(broker.fills[0].time, Date.parse('2021-01-06T00:00:00Z'));
    const gap = run({ 2: (s) => s.buy('AAA', { shares: 1, limit: 96 }) });
    assert.equal(gap.broker.fills[0].price, 95, 'gapped below the limit: fills at the open');
  });

  test('a sell limit fills when the high reaches it', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA', { shares: 1 }), 1: (s) => s.sell('AAA', { shares: 1, limit: 111 }) });
    assert.equal(broker.fills[1].price, 111);
  });

  test('a buy stop fills when the high reaches it, at the stop or a worse open', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA', { shares: 1, stop: 107 }) });
    assert.equal(broker.fills[0].price, 107);
    assert.equal(broker.fills[0].time, Date.parse('2021-01-06T00:00:00Z'));
  });

  test('a sell stop below the market exits a long when the low reaches it', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA', { shares: 2 }), 1: (s) => s.sell('AAA', { shares: 2, stop: 97 }) });
    assert.equal(broker.fills[1].price, 97);
    assert.equal(broker.position('AAA'), undefined);
  });

  test('limit and stop together are rejected; a pending order can be cancelled', () => {
    const both = run({ 0: (s) => s.buy('AAA', { shares: 1, stop: 1, limit: 1 }) });
    assert.equal(both.broker.orders[0].status, 'rejected');
    const cancelled = run({ 0: (s) => { const o = s.buy('AAA', { shares: 1, limit: 50 }); assert.equal(s.openOrders('AAA').length, 1); assert.equal(s.cancel(o), true); } });
    assert.equal(cancelled.broker.orders[0].status, 'cancelled');
    assert.equal(cancelled.broker.fills.length, 0);
  });
});

describe('short selling', () => {
  test('sell when flat opens a short with all buying power; close covers it; P&L is mirrored', () => {
    const { broker, equity } = run({ 0: (s) => s.sell('AAA'), 2: (s) => s.close('AAA') }, { cash: 1000 });
    assert.equal(broker.fills[0].side, 'sell');
    assert.equal(broker.fills[0].shares, 9);
    const lot = broker.closedLots[0];
    assert.equal(lot.shares, -9);
    assert.equal(lot.entryPrice, 102);
    assert.equal(lot.exitPrice, 95);
    // short 9 @102, cover @95: +63
    assert.ok(Math.abs(broker.cash() - 1063) < 1e-9);
    assert.ok(Math.abs(equity[1] - (1000 + 9 * (102 - 105))) < 1e-9, 'a short loses when the price rises');
  });

  test('no size while holding the opposite side exits instead of reversing', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA'), 1: (s) => s.sell('AAA') }, { cash: 1000 });
    assert.equal(broker.fills[1].shares, 9);
    assert.equal(broker.position('AAA'), undefined);
  });

  test('a short can be sized by cash or by percent of equity', () => {
    const byCash = run({ 0: (s) => s.sell('AAA', { cash: 500 }) }, { cash: 1000 });
    assert.equal(byCash.broker.fills[0].side, 'sell');
    assert.equal(byCash.broker.fills[0].shares, 4, 'floor(500 / 102)');
    assert.equal(byCash.broker.position('AAA')!.shares, -4);
    const byPercent = run({ 0: (s) => s.sell('AAA', { percent: 30 }) }, { cash: 1000 });
    assert.equal(byPercent.broker.fills[0].shares, 2, 'floor(300 / 102)');
    assert.equal(byPercent.broker.position('AAA')!.shares, -2);
  });

  test('a sell limit above the market opens a short when the high reaches it', () => {
    const { broker } = run({ 0: (s) => s.sell('AAA', { shares: 2, limit: 107 }) });
    assert.equal(broker.fills[0].price, 107, 'bar 2 opens at 104 and trades up to 108');
    assert.equal(broker.fills[0].time, Date.parse('2021-01-06T00:00:00Z'));
    assert.equal(broker.position('AAA')!.shares, -2);
  });

  test('a sell stop below the market opens a short when the low reaches it, at the stop or a worse open', () => {
    const { broker } = run({ 0: (s) => s.sell('AAA', { shares: 2, stop: 97 }) });
    assert.equal(broker.fills[0].price, 97);
    assert.equal(broker.position('AAA')!.shares, -2);
    const gap = run({ 2: (s) => s.sell('AAA', { shares: 1, stop: 96 }) });
    assert.equal(gap.broker.fills[0].price, 95, 'bar 3 opens at 95, below the stop: filled at the open');
  });

  test('a short cannot exceed equity (gross exposure ≤ equity)', () => {
    const { broker } = run({ 0: (s) => { s.sell('AAA', { shares: 5 }); s.sell('AAA', { shares: 6 }); } }, { cash: 1000 });
    assert.equal(broker.orders[0].status, 'filled');
    assert.equal(broker.orders[1].status, 'rejected', 'a further 6 shares would exceed the buying power left');
  });
});

describe('protective exits', () => {
  test('stopLossPct exits at the stop price when the low reaches it', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA', { shares: 1, stopLossPct: 5 }) });
    // entry 102 → stop 96.9; bar 2 low 96 reaches it
    const lot = broker.closedLots[0];
    assert.ok(Math.abs(lot.exitPrice - 96.9) < 1e-9);
    assert.equal(lot.exitReason, 'stop-loss');
    assert.equal(lot.exitTime, Date.parse('2021-01-06T00:00:00Z'));
  });

  test('a gap through the stop fills at the open', () => {
    const { broker } = run({ 0: (s) => s.buy('AAA', { shares: 1, stopLoss: 96.5 }), 2: () => {} }, {}, [
      ...BARS.slice(0, 2),
      { t: '2021-01-06', o: 104, h: 108, l: 97, c: 97 },
      ...BARS.slice(3),
    ]);
    assert.equal(broker.closedLots[0].exitPrice, 95, 'bar 3 opens at 95 below the 96.5 stop');
  });

  test('take-profit exits at the target; the stop wins when both are inside one bar', () => {
    const tp = run({ 0: (s) => s.buy('AAA', { shares: 1, takeProfitPct: 5 }) });
    assert.ok(Math.abs(tp.broker.closedLots[0].exitPrice - 107.1) < 1e-9);
    assert.equal(tp.broker.closedLots[0].exitReason, 'take-profit');
    const both = run({ 0: (s) => s.buy('AAA', { shares: 1, takeProfit: 107, stopLoss: 97 }) });
    assert.equal(both.broker.closedLots[0].exitReason, 'stop-loss');
    assert.equal(both.broker.closedLots[0].exitPrice, 97);
  });

  test('trailing stop follows the best high seen before the current bar', () => {
    // entry 102 (bar 1 open); bar 1 high 106 → trail 106*0.95=100.7; bar 2 low 96 hits it
    const { broker } = run({ 0: (s) => s.buy('AAA', { shares: 1, trailingStopPct: 5 }) });
    const lot = broker.closedLots[0];
    assert.equal(lot.exitReason, 'trailing-stop');
    assert.ok(Math.abs(lot.exitPrice - 100.7) < 1e-9);
  });

  test('a short take-profit sits below the entry', () => {
    const { broker } = run({ 0: (s) => s.sell('AAA', { shares: 1, takeProfitPct: 5 }) });
    // short at 102 (bar 1 open), target 96.9: bar 2 low 96 reaches it
    const lot = broker.closedLots[0];
    assert.equal(lot.exitReason, 'take-profit');
    assert.ok(Math.abs(lot.exitPrice - 96.9) < 1e-9);
    assert.equal(lot.exitTime, Date.parse('2021-01-06T00:00:00Z'));
    assert.ok(Math.abs(broker.cash() - (10_000 + (102 - 96.9))) < 1e-9, 'a short gains when the price falls');
  });

  test('a short stop-loss sits above the entry', () => {
    const { broker } = run({ 0: (s) => s.sell('AAA', { shares: 1, stopLossPct: 5 }) });
    // short at 102, stop 107.1: bar 2 high 108 reaches it
    assert.ok(Math.abs(broker.closedLots[0].exitPrice - 107.1) < 1e-9);
  });
});

describe('trades and lots', () => {
  test('partial exits close lots first-in first-out', () => {
    const { broker } = run({ 0: (s) => { s.buy('AAA', { shares: 10 }); s.buy('AAA', { shares: 5 }); }, 2: (s) => s.sell('AAA', { shares: 12 }) }, { cash: 10_000 });
    assert.deepEqual(broker.closedLots.map((l) => l.shares), [10, 2]);
    assert.equal(broker.position('AAA')!.shares, 3);
    assert.equal(broker.openLots()[0].lot.shares, 3);
  });

  test('equity equals cash plus positions at every bar', () => {
    const series = seriesOf('AAA', BARS);
    const { broker, equity } = simulate(scripted({ 0: (s) => s.buy('AAA', { shares: 3 }), 3: (s) => s.sell('AAA', { shares: 1 }) }), [series], { cash: 1000 });
    // reconstruct holdings from fills
    let cash = 1000, shares = 0, f = 0;
    for (let i = 0; i < series.length; i++) {
      while (f < broker.fills.length && broker.fills[f].time === series.time[i]) {
        const fill = broker.fills[f++];
        const d = fill.side === 'buy' ? 1 : -1;
        cash -= d * fill.shares * fill.price + fill.commission;
        shares += d * fill.shares;
      }
      assert.ok(Math.abs(equity[i] - (cash + shares * series.close[i])) < 1e-9, `bar ${i}`);
    }
  });
});

describe('multi-symbol portfolios', () => {
  test('bars of one timestamp are delivered together, in symbol order, then equity is marked', () => {
    const a = seriesFromCloses('AAA', [10, 11, 12, 13]);
    const b = seriesOf('BBB', [
      { t: '2020-01-02', o: 20, h: 20, l: 20, c: 20 },
      { t: '2020-01-04', o: 22, h: 22, l: 22, c: 22 },
    ]);
    const seen: string[] = [];
    class Both extends BaseStrategy {
      static override config = { symbols: ['AAA', 'BBB'], timeframe: '1d' as const };
      onBar(bar: Bar) {
        seen.push(`${new Date(bar.time).toISOString().slice(8, 10)}:${bar.symbol}`);
        if (bar.symbol === 'BBB' && bar.index === 0) { this.buy('AAA', { shares: 10 }); this.buy('BBB', { shares: 10 }); }
      }
    }
    const { equity, grid, broker } = simulate(Both as unknown as StrategyClass, [a, b], { cash: 1000 });
    assert.deepEqual(seen, ['01:AAA', '02:AAA', '02:BBB', '03:AAA', '04:AAA', '04:BBB']);
    assert.equal(grid.length, 4);
    // AAA fills at 03 open (12); BBB has no bar on 03 and fills at its next bar, 04 open (22)
    assert.deepEqual(broker.fills.map((f) => [f.symbol, f.price]), [['AAA', 12], ['BBB', 22]]);
    assert.equal(equity[2], 1000 - 120 + 120);
    assert.equal(equity[3], 1000 - 120 - 220 + 130 + 220);
  });
});

describe('strategy lifecycle and errors', () => {
  test('params overrides reach field initializers and are echoed', () => {
    class P extends BaseStrategy {
      static override config = { symbols: ['AAA'], timeframe: '1d' as const };
      override params = { n: 2 };
      threshold = this.params.n * 10;
      onBar() { this.log(`t=${this.threshold}`); }
    }
    const lines: string[] = [];
    const raw = simulate(P as unknown as StrategyClass, [seriesOf('AAA', BARS.slice(0, 1))], { params: { n: 5 }, onLog: (l) => lines.push(l.message) });
    assert.deepEqual(lines, ['t=50']);
    assert.deepEqual(raw.params, { n: 5 });
  });

  test('an exception in onBar names the strategy, symbol and bar', () => {
    const Boom = scripted({ 2: () => { throw new Error('kaboom'); } });
    assert.throws(() => run({ 2: () => { throw new Error('kaboom'); } }), (err: unknown) => {
      assert.ok(err instanceof StrategyRuntimeError);
      assert.equal(err.phase, 'onBar');
      assert.equal(err.time, '2021-01-06');
      assert.equal(err.symbol, 'AAA');
      assert.match(err.message, /Scripted\.onBar threw on AAA at 2021-01-06 \(bar \d+\): kaboom/);
      return true;
    });
    void Boom;
  });

  test('cancellation stops the run', () => {
    let calls = 0;
    assert.throws(() => simulate(scripted({}), [seriesFromCloses('AAA', new Array(5000).fill(1))], { isCancelled: () => ++calls > 1 }), CancelledError);
  });

  test('invalid options and empty data give actionable errors', () => {
    assert.throws(() => run({}, { cash: -1 }), /cash must be a positive number/);
    assert.throws(() => run({}, { commission: 2 }), /commission is a fraction/);
    assert.throws(() => run({}, { fill: 'later' as never }), /fill must be 'next-open' or 'close'/);
    assert.throws(() => simulate(scripted({}), []), /No data/);
    assert.throws(() => simulate(scripted({}), [seriesOf('AAA', [])]), /No bars for AAA/);
  });

  test('a position still open at the end is an open trade marked at the last close, and counted in the final equity', async () => {
    const { runBacktest } = await import('../../core/engine/backtest');
    const result = runBacktest(scripted({ 0: (s) => s.buy('AAA', { shares: 3 }) }), [seriesOf('AAA', BARS)], { cash: 1000 });
    assert.equal(result.trades.length, 1);
    const [t] = result.trades;
    assert.equal(t.open, true);
    assert.equal(t.exitTime, null);
    assert.equal(t.exitPrice, null);
    assert.equal(t.exitReason, null);
    assert.equal(t.entryPrice, 102);
    assert.ok(Math.abs(t.pnl - 3 * (110 - 102)) < 1e-9, 'marked at the last close, 110');
    assert.ok(Math.abs((result.metrics.equityFinal ?? NaN) - (1000 + 3 * (110 - 102))) < 1e-9);
  });

  test('the same inputs give byte-identical results (the whole result as JSON)', async () => {
    const { runBacktest } = await import('../../core/engine/backtest');
    const s = seriesOf('AAA', BARS);
    const actions = { 0: (st: BaseStrategy) => st.buy('AAA', { percent: 40, stopLossPct: 3 }), 3: (st: BaseStrategy) => st.sell('AAA', { shares: 1 }) };
    const json = () => JSON.stringify(runBacktest(scripted(actions), [s], { commission: 0.001, slippageBps: 5 }));
    const first = json();
    assert.equal(json(), first);
    assert.ok(first.length > 500 && /"trades":\[\{/.test(first), 'the result is not empty');
  });

  test('the same inputs give identical results', () => {
    const s = seriesOf('AAA', BARS);
    const actions = { 0: (st: BaseStrategy) => st.buy('AAA', { percent: 40, stopLossPct: 3 }), 3: (st: BaseStrategy) => st.sell('AAA', { shares: 1 }) };
    const a = simulate(scripted(actions), [s], { commission: 0.001, slippageBps: 5 });
    const b = simulate(scripted(actions), [s], { commission: 0.001, slippageBps: 5 });
    assert.deepEqual(Array.from(a.equity), Array.from(b.equity));
    assert.deepEqual(a.broker.fills, b.broker.fills);
    assert.deepEqual(a.broker.closedLots, b.broker.closedLots);
  });
});

describe('buy-and-hold benchmark', () => {
  test('one symbol: its closes; several: an equal-weight index where a late starter counts as cash', async () => {
    const { buyAndHold } = await import('../../core/engine/backtest');
    const { buildTimeGrid } = await import('../../core/engine/grid');
    const a = seriesFromCloses('AAA', [10, 20, 30]);
    assert.deepEqual(Array.from(buyAndHold([a], a.time)), [10, 20, 30]);
    const b = seriesOf('BBB', [{ t: '2020-01-02', o: 5, h: 5, l: 5, c: 5 }, { t: '2020-01-03', o: 10, h: 10, l: 10, c: 10 }]);
    const grid = buildTimeGrid([a, b]);
    // day 1: (1 + 1)/2; day 2: (2 + 1)/2; day 3: (3 + 2)/2
    assert.deepEqual(Array.from(buyAndHold([a, b], grid)), [1, 1.5, 2.5]);
  });
});
