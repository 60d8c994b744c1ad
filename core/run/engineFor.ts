/**
 * Picks the VariantEngine for a batch of variants of one strategy: the one
 * place that maps "where" (local cores or a Docker Swarm) and "how isolated"
 * (the sandbox mode) onto an engine, so sweeps, walk-forward and the
 * evaluators choose the same way.
 */
import { availableParallelism } from 'node:os';
import type { SandboxMode, SandboxRunner, SandboxSettings } from '../sandbox/runner';
import { inProcessEngine } from './variantEngines';
import { sandboxBatchEngine } from './batchEngine';
import { swarmEngine } from './swarmEngine';
import type { VariantEngine } from './variants';

export type EngineKind = 'local' | 'swarm';

export interface EngineRequest {
  engine: EngineKind;
  mode: SandboxMode;
  /** The caller's long-lived runner (warm pool), if any. */
  runner?: SandboxRunner;
  settings?: SandboxSettings;
  /** Batches in flight at once on local cores. */
  concurrency?: number;
  /** Swarm manager endpoint (e.g. unix:///run/docker.sock or tcp://127.0.0.1:2377); default: the Docker host of `settings`. */
  dockerHost?: string;
}

export function variantEngineFor(request: EngineRequest): VariantEngine {
  if (request.engine === 'swarm') {
    if (request.mode !== 'docker') throw new RangeError(`The swarm engine runs the Docker sandbox: use --sandbox docker with --engine swarm (got '${request.mode}').`);
    const dockerHost = request.dockerHost ?? request.settings?.docker?.host ?? process.env.DOCKER_HOST;
    if (!dockerHost) throw new RangeError('The swarm engine needs the manager: pass --docker-host unix:///…/docker.sock or tcp://manager:2376.');
    return swarmEngine({ dockerHost, settings: request.settings, concurrency: request.concurrency });
  }
  if (request.mode === 'none') return inProcessEngine();
  // One batch per core, each one sandbox job for many variants (core/run/batchEngine.ts).
  return sandboxBatchEngine({ mode: request.mode, runner: request.runner, settings: request.settings, concurrency: request.concurrency ?? availableParallelism() });
}
