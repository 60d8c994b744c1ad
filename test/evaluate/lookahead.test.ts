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
    assert.equal(jobs.length, 5); // 5 cuts
    const { outcomes, stats } = await rerun(ctx, jobs);
    const r = evaluateLookahead(ctx, outcomes, stats);
    assert.equal(r.status, 'passed', r.reasons.join('\n'));
    assert.equal(r.details?.reruns, 5);
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

  it('through the pipeline the determinism check names the leak (state between runs), and look-ahead is not judged', async () => {
    const report = await evaluateStrategy({ source: fixture('leaky-cache'), series: [sampleAapl()], mode: 'none', settings: { lookahead: { cutPoints: 2 }, robustness: { maxParams: 0 } } });
    const d = byId(report, 'determinism');
    assert.equal(d.status, 'failed');
    assert.match(d.reasons[0], /state survives from one run into the next .*future data on cut data/);
    assert.equal(d.details?.kind, 'state-between-runs');
    assert.equal(byId(report, 'lookahead').status, 'skipped');
    assert.match(byId(report, 'lookahead').reasons[0], /two full runs .* differ \(see the determinism check\)/);
    assert.ok(report.criticalFailures.includes('determinism'));
    assert.equal(report.verdict.label, 'do-not-trust');
    assert.ok(report.checks.failed.includes('determinism'));
  });

  it('Math.random is nondeterminism, not future data', async () => {
    const source = example('rsi-reversion').replace('if (value === undefined) return;', 'if (value === undefined || Math.random() < 0.3) return;');
    assert.notEqual(source, example('rsi-reversion'));
    const report = await evaluateStrategy({ source, series: [sampleAapl()], mode: 'none', settings: { lookahead: { cutPoints: 2 }, robustness: { maxParams: 0 } } });
    const d = byId(report, 'determinism');
    assert.equal(d.status, 'failed');
    assert.match(d.reasons[0], /^The strategy is nondeterministic: two full runs on the same data gave different orders from bar \d+ .*this is not future data/);
    assert.equal(d.details?.kind, 'random-or-clock');
    assert.equal(byId(report, 'lookahead').status, 'skipped');
    assert.doesNotMatch(JSON.stringify(report.evaluators.map((e) => e.reasons)), /used future data/);
  });

  it('orders placed in onEnd are not compared: an honest strategy that closes its position in onEnd passes', async () => {
    const source = example('rsi-reversion').replace(/\n}\s*$/, `\n  onEnd() {\n    if (this.position('AAPL')) this.close('AAPL');\n  }\n}\n`);
    assert.match(source, /onEnd\(\)/);
    const ctx = await contextFor(source, [await realAapl()]);
    const { outcomes, stats } = await rerun(ctx, lookaheadJobs(ctx));
    // Without the rule, a cut run's onEnd order on its last bar would differ from the full run.
    const flagged = outcomes.filter((o) => o.ok && firstDifference(ctx.result!, o.result, Number(/\d+/.exec(o.label)![0]), false));
    assert.ok(flagged.length > 0, 'at least one cut ends with a position that onEnd closes');
    const r = evaluateLookahead(ctx, outcomes, stats);
    assert.equal(r.status, 'passed', r.reasons.join('\n'));
    assert.match(r.reasons[0], /orders placed in onEnd left out/);
  });

  it('the full run of the leaky strategy alone looks fine: only the check exposes it', async () => {
    const ctx = await contextFor(fixture('leaky-cache'), [sampleAapl()]);
    assert.ok(ctx.result!.trades.length > 10);
    assert.ok(ctx.result!.metrics.returnPct! < 1e6, 'the honest first run has no impossible return');
  });
});
