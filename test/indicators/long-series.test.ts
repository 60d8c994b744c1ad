/**
 * Float drift over long series, and the O(1) window structures against brute force.
 * Running sums that are only ever updated (+new −old) accumulate rounding error; after a
 * price spike leaves the window that error can dwarf the remaining values. These tests
 * show a naive running sum failing where the indicators stay exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BollingerBands, Highest, Lowest, SMA, WMA } from 'strategy-lab/indicators';
import { assertClose, prng, randomWalk } from './helpers';

const exactMean = (xs: ArrayLike<number>, end: number, period: number) => {
  let s = 0;
  for (let i = end - period + 1; i <= end; i++) s += xs[i];
  return s / period;
};
const exactWma = (xs: ArrayLike<number>, end: number, period: number) => {
  let s = 0;
  for (let k = 1; k <= period; k++) s += k * xs[end - period + k];
  return s / ((period * (period + 1)) / 2);
};
const exactStd = (xs: ArrayLike<number>, end: number, period: number) => {
  const m = exactMean(xs, end, period);
  let s = 0;
  for (let i = end - period + 1; i <= end; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / period);
};

test('SMA, WMA and Bollinger Bands agree with an exact recomputation at the end of 1,000,000 bars', () => {
  const { close } = randomWalk(1_000_000, 3);
  const n = close.length;
  for (const period of [20, 200]) {
    const sma = new SMA(period);
    const wma = new WMA(period);
    const bb = new BollingerBands(period, 2);
    for (let i = 0; i < n; i++) {
      sma.update(close[i]);
      wma.update(close[i]);
      bb.update(close[i]);
    }
    assertClose(sma.value, exactMean(close, n - 1, period), 1e-12, `SMA(${period})`);
    assertClose(wma.value, exactWma(close, n - 1, period), 1e-12, `WMA(${period})`);
    const b = bb.value!;
    assertClose((b.upper - b.lower) / 4, exactStd(close, n - 1, period), 1e-9, `BB(${period}) sigma`);
  }
});

test('after a huge spike leaves the window, SMA/WMA/BB are exact while a naive running sum is not', () => {
  // 1,000 bars near 1e12, then 200,000 bars near 1.
  const rand = prng(11);
  const xs = new Float64Array(201_000);
  for (let i = 0; i < xs.length; i++) xs[i] = i < 1000 ? 1e12 * (1 + rand()) : 1 + rand();
  const period = 50;
  const sma = new SMA(period);
  const wma = new WMA(period);
  const bb = new BollingerBands(period, 2);
  let naive = 0;
  for (let i = 0; i < xs.length; i++) {
    naive += xs[i] - (i >= period ? xs[i - period] : 0);
    sma.update(xs[i]);
    wma.update(xs[i]);
    bb.update(xs[i]);
  }
  const end = xs.length - 1;
  const expected = exactMean(xs, end, period);
  // Proof the scenario bites: the naive running mean is off by far more than our tolerance.
  assert.ok(Math.abs(naive / period - expected) > 1e-6, `naive error ${Math.abs(naive / period - expected)}`);
  assertClose(sma.value, expected, 1e-12, 'SMA after spike');
  assertClose(wma.value, exactWma(xs, end, period), 1e-12, 'WMA after spike');
  assertClose(bb.value!.middle, expected, 1e-12, 'BB middle after spike');
  assertClose((bb.value!.upper - bb.value!.lower) / 4, exactStd(xs, end, period), 1e-9, 'BB sigma after spike');
});

test('Bollinger σ stays accurate on large prices with tiny moves (no Σx² cancellation)', () => {
  const rand = prng(5);
  const xs = Array.from({ length: 5000 }, () => 1e7 + rand() * 0.01);
  const bb = new BollingerBands(20, 1);
  xs.forEach((x) => bb.update(x));
  const sigma = (bb.value!.upper - bb.value!.lower) / 2;
  // Relative 1e-6 on a σ of ~0.003 at a price of 1e7: Σx² − (Σx)²/n would lose every digit.
  assertClose(sigma / exactStd(xs, xs.length - 1, 20), 1, 1e-6, 'sigma ratio');
});

test('Highest/Lowest (monotonic deque) equal a brute-force window scan, ties included', () => {
  const rand = prng(99);
  // Quantised walk from 0: many exact repeats (where deque tie handling matters), zeros
  // and negatives (where technicalindicators' Highest/Lowest go wrong).
  const xs: number[] = [];
  let p = 0;
  for (let i = 0; i < 20_000; i++) xs.push((p += Math.round((rand() - 0.5) * 4)));
  for (const period of [1, 2, 3, 7, 50, 500]) {
    const hi = new Highest(period);
    const lo = new Lowest(period);
    for (let i = 0; i < xs.length; i++) {
      const h = hi.update(xs[i]);
      const l = lo.update(xs[i]);
      if (i < period - 1) {
        assert.equal(h, undefined);
        continue;
      }
      const window = xs.slice(i - period + 1, i + 1);
      assert.equal(h, Math.max(...window), `Highest(${period}) at ${i}`);
      assert.equal(l, Math.min(...window), `Lowest(${period}) at ${i}`);
    }
  }
  assert.ok(xs.some((x) => x < 0) && xs.some((x) => x > 0) && xs.includes(0));
});
