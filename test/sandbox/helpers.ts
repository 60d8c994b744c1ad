/**
 * Shared setup of the sandbox tests: a freshly built runtime bundle, a Docker
 * client that must answer (no skipping: when Docker is not there the suite
 * fails with the setup hint), small strategies, bars, and the leak check.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type Docker from 'dockerode';
import { createSeries, type BarSeries } from '../../core/data/series';
import { compileStrategy } from '../../core/strategy/compile';
import { LABEL_OWNER_PID, listSandboxContainers } from '../../core/sandbox/container';
import { assertDockerReachable, createDockerClient } from '../../core/sandbox/docker-client';
import { ensureImage } from '../../core/sandbox/image';
import { buildRuntimeBundle, defaultRuntimePath } from '../../core/sandbox/runtime-bundle';
import type { SandboxLimits } from '../../core/sandbox/limits';
import { BaseStrategy } from '../../core/sdk/strategy';
import type { Bar } from '../../core/sdk/types';
import { SMA } from '../../core/sdk/indicators/index';
import type { StrategyClass } from '../../core/strategy/load';

/** Small limits so hostile cases end quickly (the defaults are the issue's: 512 MB, 300 s). */
export const HOSTILE_LIMITS: Partial<SandboxLimits> = { memoryMb: 128, timeMs: 5000, maxLogBytes: 256 * 1024 };

let runtime: Promise<string> | undefined;
/** Builds dist/sandbox/runtime.js from the current sources once per test process. */
export function runtimeBundle(): Promise<string> {
  runtime ??= buildRuntimeBundle();
  return runtime;
}

export async function requireDocker(): Promise<Docker> {
  const docker = createDockerClient();
  try {
    await assertDockerReachable(docker, {}, 5000);
  } catch (err) {
    throw new Error(`The sandbox tests need a running Docker engine. Run scripts/setup-docker.sh (installs docker.io and starts dockerd), then run the tests again.\n${(err as Error).message}`);
  }
  return docker;
}

/** Containers this test process created that still exist. */
export async function ourContainers(docker: Docker): Promise<Docker.ContainerInfo[]> {
  return (await listSandboxContainers(docker)).filter((c) => c.Labels?.[LABEL_OWNER_PID] === String(process.pid));
}

export async function assertNoContainersLeft(docker: Docker): Promise<void> {
  const left = await ourContainers(docker);
  assert.deepEqual(left.map((c) => `${c.Id.slice(0, 12)} ${c.State}`), [], 'every sandbox container must be removed');
}

/** A strategy module around an onBar body (and optional extra class members / module code). */
export function strategySource(onBar: string, { members = '', prelude = '' } = {}): string {
  return `import { BaseStrategy, type Bar } from 'strategy-lab';
${prelude}
export default class Probe extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  ${members}
  onBar(bar: Bar) {
    ${onBar}
  }
}
`;
}

/** RSI with parameters and a log line on every entry, for SPY: a strategy that trades and logs on real data. */
export const SPY_RSI_SOURCE = `import { BaseStrategy, type Bar } from 'strategy-lab';
import { RSI } from 'strategy-lab/indicators';
export default class SpyRsi extends BaseStrategy {
  static config = { symbols: ['SPY'], timeframe: '1d' as const };
  params = { period: 14, buyBelow: 35, sellAbove: 65 };
  private rsi = new RSI(this.params.period);
  onBar(bar: Bar) {
    const v = this.rsi.update(bar.close);
    if (v === undefined) return;
    if (v < this.params.buyBelow && !this.position(bar.symbol)) { this.log('buy', bar.close); this.buy(bar.symbol); }
    else if (v > this.params.sellAbove && this.position(bar.symbol)) this.close(bar.symbol);
  }
}`;

export async function compiled(source: string, fileName = 'probe.strategy.ts'): Promise<{ js: string; fileName: string }> {
  return compileStrategy(source, fileName);
}

/** Deterministic daily bars: a gentle sine around 100. */
export function bars(n: number, symbol = 'TEST'): BarSeries {
  const s = createSeries(symbol, n);
  const day = 86_400_000;
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < n; i++) {
    const c = 100 + 10 * Math.sin(i / 7);
    s.time[i] = start + i * day;
    s.open[i] = c - 0.5;
    s.high[i] = c + 1;
    s.low[i] = c - 1;
    s.close[i] = c;
    s.volume[i] = 1_000_000;
  }
  return s;
}

/**
 * Registers the usual hooks of a Docker suite (engine reachable, runtime built, then `prepare`; no container left
 * after); the engine is filled in before the suite's tests run.
 */
export function dockerSuite<T extends { docker: Docker }>(prepare?: (env: T) => Promise<void>): T {
  const env = {} as T;
  before(async () => {
    env.docker = await requireDocker();
    await runtimeBundle();
    await prepare?.(env);
  });
  after(async () => {
    if (env.docker) await assertNoContainersLeft(env.docker);
  });
  return env;
}

/** dockerSuite for a suite that starts containers itself: the sandbox image's tag too (built if missing). */
export function containerSuite(): { docker: Docker; image: string } {
  return dockerSuite<{ docker: Docker; image: string }>(async (env) => {
    env.image = (await ensureImage({ docker: env.docker, runtimePath: defaultRuntimePath() })).tag;
  });
}

/** A trusted in-process strategy that trades often (close against its SMA 5), with a tag that needs escaping in JSON. */
export class Crossing extends BaseStrategy {
  static override config = { symbols: ['TEST'], timeframe: '1d' as const };
  private sma = new SMA(5);
  onBar(bar: Bar): void {
    const m = this.sma.update(bar.close);
    if (m === undefined) return;
    if (bar.close > m && !this.position(bar.symbol)) this.buy(bar.symbol, { tag: 'up "quoted"\n' });
    else if (bar.close < m && this.position(bar.symbol)) this.close(bar.symbol);
  }
}
export const CROSSING = Crossing as unknown as StrategyClass;
