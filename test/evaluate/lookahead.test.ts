/** The look-ahead check: an honest strategy passes; one whose cache leaks across runs is caught at the first bar it changed. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { cutPoints, evaluateLookahead, firstDifference, lookaheadJobs } from '../../core/evaluate/evaluators/lookahead';
import { evaluateStrategy } from '../../core/evaluate/pipeline';
import type { OrderRecord } from '../../core/engine/types';
import { byId, contextFor, example, fixture, realAapl, rerun, sampleAapl } from './helpers';

const clearCache = () => delete (globalThis as { __evaluateFixtureCloses?: unknown }).__evaluateFixtureCloses;

describe('look-ahead check', () => {
  beforeEach(clearCache);

  it('spreads the cut points evenly and never cuts the first bars', () => {
    assert.deepEqual(cutPoints(600, 5), [100, 200, 300, 400, 500]);
    assert.deepEqual(cutPoints(3, 5), [2]);
  });

  it('passes an honest strategy on real data: every order before each cut is identical', async () => {
    const ctx = await contextFor(example('rsi-reversion'), [await realAapl()]);
    const jobs = lookaheadJobs(ctx);
    assert.equal(jobs.length, 6); // 5 cuts + the full data again
    const { outcomes, stats } = await rerun(ctx, jobs);
    const r = evaluateLookahead(ctx, outcomes, stats);
    assert.equal(r.status, 'passed', r.reasons.join('\n'));
    assert.equal(r.details?.reruns, 6);
    assert.ok(ctx.result!.orders.length > 20, 'the honest run must place orders for the comparison to mean anything');
  });

  it('catches a strategy whose cache leaks tomorrow’s close into later runs, and names the first bar', async () => {
    const series = sampleAapl();
    const ctx = await contextFor(fixture('leaky-cache'), [series]); // the first run is honest: the cache is empty
    const { outcomes, stats } = await rerun(ctx, lookaheadJobs(ctx));
    const r = evaluateLookahead(ctx, outcomes, stats);
    assert.equal(r.status, 'failed');
    assert.equal(r.score, 0);
    assert.match(r.reasons[0], /^The strategy used future data: with the data cut at bar \d+, its order on bar \d+ \(\d{4}-\d{2}-\d{2}\) changed/);
    // The first bar where a decision changed: recompute it from the runs themselves.
    const first = r.details!.firstDifferenceBar as number;
    const leaky = outcomes.find((o) => o.ok)!;
    assert.ok(leaky.ok);
    const d = firstDifference(ctx.result!, leaky.result, Number(/\d+/.exec(leaky.label)![0]));
    assert.ok(d && d.bar >= first);
    // Before that bar both runs agree order for order.
    const before = (orders: OrderRecord[]) => orders.filter((o) => o.placedBar < first).map((o) => `${o.side}@${o.placedBar}`);
    assert.deepEqual(before(leaky.result.orders), before(ctx.result!.orders));
    assert.ok(r.findings?.some((f) => f.severity === 'error' && f.anchor.kind === 'method' && f.anchor.name === 'onBar'));
  });

  it('fails the whole evaluation as a critical failure through the pipeline', async () => {
    const report = await evaluateStrategy({ source: fixture('leaky-cache'), series: [sampleAapl()], mode: 'none', settings: { lookahead: { cutPoints: 2 }, robustness: { maxParams: 0 } } });
    assert.equal(byId(report, 'lookahead').status, 'failed');
    assert.ok(report.criticalFailures.includes('lookahead'));
    assert.equal(byId(report, 'lookahead').details?.reruns, 3);
  });

  it('the full run of the leaky strategy alone looks fine: only the check exposes it', async () => {
    const ctx = await contextFor(fixture('leaky-cache'), [sampleAapl()]);
    assert.ok(ctx.result!.trades.length > 10);
    assert.ok(ctx.result!.metrics.returnPct! < 1e6, 'the honest first run has no impossible return');
  });
});
