/** The runner: warm pool, stale cleanup after a host crash, remote engines by setting, and Docker being absent. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import type Docker from 'dockerode';
import { loadCsv } from '../../core/data/csv';
import { everyPointResult } from '../../core/engine/equityCurve';
import type { BacktestResult } from '../../core/engine/types';
import { createRunRecord } from '../../core/history/record';
import { createSeries, sliceSeries } from '../../core/data/series';
import { containerSpec, LABEL_OWNER_PID, listSandboxContainers } from '../../core/sandbox/container';
import { SandboxError } from '../../core/sandbox/errors';
import { resolveLimits } from '../../core/sandbox/limits';
import { runInSandbox, SandboxRunner } from '../../core/sandbox/runner';
import { processModeArgs } from '../../core/sandbox/process-mode';
import { assertNoContainersLeft, bars, compiled, HOSTILE_LIMITS, ourContainers, requireDocker, runtimeBundle, SPY_RSI_SOURCE, strategySource } from './helpers';

let docker: Docker;
let tag: string;
const plain = () => compiled(strategySource(`if (bar.index === 1) this.log('hello from', bar.symbol);`));

/** A million minute bars and a strategy that trades every 500 of them (the editor's long runs). */
async function millionMinutes() {
  const n = 1_000_000;
  const minutes = createSeries('TEST', n);
  let price = 100;
  for (let i = 0, t = Date.UTC(2015, 0, 2, 14, 30); i < n; i++, t += 60_000) {
    const open = price;
    price = Math.max(1, price * (1 + Math.sin(i * 0.37) * 0.001));
    minutes.time[i] = t;
    minutes.open[i] = open;
    minutes.high[i] = Math.max(open, price) * 1.0002;
    minutes.low[i] = Math.min(open, price) * 0.9998;
    minutes.close[i] = price;
    minutes.volume[i] = 1000;
  }
  const strategy = await compiled(strategySource(`
    if (bar.index % 500 === 0 && !this.position(bar.symbol)) this.buy(bar.symbol);
    else if (bar.index % 500 === 250 && this.position(bar.symbol)) this.close(bar.symbol);
  `));
  return { n, minutes, strategy };
}

before(async () => {
  docker = await requireDocker();
  await runtimeBundle();
  const runner = new SandboxRunner({ poolSize: 0 });
  tag = await runner.prepare();
  await runner.dispose();
});

after(async () => {
  if (docker) await assertNoContainersLeft(docker);
});

describe('SandboxRunner (Docker)', () => {
  test('the warm pool hands each container exactly one job and refills', async () => {
    const runner = new SandboxRunner({ poolSize: 1, limits: HOSTILE_LIMITS });
    try {
      await runner.warm();
      const first = (await ourContainers(docker)).map((c) => c.Id);
      assert.equal(first.length, 1);
      const result = await runner.run({ compiled: await plain(), series: [bars(10)] });
      assert.equal(result.run.strategy, 'Probe');
      await runner.idle();
      await runner.warm();
      const second = (await ourContainers(docker)).map((c) => c.Id);
      assert.equal(second.length, 1);
      assert.notEqual(second[0], first[0], 'the used container is gone; a fresh one waits');
      assert.equal(runner.warmCount, 1);
    } finally {
      await runner.dispose();
    }
    await assertNoContainersLeft(docker);
  });

  test('the sandboxed result equals the in-process result exactly (RSI on 3 years of SPY)', async () => {
    const spy = await loadCsv(resolve(__dirname, '..', '..', '..', 'shared', 'data', 'SPY_daily_1998_2021_lean.csv'), { symbol: 'SPY' });
    const series = [sliceSeries(spy, Date.UTC(2018, 0, 1), Date.UTC(2020, 11, 31))];
    const rsi = await compiled(SPY_RSI_SOURCE);
    const options = { cash: 25_000, commission: 0.001, params: { period: 10 } };
    const direct = new SandboxRunner({ mode: 'none' });
    const directLogs: unknown[] = [];
    const expected = JSON.parse(JSON.stringify(await direct.run({ compiled: rsi, series, options, onLog: (l) => directLogs.push(l) })));
    assert.ok(expected.trades.length > 3, 'the strategy trades');
    for (const mode of ['docker', 'process'] as const) {
      const logs: unknown[] = [];
      const got = await runInSandbox({ compiled: rsi, series, options, mode, onLog: (l) => logs.push(l), settings: { limits: HOSTILE_LIMITS } });
      assert.deepEqual(got, expected, `${mode} result`);
      assert.deepEqual(logs, directLogs, `${mode} logs`);
    }
    await assertNoContainersLeft(docker);
  });

  test("a million bars with every equity point (the editor's run) fits in half the default memory limit and equals the run in this process", async () => {
    // Minute bars; the sandbox builds no point objects (equity 'columns'), its host does (result-codec.ts "SLR5"). Built
    // in the sandbox, the million points and their time strings overran a 256 MB sandbox (checked by building them
    // there again), and on a bench run the default 512 MB one too.
    const { n, minutes, strategy } = await millionMinutes();
    const expected = await new SandboxRunner({ mode: 'none' }).run({ compiled: strategy, series: [minutes] });
    const got = await runInSandbox({ compiled: strategy, series: [minutes], mode: 'docker', settings: { limits: { memoryMb: 256 } } });
    assert.equal(got.equity.length, n);
    for (let i = 0; i < n; i++) {
      const a = got.equity[i], b = expected.equity[i];
      if (a.time !== b.time || !Object.is(a.equity, b.equity) || !Object.is(a.drawdownPct, b.drawdownPct)) assert.fail(`equity point ${i}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
    assert.equal(JSON.stringify({ ...got, equity: null }), JSON.stringify({ ...expected, equity: null }));
    assert.ok(got.trades.length > 1000, 'the strategy trades');
    await assertNoContainersLeft(docker);
  });

  test("the editor's drawable run of a million bars: its record and the evaluators' every-point result equal the run in this process", async () => {
    // core/history/pipeline.ts asks for equity 'drawable': the record and the panel come from the drawn curve and the
    // columns, and the evaluators' million points are built afterwards from the same columns.
    const { minutes, strategy } = await millionMinutes();
    const expected = await new SandboxRunner({ mode: 'none' }).run({ compiled: strategy, series: [minutes] });
    const got = await runInSandbox({ compiled: strategy, series: [minutes], mode: 'docker', equity: 'drawable' });
    assert.ok(got.run.equityDecimated && got.equity.length < 100_000, 'the sandbox sent the drawable curve');
    assert.equal(JSON.stringify(everyPointResult(got)), JSON.stringify(expected));
    const record = (result: BacktestResult) => JSON.stringify(createRunRecord({
      result, series: [minutes], strategy: { name: 'Probe', file: 'probe.strategy.ts', source: '' }, data: { source: 'csv', timeframe: '1m' },
      options: {}, sandbox: { mode: 'docker', durationMs: 1 }, createdAt: new Date(0), randomSuffix: 'x',
    }));
    assert.equal(record(got), record(expected));
    await assertNoContainersLeft(docker);
  });

  test('one-shot runInSandbox removes its container before it returns', async () => {
    const logs: string[] = [];
    const result = await runInSandbox({ compiled: await plain(), series: [bars(10)], mode: 'docker', onLog: (l) => logs.push(l.message), settings: { limits: HOSTILE_LIMITS } });
    assert.equal(result.run.strategy, 'Probe');
    assert.deepEqual(logs, ['hello from TEST']);
    await assertNoContainersLeft(docker);
  });

  test('after a host crash, the next start removes the dead process\'s containers', async () => {
    // A host process that starts a warm pool and is then killed with SIGKILL.
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { SandboxRunner } = require(${JSON.stringify(require.resolve('../../core/sandbox/runner'))});
      new SandboxRunner({ poolSize: 2, limits: { memoryMb: 128 } }).warm().then(() => console.log('warm'));
      setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('warm') && resolve());
      child.once('exit', (code) => reject(new Error(`the crash helper exited early (${code})`)));
    });
    const crashedPid = String(child.pid);
    const mine = async () => (await listSandboxContainers(docker)).filter((c) => c.Labels?.[LABEL_OWNER_PID] === crashedPid);
    assert.equal((await mine()).length, 2);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Also a container that never started (AutoRemove cannot catch it), owned by the dead pid.
    await docker.createContainer(containerSpec(tag, resolveLimits(), child.pid));
    const runner = new SandboxRunner({ poolSize: 0 });
    await runner.prepare();
    await runner.dispose();
    assert.deepEqual(await mine(), []);
  });

  test('a remote engine works by configuration alone (tcp:// through a local relay to the engine)', async () => {
    // Stand-in for a remote engine: a TCP port on 127.0.0.1 relayed to the local socket.
    const relay: Server = createServer((client) => {
      const engine = createConnection('/var/run/docker.sock');
      client.pipe(engine).pipe(client);
      client.on('error', () => engine.destroy());
      engine.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as { port: number }).port;
    try {
      const result = await runInSandbox({ compiled: await plain(), series: [bars(10)], settings: { docker: { host: `tcp://127.0.0.1:${port}` }, limits: HOSTILE_LIMITS } });
      assert.equal(result.run.bars, 10);
    } finally {
      relay.close();
    }
    await assertNoContainersLeft(docker);
  });

  test('cancelling while the sandbox is still being prepared (a stalled engine, a first image build) stops the run at once', async () => {
    // An engine that accepts connections and never answers: preparation hangs until its own timeout.
    const sockets = new Set<import('node:net').Socket>();
    const stalled: Server = createServer((socket) => { sockets.add(socket); socket.on('error', () => {}); });
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    const port = (stalled.address() as { port: number }).port;
    const runner = new SandboxRunner({ docker: { host: `tcp://127.0.0.1:${port}` }, poolSize: 0 });
    try {
      const controller = new AbortController();
      const job = runner.run({ compiled: await plain(), series: [bars(5)], signal: controller.signal });
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(sockets.size > 0, 'the runner is talking to the stalled engine');
      const cancelledAt = Date.now();
      controller.abort();
      const error = await job.then(() => undefined, (e: SandboxError) => e);
      const elapsed = Date.now() - cancelledAt;
      assert.ok(error instanceof SandboxError, String(error));
      assert.equal(error.kind, 'cancelled');
      assert.ok(elapsed < 1000, `stopped ${elapsed} ms after the cancel`);
      // Already cancelled before the run: refused at once too.
      const again = await runner.run({ compiled: await plain(), series: [bars(5)], signal: AbortSignal.abort() }).then(() => undefined, (e: SandboxError) => e);
      assert.equal(again?.kind, 'cancelled');
    } finally {
      for (const s of sockets) s.destroy();
      stalled.close();
      await runner.dispose();
    }
  });

  test('Docker not running: a clear error that names the fixes, and no silent fallback', async () => {
    const runner = new SandboxRunner({ docker: { host: 'unix:///nonexistent/docker.sock' } });
    const error = await runner.run({ compiled: await plain(), series: [bars(5)] }).then(() => undefined, (e: SandboxError) => e);
    await runner.dispose();
    assert.ok(error instanceof SandboxError);
    assert.equal(error.kind, 'docker-unavailable');
    assert.match(error.message, /not installed or not running/);
    assert.match(error.message, /Install Docker/);
    assert.match(error.message, /--sandbox process/);
  });
});

describe('process mode (weaker isolation)', () => {
  const runner = new SandboxRunner({ mode: 'process', limits: HOSTILE_LIMITS });
  after(() => runner.dispose());

  test('runs a strategy with the same framing and log streaming', async () => {
    const logs: string[] = [];
    const result = await runner.run({ compiled: await plain(), series: [bars(10)], onLog: (l) => logs.push(l.message) });
    assert.equal(result.run.strategy, 'Probe');
    assert.deepEqual(logs, ['hello from TEST']);
  });

  test('a job of 50,000 bars (megabytes of columns over the pipe) arrives intact', async () => {
    const series = bars(50_000);
    const result = await runner.run({ compiled: await compiled(strategySource(`if (bar.index === 49_999) this.log('last close', bar.close);`)), series: [series], onLog: (l) => assert.equal(l.message, `last close ${series.close[49_999]}`) });
    assert.equal(result.run.bars, 50_000);
    assert.equal(result.equity.length, 50_000);
  });

  test('the same JavaScript-level closures apply (no fs, no process.exit)', async () => {
    const err1 = await runner.run({ compiled: await compiled(`import fs from 'fs';\n${strategySource('fs;')}`), series: [bars(5)] }).catch((e) => e);
    assert.equal(err1.kind, 'strategy');
    const err2 = await runner.run({ compiled: await compiled(strategySource('process.exit(1);')), series: [bars(5)] }).catch((e) => e);
    assert.match(err2.message, /process\.exit\(\) is not available/);
  });

  test('an endless loop is stopped at the time limit, and cancel kills the process', async () => {
    const loop = await compiled(strategySource('for (;;) {}'));
    const timeout = await runner.run({ compiled: loop, series: [bars(5)], limits: { timeMs: 1000 } }).catch((e) => e);
    assert.equal(timeout.kind, 'timeout');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const cancelled = await runner.run({ compiled: loop, series: [bars(5)], signal: controller.signal }).catch((e) => e);
    assert.equal(cancelled.kind, 'cancelled');
    assert.ok(Date.now() - started < 1500);
  });

  test('a missing runtime bundle is an actionable error, not a crash', async () => {
    const broken = new SandboxRunner({ mode: 'process', runtimePath: '/nonexistent/dist/sandbox/runtime.js' });
    const error = await broken.run({ compiled: await plain(), series: [bars(5)] }).catch((e) => e);
    assert.equal(error.kind, 'image');
    assert.match(error.message, /npm run build/);
  });

  test('the permission flags deny file writes and child processes even with full Node access', () => {
    // The real flags of the process mode, up to the runtime path (a script given with -e stands in for it).
    const args = processModeArgs(__filename, resolveLimits());
    const flags = args.slice(0, args.indexOf(__filename));
    assert.ok(flags.some((f) => /^--(experimental-)?permission$/.test(f)) && flags.includes('--disallow-code-generation-from-strings'), flags.join(' '));
    const write = spawnSync(process.execPath, [...flags, '-e', `require('fs').writeFileSync('/tmp/strategy-lab-perm-${process.pid}', 'x')`], { encoding: 'utf8' });
    assert.match(write.stderr, /ERR_ACCESS_DENIED/);
    const child = spawnSync(process.execPath, [...flags, '-e', `require('child_process').spawnSync('id')`], { encoding: 'utf8' });
    assert.match(child.stderr, /ERR_ACCESS_DENIED/);
    const read = spawnSync(process.execPath, [...flags, '-e', `require('fs').readFileSync('/etc/passwd')`], { encoding: 'utf8' });
    assert.match(read.stderr, /ERR_ACCESS_DENIED/, 'reading anything but the runtime is denied');
    const evalCode = spawnSync(process.execPath, [...flags, '-e', `new Function('return 1')()`], { encoding: 'utf8' });
    assert.match(evalCode.stderr, /Code generation from strings disallowed/);
  });
});
