/** Period 1, constant series, NaN/Infinity input, invalid parameters, undefined input, reset. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADX, ATR, BollingerBands, Cross, crossedAbove, crossedBelow, EMA, Highest, IndicatorError, Lowest, MACD, OBV, RSI, SMA,
  Stochastic, VWAP, WMA, type BarLike,
} from 'strategy-lab/indicators';
import { loadCsv, DATASETS, run } from './helpers';

const spy = loadCsv(DATASETS.spyDaily);
const closes = spy.close.slice(0, 300);
const bars = spy.bars.slice(0, 300);

type AnyIndicator = { update(x: never): unknown; readonly value: unknown; readonly ready: boolean; readonly warmup: number; reset(): void };

/** One factory per indicator with the input it takes, so every rule is checked for all of them. */
const FACTORIES: { name: string; make: () => AnyIndicator; inputs: readonly unknown[] }[] = [
  { name: 'SMA', make: () => new SMA(10), inputs: closes },
  { name: 'EMA', make: () => new EMA(10), inputs: closes },
  { name: 'WMA', make: () => new WMA(10), inputs: closes },
  { name: 'RSI', make: () => new RSI(14), inputs: closes },
  { name: 'MACD', make: () => new MACD(), inputs: closes },
  { name: 'BollingerBands', make: () => new BollingerBands(), inputs: closes },
  { name: 'Highest', make: () => new Highest(20), inputs: closes },
  { name: 'Lowest', make: () => new Lowest(20), inputs: closes },
  { name: 'ATR', make: () => new ATR(14), inputs: bars },
  { name: 'Stochastic', make: () => new Stochastic(14, 3), inputs: bars },
  { name: 'ADX', make: () => new ADX(14), inputs: bars },
  { name: 'OBV', make: () => new OBV(), inputs: bars },
  { name: 'VWAP', make: () => new VWAP({ resetDaily: false }), inputs: bars },
];

const feed = (ind: AnyIndicator, inputs: readonly unknown[]) => inputs.map((x) => ind.update(x as never));

test('warmup, ready and value agree with what update returns, for every indicator', () => {
  for (const { name, make, inputs } of FACTORIES) {
    const ind = make();
    inputs.forEach((x, i) => {
      const out = ind.update(x as never);
      assert.equal(out === undefined, i < ind.warmup, `${name}: bar ${i}, warmup ${ind.warmup}`);
      assert.equal(ind.ready, i >= ind.warmup, `${name}: ready at bar ${i}`);
      assert.equal(ind.value, out, `${name}: value is the last result`);
    });
  }
});

test('NaN and Infinity throw an IndicatorError naming the indicator, and leave the state untouched', () => {
  for (const { name, make, inputs } of FACTORIES) {
    const clean = feed(make(), inputs);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const ind = make();
      const out: unknown[] = [];
      inputs.forEach((x, i) => {
        if (i === 40) {
          const poisoned = typeof x === 'number' ? bad : { ...(x as BarLike), close: bad };
          assert.throws(() => ind.update(poisoned as never), (e: Error) => {
            assert.ok(e instanceof IndicatorError, `${name}: ${e}`);
            assert.match(e.message, new RegExp(`^${name}`));
            assert.match(e.message, new RegExp(String(bad)));
            assert.match(e.message, /not changed/);
            return true;
          });
        }
        out.push(ind.update(x as never));
      });
      assert.deepEqual(out, clean, `${name}: a rejected ${bad} must not change later values`);
    }
  }
});

test('bar indicators name the bad field, and reject a missing bar or missing volume', () => {
  assert.throws(() => new ATR().update({ high: 2, low: NaN, close: 1 }), /ATR\(14\)\.update: bar\.low must be a finite number, got NaN/);
  assert.throws(() => new OBV().update({ high: 2, low: 1, close: 1 }), /OBV\.update: bar\.volume must be a finite number, got undefined; the value is missing/);
  assert.throws(() => new VWAP().update({ high: 2, low: 1, close: 1, time: 0 }), /VWAP\.update: bar\.volume/);
  assert.throws(() => new Stochastic().update(undefined as unknown as BarLike), /Stochastic\(14, 3\)\.update: expected a bar like \{ high, low, close \}/);
  assert.throws(() => new VWAP().update({ high: 2, low: 1, close: 1, volume: 5 }), /bar\.time must be ms since epoch.*resetDaily: false/);
  // null would silently count as 0 in arithmetic: rejected like NaN.
  assert.throws(() => new ADX().update({ high: 2, low: null as unknown as number, close: 1 }), /ADX\(14\)\.update: bar\.low must be a finite number, got null/);
  assert.throws(() => new OBV().update({ high: 2, low: 1, close: 1, volume: null as unknown as number }), /bar\.volume .* got null/);
});

test('invalid periods throw with the rule and a correct example', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => new SMA(0), /^SMA: period must be a whole number >= 1, got 0\. Example: new SMA\(20\)\.$/],
    [() => new EMA(-3), /EMA: period must be a whole number >= 1, got -3/],
    [() => new WMA(2.5), /WMA: period must be a whole number >= 1, got 2\.5/],
    [() => new RSI(NaN), /RSI: period .* got NaN\. Example: new RSI\(14\)/],
    [() => new RSI('14' as unknown as number), /RSI: period .* got "14"/],
    [() => new SMA(undefined as unknown as number), /SMA: period .* got undefined/],
    [() => new Highest(0), /Highest: period .* Example: new Highest\(20\)/],
    [() => new Lowest(-1), /Lowest: period .* Example: new Lowest\(20\)/],
    [() => new ATR(0), /ATR: period/],
    [() => new ADX(1.5), /ADX: period/],
    [() => new Stochastic(14, 0), /Stochastic: signalPeriod .* Example: new Stochastic\(14, 3\)/],
    [() => new MACD(0), /MACD: fastPeriod/],
    [() => new MACD(26, 12, 9), /MACD: fastPeriod \(26\) must be less than slowPeriod \(12\); the order is \(fast, slow, signal\)/],
    [() => new MACD(12, 12, 9), /must be less than slowPeriod/],
    [() => new BollingerBands(0), /BollingerBands: period/],
    [() => new BollingerBands(20, 0), /BollingerBands: stdDev must be a finite number > 0, got 0/],
    [() => new BollingerBands(20, -2), /stdDev must be a finite number > 0, got -2/],
    // The technicalindicators habit of an options object gets pointed at the positional form.
    [() => new BollingerBands({ period: 20, stdDev: 2 } as unknown as number), /BollingerBands: period .* got \{"period":20,"stdDev":2\}\. Parameters are positional numbers, not an options object\. Example: new BollingerBands\(20, 2\)\./],
    [() => new VWAP({ utcOffsetHours: 30 }), /VWAP: utcOffsetHours must be .* between -24 and 24, got 30/],
  ];
  for (const [make, message] of cases) assert.throws(make, (e: Error) => e instanceof IndicatorError && message.test(e.message));
});

test('period 1: moving averages and extremes return the input; RSI is 100/0/50 by direction', () => {
  for (const ind of [new SMA(1), new EMA(1), new WMA(1), new Highest(1), new Lowest(1)]) {
    assert.equal(ind.warmup, 0);
    for (const x of closes.slice(0, 50)) assert.equal(ind.update(x), x);
  }
  const bb = new BollingerBands(1, 2);
  assert.deepEqual(bb.update(101.5), { upper: 101.5, middle: 101.5, lower: 101.5 });
  const rsi = new RSI(1);
  assert.equal(rsi.update(10), undefined);
  assert.deepEqual([11, 9, 9, 12].map((x) => rsi.update(x)), [100, 0, 50, 100]);
  const atr = new ATR(1);
  atr.update({ high: 10, low: 9, close: 9.5 });
  assert.equal(atr.update({ high: 12, low: 11, close: 11.5 }), 2.5); // |high − prev close|
  const stoch = new Stochastic(1, 1);
  assert.deepEqual(stoch.update({ high: 10, low: 8, close: 9.5 }), { k: 75, d: 75 });
});

test('a constant series: RSI 50, zero-width bands, zero MACD/ATR/ADX, exact SMA', () => {
  const flat = new Array(500).fill(123.45);
  const rsi = run(new RSI(14), flat);
  assert.ok(rsi.slice(14).every((x) => x === 50));
  for (const b of run(new BollingerBands(20, 2), flat).slice(19)) assert.deepEqual(b, { upper: 123.45, middle: 123.45, lower: 123.45 });
  for (const m of run(new MACD(), flat).slice(33)) assert.deepEqual(m, { macd: 0, signal: 0, histogram: 0 });
  assert.ok(run(new SMA(7), flat).slice(6).every((x) => x === 123.45));
  const flatBars = flat.map((c) => ({ high: c, low: c, close: c, volume: 100 }));
  assert.ok(run(new ATR(14), flatBars).slice(14).every((x) => x === 0));
  for (const a of run(new ADX(14), flatBars).slice(27)) assert.deepEqual(a, { adx: 0, pdi: 0, mdi: 0 });
  // No range at all: %K is 0 (the reference's and TA-Lib's convention), not NaN.
  for (const s of run(new Stochastic(14, 3), flatBars).slice(15)) assert.deepEqual(s, { k: 0, d: 0 });
  assert.equal(run(new OBV(), flatBars).at(-1), 0);
});

test('undefined input (an upstream indicator warming up) is skipped without advancing', () => {
  const sma = new SMA(3);
  assert.equal(sma.update(undefined), undefined);
  sma.update(1);
  sma.update(2);
  assert.equal(sma.update(undefined), undefined, 'still warming up: skipping does not count as a bar');
  assert.equal(sma.update(3), 2);
  assert.equal(sma.update(undefined), 2, 'returns the current value');
  assert.equal(sma.update(4), 3);
  // Chaining: an EMA of RSI simply starts once RSI has values.
  const rsi = new RSI(14);
  const smooth = new EMA(5);
  const chained = closes.map((c) => smooth.update(rsi.update(c)));
  assert.equal(chained.findIndex((x) => x !== undefined), rsi.warmup + smooth.warmup);
  assert.throws(() => sma.update(null as unknown as number), /SMA\(3\)\.update: value must be a finite number, got null/);
  const bar = { high: 2, low: 1, close: 1.5 };
  assert.throws(() => new RSI().update(bar as unknown as number), /RSI\(14\)\.update: value must be .* pass bar\.close \(or another number\), not the whole bar/);
  assert.throws(() => new ATR().update(1.5 as unknown as BarLike), /ATR\(14\)\.update: expected a bar like \{ high, low, close \}, got 1\.5\. Pass the bar itself: update\(bar\)\./);
});

test('reset() makes an indicator behave as if new', () => {
  for (const { name, make, inputs } of FACTORIES) {
    const ind = make();
    const first = feed(ind, inputs);
    ind.reset();
    assert.equal(ind.ready, false, name);
    assert.equal(ind.value, undefined, name);
    assert.deepEqual(feed(ind, inputs), first, name);
  }
  const cross = new Cross();
  cross.update(1, 2);
  cross.reset();
  assert.equal(cross.update(3, 2), undefined, 'no side remembered after reset');
});

test('object-valued indicators return a fresh object each bar, so a kept previous value stays valid', () => {
  const macd = new MACD();
  const out = run(macd, closes);
  assert.notEqual(out[100], out[101]);
  assert.notDeepEqual(out[100], out[101]);
});

test('Cross: first bar never crosses, touch-and-bounce is not a cross, undefined is ignored, NaN throws', () => {
  const cross = new Cross();
  assert.equal(cross.update(undefined, 5), undefined);
  assert.equal(cross.ready, false);
  assert.equal(cross.update(6, 5), undefined, 'first known side: nothing to cross from');
  assert.equal(cross.ready, true);
  assert.equal(cross.update(5, 5), undefined, 'touch');
  assert.equal(cross.update(6, 5), undefined, 'bounce back up: not a cross');
  assert.equal(cross.update(5, 5), undefined);
  assert.equal(cross.update(4, 5), 'below', 'touch then through: a cross below');
  assert.equal(cross.crossedBelow, true);
  assert.equal(cross.crossedAbove, false);
  assert.equal(cross.update(undefined, 5), undefined);
  assert.equal(cross.update(7, 5), 'above', 'sides are remembered across undefined bars');
  assert.equal(cross.value, 'above');
  assert.equal(cross.crossedAbove, true);
  assert.equal(cross.update(8, 5), undefined, 'staying above is not a new cross');
  assert.throws(() => cross.update(NaN, 5), /Cross\.update: a must be a finite number or undefined, got NaN/);
  assert.throws(() => cross.update(5, Infinity), /Cross\.update: b must be a finite number or undefined, got Infinity/);
  assert.equal(cross.update(4, 5), 'below', 'state survived the rejected input');
});

test('crossedAbove / crossedBelow: strict now, non-strict before; undefined gives false; NaN throws', () => {
  assert.equal(crossedAbove(1, 2, 3, 2), true);
  assert.equal(crossedAbove(2, 2, 3, 2), true, 'from a touch');
  assert.equal(crossedAbove(3, 2, 4, 2), false, 'already above');
  assert.equal(crossedAbove(1, 2, 2, 2), false, 'reaching is not crossing');
  assert.equal(crossedBelow(3, 2, 1, 2), true);
  assert.equal(crossedBelow(2, 2, 1, 2), true);
  assert.equal(crossedBelow(1, 2, 0, 2), false);
  assert.equal(crossedAbove(undefined, 2, 3, 2), false);
  assert.equal(crossedBelow(3, 2, 1, undefined), false);
  assert.throws(() => crossedAbove(1, NaN, 3, 2), /crossedAbove: prevB must be a finite number or undefined, got NaN/);
  assert.throws(() => crossedBelow(1, 2, 3, -Infinity), /crossedBelow: b must be/);
});

test('VWAP: the day boundary follows utcOffsetHours; zero-volume session start is undefined', () => {
  const h = 3_600_000;
  const bar = (t: number, price: number, volume = 100) => ({ time: t, high: price, low: price, close: price, volume });
  const day = Date.UTC(2024, 0, 2);
  // 23:00 and 01:00 UTC: different UTC days, same day at UTC+9? no: 08:00 and 10:00 next day → same day.
  const utc = new VWAP();
  utc.update(bar(day + 23 * h, 10));
  assert.equal(utc.update(bar(day + 25 * h, 20)), 20, 'UTC midnight starts a new session');
  const tokyo = new VWAP({ utcOffsetHours: 9 });
  tokyo.update(bar(day + 23 * h, 10));
  assert.equal(tokyo.update(bar(day + 25 * h, 20)), 15, 'same Tokyo day: one session');
  const noVolume = new VWAP();
  assert.equal(noVolume.update(bar(day, 10, 0)), undefined);
  assert.equal(noVolume.update(bar(day + h, 12, 50)), 12);
});

test('default parameters and warm-up lengths are the ones docs/indicators.md lists', () => {
  const rows: [string, { warmup: number }, number][] = [
    ['RSI()', new RSI(), 14],
    ['MACD()', new MACD(), 33],
    ['BollingerBands()', new BollingerBands(), 19],
    ['ATR()', new ATR(), 14],
    ['Stochastic()', new Stochastic(), 15],
    ['ADX()', new ADX(), 27],
    ['OBV()', new OBV(), 0],
    ['VWAP()', new VWAP(), 0],
    ['SMA(20)', new SMA(20), 19],
    ['EMA(20)', new EMA(20), 19],
    ['WMA(20)', new WMA(20), 19],
    ['Highest(20)', new Highest(20), 19],
    ['Lowest(20)', new Lowest(20), 19],
  ];
  for (const [name, ind, warmup] of rows) assert.equal(ind.warmup, warmup, name);
  const macd = new MACD();
  assert.deepEqual([macd.fastPeriod, macd.slowPeriod, macd.signalPeriod], [12, 26, 9]);
  const bb = new BollingerBands();
  assert.deepEqual([bb.period, bb.stdDev], [20, 2]);
  const stoch = new Stochastic();
  assert.deepEqual([stoch.period, stoch.signalPeriod], [14, 3]);
  assert.deepEqual([new RSI().period, new ATR().period, new ADX().period], [14, 14, 14]);
  const vwap = new VWAP();
  assert.deepEqual([vwap.resetDaily, vwap.utcOffsetHours], [true, 0]);
});
