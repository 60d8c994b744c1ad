/**
 * The strategy's indicators as recorded for the chart (core/engine/plots.ts, docs/indicators.md "Drawing a
 * strategy's indicators"): the recorded values are the indicator's own, opt-out and names work, long runs are
 * strided with bounded memory, and nothing a strategy does to its indicators changes the run's numbers.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCsv } from '../../core/data/csv';
import { compileStrategySync } from '../../core/strategy/transpile';
import { loadStrategy } from '../../core/strategy/load';
import { runBacktest } from '../../core/engine/backtest';
import { EQUITY_DRAWN_POINTS, EQUITY_FULL_MAX } from '../../core/engine/equityCurve';
import { MAX_PLOTS } from '../../core/engine/plots';
import { BollingerBands, MACD, RSI, SMA, Stochastic } from '../../core/sdk/indicators/index';
import { createSeries, type BarSeries } from '../../core/data/series';
import type { BacktestResult } from '../../core/engine/types';
import { sharedData } from '../helpers/paths';

let spy: BarSeries;
before(async () => { spy = await loadCsv(sharedData('SPY_daily_1998_2021_lean.csv'), { symbol: 'SPY' }); });

export function probeSource(body: string, extra = ''): string {
  return `import { BaseStrategy, type Bar } from 'strategy-lab';
import { SMA, EMA, RSI, MACD, BollingerBands, Stochastic, ATR, Cross } from 'strategy-lab/indicators';
${extra}
export default class Probe extends BaseStrategy {
  static config = { symbols: ['SPY'], timeframe: '1d' as const };
  ${body}
}
`;
}

function run(body: string, series: BarSeries[] = [spy], extra = ''): BacktestResult {
  return runBacktest(loadStrategy(compileStrategySync(probeSource(body, extra), 'probe.strategy.ts').js, 'probe.strategy.ts'), series);
}

/** Bars as {high, low, close} for the bar indicators. */
function barAt(s: BarSeries, i: number) {
  return { high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i], time: s.time[i] };
}

const TRADER = `
  private fast = new SMA(20);
  private slow = new SMA(50);
  private rsi = new RSI(14);
  private macd = new MACD();
  private bands = new BollingerBands(20, 2);
  private stoch = new Stochastic(14, 3);
  private cross = new Cross();
  onBar(bar: Bar) {
    const f = this.fast.update(bar.close);
    const s = this.slow.update(bar.close);
    this.rsi.update(bar.close);
    this.macd.update(bar.close);
    this.bands.update(bar.close);
    this.stoch.update(bar);
    const dir = this.cross.update(f, s);
    if (dir === 'above') this.buy(bar.symbol);
    else if (dir === 'below') this.close(bar.symbol);
  }`;

describe('indicator plots', () => {
  test("the recorded series equal the indicator's own values on every bar (null during the warm-up)", () => {
    const result = run(TRADER);
    const plots = result.plots!;
    assert.equal(plots.stride, 1);
    assert.equal(plots.time.length, spy.length);
    assert.deepEqual(plots.series.map((s) => s.name), ['fast · SMA(20)', 'slow · SMA(50)', 'rsi · RSI(14)', 'macd · MACD(12, 26, 9)', 'bands · BollingerBands(20, 2)', 'stoch · Stochastic(14, 3)']);
    const ref = { fast: new SMA(20), slow: new SMA(50), rsi: new RSI(14), macd: new MACD(), bands: new BollingerBands(20, 2), stoch: new Stochastic(14, 3) };
    const [fast, slow, rsi, macd, bands, stoch] = plots.series;
    for (let i = 0; i < spy.length; i++) {
      assert.equal(plots.time[i], spy.time[i]);
      const c = spy.close[i];
      assert.equal(fast.lines[0].values[i], ref.fast.update(c) ?? null, `SMA 20 on bar ${i}`);
      assert.equal(slow.lines[0].values[i], ref.slow.update(c) ?? null);
      assert.equal(rsi.lines[0].values[i], ref.rsi.update(c) ?? null);
      const m = ref.macd.update(c);
      assert.deepEqual(macd.lines.map((l) => l.values[i]), m ? [m.macd, m.signal, m.histogram] : [null, null, null]);
      const b = ref.bands.update(c);
      assert.deepEqual(bands.lines.map((l) => l.values[i]), b ? [b.upper, b.middle, b.lower] : [null, null, null]);
      const k = ref.stoch.update(barAt(spy, i));
      assert.deepEqual(stoch.lines.map((l) => l.values[i]), k ? [k.k, k.d] : [null, null]);
    }
    assert.equal(fast.lines[0].values[18], null);
    assert.notEqual(fast.lines[0].values[19], null);
    assert.deepEqual([fast.pane, rsi.pane, macd.pane, bands.pane], ['price', 'oscillator', 'oscillator', 'price']);
    assert.deepEqual(rsi.range, [0, 100]);
    assert.deepEqual(rsi.levels, [30, 70], 'the usual RSI levels when no param says otherwise');
    assert.deepEqual(stoch.levels, [20, 80]);
    assert.equal(macd.levels, undefined);
    assert.equal(fast.symbol, 'SPY');
  });

  test('the Cross helper and non-indicator fields are not drawn', () => {
    const plots = run(`private cross = new Cross(); private n = 5; private list = [new SMA(3)]; onBar(bar: Bar) { this.cross.update(bar.close, 100); }`).plots;
    assert.equal(plots, undefined);
  });

  test('plot() names an indicator, sets levels, leaves one out; plot(false) draws only the explicit ones', () => {
    const named = run(`
      private rsi = new RSI(14);
      private fast = new SMA(10);
      private hidden = new EMA(5);
      onStart() { this.plot(this.rsi, { name: 'RSI fast', levels: [25, 75] }); this.plot(this.fast, 'Trend'); this.plot(this.hidden, false); }
      onBar(bar: Bar) { this.rsi.update(bar.close); this.fast.update(bar.close); this.hidden.update(bar.close); }`).plots!;
    assert.deepEqual(named.series.map((s) => [s.name, s.levels ?? null]), [['RSI fast', [25, 75]], ['Trend', null]]);
    const only = run(`
      private a = new SMA(10);
      private b = new SMA(20);
      private inner = { rsi: new RSI(5) };
      constructor() { super(); this.plot(false); this.plot(this.inner.rsi); }
      onBar(bar: Bar) { this.a.update(bar.close); this.b.update(bar.close); this.inner.rsi.update(bar.close); }`).plots!;
    assert.deepEqual(only.series.map((s) => s.name), ['RSI · RSI(5)'], 'an indicator outside the fields is drawn when plotted');
    const none = run(`private a = new SMA(10); onStart() { this.plot(false); } onBar(bar: Bar) { this.a.update(bar.close); }`);
    assert.equal(none.plots, undefined, 'opted out entirely');
  });

  test("RSI levels come from the strategy's threshold params", () => {
    const plots = run(`params = { period: 14, buyBelow: 35, sellAbove: 65, size: 0.5 }; private rsi = new RSI(this.params.period); onBar(bar: Bar) { this.rsi.update(bar.close); }`).plots!;
    assert.deepEqual(plots.series[0].levels, [35, 65]);
  });

  test('bad plot() arguments are clear errors of the strategy', () => {
    assert.throws(() => run(`private a = new SMA(3); onStart() { this.plot(this.a, { levels: [1, NaN] }); } onBar(bar: Bar) {}`), /plot\(\): levels\[1\] must be a finite number/);
    assert.throws(() => run(`private a = new SMA(3); onStart() { this.plot(this.a, { symbol: 'QQQ' }); } onBar(bar: Bar) {}`), /plot\(\): symbol 'QQQ' is not one of this run's symbols \(SPY\)/);
    assert.throws(() => run(`private a = new SMA(3); onStart() { this.plot(this.a, 'x'.repeat(61)); } onBar(bar: Bar) {}`), /plot\(\): the name must be a non-empty string of at most 60 characters/);
    assert.throws(() => run(`onStart() { this.plot(42 as any); } onBar(bar: Bar) {}`), /plot\(\): pass an indicator/);
  });

  test('at most MAX_PLOTS indicators are recorded', () => {
    const fields = Array.from({ length: MAX_PLOTS + 5 }, (_, i) => `private s${i} = new SMA(${i + 2});`).join('\n');
    const plots = run(`${fields} onBar(bar: Bar) {}`).plots!;
    assert.equal(plots.series.length, MAX_PLOTS);
  });

  test('tampering with the indicators changes the drawing at worst, never the numbers', () => {
    const honest = run(TRADER);
    // After the recorder pinned `current` (onStart is over), turning it into a getter fails.
    const tamper = `private tried = '';
      onEnd() { this.log(this.tried); }`;
    // A strategy that forges its recorded values and tries to turn them into getters.
    const forged = run(`${TRADER.replace('const dir = this.cross.update(f, s);', 'const dir = this.cross.update(f, s); (this.slow as any).current = 1e9; const m: any = this.macd.value; if (m) Object.defineProperty(m, "macd", { get() { throw new Error("getter ran"); } }); try { Object.defineProperty(this.fast, "current", { get: () => 1 }); } catch (e) { this.tried = String(e); }')} ${tamper}`);
    assert.deepEqual(forged.metrics, honest.metrics, 'the metrics do not move');
    assert.deepEqual(forged.trades, honest.trades);
    assert.deepEqual(forged.plots!.series[0].lines, honest.plots!.series[0].lines, 'a getter on a pinned `current` cannot be defined');
    assert.equal(forged.plots!.series[1].lines[0].values.at(-1), 1e9, 'the forged value only mis-draws its own line');
    assert.equal(forged.plots!.series[3].lines[0].values.at(-1), null, 'a getter on an output is not run, the point is left out');
    // Plots never change a run: the same strategy with plot(false) has byte-identical numbers.
    const off = run(`${TRADER} onStart() { this.plot(false); }`);
    assert.equal(off.plots, undefined);
    assert.deepEqual(off.metrics, honest.metrics);
    assert.deepEqual(off.equity, honest.equity);
  });

  test('past EQUITY_FULL_MAX bars every stride-th bar is kept: bounded memory, exact values at those bars', () => {
    const n = EQUITY_FULL_MAX * 3 + 17;
    const s = createSeries('SPY', n);
    for (let i = 0; i < n; i++) {
      const c = 100 + 10 * Math.sin(i / 50) + i * 1e-4;
      s.time[i] = Date.UTC(2000, 0, 1) + i * 60_000;
      s.open[i] = c; s.high[i] = c + 1; s.low[i] = c - 1; s.close[i] = c; s.volume[i] = 1000;
    }
    const plots = run(`private sma = new SMA(30); onBar(bar: Bar) { this.sma.update(bar.close); }`, [s]).plots!;
    assert.equal(plots.stride, Math.ceil(n / EQUITY_DRAWN_POINTS));
    assert.ok(plots.time.length <= EQUITY_DRAWN_POINTS + 1, `${plots.time.length} points`);
    const ref = new SMA(30);
    const values = plots.series[0].lines[0].values;
    for (let i = 0; i < n; i++) {
      const v = ref.update(s.close[i]) ?? null;
      if (i % plots.stride === 0) {
        assert.equal(values[i / plots.stride], v, `bar ${i}`);
        assert.equal(plots.time[i / plots.stride], s.time[i]);
      }
    }
  });
});
