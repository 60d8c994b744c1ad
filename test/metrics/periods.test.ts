import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { barSpacingDays, detectSampling, periodReturns, weekendShare } from '../../core/metrics/periods';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const utc = (date: string) => Date.parse(`${date}T00:00:00Z`);
/** Consecutive calendar days from `start` (2024-01-01 is a Monday). */
const days = (start: string, count: number) => Float64Array.from({ length: count }, (_, i) => utc(start) + i * DAY);
/** Weekdays only (Mon–Fri) from a Monday. */
function weekdays(start: string, count: number): Float64Array {
  const out: number[] = [];
  for (let t = utc(start); out.length < count; t += DAY) {
    const dow = new Date(t).getUTCDay();
    if (dow !== 0 && dow !== 6) out.push(t);
  }
  return Float64Array.from(out);
}

const close = (actual: ArrayLike<number>, expected: number[]) => {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < 1e-12, `[${i}] expected ${e}, got ${actual[i]}`));
};

describe('annualisation: trading days per year', () => {
  test('weekday-only daily bars: 252 periods a year, daily returns', () => {
    const s = detectSampling(weekdays('2024-01-01', 30));
    assert.deepEqual(s, { period: 'day', periodsPerYear: 252, weekendBars: false, barDays: 1 });
  });

  test('bars every calendar day (crypto): 2/7 of bars on weekends → 365 periods a year', () => {
    const time = days('2024-01-01', 28);
    assert.equal(weekendShare(time), 8 / 28);
    assert.deepEqual(detectSampling(time), { period: 'day', periodsPerYear: 365, weekendBars: true, barDays: 1 });
  });

  test('the weekend threshold is 60 % of 2/7 = 0.1714…: 1 weekend bar in 7 (0.143) stays 252, 2 in 9 (0.222) is 365', () => {
    // Mon 2024-01-01 … Sat 2024-01-06 plus Mon 2024-01-08: one Saturday in 7 bars.
    const oneInSeven = Float64Array.from([...days('2024-01-01', 6), utc('2024-01-08')]);
    assert.equal(detectSampling(oneInSeven).periodsPerYear, 252);
    // Mon 2024-01-01 … Tue 2024-01-09: Saturday and Sunday in 9 bars.
    assert.equal(detectSampling(days('2024-01-01', 9)).periodsPerYear, 365);
  });

  test('intraday bars: spacing floors to 0 days, returns are still per calendar day (252 on weekdays)', () => {
    const time = Float64Array.from([0, 1, 2, 24, 25, 26].map((h) => utc('2024-01-01') + 14 * HOUR + h * HOUR));
    assert.equal(barSpacingDays(time), 0);
    assert.deepEqual(detectSampling(time), { period: 'day', periodsPerYear: 252, weekendBars: false, barDays: 0 });
  });

  test('weekly bars: 52 a year, weekly returns; monthly: 12; yearly: 1', () => {
    const weekly = Float64Array.from({ length: 10 }, (_, i) => utc('2024-01-01') + i * 7 * DAY);
    assert.deepEqual(detectSampling(weekly), { period: 'week', periodsPerYear: 52, weekendBars: false, barDays: 7 });
    const monthly = Float64Array.from({ length: 13 }, (_, i) => Date.UTC(2023, i, 1));
    // Gaps 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31: median 31 days.
    assert.equal(detectSampling(monthly).period, 'month');
    assert.equal(detectSampling(monthly).periodsPerYear, 12);
    const yearly = Float64Array.from({ length: 5 }, (_, i) => Date.UTC(2019 + i, 0, 1));
    assert.equal(detectSampling(yearly).periodsPerYear, 1);
  });

  test('the spacing is the median gap of the last 100 bars only', () => {
    // 200 weekly bars, then 100 daily bars: the last 99 gaps are all 1 day.
    const time = [...Array.from({ length: 200 }, (_, i) => i * 7 * DAY)];
    for (let i = 1; i <= 100; i++) time.push(time[199] + i * DAY);
    assert.equal(barSpacingDays(time), 1);
    assert.equal(barSpacingDays([5]), null, 'one bar: no gap');
  });
});

describe('period returns: last equity value of each calendar period', () => {
  test('daily bars: one return per bar pair', () => {
    // 100 → 110 → 99: +10 %, −10 %
    close(periodReturns(days('2024-01-01', 3), [100, 110, 99], 'day'), [0.1, -0.1]);
  });

  test('intraday: several bars per day use only each day\'s last value', () => {
    // Day 1 (Mon): 100, 105, 110 → 110. Day 2 (Tue): 90, 120, 121 → 121. Day 3 (Wed): 130, 100, 108.9 → 108.9.
    // Returns: 121 / 110 − 1 = +10 %, 108.9 / 121 − 1 = −10 %.
    const time = [0, 1, 2, 24, 25, 26, 48, 49, 50].map((h) => utc('2024-01-01') + 14 * HOUR + h * HOUR);
    close(periodReturns(time, [100, 105, 110, 90, 120, 121, 130, 100, 108.9], 'day'), [0.1, -0.1]);
  });

  test('days without bars are skipped, not filled (Fri → Mon is one return)', () => {
    // Fri 2024-01-05: 100, Mon 2024-01-08: 120
    close(periodReturns([utc('2024-01-05'), utc('2024-01-08')], [100, 120], 'day'), [0.2]);
  });

  test('weeks run Monday to Sunday: Sunday closes its week, Monday opens the next', () => {
    // Sat 01-06: 100, Sun 01-07: 110 (week 1 ends) | Mon 01-08: 50, Sun 01-14: 121 (week 2 ends) | Mon 01-15: 133.1
    // Week closes: 110, 121, 133.1 → +10 %, +10 %
    const time = ['2024-01-06', '2024-01-07', '2024-01-08', '2024-01-14', '2024-01-15'].map(utc);
    close(periodReturns(time, [100, 110, 50, 121, 133.1], 'week'), [0.1, 0.1]);
  });

  test('months: last value of each calendar month', () => {
    // Jan: 100 (01-10), 200 (01-31) | Feb: 220 (02-29) | Mar: 110 (03-01) → 200, 220, 110 → +10 %, −50 %
    const time = ['2024-01-10', '2024-01-31', '2024-02-29', '2024-03-01'].map(utc);
    close(periodReturns(time, [100, 200, 220, 110], 'month'), [0.1, -0.5]);
  });

  test('one period (e.g. one day of intraday bars): no returns', () => {
    const time = [0, 1, 2].map((h) => utc('2024-01-01') + h * HOUR);
    assert.equal(periodReturns(time, [100, 101, 102], 'day').length, 0);
  });
});
