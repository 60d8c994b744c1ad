/**
 * Hostile strategies against the real Docker sandbox. Every case must end in a
 * clear error or a contained result, leave no container behind, and leave the
 * host untouched. Needs a running Docker engine (scripts/setup-docker.sh).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import type Docker from 'dockerode';
import { SandboxError } from '../../core/sandbox/errors';
import type { LogLine } from '../../core/engine/types';
import { SandboxRunner } from '../../core/sandbox/runner';
import { BaseStrategy } from '../../core/sdk/strategy';
import { assertNoContainersLeft, bars, compiled, HOSTILE_LIMITS, ourContainers, requireDocker, runtimeBundle, strategySource } from './helpers';

let docker: Docker;
let runner: SandboxRunner;

before(async () => {
  docker = await requireDocker();
  await runtimeBundle();
  runner = new SandboxRunner({ mode: 'docker', poolSize: 0, limits: HOSTILE_LIMITS });
  await runner.prepare();
});

after(async () => {
  await runner?.dispose();
  if (docker) await assertNoContainersLeft(docker);
});

async function run(source: string, { n = 20, onLog, signal }: { n?: number; onLog?: (l: LogLine) => void; signal?: AbortSignal } = {}) {
  const logs: LogLine[] = [];
  try {
    const result = await runner.run({ compiled: await compiled(source), series: [bars(n)], onLog: (l) => (logs.push(l), onLog?.(l)), signal });
    return { result, logs, error: undefined as SandboxError | undefined };
  } catch (err) {
    if (!(err instanceof SandboxError)) throw err;
    return { result: undefined, logs, error: err };
  } finally {
    await runner.idle();
    await assertNoContainersLeft(docker);
  }
}

function assertError(error: SandboxError | undefined, kind: SandboxError['kind'], pattern: RegExp): void {
  assert.ok(error, `expected a ${kind} error, the run succeeded`);
  assert.equal(error.kind, kind, `expected kind ${kind}, got ${error.kind}: ${error.message}`);
  assert.match(error.message, pattern);
}

const messages = (logs: LogLine[]) => logs.map((l) => l.message);

describe('hostile strategies in the Docker sandbox', () => {
  test('a plain strategy runs and streams its logs (control case)', async () => {
    const { result, logs, error } = await run(strategySource(`if (bar.index === 3) { this.log('third', bar.close); console.log('via console'); }`));
    assert.equal(error, undefined);
    assert.equal(result!.run.strategy, 'Probe');
    assert.deepEqual(messages(logs), [`third ${bars(20).close[3]}`, 'via console']);
  });

  test('the runtime bundle is strict mode (stack frames then expose no receivers or functions to strategy code)', async () => {
    const { readFileSync } = await import('node:fs');
    assert.match(readFileSync(await runtimeBundle(), 'utf8'), /^"use strict";/);
  });

  test('reading host files: require, process.binding, getBuiltinModule and import() are all closed', async () => {
    const probes = `
      const attempts: Record<string, () => unknown> = {
        require: () => (require as any)('fs').readFileSync('/etc/hostname', 'utf8'),
        binding: () => (process as any).binding('fs'),
        builtin: () => (process as any).getBuiltinModule('fs').readFileSync('/etc/hostname', 'utf8'),
        mainModule: () => (process as any).mainModule.require('fs'),
        ctorEscape: () => (this as any).constructor.constructor('return process')().binding('fs'),
        evalEscape: () => (0, eval)('process.binding("fs")'),
      };
      for (const [name, attempt] of Object.entries(attempts)) {
        try { const got = attempt(); this.log('LEAK', name, typeof got); } catch (e) { this.log('blocked', name); }
      }
      import('node:fs').then(() => this.log('LEAK import'), () => {});
    `;
    const { result, logs, error } = await run(strategySource(`if (bar.index === 0) { ${probes} }`));
    assert.equal(error, undefined, error?.message);
    assert.ok(result);
    assert.deepEqual(messages(logs).filter((m) => m.startsWith('LEAK')), []);
    assert.equal(messages(logs).filter((m) => m.startsWith('blocked')).length, 6);
  });

  test('importing fs at the top of the file is refused with a clear message', async () => {
    const { error } = await run(`import { readFileSync } from 'fs';\n${strategySource(`readFileSync('/etc/passwd');`)}`);
    assertError(error, 'strategy', /import of 'fs' is not allowed/);
  });

  test('writing anywhere outside tmpfs: no file API is reachable and the host is untouched', async () => {
    const marker = `/tmp/strategy-lab-hostile-${process.pid}`;
    rmSync(marker, { force: true });
    const { error } = await run(`import * as fs from 'node:fs';\n${strategySource(`fs.writeFileSync('${marker}', 'pwned');`)}`);
    assertError(error, 'strategy', /import of 'node:fs' is not allowed/);
    assert.equal(existsSync(marker), false);
  });

  test('opening a network connection: fetch, net and dns are unavailable', async () => {
    const { logs, error } = await run(
      strategySource(`if (bar.index === 0) {
        for (const name of ['fetch', 'WebSocket', 'require']) this.log(name, typeof (globalThis as any)[name]);
        for (const mod of ['net', 'dns', 'http', 'node:dgram']) { try { (require as any)(mod); this.log('LEAK', mod); } catch { this.log('no', mod); } }
      }`),
    );
    assert.equal(error, undefined, error?.message);
    assert.deepEqual(messages(logs), ['fetch undefined', 'WebSocket undefined', 'require undefined', 'no net', 'no dns', 'no http', 'no node:dgram']);
  });

  test('spawning processes: child_process is refused', async () => {
    const { error } = await run(`import { execSync } from 'child_process';\n${strategySource(`execSync('id');`)}`);
    assertError(error, 'strategy', /import of 'child_process' is not allowed/);
  });

  test('forking / pid exhaustion: no way to start threads or processes from strategy code', async () => {
    const { logs, error } = await run(
      strategySource(`if (bar.index === 0) {
        const tries: Record<string, () => unknown> = {
          worker: () => new (require as any)('worker_threads').Worker('for(;;){}', { eval: true }),
          spawn: () => (process as any).binding('spawn_sync'),
          kill: () => (process as any).kill(1, 'SIGKILL'),
        };
        for (const [k, f] of Object.entries(tries)) { try { f(); this.log('LEAK', k); } catch { this.log('blocked', k); } }
      }`),
    );
    assert.equal(error, undefined, error?.message);
    assert.deepEqual(messages(logs), ['blocked worker', 'blocked spawn', 'blocked kill']);
  });

  test('allocating memory until killed ends with a memory error', async () => {
    const { error } = await run(strategySource(`const hog: number[][] = []; for (;;) hog.push(new Array(1_000_000).fill(bar.close));`));
    assertError(error, 'memory', /memory/);
  });

  test('allocating off-heap memory (typed arrays) until killed ends with a memory error', async () => {
    const { error } = await run(strategySource(`const hog: Float64Array[] = []; for (;;) { const a = new Float64Array(4_000_000); a.fill(1); hog.push(a); }`));
    assertError(error, 'memory', /memory/);
  });

  test('an infinite loop is stopped at the time limit', async () => {
    const started = Date.now();
    const { error } = await run(strategySource(`if (bar.index === 5) for (;;) {}`));
    assertError(error, 'timeout', /5 s time limit/);
    assert.ok(Date.now() - started < 12_000, 'stopped soon after the limit');
  });

  test('a synchronous busy loop that never yields (in the constructor, ignoring signals) is stopped at the time limit', async () => {
    const { error } = await run(strategySource('', { members: `spin = (() => { let x = 0; for (;;) { x = (x + 1) | 0; } })();` }));
    assertError(error, 'timeout', /time limit/);
  });

  test('gigabytes of stdout are cut off with a clear message', async () => {
    const { logs, error } = await run(strategySource(`const line = 'x'.repeat(1 << 20); for (;;) console.log(line);`));
    assertError(error, 'output-limit', /log output/);
    assert.ok(logs.length < 1000, `only the allowed amount reached the host (${logs.length} lines)`);
  });

  test('flooding this.log is cut off the same way, with long or tiny lines', async () => {
    const long = await run(strategySource(`for (let i = 0; ; i++) this.log('spam', i, 'y'.repeat(1000));`));
    assertError(long.error, 'output-limit', /log output/);
    const tiny = await run(strategySource(`(globalThis as any).Buffer = { byteLength: () => 0 }; for (let i = 0; ; i++) this.log(i);`));
    assertError(tiny.error, 'output-limit', /log output/);
    assert.ok(tiny.logs.length < 256 * 1024 / 16, `${tiny.logs.length} lines reached the host`);
  });

  test('printing fake result JSON (and fake frames) only produces log lines', async () => {
    const fake = JSON.stringify({ metrics: { totalReturnPct: 99999 }, trades: [], equity: [], orders: [], fills: [], run: { strategy: 'Forged' } });
    const { result, logs, error } = await run(
      strategySource(`if (bar.index === 0) {
        console.log(${JSON.stringify(fake)});
        this.log(${JSON.stringify(fake)});
        console.log('\\u0010\\u0000\\u0000\\u0000\\u0002' + 'k'.repeat(16) + ${JSON.stringify(fake)});
      }`),
    );
    assert.equal(error, undefined, error?.message);
    assert.equal(result!.run.strategy, 'Probe', 'the result comes from the engine, not from printed text');
    assert.notEqual((result!.metrics as { totalReturnPct?: number }).totalReturnPct, 99999);
    assert.equal(logs.length, 3);
    assert.ok(logs.every((l) => l.message.includes('Forged')));
  });

  test('throwing during construction is reported with the message', async () => {
    const { error } = await run(strategySource('', { members: `boom = (() => { throw new Error('constructor exploded'); })();` }));
    assertError(error, 'strategy', /constructor exploded/);
  });

  test('NaN, Infinity and BigInt prices or sizes are refused with an error naming the call; a non-positive size is a rejected order; never a NaN metric', async () => {
    const { result, logs, error } = await run(strategySource(`if (bar.index === 2) {
        this.log(NaN, bar.close * NaN);
        const attempts = [() => this.buy(bar.symbol, { limit: NaN }), () => this.buy(bar.symbol, { shares: NaN }), () => this.buy(bar.symbol, { stopLossPct: NaN }),
          () => this.buy(bar.symbol, { cash: Infinity }), () => this.sell(bar.symbol, { stop: -Infinity }), () => this.buy(bar.symbol, { shares: 10n as any })];
        for (const attempt of attempts) { try { attempt(); this.log('accepted'); } catch (e) { this.log((e as Error).message); } }
        this.sell(bar.symbol, { shares: -3 });
      }`));
    assert.equal(error, undefined, error?.message);
    assert.deepEqual(messages(logs), [
      'NaN NaN',
      'buy("TEST", options): options.limit must be a finite number, got NaN.',
      'buy("TEST", options): options.shares must be a finite number, got NaN.',
      'buy("TEST", options): options.stopLossPct must be a finite number, got NaN.',
      'buy("TEST", options): options.cash must be a finite number, got Infinity.',
      'sell("TEST", options): options.stop must be a finite number, got -Infinity.',
      'buy("TEST", options): options.shares must be a finite number, got a BigInt.',
      'order #1 rejected: shares must be a positive finite number, got -3',
    ]);
    assert.deepEqual(result!.orders.map((o) => [o.status, o.reason]), [['rejected', 'shares must be a positive finite number, got -3']]);
    assert.equal(result!.trades.length, 0);
    for (const [key, value] of Object.entries(result!.metrics)) {
      assert.ok(value === null || typeof value === 'string' || Number.isFinite(value), `${key} is ${value}`);
    }
  });

  test('calling process.exit is refused', async () => {
    const { error } = await run(strategySource(`process.exit(0);`));
    assertError(error, 'strategy', /process\.exit\(\) is not available/);
  });

  test('prototype pollution: patching the built-ins the engine computes with is refused with a clear error', async () => {
    for (const patch of ['(Object.prototype as any).polluted = \'yes\';', 'Array.prototype.push = () => 0;', 'Math.sqrt = () => 0;', 'JSON.stringify = () => \'{"forged":true}\';', '(globalThis as any).Math = {};', 'Object.defineProperty(Float64Array.prototype, \'length\', { get: () => 0 });']) {
      const { error } = await run(strategySource(`if (bar.index === 0) { ${patch} }`));
      assert.ok(error, `${patch} was allowed`);
      assert.equal(error.kind, 'strategy', `${patch}: ${error.message}`);
      assert.match(error.message, /read only|read-only|not extensible|Cannot (assign|add|define|redefine)/, `${patch}: ${error.message}`);
    }
  });

  test('prototype pollution attempted quietly (errors caught) cannot change the reported numbers', async () => {
    const trading = `if (bar.index % 4 === 0) this.buy(bar.symbol); else if (bar.index % 4 === 2) this.close(bar.symbol);`;
    const quiet = await run(strategySource(`if (bar.index === 0) {
        for (const f of [() => { Array.prototype.push = () => 0; }, () => { Math.sqrt = () => 1e9; }, () => { Math.max = () => 1e9; }, () => { (Number.prototype as any).toFixed = () => '999'; }, () => { (Object.prototype as any).x = 1; }]) { try { f(); } catch {} }
      }
      ${trading}`));
    const control = await run(strategySource(trading));
    assert.equal(quiet.error, undefined, quiet.error?.message);
    assert.ok(control.result!.trades.length >= 4);
    assert.equal(JSON.stringify(quiet.result), JSON.stringify(control.result));
    // Each run has its own container: the next one starts from an untouched realm.
    const probe = await run(strategySource(`if (bar.index === 0) { this.log('polluted:', String(({} as any).x)); }`));
    assert.deepEqual(messages(probe.logs), ['polluted: undefined']);
    assert.equal(({} as Record<string, unknown>).x, undefined, 'the host realm is untouched');
    assert.equal(typeof BaseStrategy.prototype.log, 'function');
  });

  test('a strategy running past the limit while the user cancels is killed within one second', async () => {
    const controller = new AbortController();
    const job = runner.run({ compiled: await compiled(strategySource(`for (;;) {}`)), series: [bars(20)], signal: controller.signal });
    await new Promise((r) => setTimeout(r, 1500));
    const running = (await ourContainers(docker)).filter((c) => c.State === 'running');
    assert.equal(running.length, 1, 'the busy strategy is running in its container');
    const cancelledAt = Date.now();
    controller.abort();
    const error = await job.then(() => undefined, (e: SandboxError) => e);
    const elapsed = Date.now() - cancelledAt;
    assertError(error, 'cancelled', /cancelled/);
    const stillRunning = (await ourContainers(docker)).filter((c) => c.State === 'running');
    assert.deepEqual(stillRunning, [], 'the container is dead when run() rejects');
    assert.ok(elapsed < 1000, `killed ${elapsed} ms after cancel`);
    await runner.idle();
    await assertNoContainersLeft(docker);
  });
});

describe('hostile strategies on a warm pool container', () => {
  test('a busy loop is cancelled within one second, a flood is cut, and the next run gets a clean container', async () => {
    const warm = new SandboxRunner({ mode: 'docker', poolSize: 1, limits: HOSTILE_LIMITS });
    try {
      await warm.warm();
      assert.equal(warm.warmCount, 1, 'a warm container is waiting');
      const controller = new AbortController();
      const busy = warm.run({ compiled: await compiled(strategySource(`for (;;) {}`)), series: [bars(20)], signal: controller.signal });
      await new Promise((r) => setTimeout(r, 500));
      const cancelledAt = Date.now();
      controller.abort();
      const error = await busy.then(() => undefined, (e: SandboxError) => e);
      assert.equal(error?.kind, 'cancelled');
      assert.ok(Date.now() - cancelledAt < 1000, 'killed within one second');
      const flood = await warm.run({ compiled: await compiled(strategySource(`const line = 'x'.repeat(1 << 20); for (;;) console.log(line);`)), series: [bars(20)] }).then(() => undefined, (e: SandboxError) => e);
      assert.equal(flood?.kind, 'output-limit');
      const polluted = await warm.run({ compiled: await compiled(strategySource(`if (bar.index === 0) { try { (Object.prototype as any).x = 1; } catch {} (globalThis as any).leftover = 'x'; }`)), series: [bars(20)] });
      assert.equal(polluted.run.strategy, 'Probe');
      const logs: LogLine[] = [];
      await warm.run({ compiled: await compiled(strategySource(`if (bar.index === 0) this.log('leftover:', String((globalThis as any).leftover));`)), series: [bars(20)], onLog: (l) => logs.push(l) });
      assert.deepEqual(messages(logs), ['leftover: undefined'], 'each job runs in its own container');
    } finally {
      await warm.dispose();
    }
    await assertNoContainersLeft(docker);
  });
});
