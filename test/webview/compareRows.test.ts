/** compareRuns (core/history/compare.ts): "better" by each metric's meaning, money not compared across different cash. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { compareRuns } from '../../core/history/compare';
import type { RunRecord } from '../../core/history/types';
import { tradePerformance } from '../../core/metrics/performance';
import { ALL_METRICS, PERFORMANCE_METRICS } from '../../core/report/metricCatalog';
import { realRun } from './realRun';

let a: RunRecord;
let sameCash: RunRecord;
let moreCash: RunRecord;

before(async () => {
  a = await realRun();
  sameCash = await realRun({ params: { period: 10, buyBelow: 30, sellAbove: 70 } });
  moreCash = await realRun({ params: { period: 10, buyBelow: 30, sellAbove: 70 }, cash: 25_000, commission: 0.002 });
});

const row = (cmp: ReturnType<typeof compareRuns>, key: string) => cmp.rows.find((r) => r.info.key === key)!;

test('same cash: money figures are compared like any other (higher equity final is better)', () => {
  const cmp = compareRuns(a, sameCash);
  assert.equal(cmp.cashDiffers, false);
  const eq = row(cmp, 'equityFinal');
  assert.equal(eq.notCompared, undefined);
  assert.equal(eq.better, (a.result.metrics.equityFinal as number) > (sameCash.result.metrics.equityFinal as number) ? 'a' : 'b');
});

test('different cash: every money figure shown, none marked better, each says why; returns still compared', () => {
  const cmp = compareRuns(a, moreCash);
  assert.equal(cmp.cashDiffers, true);
  const money = cmp.rows.filter((r) => r.info.unit === '$');
  assert.deepEqual(money.map((r) => r.info.key).sort(), ['avgLoss', 'avgWin', 'commissionsPaid', 'equityFinal', 'equityPeak', 'grossLoss', 'grossProfit', 'largestLoss', 'largestWin', 'netProfit']);
  for (const r of money) {
    assert.equal(r.better, null, r.info.key);
    assert.equal(r.delta, null, r.info.key);
    assert.equal(r.notCompared, 'different starting cash');
    assert.equal(typeof r.a, 'number', `${r.info.key} is still shown`);
  }
  const ret = row(cmp, 'returnPct');
  assert.equal(ret.better, (a.result.metrics.returnPct as number) > (moreCash.result.metrics.returnPct as number) ? 'a' : 'b');
});

test('directions: lower volatility and fewer losses in a row are better; beta, trades and exposure are neither', () => {
  const cmp = compareRuns(a, sameCash);
  const vol = row(cmp, 'volatilityAnnPct');
  if (vol.delta) assert.equal(vol.better, vol.delta < 0 ? 'b' : 'a');
  const streak = row(cmp, 'maxConsecutiveLosses');
  if (streak.delta) assert.equal(streak.better, streak.delta < 0 ? 'b' : 'a');
  for (const key of ['beta', 'tradeCount', 'exposureTimePct', 'winners', 'avgBarsInTrade']) assert.equal(row(cmp, key).better, null, key);
});

test('rows: the 32 statistics then the performance basics, with each run\'s values; legends carry cash, costs and dates', () => {
  const cmp = compareRuns(a, moreCash);
  assert.deepEqual(cmp.rows.map((r) => r.info.key), [...ALL_METRICS, ...PERFORMANCE_METRICS].map((i) => i.key));
  assert.equal(row(cmp, 'netProfit').b, tradePerformance(moreCash.result.trades, moreCash.result.equity.length - 1).netProfit);
  assert.deepEqual({ cash: cmp.b.cash, costs: cmp.b.costs, start: cmp.b.start, end: cmp.b.end },
    { cash: 25_000, costs: 'commission 0.20 % · fee 0.00 · slippage 0.0 bps', start: moreCash.result.metrics.start, end: moreCash.result.metrics.end });
});
