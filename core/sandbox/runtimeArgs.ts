/**
 * How the sandbox's Node starts the runtime, the same in a container, a Swarm task and process mode (which adds
 * its permission flags in front).
 */
import { heapBudget, type SandboxLimits } from './limits';

/**
 * - `--disallow-code-generation-from-strings`: no `eval` or `new Function` anywhere in the sandbox (docs/sandbox.md).
 * - `--no-concurrent-recompilation`: V8's optimizing compiler runs on the thread that needs the code. A job's
 *   loops over a million bars run once each; compiled on another thread, the loop keeps running unoptimized code
 *   meanwhile, and in a sandbox held to its CPU quota the two threads share it. Measured on the batch bench's
 *   1 M-bar job: 929 → 732 ms (summary) and 1.45 → 1.07 s (backtest); sweeps unchanged (docs/performance.md).
 */
export const RUNTIME_V8_FLAGS = ['--disallow-code-generation-from-strings', '--no-concurrent-recompilation'] as const;

/** Node's arguments from the V8 flags to the runtime's own (`runtime` is the runtime bundle's path). */
export function runtimeNodeArgs(runtime: string, limits: SandboxLimits): string[] {
  const heap = heapBudget(limits.memoryMb);
  return [...RUNTIME_V8_FLAGS, `--max-old-space-size=${heap.supervisorMb}`, runtime, `--worker-heap-mb=${heap.workerMb}`];
}
