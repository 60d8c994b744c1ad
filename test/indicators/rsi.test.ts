/**
 * RSI against an independent, unrounded batch computation of Wilder's formula (the
 * reference rounds to 2 decimals, so it alone cannot pin the value down to 1e-9).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RSI } from 'strategy-lab/indicators';
import { allDatasets, assertClose, randomWalk, run } from './helpers';

/**
 * Wilder (1978), written as a batch pass with arrays and the algebraically equivalent
 * RSI = 100 · avgGain / (avgGain + avgLoss), so it shares no code or rounding path with
 * the incremental class. A flat window (both averages 0) is 50 by our documented convention.
 */
function wilderRsi(closes: ArrayLike<number>, period: number): (number | undefined)[] {
  const out: (number | undefined)[] = new Array(closes.length).fill(undefined);
  if (closes.length <= period) return out;
  const gains: number[] = [];
  const losses: number[] = [];
  for (let i = 1; i < closes.length; i++) {
    const d = closes[i] - closes[i - 1];
    gains.push(Math.max(d, 0));
    losses.push(Math.max(-d, 0));
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  let g = mean(gains.slice(0, period));
  let l = mean(losses.slice(0, period));
  const rsi = (g: number, l: number) => (g + l === 0 ? 50 : (100 * g) / (g + l));
  out[period] = rsi(g, l);
  for (let i = period + 1; i < closes.length; i++) {
    g = (g * (period - 1) + gains[i - 1]) / period;
    l = (l * (period - 1) + losses[i - 1]) / period;
    out[i] = rsi(g, l);
  }
  return out;
}

function agree(closes: ArrayLike<number>, period: number, where: string): number {
  const rsi = new RSI(period);
  const ours = run(rsi, closes);
  const expected = wilderRsi(closes, period);
  let compared = 0;
  for (let i = 0; i < closes.length; i++) {
    if (expected[i] === undefined) {
      assert.equal(ours[i], undefined, `${where} bar ${i} should still be warming up`);
      continue;
    }
    assertClose(ours[i], expected[i], 1e-9, `${where} RSI(${period}) bar ${i}`, true);
    compared++;
  }
  assert.equal(compared, closes.length - rsi.warmup);
  return compared;
}

test('RSI equals an independent unrounded Wilder computation to 1e-9 on real data', () => {
  for (const data of allDatasets()) {
    for (const period of [1, 2, 14, 50]) agree(data.close, period, data.name);
  }
});

test('RSI equals the independent computation to 1e-9 at the end of a 1,000,000-bar random walk', () => {
  const { close } = randomWalk(1_000_000, 7);
  const period = 14;
  const expected = wilderRsi(close, period);
  const rsi = new RSI(period);
  for (let i = 0; i < close.length; i++) rsi.update(close[i]);
  assertClose(rsi.value, expected[close.length - 1], 1e-9, 'last RSI', true);
});

test('RSI warm-up is `period` bars and the first value follows Wilder\'s simple-mean seed', () => {
  const rsi = new RSI(3);
  assert.equal(rsi.warmup, 3);
  // Changes: +1, −2, +3 → avgGain 4/3, avgLoss 2/3 → RSI 100·4/6.
  assert.equal(rsi.update(10), undefined);
  assert.equal(rsi.update(11), undefined);
  assert.equal(rsi.update(9), undefined);
  assert.equal(rsi.ready, false);
  assertClose(rsi.update(12), (100 * 4) / 6, 1e-12, 'first RSI', true);
  assert.equal(rsi.ready, true);
  // Next change −1: avgGain (4/3·2 + 0)/3 = 8/9, avgLoss (2/3·2 + 1)/3 = 7/9.
  assertClose(rsi.update(11), (100 * 8) / 15, 1e-12, 'second RSI', true);
});
