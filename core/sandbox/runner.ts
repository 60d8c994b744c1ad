/**
 * The host-side entry point: run compiled strategy code on bars in a sandbox.
 *
 *   const runner = new SandboxRunner({ poolSize: 1 });
 *   const result = await runner.run({ compiled, series, options, onLog, signal });
 *   await runner.dispose();
 *
 * or one-shot: `await runInSandbox({ compiled, series, mode: 'docker' })`.
 * Docker is the default; `process` is weaker and only used when asked for;
 * `none` is not a sandbox at all (tests, benchmarks).
 */
import type Docker from 'dockerode';
import type { BarSeries } from '../data/series';
import type { BacktestResult, LogLine } from '../engine/types';
import type { SandboxChannel } from './channel';
import { removeStaleContainers } from './cleanup';
import { startContainer } from './container';
import { canUseLocalChannel, removeStaleChannelDirs } from './localChannel';
import { assertDockerReachable, createDockerClient, type DockerHostSettings } from './docker-client';
import { SandboxError } from './errors';
import { ensureImage, type BuildMethod } from './image';
import { overviewInProcess, runInProcess } from './in-process';
import { runJob, runOverviewJob, type JobRequest } from './job';
import type { RunOverview } from '../engine/backtest';
import { limitsKey, resolveLimits, type SandboxLimits } from './limits';
import { WarmPool } from './pool';
import { startProcessSandbox } from './process-mode';
import type { BatchSpec, SandboxBacktestOptions } from './protocol';
import { runBatchJob, type BatchJobEnd, type BatchJobRequest } from './batch-job';
import { defaultRuntimePath } from './runtime-bundle';
import { checkStrategySize } from '../strategy/size';

/** docker (default), process (weaker, never chosen silently), none (no isolation: tests, benchmarks, trusted code). Same names as run/runStrategy.ts. */
export type SandboxMode = 'docker' | 'process' | 'none';
export const SANDBOX_MODES: readonly SandboxMode[] = ['docker', 'process', 'none'];

export interface SandboxSettings {
  /** Default 'docker'. */
  mode?: SandboxMode;
  docker?: DockerHostSettings;
  /** Use this image instead of building one. */
  image?: string;
  limits?: Partial<SandboxLimits>;
  /** Warm containers kept ready (Docker mode). Default 1; 0 disables the pool. */
  poolSize?: number;
  /** The runtime bundle; default dist/sandbox/runtime.js of this package. */
  runtimePath?: string;
  /** Image build methods to try, in order (default Dockerfile, then offline). */
  buildMethods?: BuildMethod[];
  /** Image build progress and other one-off notes. */
  onProgress?: (line: string) => void;
}

export interface SandboxRunRequest {
  compiled: { js: string; fileName: string };
  series: BarSeries[];
  options?: SandboxBacktestOptions;
  /** Overrides the runner's mode for this run. */
  mode?: SandboxMode;
  /** Overrides the runner's limits for this run. */
  limits?: Partial<SandboxLimits>;
  onLog?: (line: LogLine) => void;
  signal?: AbortSignal;
  /**
   * 'drawable': past EQUITY_FULL_MAX bars the result carries a decimated `equity` (flagged in `run.equityDecimated`)
   * and the full columns beside it (equityColumnsOf), as a run in this process does. Default: every point.
   */
  equity?: 'all' | 'drawable';
}

export interface SandboxBatchRequest {
  compiled: { js: string; fileName: string };
  series: BarSeries[];
  options?: SandboxBacktestOptions;
  batch: BatchSpec;
  mode?: SandboxMode;
  limits?: Partial<SandboxLimits>;
  signal?: AbortSignal;
  onOutcome: BatchJobRequest['onOutcome'];
}

/** A warm container that is not ready by then is discarded (the run falls back to a cold start). */
const READY_TIMEOUT_MS = 60_000;

/**
 * The pool is refilled once no run has been in flight for this long. A burst of runs (the evaluators'
 * re-runs) then does not start replacement containers whose boot and JIT warm-up compete with the runs
 * for CPU (measured on 2 cores: an evaluation's 14 re-runs took ~30 % longer with an eager refill than
 * with cold containers); the burst's later runs start cold, and the pool is full again right after it.
 */
const REFILL_WHEN_IDLE_MS = 250;

/**
 * `work`'s outcome, or a 'cancelled' SandboxError as soon as `signal` aborts (at once if it already has).
 * `work` is not stopped; what it produces after the cancel goes to `onLate`.
 */
function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined, onLate?: (value: T) => void): Promise<T> {
  if (!signal) return work;
  const cancelled = () => new SandboxError('cancelled', 'The backtest was cancelled.');
  if (signal.aborted) {
    work.then((v) => onLate?.(v), () => {});
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.then((v) => onLate?.(v), () => {});
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => { signal.removeEventListener('abort', onAbort); if (signal.aborted) onLate?.(v); else resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

export class SandboxRunner {
  private docker: Docker | undefined;
  private prepared: Promise<string> | undefined;
  private pool: WarmPool | undefined;
  private poolKey: string | undefined;
  private readonly live = new Set<SandboxChannel>();
  private readonly cleanups = new Set<Promise<void>>();
  /** Containers being started (a cancelled run may leave one starting: dispose waits for it, then removes it). */
  private readonly starting = new Set<Promise<unknown>>();
  private disposed = false;
  /** Runs in flight, and the pending refill (see REFILL_WHEN_IDLE_MS). */
  private active = 0;
  private refillTimer: NodeJS.Timeout | undefined;
  readonly runtimePath: string;

  constructor(readonly settings: SandboxSettings = {}) {
    this.runtimePath = settings.runtimePath ?? defaultRuntimePath();
  }

  get mode(): SandboxMode {
    return this.settings.mode ?? 'docker';
  }

  /**
   * Docker mode (a no-op in the other modes): checks the engine, removes containers left by dead processes,
   * builds the image if needed, and fills the warm pool. Safe to call often.
   * Returns the image tag.
   */
  prepare(): Promise<string> {
    if (this.mode !== 'docker') return Promise.resolve('');
    return this.prepareDocker();
  }

  private prepareDocker(): Promise<string> {
    this.prepared ??= this.doPrepare().catch((err) => {
      this.prepared = undefined; // let the next attempt retry (e.g. after Docker was started)
      throw err;
    });
    return this.prepared;
  }

  private async doPrepare(): Promise<string> {
    const docker = this.client();
    await assertDockerReachable(docker, this.settings.docker);
    await removeStaleContainers(docker);
    if (canUseLocalChannel(docker)) removeStaleChannelDirs();
    const { tag } = await ensureImage({ docker, runtimePath: this.runtimePath, image: this.settings.image, methods: this.settings.buildMethods, onProgress: this.settings.onProgress });
    const size = this.settings.poolSize ?? 1;
    if (size > 0 && !this.disposed) {
      const limits = resolveLimits(this.settings.limits);
      this.poolKey = limitsKey(limits);
      this.pool = new WarmPool(async () => {
        const channel = await this.track(startContainer(docker, tag, limits, undefined, this.containerOptions()));
        try {
          await withTimeout(channel.ready, READY_TIMEOUT_MS, `the warm container did not become ready within ${READY_TIMEOUT_MS / 1000} s`);
        } catch (err) {
          this.release(channel);
          throw err;
        }
        return channel;
      }, size);
      this.pool.fill();
    }
    return tag;
  }

  /** Fills the warm pool now (no idle wait) and resolves once it is full (for benchmarks, tests, start-up). */
  async warm(): Promise<void> {
    await this.prepare();
    this.cancelRefill();
    this.pool?.fill();
    await this.pool?.settled();
  }

  async run(req: SandboxRunRequest): Promise<BacktestResult> {
    return this.runOne(req, () => runInProcess(req.compiled, req.series, { ...req.options, onLog: req.onLog }, req.signal, req.equity), (channel, job) =>
      runJob(channel, { ...job, ...(req.equity === 'drawable' ? { equity: 'drawable' as const } : {}) }));
  }

  /**
   * The same run reduced to what a text summary shows (engine/backtest.ts RunOverview): in a sandbox the run stops
   * at its metrics and no trade, order or equity records cross back, as in this process (`strategy-lab backtest`
   * without --json or --out).
   */
  async overview(req: Omit<SandboxRunRequest, 'equity'>): Promise<RunOverview> {
    return this.runOne(req, () => overviewInProcess(req.compiled, req.series, { ...req.options, onLog: req.onLog }, req.signal), runOverviewJob);
  }

  /** One run: here (mode 'none') through `here`, else in an isolated sandbox through `isolated`. */
  private async runOne<T>(req: Omit<SandboxRunRequest, 'equity'>, here: () => Promise<T>, isolated: (channel: SandboxChannel, job: JobRequest) => Promise<T>): Promise<T> {
    if (this.disposed) throw new Error('This SandboxRunner was disposed; create a new one.');
    const mode = req.mode ?? this.mode;
    const limits = resolveLimits(this.settings.limits, req.limits);
    try {
      checkStrategySize(req.compiled.js, req.compiled.fileName);
    } catch (err) {
      // Before anything is sent: a huge file would otherwise take minutes to cross into the sandbox.
      throw new SandboxError('strategy', (err as Error).message, (err as Error).name);
    }
    if (mode === 'none') return here();
    this.active++;
    this.cancelRefill();
    try {
      const channel = await this.acquire(mode, limits, req.signal);
      try {
        return await isolated(channel, { js: req.compiled.js, fileName: req.compiled.fileName, series: req.series, options: req.options ?? {}, limits, onLog: req.onLog, signal: req.signal });
      } finally {
        this.release(channel);
      }
    } finally {
      this.active--;
      this.scheduleRefill();
    }
  }

  /**
   * Runs a batch of variants of one strategy in ONE fresh sandbox (a warm container or a new process): one
   * job, the bars sent once, each variant's outcome streamed back (batch-job.ts). Variants of one strategy are
   * one trust domain; the sandbox is never given another strategy's job.
   */
  async runBatch(req: SandboxBatchRequest): Promise<BatchJobEnd> {
    if (this.disposed) throw new Error('This SandboxRunner was disposed; create a new one.');
    const mode = req.mode ?? this.mode;
    if (mode === 'none') throw new RangeError("runBatch needs a sandbox: mode 'docker' or 'process' (in-process batches use core/run/variantEngines.ts).");
    const limits = resolveLimits(this.settings.limits, req.limits);
    try {
      checkStrategySize(req.compiled.js, req.compiled.fileName);
    } catch (err) {
      throw new SandboxError('strategy', (err as Error).message, (err as Error).name);
    }
    this.active++;
    this.cancelRefill();
    try {
      const channel = await this.acquire(mode, limits, req.signal);
      try {
        return await runBatchJob(channel, { js: req.compiled.js, fileName: req.compiled.fileName, series: req.series, options: req.options ?? {}, batch: req.batch, limits, signal: req.signal, onOutcome: req.onOutcome });
      } finally {
        this.release(channel);
      }
    } finally {
      this.active--;
      this.scheduleRefill();
    }
  }

  /** A started sandbox for one job: a new process, or a warm (else cold) container. */
  private async acquire(mode: SandboxMode, limits: SandboxLimits, signal: AbortSignal | undefined): Promise<SandboxChannel> {
    if (mode === 'process') {
      const channel = startProcessSandbox(this.runtimePath, limits);
      this.live.add(channel);
      return channel;
    }
    if (mode === 'docker') {
      // Cancelling must not wait for a first image build or a slow engine: the preparation goes on for the
      // next run, this one stops now. A container that starts after the cancel is removed at once.
      const tag = await untilCancelled(this.prepareDocker(), signal);
      const warm = this.poolKey === limitsKey(limits) ? this.pool?.take() : undefined;
      return warm ?? (await untilCancelled(this.startCold(tag, limits), signal, (late) => this.release(late)));
    }
    throw new RangeError(`Unknown sandbox mode '${String(mode)}': use ${SANDBOX_MODES.join(', ')}.`);
  }

  /**
   * A started sandbox of this runner's mode and limits for a long-lived paper session (core/paper/sandboxSession.ts
   * writes the job and the steps). Removed by `release` or by `dispose`, like a run's.
   */
  async openSession(limits?: Partial<SandboxLimits>): Promise<{ channel: SandboxChannel; limits: SandboxLimits; release: () => void }> {
    if (this.disposed) throw new Error('This SandboxRunner was disposed; create a new one.');
    const resolved = resolveLimits(this.settings.limits, limits);
    let channel: SandboxChannel;
    if (this.mode === 'process') {
      channel = startProcessSandbox(this.runtimePath, resolved);
      this.live.add(channel);
    } else if (this.mode === 'docker') {
      channel = await this.startCold(await this.prepareDocker(), resolved);
    } else {
      throw new RangeError(`A sandboxed session needs mode docker or process, not '${this.mode}'.`);
    }
    return { channel, limits: resolved, release: () => this.release(channel) };
  }

  /** Refills the pool once the runner has been idle for REFILL_WHEN_IDLE_MS. */
  private scheduleRefill(): void {
    if (!this.pool || this.disposed || this.active > 0) return;
    this.cancelRefill();
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      if (this.active === 0 && !this.disposed) this.pool?.fill();
    }, REFILL_WHEN_IDLE_MS);
    this.refillTimer.unref();
  }

  private cancelRefill(): void {
    if (this.refillTimer) clearTimeout(this.refillTimer);
    this.refillTimer = undefined;
  }

  /** Resolves when every finished run's container has been removed. */
  async idle(): Promise<void> {
    while (this.cleanups.size) await Promise.all([...this.cleanups]);
  }

  /** Warm containers ready right now. */
  get warmCount(): number {
    return this.pool?.readyCount ?? 0;
  }

  /** Stops the pool and removes every container this runner started; resolves when they are gone. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.cancelRefill();
    await this.pool?.dispose();
    // A start still in flight ends in track(), which sees `disposed` and removes its container.
    while (this.starting.size) await Promise.allSettled([...this.starting]);
    for (const channel of [...this.live]) this.release(channel);
    await this.idle();
  }

  /** A container for one run; if the image vanished meanwhile (pruned, engine reset), builds it again once. */
  private async startCold(tag: string, limits: SandboxLimits): Promise<SandboxChannel> {
    try {
      return await this.track(startContainer(this.client(), tag, limits, undefined, this.containerOptions()));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      this.prepared = undefined;
      return this.track(startContainer(this.client(), await this.prepareDocker(), limits, undefined, this.containerOptions()));
    }
  }

  /** A local engine's containers talk over the local channel (localChannel.ts); a remote one's over the attach stream. */
  private containerOptions(): { localChannel: boolean } {
    return { localChannel: canUseLocalChannel(this.client()) };
  }

  private client(): Docker {
    this.docker ??= createDockerClient(this.settings.docker);
    return this.docker;
  }

  private async track(started: Promise<SandboxChannel>): Promise<SandboxChannel> {
    this.starting.add(started);
    let channel: SandboxChannel;
    try {
      channel = await started;
    } finally {
      this.starting.delete(started);
    }
    this.live.add(channel);
    if (this.disposed) {
      // dispose() ran while this container was starting: remove it too.
      this.release(channel);
      throw new SandboxError('cancelled', 'The sandbox runner was disposed while the run was starting.');
    }
    return channel;
  }

  private release(channel: SandboxChannel): void {
    if (!this.live.delete(channel)) return;
    const p = channel.dispose().finally(() => this.cleanups.delete(p));
    this.cleanups.add(p);
  }
}

/** One run in a fresh runner (no warm pool); every container is gone when it settles. */
export function runInSandbox(req: SandboxRunRequest & { settings?: SandboxSettings }): Promise<BacktestResult> {
  return withOneShotRunner(req, (runner) => runner.run(req));
}

/** One-shot SandboxRunner.overview. */
export function overviewInSandbox(req: Omit<SandboxRunRequest, 'equity'> & { settings?: SandboxSettings }): Promise<RunOverview> {
  return withOneShotRunner(req, (runner) => runner.overview(req));
}

async function withOneShotRunner<T>(req: { mode?: SandboxMode; settings?: SandboxSettings }, use: (runner: SandboxRunner) => Promise<T>): Promise<T> {
  const runner = new SandboxRunner({ poolSize: 0, ...req.settings, mode: req.mode ?? req.settings?.mode });
  try {
    return await use(runner);
  } finally {
    await runner.dispose();
  }
}
