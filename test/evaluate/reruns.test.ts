/**
 * Evaluator re-runs go through the caller's sandbox runner: the same warm pool, Docker host, image and
 * limits as the backtest (the extension's long-lived SandboxRunner, the CLI's runner built from its flags),
 * never a fresh default sandbox per re-run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { evaluateStrategy } from '../../core/evaluate/pipeline';
import { runInThisProcess } from '../../core/run/runStrategy';
import { SandboxRunner, type SandboxBatchRequest, type SandboxRunRequest } from '../../core/sandbox/runner';
import { seriesInWindow } from '../../core/run/variants';
import { compileStrategy } from '../../core/strategy/compile';
import { assertNoContainersLeft, requireDocker, runtimeBundle } from '../sandbox/helpers';
import { example, sampleAapl } from './helpers';

/** A real SandboxRunner that records every run it is given: single jobs, and each variant of a batch job. */
class CountingRunner extends SandboxRunner {
  readonly jobs: { mode: string | undefined; bars: number; params: unknown }[] = [];
  batches = 0;
  override run(req: SandboxRunRequest) {
    this.jobs.push({ mode: req.mode, bars: req.series[0]?.length ?? 0, params: req.options?.params });
    return super.run(req);
  }
  override runBatch(req: SandboxBatchRequest) {
    this.batches++;
    for (const v of req.batch.variants) this.jobs.push({ mode: req.mode, bars: seriesInWindow(req.series, v.window)[0]?.length ?? 0, params: v.params });
    return super.runBatch(req);
  }
}

const SMALL = { lookahead: { cutPoints: 2 }, robustness: { maxParams: 1 } };
/** No cost stress (realistic costs 0): 4 fewer containers in the real-Docker test; the fake-engine test counts them. */
const SMALL_NO_COSTS = { ...SMALL, costs: { realisticCommissionBps: 0, realisticSlippageBps: 0 } };

describe('evaluator re-runs use the given runner', () => {
  it('the runner\'s Docker host reaches every re-run (an engine that is not there fails them all, naming it)', async () => {
    const source = example('rsi-reversion');
    const compiled = await compileStrategy(source, 'rsi-reversion.strategy.ts');
    const series = [sampleAapl()];
    const result = runInThisProcess({ compiled, series }); // the run being evaluated (trusted example code)
    const runner = new CountingRunner({ mode: 'docker', poolSize: 0, docker: { host: 'unix:///nowhere/strategy-lab-test.sock' } });
    try {
      const report = await evaluateStrategy({ source, series, mode: 'docker', runner, compiled, result, settings: SMALL });
      const lookahead = report.evaluators.find((e) => e.id === 'lookahead')!;
      assert.equal(lookahead.status, 'error', lookahead.reasons.join(' '));
      assert.match(lookahead.reasons[0], /Every re-run failed, first: .*\/nowhere\/strategy-lab-test\.sock/);
      assert.equal(runner.jobs.length, 3 + 4 + 4, '2 cuts + 1 repeat, the sample split + 2 shifts of the first param, 4 cost stress levels');
      assert.equal(runner.batches, 1, 'as one batch');
      assert.equal(report.evaluators.find((e) => e.id === 'costs')!.status, 'error');
      assert.equal(report.evaluators.find((e) => e.id === 'determinism')!.status, 'error');
      assert.ok(runner.jobs.every((j) => j.mode === 'docker'));
    } finally {
      await runner.dispose();
    }
  });
});

describe('evaluator re-runs in the real Docker sandbox', () => {
  let docker: Docker;
  before(async () => {
    docker = await requireDocker();
    await runtimeBundle();
  });
  after(async () => {
    if (docker) await assertNoContainersLeft(docker);
  });

  it('the backtest and every re-run go through one long-lived runner with a warm pool; the verdicts are the in-process ones', async () => {
    const source = example('rsi-reversion');
    const series = [sampleAapl()];
    const runner = new CountingRunner({ mode: 'docker', poolSize: 1, limits: { memoryMb: 256 } });
    try {
      await runner.warm();
      const report = await evaluateStrategy({ source, series, mode: 'docker', runner, settings: SMALL_NO_COSTS });
      assert.equal(runner.jobs.length, 1 + 3 + 4, 'the backtest, 2 look-ahead cuts and the repeat, 4 robustness re-runs: all through the runner');
      assert.equal(runner.batches, 1, 'the re-runs are one batched sandbox job');
      assert.deepEqual(runner.jobs.map((j) => j.bars).slice(0, 1), [series[0].length]);
      assert.ok(runner.jobs.some((j) => j.bars < series[0].length), 'cut runs get fewer bars');
      assert.ok(runner.jobs.some((j) => j.params !== undefined), 'param shifts send their params');
      const byId = Object.fromEntries(report.evaluators.map((e) => [e.id, e]));
      for (const id of ['execution', 'integrity', 'lookahead', 'determinism'] as const) assert.equal(byId[id].status, 'passed', `${id}: ${byId[id].reasons.join(' ')}`);
      assert.equal((byId.lookahead.details as { mode: string }).mode, 'docker');
      assert.equal((byId.robustness.details as { reruns: number }).reruns, 4);
      // The same numbers as in this process: the sandbox changes where the code runs, not what it computes.
      const local = await evaluateStrategy({ source, series, mode: 'none', settings: SMALL_NO_COSTS });
      assert.deepEqual(report.evaluators.map((e) => [e.id, e.status, e.score]), local.evaluators.map((e) => [e.id, e.status, e.score]));
      assert.deepEqual(report.verdict, local.verdict, 'the same verdict, evidence and intervals');
    } finally {
      await runner.dispose();
    }
  });

  it('a burst of runs does not refill the warm pool until the runner is idle; then it refills', async () => {
    const compiled = await compileStrategy(example('rsi-reversion'), 'rsi-reversion.strategy.ts');
    const runner = new SandboxRunner({ mode: 'docker', poolSize: 1, limits: { memoryMb: 256 } });
    // The pool is private: peek at how many containers it is starting.
    const starting = () => (runner as unknown as { pool: { starting: Set<unknown> } }).pool.starting.size;
    try {
      await runner.warm();
      assert.equal(runner.warmCount, 1);
      await runner.run({ compiled, series: [sampleAapl()] });
      assert.equal(starting(), 0, 'no replacement started right after the run (another may follow at once)');
      await new Promise((r) => setTimeout(r, 600));
      assert.ok(starting() + runner.warmCount === 1, 'idle: the pool refills');
    } finally {
      await runner.dispose();
    }
  });
});
