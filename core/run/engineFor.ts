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
    throw new Error('The swarm engine is not available in this build: use --engine local.');
  }
  if (request.mode === 'none') return inProcessEngine();
  // One batch per core, each one sandbox job for many variants (core/run/batchEngine.ts).
  return sandboxBatchEngine({ mode: request.mode, runner: request.runner, settings: request.settings, concurrency: request.concurrency ?? availableParallelism() });
}
