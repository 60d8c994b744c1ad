/** TradingView's performance basics and per-trade figures (core/metrics/performance.ts) against hand-computed cases. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barsHeld, cumulativePnl, tradeExcursion, tradePerformance, type PerformanceTrade } from '../../core/metrics/performance';
import { PERFORMANCE_DEFINITIONS } from '../../core/metrics/definitions';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from '../helpers/paths';

const trade = (pnl: number, entryBar: number, exitBar: number | null, extra: Partial<PerformanceTrade> = {}): PerformanceTrade => ({
  side: 'long', symbol: 'X', size: 10, entryPrice: 100, exitPrice: exitBar === null ? null : 100 + pnl / 10,
  entryTime: '2020-01-01', exitTime: exitBar === null ? null : '2020-01-05', entryBar, exitBar, pnl, ...extra,
});

test('performance basics, hand-computed: +100, −40, −60, 0, +300, −20 (the last open)', () => {
  // winners 100, 300 → gross profit 400; losers −40, −60, −20 → gross loss −120; net 280.
  // avg win 200, avg loss −40, ratio 5; largest win 300, largest loss −60.
  // streaks in order W L L 0 W L: longest loss run 2 (−40, −60), longest win run 1 (the 0 breaks nothing more).
  // bars: 2, 3, 1, 0, 4, and the open one from bar 20 to the last bar 25 → 5; mean 15 / 6 = 2.5.
  const trades = [trade(100, 0, 2), trade(-40, 3, 6), trade(-60, 7, 8), trade(0, 9, 9), trade(300, 10, 14), trade(-20, 20, null)];
  assert.deepEqual(tradePerformance(trades, 25), {
    netProfit: 280, grossProfit: 400, grossLoss: -120, winners: 2, losers: 3, breakeven: 1,
    avgWin: 200, avgLoss: -40, winLossRatio: 5, largestWin: 300, largestLoss: -60,
    maxConsecutiveWins: 1, maxConsecutiveLosses: 2, avgBarsInTrade: 2.5,
  });
});

test('a break-even trade ends a streak; three losses in a row count 3', () => {
  const p = tradePerformance([trade(-1, 0, 1), trade(-1, 1, 2), trade(0, 2, 3), trade(-1, 3, 4), trade(-2, 4, 5), trade(-3, 5, 6), trade(5, 6, 7), trade(6, 7, 8)], 8);
  assert.equal(p.maxConsecutiveLosses, 3);
  assert.equal(p.maxConsecutiveWins, 2);
});

test('no trades: counts 0, averages and extremes null (never NaN)', () => {
  assert.deepEqual(tradePerformance([], 10), {
    netProfit: 0, grossProfit: 0, grossLoss: 0, winners: 0, losers: 0, breakeven: 0, avgWin: null, avgLoss: null,
    winLossRatio: null, largestWin: null, largestLoss: null, maxConsecutiveWins: 0, maxConsecutiveLosses: 0, avgBarsInTrade: null,
  });
});

test('only winners: no average loss, so no ratio; largest loss null', () => {
  const p = tradePerformance([trade(10, 0, 1), trade(30, 1, 2)], 2);
  assert.equal(p.avgWin, 20);
  assert.equal(p.avgLoss, null);
  assert.equal(p.winLossRatio, null);
  assert.equal(p.largestLoss, null);
});

test('bars held: exit − entry; an open trade counts to the last bar', () => {
  assert.equal(barsHeld(trade(1, 4, 4), 10), 0);
  assert.equal(barsHeld(trade(1, 4, null), 10), 6);
});

test('cumulative P&L in trade order', () => {
  assert.deepEqual(cumulativePnl([{ pnl: 100 }, { pnl: -40 }, { pnl: 15.5 }]), [100, 60, 75.5]);
  assert.deepEqual(cumulativePnl([]), []);
});

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
const bars = {
  time: ['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-04', '2020-01-05', '2020-01-06'].map(day),
  high: [101, 108, 104, 99, 103, 200],
  low: [99, 97, 92, 95, 100, 50],
};

test('run-up and drawdown of a long trade: best high and worst low from entry to exit bar, times size', () => {
  // entry 100 on 01-01, exit 102 on 01-05, size 10: highs up to 108 → +8 × 10 = 80; lows down to 92 → −8 × 10 = −80.
  const e = tradeExcursion(trade(20, 0, 4, { exitPrice: 102 }), bars);
  assert.deepEqual(e, { runUp: 80, runUpPct: 8, drawdown: -80, drawdownPct: -8 });
});

test('a short trade: its run-up is the fall below entry, its drawdown the rise above', () => {
  const e = tradeExcursion(trade(-20, 0, 4, { side: 'short', exitPrice: 102 }), bars);
  assert.deepEqual(e, { runUp: 80, runUpPct: 8, drawdown: -80, drawdownPct: -8 });
});

test('bars outside the trade do not count; a trade that only rose has no drawdown', () => {
  // entry 01-05 at 100 to exit 01-05 at 103: high 103, low 100 → run-up 30, drawdown 0 (the 01-06 bar is after the exit).
  const e = tradeExcursion(trade(30, 4, 4, { entryTime: '2020-01-05', exitTime: '2020-01-05', exitPrice: 103 }), bars);
  assert.deepEqual(e, { runUp: 30, runUpPct: 3, drawdown: 0, drawdownPct: 0 });
});

test('an open trade runs to the last bar', () => {
  const e = tradeExcursion(trade(0, 4, null, { entryTime: '2020-01-05' }), bars);
  assert.deepEqual(e, { runUp: 1000, runUpPct: 100, drawdown: -500, drawdownPct: -50 });
});

test('every performance figure has a one-line definition and a **field** entry in docs/metrics.md', () => {
  const keys = Object.keys(tradePerformance([], 0)).sort();
  assert.deepEqual(Object.keys(PERFORMANCE_DEFINITIONS).sort(), keys);
  const doc = readFileSync(resolve(repoRoot, 'docs', 'metrics.md'), 'utf8');
  assert.deepEqual(keys.filter((k) => !doc.includes(`**${k}**`)), []);
  for (const k of ['runUp', 'drawdown', 'cumulativePnl', 'barsHeld']) assert.ok(doc.includes(`**${k}**`), k);
});
