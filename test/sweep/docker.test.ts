/**
 * A small sweep and walk-forward in the real Docker sandbox, through `variantEngineFor` (whatever engine it picks
 * for mode 'docker'): the same table as in this process, and cancelling mid-sweep leaves no container behind and
 * a journal the next run resumes from. Needs a running Docker engine (no skipping).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import type { BarSeries } from '../../core/data/series';
import { variantEngineFor } from '../../core/run/engineFor';
import { SandboxRunner } from '../../core/sandbox/runner';
import { compileStrategy, type CompiledStrategy } from '../../core/strategy/compile';
import { readDeclaredParams } from '../../core/strategy/config';
import { parseSpace } from '../../core/sweep/space';
import { runSweep, type SweepRequest } from '../../core/sweep/sweep';
import { runWalkForward } from '../../core/sweep/walkforward';
import { assertNoContainersLeft, ourContainers, requireDocker, runtimeBundle } from '../sandbox/helpers';
import { example, realAapl } from '../evaluate/helpers';

const source = example('rsi-reversion');
let docker: Docker;
let compiled: CompiledStrategy;
let series: BarSeries[];
let runner: SandboxRunner;
let root: string;

before(async () => {
  docker = await requireDocker();
  await runtimeBundle();
  compiled = await compileStrategy(source, 'rsi-reversion.strategy.ts');
  const aapl = await realAapl();
  series = [aapl];
  runner = new SandboxRunner({ poolSize: 0 });
  root = mkdtempSync(join(tmpdir(), 'sweep-docker-'));
});

after(async () => {
  await runner?.dispose();
  rmSync(root, { recursive: true, force: true });
  if (docker) await assertNoContainersLeft(docker);
});

function request(over: Partial<SweepRequest>): SweepRequest {
  return {
    compiled,
    source,
    series,
    options: { cash: 10_000 },
    space: parseSpace(['period=10,20', 'buyBelow=25,35'], readDeclaredParams(source).params!),
    sampling: { method: 'grid', seed: 1 },
    objective: 'sharpe',
    constraints: {},
    engine: variantEngineFor({ engine: 'local', mode: 'none' }),
    ...over,
  };
}

const table = (r: Awaited<ReturnType<typeof runSweep>>) => r.ranked.map((v) => [v.id, v.sharpe, v.returnPct, v.trades, v.psr, v.blocks]);

describe('sweep in the Docker sandbox', () => {
  it('gives the same table, PBO and DSR as in this process', async () => {
    const engine = variantEngineFor({ engine: 'local', mode: 'docker', runner, concurrency: 2 });
    try {
      const inDocker = await runSweep(request({ engine }));
      const inProcess = await runSweep(request({}));
      assert.deepEqual(table(inDocker), table(inProcess));
      assert.deepEqual(inDocker.pbo, inProcess.pbo);
      assert.equal(inDocker.deflatedSharpe, inProcess.deflatedSharpe);
    } finally {
      await engine.dispose();
    }
  });

  it('cancel mid-sweep: stops, removes its containers, and the journal resumes without re-running', async () => {
    const engine = variantEngineFor({ engine: 'local', mode: 'docker', runner, concurrency: 1 });
    try {
      const controller = new AbortController();
      const ran: string[] = [];
      const started = Date.now();
      await assert.rejects(
        runSweep(request({ engine, journalRoot: root, signal: controller.signal, onRun: (id) => ran.push(id), onProgress: (p) => p.done === 1 && controller.abort() })),
        (err: Error) => err.name === 'AbortError' || err.name === 'SandboxError' || err.name === 'CancelledError',
      );
      assert.ok(Date.now() - started < 30_000);
      assert.equal(ran.length, 1);
      // The abort rejects at once; the container of the variant in flight is removed just after (the runner's
      // cleanup is asynchronous): give it a few seconds, then none may be left.
      const removedBy = Date.now() + 10_000;
      while ((await ourContainers(docker)).length && Date.now() < removedBy) await new Promise((r) => setTimeout(r, 200));
      await assertNoContainersLeft(docker);
      const resumed = await runSweep(request({ engine, journalRoot: root, onRun: (id) => ran.push(id) }));
      assert.equal(resumed.resumed, 1);
      assert.equal(new Set(ran).size, ran.length, 'no variant ran twice');
      assert.equal(ran.length, 4);
    } finally {
      await engine.dispose();
    }
  });

  it('walk-forward in Docker equals walk-forward in this process', async () => {
    const engine = variantEngineFor({ engine: 'local', mode: 'docker', runner, concurrency: 2 });
    const common = { compiled, source, series, options: { cash: 10_000 }, space: parseSpace(['period=10,20'], readDeclaredParams(source).params!), sampling: { method: 'grid' as const, seed: 1 }, objective: 'sharpe' as const, constraints: {}, windows: { inSample: { bars: 2500 }, outOfSample: { bars: 1500 }, anchored: false } };
    try {
      const a = await runWalkForward({ ...common, engine });
      const b = await runWalkForward({ ...common, engine: variantEngineFor({ engine: 'local', mode: 'none' }) });
      assert.deepEqual(a.equity, b.equity);
      assert.deepEqual(a.windows.map((w) => w.chosen?.id), b.windows.map((w) => w.chosen?.id));
      assert.equal(a.efficiency, b.efficiency);
    } finally {
      await engine.dispose();
    }
  });
});
