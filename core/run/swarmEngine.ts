/**
 * The Docker Swarm engine (`engine: 'swarm'`): each batch of variants is one `replicated-job` service task on the
 * swarm whose manager `dockerHost` names (core/sandbox/swarm.ts: the job as Swarm configs, the keyed frames back
 * through the task log, the service and configs removed afterwards, also on cancel or failure). Same outcomes as
 * the local engines; a task that never ran (rejected, node lost) is retried, then reported.
 */
import type Docker from 'dockerode';
import { runBatchJob } from '../sandbox/batch-job';
import { assertDockerReachable, createDockerClient } from '../sandbox/docker-client';
import { SandboxError } from '../sandbox/errors';
import { resolveLimits } from '../sandbox/limits';
import { SandboxRunner, type SandboxSettings } from '../sandbox/runner';
import { checkStrategySize } from '../strategy/size';
import { ensureSwarmNetwork, startSwarmTask } from '../sandbox/swarm';
import { batchRunnerEngine } from './batchEngine';
import type { VariantEngine } from './variants';

/** A Swarm task costs ~1–2 s to schedule and start (docs/performance.md): a batch needs this much work to be worth one. */
export const SWARM_BAR_RUNS_PER_TASK = 5_000_000;

export interface SwarmEngineOptions {
  /** The swarm manager, e.g. unix:///run/strategy-lab-swarm/docker.sock or tcp://manager:2376. */
  dockerHost: string;
  /** Limits and image; `image` set: the swarm pulls that image (multi-node swarms need it in a registry). */
  settings?: SandboxSettings;
  /** Tasks in flight at once (default 4). */
  concurrency?: number;
  barRunsPerSandbox?: number;
}

export function swarmEngine(options: SwarmEngineOptions): VariantEngine {
  const swarm = createDockerClient({ ...options.settings?.docker, host: options.dockerHost });
  let prepared: Promise<{ image: string; networkId: string }> | undefined;
  const prepare = () =>
    (prepared ??= prepareSwarm(swarm, options).catch((err) => {
      prepared = undefined;
      throw err;
    }));
  return batchRunnerEngine({
    name: 'swarm',
    concurrency: options.concurrency ?? 4,
    barRunsPerSandbox: options.barRunsPerSandbox ?? SWARM_BAR_RUNS_PER_TASK,
    runBatch: async (req) => {
      try {
        checkStrategySize(req.compiled.js, req.compiled.fileName);
      } catch (err) {
        throw new SandboxError('strategy', (err as Error).message, (err as Error).name);
      }
      const { image, networkId } = await prepare();
      const limits = resolveLimits(options.settings?.limits, req.limits);
      const channel = startSwarmTask(swarm, { image, limits, networkId });
      try {
        return await runBatchJob(channel, { js: req.compiled.js, fileName: req.compiled.fileName, series: req.series, options: req.options ?? {}, batch: req.batch, limits, signal: req.signal, onOutcome: req.onOutcome });
      } finally {
        await channel.dispose();
      }
    },
    dispose: async () => {},
  });
}

/** Checks the endpoint is a swarm manager, puts the sandbox image on it, and finds or creates the internal network. */
async function prepareSwarm(swarm: Docker, options: SwarmEngineOptions): Promise<{ image: string; networkId: string }> {
  await assertDockerReachable(swarm, { host: options.dockerHost });
  const info = (await swarm.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) {
    throw new SandboxError('docker-unavailable', `The Docker engine at ${options.dockerHost} is not a Swarm manager (state: ${info.Swarm?.LocalNodeState ?? 'unknown'}). Run \`docker swarm init\` there, or point --docker-host at a manager.`);
  }
  const image = options.settings?.image ?? (await copyLocalImage(swarm, options.settings));
  return { image, networkId: await ensureSwarmNetwork(swarm) };
}

/**
 * The sandbox image built (or found) on the local engine, loaded into the swarm manager when it lacks it. Enough
 * for a single-node swarm; on several nodes every node needs the image (a registry: set `settings.image`).
 */
async function copyLocalImage(swarm: Docker, settings: SandboxSettings | undefined): Promise<string> {
  const local = new SandboxRunner({ ...settings, docker: undefined, mode: 'docker', poolSize: 0 });
  try {
    const tag = await local.prepare();
    try {
      await swarm.getImage(tag).inspect();
      return tag;
    } catch {
      // not there yet
    }
    const localDocker = createDockerClient();
    const tar = (await localDocker.getImage(tag).get()) as NodeJS.ReadableStream;
    const loading = (await swarm.loadImage(tar)) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      loading.on('end', resolve);
      loading.on('error', reject);
      loading.resume();
    });
    await swarm.getImage(tag).inspect();
    return tag;
  } finally {
    await local.dispose();
  }
}
