import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exposurePct, tradeStats } from '../../core/metrics/trades';
import type { TradeStat } from '../../core/metrics/types';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const t0 = Date.parse('2024-01-01T00:00:00Z');
const near = (actual: number | null, expected: number) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `expected ${expected}, got ${actual}`);
/** A trade from day `from` to day `to` (bars = days). */
const trade = (from: number, to: number, returnPct: number, pnl: number): TradeStat => ({
  entryBar: from, exitBar: to, entryTime: t0 + from * DAY, exitTime: t0 + to * DAY, pnl, returnPct,
});

describe('trade statistics', () => {
  //        days     return   P&L
  // A      0 → 2    +10 %    +100
  // B      3 → 4     −5 %     −50
  // C      5 → 10   +20 %    +300
  // D     10 → 13   −10 %    −150
  const trades = [trade(0, 2, 10, 100), trade(3, 4, -5, -50), trade(5, 10, 20, 300), trade(10, 13, -10, -150)];

  test('win rate, best, worst, expectancy, profit factor by hand', () => {
    const s = tradeStats(trades);
    assert.equal(s.winRatePct, 50); // 2 of 4 with P&L > 0
    assert.equal(s.bestTradePct, 20);
    assert.equal(s.worstTradePct, -10);
    near(s.expectancyPct, 3.75); // (10 − 5 + 20 − 10) / 4
    near(s.profitFactor, 2); // (10 + 20) / (5 + 10), on returns
  });

  test('avg trade is the geometric mean: (1.1 × 0.95 × 1.2 × 0.9)^(1/4) − 1 = 1.1286^0.25 − 1 ≈ 3.0706 %', () => {
    near(tradeStats(trades).avgTradePct, (Math.pow(1.1286, 0.25) - 1) * 100);
  });

  test('durations: 2, 1, 5, 3 days → max 5, mean 2.75', () => {
    const s = tradeStats(trades);
    assert.equal(s.maxTradeDurationDays, 5);
    assert.equal(s.avgTradeDurationDays, 2.75);
  });

  test('SQN = √n × mean P&L / sample std of P&L = 2 × 50 / √(115000 / 3)', () => {
    // P&L 100, −50, 300, −150: mean 50; deviations 50, −100, 250, −200;
    // squares 2500 + 10000 + 62500 + 40000 = 115000; variance 115000 / 3
    near(tradeStats(trades).sqn, 100 / Math.sqrt(115000 / 3));
  });

  test('Kelly = W − (1 − W) / R: W = 0.5, R = mean win 200 / mean loss 100 = 2 → 0.25', () => {
    near(tradeStats(trades).kellyCriterion, 0.25);
  });

  test('intraday trades have fractional durations', () => {
    const t: TradeStat = { entryBar: 0, exitBar: 3, entryTime: t0, exitTime: t0 + 6 * HOUR, pnl: 1, returnPct: 1 };
    assert.equal(tradeStats([t]).maxTradeDurationDays, 0.25);
  });

  test('no trades: every trade statistic is null', () => {
    assert.deepEqual(tradeStats([]), {
      winRatePct: null, bestTradePct: null, worstTradePct: null, avgTradePct: null,
      maxTradeDurationDays: null, avgTradeDurationDays: null, profitFactor: null,
      expectancyPct: null, sqn: null, kellyCriterion: null,
    });
  });

  test('one trade: SQN null (no standard deviation), Kelly null (no loss), the rest computed', () => {
    const s = tradeStats([trade(0, 1, 5, 50)]);
    assert.equal(s.sqn, null);
    assert.equal(s.kellyCriterion, null);
    assert.equal(s.profitFactor, null);
    assert.equal(s.winRatePct, 100);
    near(s.avgTradePct, 5);
  });

  test('only winners: profit factor and Kelly null; only losers: profit factor 0, Kelly null', () => {
    const winners = tradeStats([trade(0, 1, 5, 50), trade(1, 2, 3, 30)]);
    assert.equal(winners.profitFactor, null);
    assert.equal(winners.kellyCriterion, null);
    const losers = tradeStats([trade(0, 1, -5, -50), trade(1, 2, -3, -30)]);
    assert.equal(losers.profitFactor, 0);
    assert.equal(losers.kellyCriterion, null);
    assert.equal(losers.winRatePct, 0);
  });

  test('identical P&L: zero standard deviation, SQN null', () => {
    assert.equal(tradeStats([trade(0, 1, 2, 20), trade(1, 2, 2, 20)]).sqn, null);
  });

  test('a break-even trade counts in the win-rate denominator but is neither win nor loss', () => {
    const s = tradeStats([trade(0, 1, 10, 100), trade(1, 2, 0, 0), trade(2, 3, -10, -100)]);
    near(s.winRatePct, 100 / 3);
    // W = 1/3, R = 100 / 100 = 1 → 1/3 − 2/3 = −1/3
    near(s.kellyCriterion, -1 / 3);
  });

  test('a trade losing 100 % or more (a short that more than doubled): avg trade null', () => {
    assert.equal(tradeStats([trade(0, 1, 10, 100), trade(1, 2, -120, -1200)]).avgTradePct, null);
  });
});

describe('exposure time', () => {
  test('bars inside a trade, entry and exit bars included, overlaps counted once', () => {
    // 10 bars; trades on bars 1–3, 3–4 and 7–7 → bars 1 2 3 4 7 = 5 of 10
    const trades = [trade(1, 3, 0, 0), trade(3, 4, 0, 0), trade(7, 7, 0, 0)];
    assert.equal(exposurePct(trades, 10), 50);
  });

  test('no trades: 0 %; no bars: null', () => {
    assert.equal(exposurePct([], 10), 0);
    assert.equal(exposurePct([], 0), null);
  });

  test('property: equals a bar-by-bar count over random trades (nested, adjacent, unordered, out of range)', () => {
    let seed = 7;
    const rand = (k: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % k; };
    for (let round = 0; round < 2000; round++) {
      const bars = rand(60);
      const trades = Array.from({ length: rand(12) }, () => {
        const from = rand(bars + 10) - 5;
        return trade(from, from + rand(15) - 2, 0, 0);
      });
      if (rand(2)) trades.sort((a, b) => a.entryBar - b.entryBar);
      let exposed = 0;
      for (let i = 0; i < bars; i++) if (trades.some((t) => t.entryBar <= i && i <= t.exitBar)) exposed++;
      assert.equal(exposurePct(trades, bars), bars === 0 ? null : (exposed / bars) * 100, `${bars} bars, trades ${JSON.stringify(trades.map((t) => [t.entryBar, t.exitBar]))}`);
    }
  });
});
