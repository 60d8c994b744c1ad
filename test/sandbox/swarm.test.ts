/**
 * The Docker Swarm engine on a real single-node swarm: a second dockerd started by scripts/setup-swarm.sh (its
 * own data root, exec root, socket and pid file; never the main engine). Fails, never skips, when the swarm
 * cannot be set up. Checks: the numbers of plain runs, a task that cannot run (retried, then reported), a
 * variant that kills its task (only that variant fails), cancel, and that no service or config is left behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { variantEngineFor } from '../../core/run/engineFor';
import { runInThisProcess } from '../../core/run/runStrategy';
import { swarmEngine } from '../../core/run/swarmEngine';
import { seriesInWindow, summarize, variantOptions, type Variant, type VariantBatch } from '../../core/run/variants';
import { createDockerClient } from '../../core/sandbox/docker-client';
import { listSwarmLeftovers, swarmServiceSpec } from '../../core/sandbox/swarm';
import { resolveLimits } from '../../core/sandbox/limits';
import { compileStrategy } from '../../core/strategy/compile';
import { example, sampleAapl } from '../evaluate/helpers';
import { HUGE_PAGES_ENV_ENTRY } from '../../core/sandbox/hugePages';
import { runCli } from '../helpers/cli';
import { repoRoot, sharedData } from '../helpers/paths';
import { bars, compiled, requireDocker, runtimeBundle, strategySource } from './helpers';

let host: string;
let swarm: Docker;

before(async () => {
  await requireDocker();
  await runtimeBundle();
  const setup = spawnSync('bash', [resolve(import.meta.dirname, '../../scripts/setup-swarm.sh')], { encoding: 'utf8', timeout: 120_000 });
  if (setup.status !== 0) throw new Error(`scripts/setup-swarm.sh could not start the test swarm (exit ${setup.status}):\n${setup.stderr}`);
  host = setup.stdout.trim().split('\n').at(-1)!;
  swarm = createDockerClient({ host });
});

after(async () => {
  if (swarm) assert.deepEqual(await listSwarmLeftovers(swarm), [], 'every service and config of this process is removed');
});

const LIMITS = { memoryMb: 160, timeMs: 20_000 };

describe('swarm engine on a single-node swarm', () => {
  test('the service has the sandbox restrictions: non-root, read-only, no capabilities, limits, internal network only, no restart', () => {
    const spec = swarmServiceSpec('x', { image: 'img', limits: resolveLimits(LIMITS), networkId: 'net1' }, [{ id: 'c1', name: 'x-000' }]) as { TaskTemplate: Record<string, any>; Mode: unknown };
    const c = spec.TaskTemplate.ContainerSpec;
    assert.equal(c.User, '1000:1000');
    assert.equal(c.ReadOnly, true);
    assert.deepEqual(c.CapabilityDrop, ['ALL']);
    assert.deepEqual(c.Env, [HUGE_PAGES_ENV_ENTRY], 'nothing of the host\'s environment, only the huge-page tunable');
    assert.deepEqual(spec.TaskTemplate.Networks, [{ Target: 'net1' }]);
    assert.equal(spec.TaskTemplate.Resources.Limits.MemoryBytes, 160 * 1024 * 1024);
    assert.ok(spec.TaskTemplate.Resources.Limits.Pids > 0 && spec.TaskTemplate.Resources.Limits.NanoCPUs > 0);
    assert.deepEqual(spec.TaskTemplate.RestartPolicy, { Condition: 'none', MaxAttempts: 0 });
    assert.deepEqual(spec.Mode, { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    assert.equal(c.Configs[0].File.Mode, 0o444);
  });

  test('a batch runs as replicated-job tasks and gives every variant the numbers of its plain run', async () => {
    const compiledRsi = await compileStrategy(example('rsi-reversion'), 'rsi-reversion.strategy.ts');
    const series = [sampleAapl()];
    const mid = series[0].time[Math.floor(series[0].length / 2)];
    const variants: Variant[] = [{ id: 'base' }, { id: 'p9', params: { period: 9, buyBelow: 30 } }, { id: 'cost', options: { commission: 0.001 } }, { id: 'late', window: { fromTime: mid } }, { id: 'bad', params: { period: -1 } }];
    const engine = variantEngineFor({ engine: 'swarm', mode: 'docker', dockerHost: host, settings: { limits: LIMITS } });
    assert.equal(engine.name, 'swarm');
    const forced = swarmEngine({ dockerHost: host, settings: { limits: LIMITS }, concurrency: 2, barRunsPerSandbox: 1 });
    const seen: number[] = [];
    const batch: VariantBatch = { compiled: compiledRsi, series, options: {}, variants, detail: 'summary', onOutcome: (_o, done) => seen.push(done) };
    const outcomes = await forced.run(batch);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    for (const [i, v] of variants.entries()) {
      const o = outcomes[i];
      if (v.id === 'bad') {
        assert.equal(o.ok, false);
        continue;
      }
      assert.ok(o.ok && o.summary, `${v.id}: ${(o as { error?: string }).error}`);
      const plain = summarize(runInThisProcess({ compiled: compiledRsi, series: seriesInWindow(series, v.window), options: variantOptions({}, v) }));
      assert.deepEqual(o.summary.metrics, plain.metrics, v.id);
      assert.deepEqual([...o.summary.equity], [...plain.equity], v.id);
    }
    assert.deepEqual(await listSwarmLeftovers(swarm), []);
  });

  test('a task that cannot run (its image is missing) is retried, then every variant is reported failed, naming the task error', async () => {
    const engine = swarmEngine({ dockerHost: host, settings: { limits: LIMITS, image: 'strategy-lab-sandbox:missing-for-test' }, concurrency: 1 });
    const outcomes = await engine.run({ compiled: await compiled(strategySource('')), series: [bars(30)], options: {}, variants: [{ id: 'a' }, { id: 'b' }], detail: 'summary' });
    for (const o of outcomes) {
      assert.equal(o.ok, false);
      assert.match((o as { error: string }).error, /Swarm task (rejected|failed)/);
      assert.match((o as { error: string }).error, /tried 3 times/);
    }
    assert.deepEqual(await listSwarmLeftovers(swarm), []);
  });

  test('a variant that kills its task fails alone; the rest run in a new task; cancel removes the service at once', async () => {
    const source = strategySource(
      `if (this.params.bomb) { const hog: Float64Array[] = []; for (;;) hog.push(new Float64Array(4e6).fill(1)); }
      if (bar.index === 3) this.buy(bar.symbol); if (bar.index === 9) this.close(bar.symbol);`,
      { members: 'params = { bomb: false };' },
    );
    const engine = swarmEngine({ dockerHost: host, settings: { limits: LIMITS }, concurrency: 1 });
    const outcomes = await engine.run({ compiled: await compiled(source), series: [bars(20)], options: {}, variants: [{ id: 'ok1' }, { id: 'bomb', params: { bomb: true } }, { id: 'ok2' }], detail: 'full' });
    assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true]);
    assert.match((outcomes[1] as { error: string }).error, /memory/i);

    const slow = strategySource('let x = 0; for (let i = 0; i < 3e5; i++) x += Math.sqrt(i); if (x < 0) this.buy(bar.symbol);');
    const controller = new AbortController();
    let abortedAt = 0;
    await assert.rejects(
      engine.run({
        compiled: await compiled(slow), series: [bars(60)], options: {}, variants: Array.from({ length: 300 }, (_, i) => ({ id: String(i) })), detail: 'summary', signal: controller.signal,
        onOutcome: (_o, done) => { if (done === 2) { abortedAt = performance.now(); controller.abort(); } },
      }),
      (err: Error) => err.name === 'AbortError',
    );
    assert.ok(abortedAt > 0);
    assert.deepEqual(await listSwarmLeftovers(swarm), [], 'no service or config left after the cancel');
  });

  test('strategy-lab optimize --engine swarm --docker-host: the same ranked table as the same sweep in this process', async () => {
    const rsi = resolve(repoRoot, 'examples/rsi-reversion.strategy.ts');
    const csv = sharedData('GOOG_daily_2004_2013_backtestingpy.csv');
    const space = ['--param', 'period=10,14', '--param', 'buyBelow=30,35', '--objective', 'return', '--json'];
    const home = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'swarm-optimize-'));
    try {
      process.chdir(dir); // the sweep journal lives under the current folder; each engine gets its own
      const local = await runCli(['optimize', rsi, '--data', csv, '--sandbox', 'none', '--trust', ...space]);
      assert.equal(local.code, 0, local.stderr);
      rmSync(join(dir, '.strategy-lab'), { recursive: true, force: true }); // no resume: the swarm runs every variant
      const onSwarm = await runCli(['optimize', rsi, '--data', csv, '--sandbox', 'docker', '--engine', 'swarm', '--docker-host', host, ...space]);
      assert.equal(onSwarm.code, 0, onSwarm.stderr);
      const rows = (out: string) => JSON.parse(out).variants.map((v: Record<string, unknown>) => JSON.stringify(v));
      assert.equal(JSON.parse(onSwarm.stdout).variantsTried, 4);
      assert.deepEqual(rows(onSwarm.stdout), rows(local.stdout));
    } finally {
      process.chdir(home);
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(await listSwarmLeftovers(swarm), [], 'the sweep removed its services and configs');
  });
});
