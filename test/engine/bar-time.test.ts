import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BaseStrategy, type Bar } from 'strategy-lab';
import { barEnd, barEndTimes, newYorkDst, sessionCloseUtc } from '../../core/data/bar-time';
import { DAY_MS, MINUTE_MS, WEEK_MS } from '../../core/data/interval';
import { createSeries, type BarSeries } from '../../core/data/series';
import { runBacktest } from '../../core/engine/backtest';
import { buildTimeline } from '../../core/engine/grid';
import { simulate } from '../../core/engine/simulate';
import type { StrategyClass } from '../../core/strategy/load';

const U = (iso: string) => Date.parse(iso);

describe('bar end times (Lean convention)', () => {
  test('daily bars end at 16:00 New York: 21:00 UTC in winter, 20:00 UTC in daylight saving time, by the rules of each era', () => {
    const cases: [string, string][] = [
      ['2020-01-02', '2020-01-02T21:00:00Z'],
      ['2020-07-02', '2020-07-02T20:00:00Z'],
      ['2020-03-06', '2020-03-06T21:00:00Z'], // Friday before the switch (2nd Sunday of March, 2020-03-08)
      ['2020-03-09', '2020-03-09T20:00:00Z'],
      ['2020-10-30', '2020-10-30T20:00:00Z'], // last Friday before the 1st Sunday of November
      ['2020-11-02', '2020-11-02T21:00:00Z'],
      ['2005-03-31', '2005-03-31T21:00:00Z'], // 1987–2006: from the 1st Sunday of April (2005-04-03)
      ['2005-04-04', '2005-04-04T20:00:00Z'],
      ['2005-10-28', '2005-10-28T20:00:00Z'], // …to the last Sunday of October (2005-10-30)
      ['2005-10-31', '2005-10-31T21:00:00Z'],
      ['1985-04-26', '1985-04-26T21:00:00Z'], // before 1987: from the last Sunday of April (1985-04-28)
      ['1985-04-29', '1985-04-29T20:00:00Z'],
    ];
    for (const [day, close] of cases) {
      assert.equal(new Date(sessionCloseUtc(U(`${day}T00:00:00Z`))).toISOString(), new Date(U(close)).toISOString(), day);
      assert.equal(barEnd(U(`${day}T00:00:00Z`), DAY_MS), U(close), day);
    }
    assert.equal(newYorkDst(U('2021-03-14T00:00:00Z')), true);
    assert.equal(newYorkDst(U('2021-03-13T00:00:00Z')), false);
  });

  test('intraday bars end at start + interval; weekly bars at Friday\'s close; an end is always after the start', () => {
    assert.equal(barEnd(U('2020-01-02T14:30:00Z'), MINUTE_MS), U('2020-01-02T14:31:00Z'));
    assert.equal(barEnd(U('2020-01-02T14:30:00Z'), 3_600_000), U('2020-01-02T15:30:00Z'));
    assert.equal(barEnd(U('2020-01-06T00:00:00Z'), WEEK_MS), U('2020-01-10T21:00:00Z'));
    // A daily bar stamped after 16:00 New York (odd source) still ends after its start.
    assert.ok(barEnd(U('2020-01-02T22:00:00Z'), DAY_MS) > U('2020-01-02T22:00:00Z'));
    const s = minuteSeries('SPY', ['2020-01-02'], ['14:30', '14:31']);
    assert.deepEqual(Array.from(barEndTimes(s)), [U('2020-01-02T14:31:00Z'), U('2020-01-02T14:32:00Z')]);
  });
});

/** Minute bars (UTC clock times) on each day, close rising by 1 per bar from 100 + day index × 1000. */
function minuteSeries(symbol: string, days: string[], clock: string[]): BarSeries {
  const s = createSeries(symbol, days.length * clock.length);
  let n = 0;
  days.forEach((day, d) => clock.forEach((hm, k) => {
    const price = 100 + d * 1000 + k;
    s.time[n] = U(`${day}T${hm}:00Z`);
    s.open[n] = s.low[n] = price - 0.5;
    s.close[n] = price;
    s.high[n] = price + 0.5;
    s.volume[n] = 1;
    n++;
  }));
  return s;
}

/** One daily bar per day at 00:00 UTC whose close is that day's last minute close. */
function dailyOf(symbol: string, minutes: BarSeries, days: string[]): BarSeries {
  const s = createSeries(symbol, days.length);
  days.forEach((day, d) => {
    let last = -1;
    for (let i = 0; i < minutes.length; i++) if (minutes.time[i] >= U(`${day}T00:00:00Z`) && minutes.time[i] < U(`${day}T00:00:00Z`) + DAY_MS) last = i;
    s.time[d] = U(`${day}T00:00:00Z`);
    s.open[d] = s.low[d] = 1;
    s.high[d] = 1e6;
    s.close[d] = minutes.close[last];
    s.volume[d] = 1;
  });
  return s;
}

interface Seen { symbol: string; time: number; close: number }

function recorder(log: Seen[], symbols: string[]): StrategyClass {
  return class Recorder extends BaseStrategy {
    static override config = { symbols, timeframe: '1m' as const };
    onBar(bar: Bar) {
      log.push({ symbol: bar.symbol, time: bar.time, close: bar.close });
    }
  } as unknown as StrategyClass;
}

/** For every minute bar: no daily bar of the same or a later date has been seen yet. Returns the violations. */
function leaks(log: Seen[], dailySymbol: string): string[] {
  const out: string[] = [];
  let latestDaily = -Infinity;
  for (const e of log) {
    if (e.symbol === dailySymbol) latestDaily = Math.max(latestDaily, e.time);
    else if (latestDaily >= Math.floor(e.time / DAY_MS) * DAY_MS) out.push(`${new Date(e.time).toISOString()} saw the daily bar of ${new Date(latestDaily).toISOString().slice(0, 10)}`);
  }
  return out;
}

describe('mixed timeframes: minute + daily of the same symbol', () => {
  const winter = ['2020-01-02', '2020-01-03', '2020-01-06'];
  const summer = ['2020-07-01', '2020-07-02'];
  const cases: { name: string; days: string[]; clock: string[] }[] = [
    { name: 'real UTC minutes, winter (session 14:30–21:00 UTC)', days: winter, clock: ['14:30', '14:31', '20:58', '20:59'] },
    { name: 'real UTC minutes, summer (session 13:30–20:00 UTC)', days: summer, clock: ['13:30', '13:31', '19:58', '19:59'] },
    { name: 'New York clock written as UTC (CSV convention)', days: winter, clock: ['09:30', '09:31', '15:58', '15:59'] },
  ];
  for (const c of cases) {
    test(`${c.name}: the daily close is seen only after the day's last minute, before the next day's first`, () => {
      const minutes = minuteSeries('SPY', c.days, c.clock);
      const daily = dailyOf('SPY.D', minutes, c.days);
      const log: Seen[] = [];
      simulate(recorder(log, ['SPY', 'SPY.D']), [minutes, daily]);
      assert.deepEqual(leaks(log, 'SPY.D'), [], 'a minute bar saw its own day\'s (or a later) daily close');
      // Each daily bar arrives right after its day's last minute: the sequence is minutes of day d, then daily d.
      const order = log.map((e) => (e.symbol === 'SPY.D' ? `D${new Date(e.time).toISOString().slice(0, 10)}` : 'm'));
      const expected = c.days.flatMap((day) => [...c.clock.map(() => 'm'), `D${day}`]);
      assert.deepEqual(order, expected);
      // Bars keep their start-of-period label.
      assert.deepEqual(log.filter((e) => e.symbol === 'SPY.D').map((e) => e.time), c.days.map((d) => U(`${d}T00:00:00Z`)));
    });
  }

  test('the same check would fail with start-of-period delivery (the test can fail)', () => {
    // Start-of-period order: sort all bars by start time — the daily (00:00) comes before the day's minutes.
    const minutes = minuteSeries('SPY', winter, ['14:30', '20:59']);
    const daily = dailyOf('SPY.D', minutes, winter);
    const byStart: Seen[] = [];
    for (const s of [minutes, daily]) for (let i = 0; i < s.length; i++) byStart.push({ symbol: s.symbol, time: s.time[i], close: s.close[i] });
    byStart.sort((a, b) => a.time - b.time || (a.symbol === 'SPY.D' ? -1 : 1));
    assert.ok(leaks(byStart, 'SPY.D').length >= winter.length * 2);
  });

  test('results: labels strictly increasing (start of the finest bar ending then), one equity point per step, trades at bar starts', () => {
    const minutes = minuteSeries('SPY', winter, ['14:30', '14:31', '20:58', '20:59']);
    const daily = dailyOf('SPY.D', minutes, winter);
    const timeline = buildTimeline([minutes, daily]);
    for (let i = 1; i < timeline.labels.length; i++) assert.ok(timeline.labels[i] > timeline.labels[i - 1]);
    // The 20:59 minute and the daily both end at 21:00: one step, labelled 20:59.
    assert.equal(timeline.labels.length, minutes.length);
    const Buyer = class extends BaseStrategy {
      static override config = { symbols: ['SPY', 'SPY.D'], timeframe: '1m' as const };
      onBar(bar: Bar) {
        if (bar.symbol === 'SPY.D' && this.position('SPY') === 0 && this.openOrders().length === 0) this.buy('SPY', { shares: 1 });
      }
    } as unknown as StrategyClass;
    const result = runBacktest(Buyer, [minutes, daily], { cash: 10_000 });
    assert.equal(result.equity.length, minutes.length);
    assert.equal(result.equity[3].time, '2020-01-02T20:59:00Z');
    // Ordered on the first day's daily bar (after its last minute), filled at the next minute's open: 2020-01-03 14:30.
    assert.equal(result.trades[0]?.entryTime, '2020-01-03T14:30:00Z');
    assert.equal(result.trades[0]?.entryPrice, minutes.open[4]);
  });

  test('single timeframe: labels are the bar starts, unchanged', () => {
    const minutes = minuteSeries('SPY', winter, ['14:30', '14:31']);
    const other = minuteSeries('QQQ', winter, ['14:30', '14:31']);
    const timeline = buildTimeline([minutes, other]);
    assert.deepEqual(Array.from(timeline.labels), Array.from(minutes.time));
    assert.deepEqual(Array.from(timeline.order), Array.from(minutes.time));
  });
});
