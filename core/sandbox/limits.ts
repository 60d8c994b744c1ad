/** Resource limits of one sandboxed run, with the defaults the issue sets. */
export interface SandboxLimits {
  /** Memory of the whole container / process tree, MB. */
  memoryMb: number;
  /** CPU cores (fractional allowed). Docker only. */
  cpus: number;
  /** Max processes/threads in the container. Docker only. */
  pids: number;
  /** Wall-clock limit of one job, ms, counted from the moment the job is sent. */
  timeMs: number;
  /** Size of the writable /tmp tmpfs, MB. Docker only. */
  tmpfsMb: number;
  /** Strategy log output (console and this.log) allowed per run, bytes. */
  maxLogBytes: number;
  /** Largest result frame accepted, bytes. */
  maxResultBytes: number;
}

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  memoryMb: 512,
  cpus: 1,
  pids: 64,
  timeMs: 300_000,
  tmpfsMb: 16,
  maxLogBytes: 8 * 1024 * 1024,
  maxResultBytes: 256 * 1024 * 1024,
});

/** Smallest memory a Node supervisor plus one worker can start in. */
const MIN_MEMORY_MB = 96;

export function resolveLimits(...overrides: (Partial<SandboxLimits> | undefined)[]): SandboxLimits {
  const merged: SandboxLimits = { ...DEFAULT_LIMITS };
  for (const o of overrides) {
    if (!o) continue;
    for (const [k, v] of Object.entries(o)) if (v !== undefined) (merged as unknown as Record<string, number>)[k] = v as number;
  }
  const problems: string[] = [];
  if (!(merged.memoryMb >= MIN_MEMORY_MB)) problems.push(`memoryMb must be at least ${MIN_MEMORY_MB}, got ${merged.memoryMb}`);
  if (!(merged.cpus > 0)) problems.push(`cpus must be > 0, got ${merged.cpus}`);
  if (!(Number.isInteger(merged.pids) && merged.pids >= 16)) problems.push(`pids must be an integer ≥ 16 (Node needs a few threads), got ${merged.pids}`);
  if (!(merged.timeMs > 0)) problems.push(`timeMs must be > 0, got ${merged.timeMs}`);
  if (!(merged.tmpfsMb >= 1)) problems.push(`tmpfsMb must be ≥ 1, got ${merged.tmpfsMb}`);
  if (!(merged.maxLogBytes >= 1024)) problems.push(`maxLogBytes must be ≥ 1024, got ${merged.maxLogBytes}`);
  if (!(merged.maxResultBytes >= 1024)) problems.push(`maxResultBytes must be ≥ 1024, got ${merged.maxResultBytes}`);
  if (problems.length) throw new RangeError(`Invalid sandbox limits: ${problems.join('; ')}.`);
  return merged;
}

/**
 * How the memory limit is split inside the sandbox: the strategy's worker
 * gets a V8 heap cap so a runaway allocation ends as a clear "out of memory"
 * error instead of a kernel kill; the supervisor keeps enough to serialise
 * the result. Off-heap allocations (typed arrays) still hit the container limit.
 */
export function heapBudget(memoryMb: number): { supervisorMb: number; workerMb: number } {
  return { supervisorMb: Math.max(32, Math.floor(memoryMb * 0.3)), workerMb: Math.max(32, Math.floor(memoryMb * 0.45)) };
}

/** A stable key for "containers started with these limits are interchangeable". */
export function limitsKey(l: SandboxLimits): string {
  return [l.memoryMb, l.cpus, l.pids, l.tmpfsMb].join('/');
}
