import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drawdowns } from '../../core/metrics/drawdowns';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const t0 = Date.parse('2024-01-01T00:00:00Z');
const daily = (n: number) => Float64Array.from({ length: n }, (_, i) => t0 + i * DAY);
const near = (actual: number | null, expected: number) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `expected ${expected}, got ${actual}`);

describe('drawdowns', () => {
  // bar:    0    1    2    3    4    5    6    7    8    9
  // equity: 100  120  90   120  130  117  104  130  130  125
  // peak:   100  120  120  120  130  130  130  130  130  130
  // depth:  0    0    .25  0    0    .10  .20  0    0    5/130
  // Bars at a peak: 0 1 3 4 7 8. Periods (a peak bar, ≥ 1 bar below, next peak bar):
  //   1 → 3: 2 days, deepest 0.25;  4 → 7: 3 days, deepest 0.20.
  //   8 → 9 (last bar) has no bar strictly between, so it is not a period (backtesting.py rule).
  const equity = [100, 120, 90, 120, 130, 117, 104, 130, 130, 125];

  test('max depth, period depths and durations by hand', () => {
    const d = drawdowns(daily(10), equity);
    near(d.maxDepth, 0.25);
    assert.equal(d.periods, 2);
    near(d.avgDepth, (0.25 + 0.2) / 2); // 0.225
    assert.equal(d.maxDurationDays, 3);
    assert.equal(d.avgDurationDays, 2.5);
  });

  test('a drawdown still open at the end counts up to the last bar once it spans two bars', () => {
    // Append 126: bars 9, 10 below the 130 peak → period 8 → 10, 2 days, deepest max(5, 4)/130 = 5/130.
    const d = drawdowns(daily(11), [...equity, 126]);
    assert.equal(d.periods, 3);
    near(d.avgDepth, (0.25 + 0.2 + 5 / 130) / 3);
    assert.equal(d.maxDurationDays, 3);
    near(d.avgDurationDays, (2 + 3 + 2) / 3);
  });

  test('equity that never falls: depth 0 and no periods (averages and durations null)', () => {
    const d = drawdowns(daily(4), [100, 100, 101, 102]);
    assert.deepEqual(d, { maxDepth: 0, avgDepth: null, maxDurationDays: null, avgDurationDays: null, periods: 0 });
  });

  test('a fall on the last bar only: max depth counts it, but there is no period', () => {
    const d = drawdowns(daily(3), [100, 110, 99]);
    near(d.maxDepth, 0.1);
    assert.equal(d.periods, 0);
    assert.equal(d.avgDepth, null);
    assert.equal(d.maxDurationDays, null);
  });

  test('intraday: durations are fractional days', () => {
    // Hourly bars: 100 (peak) → 95 → 97 → 100 (back at the peak, 3 hours later) → 101
    const time = Float64Array.from([0, 1, 2, 3, 4].map((h) => t0 + h * HOUR));
    const d = drawdowns(time, [100, 95, 97, 100, 101]);
    assert.equal(d.periods, 1);
    assert.equal(d.maxDurationDays, 3 / 24);
    near(d.avgDepth, 0.05);
  });

  test('a period is timed from the last bar at the peak, not the first', () => {
    // 100 100 100 90 100: peak bars 0 1 2 4; the period is 2 → 4: 2 days (not 4).
    const d = drawdowns(daily(5), [100, 100, 100, 90, 100]);
    assert.equal(d.maxDurationDays, 2);
  });

  test('equals the bar-by-bar definition to the last bit on random curves (ties, new peaks, negative equity, NaN)', () => {
    // The definition as written: every bar's depth 1 − e/peak, a period closed at each bar whose depth is exactly 0.
    const byBar = (time: ArrayLike<number>, eq: ArrayLike<number>) => {
      let peak = -Infinity, maxDepth = 0, trough = 0, last = -1;
      const depths: number[] = [], durations: number[] = [];
      for (let i = 0; i < eq.length; i++) {
        if (eq[i] > peak) peak = eq[i];
        const depth = 1 - eq[i] / peak;
        if (depth > maxDepth) maxDepth = depth;
        if (depth > trough) trough = depth;
        if (depth === 0 || i === eq.length - 1) {
          if (last >= 0 && i > last + 1) { depths.push(trough); durations.push((time[i] - time[last]) / DAY); }
          if (depth === 0) { last = i; trough = 0; }
        }
      }
      const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
      return { maxDepth, avgDepth: avg(depths), maxDurationDays: durations.length ? Math.max(...durations) : null, avgDurationDays: avg(durations), periods: depths.length };
    };
    let s = 11;
    const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let c = 0; c < 2000; c++) {
      const n = 1 + Math.floor(r() * 60);
      const eq: number[] = [100];
      for (let i = 1; i < n; i++) {
        const f = r();
        const prev = eq[i - 1];
        eq.push(f < 0.15 ? prev : f < 0.2 ? Math.max(...eq) : f < 0.22 && c % 5 === 0 ? -prev : f < 0.23 && c % 7 === 0 ? NaN : prev * (1 + (r() - 0.5) * (c % 3 === 0 ? 1e-15 : 0.1)));
      }
      assert.deepEqual(drawdowns(daily(n), eq), byBar(daily(n), eq), `curve ${c}: ${eq.join(', ')}`);
    }
  });
});

