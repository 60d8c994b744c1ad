/**
 * The evaluators' re-runs of a long run come back drawable (VariantDetail 'drawable', core/evaluate/reruns.ts):
 * past EQUITY_FULL_MAX bars only the drawn equity points cross, never a million per re-run. What the evaluators read
 * of a re-run (metrics, orders, trades, fills, the final equity) is the same as with every point, in this process
 * and through one Docker batch, and the checks still catch what they catch on a short run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EQUITY_FULL_MAX } from '../../core/engine/equityCurve';
import type { BacktestResult } from '../../core/engine/types';
import { evaluateStrategy } from '../../core/evaluate/pipeline';
import { sandboxBatchEngine } from '../../core/run/batchEngine';
import { inProcessEngine } from '../../core/run/variantEngines';
import type { Variant, VariantBatch, VariantOutcome } from '../../core/run/variants';
import { SandboxRunner } from '../../core/sandbox/runner';
import { compileStrategy } from '../../core/strategy/compile';
import { minuteRsiSource } from '../helpers/minuteRun';
import { minuteWalk } from '../helpers/series';
import { assertNoContainersLeft, requireDocker, runtimeBundle } from '../sandbox/helpers';
import { fixture } from './helpers';

const N = 2 * EQUITY_FULL_MAX + 60_000; // each half is a long run too
const series = [minuteWalk('AAA', N)];
const half = series[0].time[Math.floor(N / 2)];
/** The kinds of re-run the evaluators make: the same data again, cuts, halves, other params, other costs. */
const variants: Variant[] = [
  { id: 'repeat' },
  { id: 'cut', window: { toTime: half } },
  { id: 'second half', window: { fromTime: half } },
  { id: 'costs', options: { commission: 0.002, slippageBps: 5 } },
];

async function batch(detail: VariantBatch['detail']): Promise<Omit<VariantBatch, 'signal' | 'onOutcome'>> {
  return { compiled: await compileStrategy(minuteRsiSource(['AAA']), 'minute-rsi.strategy.ts'), series, options: { cash: 100_000 }, variants, detail };
}

function results(outcomes: VariantOutcome[]): BacktestResult[] {
  return outcomes.map((o) => { assert.ok(o.ok && o.result, `${o.id}: ${o.ok ? 'no result' : o.error}`); return o.result; });
}

/** Everything the evaluators read of a re-run. */
const readByEvaluators = (r: BacktestResult) => ({ metrics: r.metrics, orders: r.orders, trades: r.trades, fills: r.fills, last: r.equity[r.equity.length - 1], bars: r.run.bars });

describe('drawable re-runs of a long run', () => {
  let runner: SandboxRunner;
  before(async () => {
    await requireDocker();
    await runtimeBundle();
    runner = new SandboxRunner({ poolSize: 0 });
  });
  after(async () => {
    await runner?.dispose();
    await assertNoContainersLeft(await requireDocker());
  });

  it('carry what every point carries for the evaluators, drawn from every bar, and Docker\'s equal this process\'s', async () => {
    const local = inProcessEngine();
    const full = results(await local.run(await batch('full')));
    const drawn = results(await local.run(await batch('drawable')));
    const engine = sandboxBatchEngine({ mode: 'docker', runner, concurrency: 2 });
    const boxed = results(await engine.run(await batch('drawable'))).map((r) => r);
    await engine.dispose();
    for (let i = 0; i < variants.length; i++) {
      assert.ok(full[i].run.bars > EQUITY_FULL_MAX, 'a long re-run');
      assert.deepEqual(readByEvaluators(drawn[i]), readByEvaluators(full[i]), variants[i].id);
      assert.deepEqual(drawn[i].run.equityDecimated, { from: full[i].run.bars, to: drawn[i].equity.length });
      assert.ok(drawn[i].equity.length < full[i].equity.length / 5);
      const times = new Set(full[i].equity.map((p) => p.time));
      assert.ok(drawn[i].equity.every((p) => times.has(p.time)), 'drawn points are bars of the run');
      assert.equal(JSON.stringify(boxed[i]), JSON.stringify(drawn[i]), `${variants[i].id}: Docker's drawable outcome`);
    }
  });

  it('still catch state that leaks between runs on a long run (determinism; in this process, where the state survives)', async () => {
    const leaky = fixture('leaky-cache');
    const aapl = [minuteWalk('AAPL', EQUITY_FULL_MAX + 20_000, { seed: 3 })];
    const report = await evaluateStrategy({ source: leaky, series: aapl, mode: 'none', settings: { lookahead: { cutPoints: 2 }, robustness: { maxParams: 0 } } });
    const d = report.evaluators.find((e) => e.id === 'determinism')!;
    assert.equal(d.status, 'failed', d.reasons.join('\n'));
    assert.equal(d.details?.kind, 'state-between-runs');
  });
});
