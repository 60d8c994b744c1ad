/**
 * The forgery attacks of test/engine/forgery.test.ts again, a few of them, in the real Docker sandbox on a warm
 * pool (the SDK and engine are frozen at worker boot, before the JIT warm-up: this proves it holds there too), and
 * the attacks whose point is the sandbox: caps on every value that crosses to the host, BigInts, a V8 fatal
 * out-of-memory at the default 512 MB, and a strategy file too large to send.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { runBacktest } from '../../core/engine/backtest';
import type { BacktestResult, LogLine } from '../../core/engine/types';
import { SandboxError } from '../../core/sandbox/errors';
import { MAX_ERROR_MESSAGE_CHARS } from '../../core/sandbox/caps';
import { SandboxRunner } from '../../core/sandbox/runner';
import { loadStrategy } from '../../core/strategy/load';
import { assertNoContainersLeft, bars, compiled, HOSTILE_LIMITS, requireDocker, runtimeBundle, strategySource } from './helpers';

let docker: Docker;
let runner: SandboxRunner;
const N = 60;

before(async () => {
  docker = await requireDocker();
  await runtimeBundle();
  runner = new SandboxRunner({ mode: 'docker', poolSize: 1, limits: HOSTILE_LIMITS });
  await runner.warm();
});

after(async () => {
  await runner?.dispose();
  if (docker) await assertNoContainersLeft(docker);
});

interface Outcome {
  result?: BacktestResult;
  error?: SandboxError;
  logs: LogLine[];
}

/** One run on a warm container (the pool is refilled before each run, so every run takes the warm path). */
async function run(source: string, theRunner = runner): Promise<Outcome> {
  const logs: LogLine[] = [];
  if (theRunner === runner) await runner.warm();
  try {
    const result = await theRunner.run({ compiled: await compiled(source), series: [bars(N)], options: { commission: 0.001 }, onLog: (l) => logs.push(l) });
    return { result, logs };
  } catch (err) {
    if (!(err instanceof SandboxError)) throw err;
    return { error: err, logs };
  }
}

const HONEST = `
  if (bar.index % 10 === 1) this.buy(bar.symbol, { percent: 50, tag: 'entry' });
  if (bar.index % 10 === 3) this.buy(bar.symbol, { limit: bar.close * 0.99, shares: 5 });
  if (bar.index % 10 === 8) this.close(bar.symbol);`;
const swallow = (code: string) => `try { ${code} } catch {}`;

let honest: string | undefined;
/** The honest twin's JSON, computed in-process: the sandbox's result must be byte-identical to it. */
async function honestJson(): Promise<string> {
  const { js, fileName } = await compiled(strategySource(HONEST));
  honest ??= JSON.stringify(runBacktest(loadStrategy(js, fileName), [bars(N)], { commission: 0.001 }));
  return honest;
}

async function assertSilent(attack: string, members = ''): Promise<void> {
  const { result, error } = await run(strategySource(`${attack}\n${HONEST}`, { members }));
  assert.equal(error, undefined, error?.message);
  assert.ok(result!.trades.length >= 3);
  assert.ok(JSON.stringify(result) === (await honestJson()), 'the attacked run reports exactly the honest numbers');
}

describe('forgery attempts in the Docker sandbox (warm pool)', () => {
  test('an honest run in Docker is byte-identical to the same run in-process (the twin used below)', async () => {
    await assertSilent('');
  });

  test('a valueOf-probing limit is refused with an error naming the call', async () => {
    const { error } = await run(strategySource(`if (bar.index === 3) { let n = 0; this.buy(bar.symbol, { shares: 10, limit: { valueOf: () => (n++ % 2 ? bar.low : bar.high) } as any }); }`));
    assert.equal(error?.kind, 'strategy');
    assert.match(error!.message, /buy\("TEST", options\): options\.limit must be a finite number, got an object/);
  });

  test('swallowed attacks change nothing: broker access, adding cash, future bars, rewritten orders and fills, SDK patches', async () => {
    await assertSilent(
      [
        swallow('(this as any).broker.cashBalance += 1e6;'),
        swallow("this.log(String((this as any)['broker'].series[0].close[bar.index + 1]));"),
        swallow('const o = this.openOrders()[0]; if (o) { (o as any).limit = 1e9; (o as any).status = "filled"; }'),
        swallow("Object.getPrototypeOf(Object.getPrototypeOf(this)).buy = () => undefined;"),
        swallow("(require('strategy-lab') as any).BaseStrategy.prototype.close = () => undefined;"),
        swallow("(require('strategy-lab/indicators') as any).RSI.prototype.update = () => 50;"),
      ].join('\n'),
      `onFill(fill: any) { ${swallow('fill.price = 0.01; fill.commission = 0;')} }`,
    );
  });

  test('BigInts anywhere: a log value, console output, an order size, a parameter — clear errors or plain logs, never a crash', async () => {
    const logged = await run(strategySource(`if (bar.index === 0) { this.log(10n, { a: 1n }); console.log(5n); }`));
    assert.equal(logged.error, undefined, logged.error?.message);
    assert.deepEqual(logged.logs.map((l) => l.message), ['10 [object Object]', '5n']);
    const size = await run(strategySource(`if (bar.index === 3) this.buy(bar.symbol, { shares: 10n as any });`));
    assert.equal(size.error?.kind, 'strategy');
    assert.match(size.error!.message, /options\.shares must be a finite number, got a BigInt/);
    assert.doesNotMatch(size.error!.message, /serialize a BigInt/);
    const param = await run(strategySource('', { members: 'params = { n: 1n as any };' }));
    assert.equal(param.error?.kind, 'strategy');
    assert.match(param.error!.message, /this\.params\.n must be a finite number or a boolean, got a BigInt/);
  });
});

describe('every value crossing to the host is bounded', () => {
  test('a 24 MB error message reaches the host cut to the cap', async () => {
    const { error } = await run(strategySource(`if (bar.index === 2) throw new Error('E'.repeat(24 << 20));`));
    assert.equal(error?.kind, 'strategy');
    assert.ok(error!.message.length <= MAX_ERROR_MESSAGE_CHARS + 60, `${error!.message.length} characters`);
    assert.match(error!.message, /^Probe\.onBar threw on TEST at 2020-01-03 \(bar 2\): EEEE.*more characters cut\)$/s);
  });

  test('a 1 MB tag repeated over 90 orders is refused at the first order (it made a 94.6 MB result)', async () => {
    const { error } = await run(strategySource(`if (bar.index < 50) for (let i = 0; i < 2; i++) this.buy(bar.symbol, { limit: 1, shares: 1, tag: 'T'.repeat(1 << 20) });`));
    assert.equal(error?.kind, 'strategy');
    assert.match(error!.message, /options\.tag is 1048576 characters long; at most 256/);
  });

  test('a log flood through this.log with long lines is cut at the log cap, and each line carries the bar time', async () => {
    const { error, logs } = await run(strategySource(`this.log('t'.repeat(100_000));`));
    assert.equal(error?.kind, 'output-limit');
    assert.ok(logs.length > 0 && logs.every((l) => typeof l.time === 'number' && l.message.length === 100_000));
  });

  test('a strategy file over 1 MB is refused on the host before anything is sent', async () => {
    const source = strategySource('', { prelude: `const DATA = ${JSON.stringify('d'.repeat(8 << 20))};` });
    // An engine that is not there: had the runner contacted Docker or sent anything, this would fail differently.
    const nowhere = new SandboxRunner({ mode: 'docker', poolSize: 0, docker: { host: 'tcp://127.0.0.1:9' } });
    for (const mode of ['docker', 'process', 'none'] as const) {
      const started = Date.now();
      const error = await nowhere.run({ compiled: { js: source, fileName: 'huge.strategy.ts' }, series: [bars(N)], mode }).then(() => undefined, (e: SandboxError) => e);
      assert.equal(error?.kind, 'strategy', `${mode}: ${error?.message}`);
      assert.equal(error!.causeName, 'StrategySizeError');
      assert.match(error!.message, /huge\.strategy\.ts: the strategy is 8\.0 MB; the limit is 1 MB/);
      assert.ok(Date.now() - started < 1000, `${mode}: refused in ${Date.now() - started} ms`);
    }
    await nowhere.dispose();
  });
});

describe('honest endings', () => {
  test('a heap bomb at the default 512 MB ends as memory, not crashed', async () => {
    const big = new SandboxRunner({ mode: 'docker', poolSize: 0, limits: { timeMs: 60_000 } });
    try {
      const { error } = await run(strategySource(`const a: number[] = []; for (;;) a.push(bar.close + a.length);`), big);
      assert.equal(error?.kind, 'memory', error?.message);
      assert.match(error!.message, /out of memory|memory limit/);
    } finally {
      await big.dispose();
    }
  });
});
