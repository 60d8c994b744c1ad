/**
 * The batched sandbox engine (core/run/batchEngine.ts): one sandbox job per batch of variants of one strategy.
 * Its outcomes must be the numbers of separate runs, in Docker and in process mode, whatever the strategy does
 * to carry state from one variant to the next; failures stay with their variant; cancel removes every container.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { sandboxBatchEngine } from '../../core/run/batchEngine';
import { variantEngineFor } from '../../core/run/engineFor';
import { runInThisProcess } from '../../core/run/runStrategy';
import { perRunEngine } from '../../core/run/variantEngines';
import { seriesInWindow, summarize, variantOptions, type Variant, type VariantBatch, type VariantOutcome } from '../../core/run/variants';
import { SandboxRunner } from '../../core/sandbox/runner';
import { compileStrategy } from '../../core/strategy/compile';
import { example, sampleAapl } from '../evaluate/helpers';
import { assertNoContainersLeft, bars, compiled, HOSTILE_LIMITS, requireDocker, runtimeBundle, strategySource } from './helpers';

let docker: Docker;
let runner: SandboxRunner;

before(async () => {
  docker = await requireDocker();
  await runtimeBundle();
  runner = new SandboxRunner({ mode: 'docker', poolSize: 2, limits: HOSTILE_LIMITS });
  await runner.warm();
});

after(async () => {
  await runner?.dispose();
  if (docker) await assertNoContainersLeft(docker);
});

/** The plain in-process backtest of one variant (the reference every engine must equal), or its error. */
function plainRun(batch: VariantBatch, v: Variant): VariantOutcome {
  try {
    const result = runInThisProcess({ compiled: batch.compiled, series: seriesInWindow(batch.series, v.window), options: { ...variantOptions(batch.options, v), onLog: () => {} } });
    return batch.detail === 'full' ? { id: v.id, ok: true, result } : { id: v.id, ok: true, summary: summarize(result) };
  } catch (err) {
    return { id: v.id, ok: false, error: (err as Error).message };
  }
}

/** Numbers of two outcomes: identical to the bit (JSON of the full result, or the summary's columns). */
function assertSameOutcome(got: VariantOutcome, want: VariantOutcome, what: string): void {
  assert.equal(got.id, want.id, what);
  assert.equal(got.ok, want.ok, `${what}: ${got.ok ? 'ran' : (got as { error: string }).error} vs ${want.ok ? 'ran' : (want as { error: string }).error}`);
  if (!got.ok || !want.ok) return;
  if (want.result) assert.equal(JSON.stringify(got.result), JSON.stringify(want.result), what);
  else {
    assert.ok(got.summary && want.summary, what);
    assert.deepEqual(got.summary.metrics, want.summary.metrics, what);
    assert.deepEqual([...got.summary.equity], [...want.summary.equity], what);
    assert.deepEqual([...got.summary.time], [...want.summary.time], what);
    assert.equal(got.summary.trades, want.summary.trades, what);
    assert.deepEqual(got.summary.params, want.summary.params, what);
  }
}

async function rsiBatch(detail: VariantBatch['detail']): Promise<VariantBatch> {
  const compiledRsi = await compileStrategy(example('rsi-reversion'), 'rsi-reversion.strategy.ts');
  const series = [sampleAapl()];
  const mid = series[0].time[Math.floor(series[0].length / 2)];
  const variants: Variant[] = [
    { id: 'base' },
    ...[6, 9, 14, 21].flatMap((period) => [25, 35].map((buyBelow) => ({ id: `p${period}-b${buyBelow}`, params: { period, buyBelow } }))),
    { id: 'cost', options: { commission: 0.002, slippageBps: 5 } },
    { id: 'first-half', window: { toTime: mid } },
    { id: 'second-half', window: { fromTime: mid }, params: { period: 10 } },
    { id: 'bad', params: { period: -5 } },
  ];
  return { compiled: compiledRsi, series, options: { cash: 25_000 }, variants, detail };
}

for (const mode of ['docker', 'process'] as const) {
  describe(`batched engine, ${mode} mode`, () => {
    const engine = () => (mode === 'docker' ? sandboxBatchEngine({ mode, runner, concurrency: 2 }) : sandboxBatchEngine({ mode, concurrency: 2, settings: { limits: HOSTILE_LIMITS } }));

    test('a batch gives every variant the numbers of its own plain run (full and summary), streaming progress', async () => {
      for (const detail of ['full', 'summary'] as const) {
        const batch = await rsiBatch(detail);
        const seen: number[] = [];
        const e = engine();
        const outcomes = await e.run({ ...batch, onOutcome: (_o, done, total) => { assert.equal(total, batch.variants.length); seen.push(done); } });
        await e.dispose();
        assert.deepEqual(seen, batch.variants.map((_, i) => i + 1), 'one progress call per variant');
        for (const [i, v] of batch.variants.entries()) assertSameOutcome(outcomes[i], plainRun(batch, v), `${detail} ${v.id}`);
        assert.equal(outcomes.at(-1)!.ok, false, 'the bad variant fails alone');
        assert.notEqual(JSON.stringify(outcomes[1]), JSON.stringify(outcomes[2]), 'params reach the runs');
      }
    });
  });
}

describe('variantEngineFor', () => {
  test('local docker and process requests get the batched engine; none stays in-process', () => {
    assert.equal(variantEngineFor({ engine: 'local', mode: 'docker', runner }).name, 'docker-batch');
    assert.equal(variantEngineFor({ engine: 'local', mode: 'process' }).name, 'process-batch');
    assert.equal(variantEngineFor({ engine: 'local', mode: 'none' }).name, 'in-process');
  });
});
