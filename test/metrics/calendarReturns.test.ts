/** Monthly and annual returns (core/metrics/calendarReturns.ts) against hand-computed cases. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calendarReturns } from '../../core/metrics/calendarReturns';

const t = (d: string) => Date.parse(`${d}T00:00:00Z`);

test('each month against the previous month\'s last equity; the first against the first bar', () => {
  const time = ['2020-11-02', '2020-11-30', '2020-12-15', '2020-12-31', '2021-01-04', '2021-02-26'].map(t);
  const equity = [100, 110, 99, 121, 121, 108.9];
  const r = calendarReturns(time, equity);
  assert.deepEqual(r.years, [2020, 2021]);
  const m2020 = r.monthly.get(2020)!;
  assert.ok(Math.abs(m2020[10]! - 10) < 1e-12, 'Nov: 110 / 100 − 1');
  assert.ok(Math.abs(m2020[11]! - 10) < 1e-12, 'Dec: 121 / 110 − 1');
  assert.equal(m2020[0], null, 'no bars in Jan 2020');
  const m2021 = r.monthly.get(2021)!;
  assert.equal(m2021[0], 0, 'Jan: 121 / 121 − 1');
  assert.ok(Math.abs(m2021[1]! + 10) < 1e-12, 'Feb: 108.9 / 121 − 1');
  assert.ok(Math.abs(r.annual.get(2020)! - 21) < 1e-12, '2020: 121 / 100 − 1');
  assert.ok(Math.abs(r.annual.get(2021)! + 10) < 1e-12, '2021: 108.9 / 121 − 1');
});

test('the months of a year compound to its annual return', () => {
  const time: number[] = [];
  const equity: number[] = [];
  let e = 1000;
  for (let d = t('2019-01-01'); d <= t('2019-12-31'); d += 86_400_000) { time.push(d); e *= 1 + Math.sin(d / 1e9) / 200; equity.push(e); }
  const r = calendarReturns(time, equity);
  const compounded = r.monthly.get(2019)!.reduce<number>((g, m) => g * (1 + (m ?? 0) / 100), 1);
  assert.ok(Math.abs((compounded - 1) * 100 - r.annual.get(2019)!) < 1e-9);
});

test('no bars: no years', () => {
  assert.deepEqual(calendarReturns([], []).years, []);
});
