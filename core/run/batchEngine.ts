/**
 * The batched sandbox engine (`docker-batch`, `process-batch`): the variants of one strategy split into one
 * batch per core, each batch ONE sandbox job (the compiled strategy, the bars once, its variants) in a fresh
 * warm container or process (SandboxRunner.runBatch). Variants are one trust domain, so they share a sandbox;
 * the runtime still evaluates the module afresh and resets the realm before each one, so every outcome equals
 * a separate run's (docs/sandbox.md, "Batches").
 *
 * When a variant stops its sandbox (time limit, memory, crash, a tampered channel) that variant fails with the
 * error a separate run would give and the rest of its batch runs on in a new sandbox: no variant is lost.
 */
import { SandboxError } from '../sandbox/errors';
import { SandboxRunner, type SandboxBatchRequest, type SandboxSettings } from '../sandbox/runner';
import type { BatchJobEnd } from '../sandbox/batch-job';
import type { BatchSpec, BatchVariant } from '../sandbox/protocol';
import type { DecodedOutcome } from '../sandbox/result-codec';
import type { Variant, VariantBatch, VariantEngine, VariantOutcome } from './variants';

export interface BatchEngineOptions {
  mode: 'docker' | 'process';
  /** The caller's long-lived runner (warm pool); without one the engine keeps its own until dispose(). */
  runner?: SandboxRunner;
  settings?: SandboxSettings;
  /** Batches in flight at once (default: 2, this machine's cores). */
  concurrency?: number;
  /** Bar-runs worth a sandbox of their own (default BAR_RUNS_PER_SANDBOX; tests lower it to force a split). */
  barRunsPerSandbox?: number;
}

/** What crosses into the sandbox for a variant (its id stays on the host). */
export function batchVariant(v: Variant): BatchVariant {
  return { ...(v.params ? { params: v.params } : {}), ...(v.options ? { options: v.options } : {}), ...(v.window ? { window: v.window } : {}) };
}

/** A decoded outcome as the contract's VariantOutcome. */
export function variantOutcome(id: string, o: DecodedOutcome): VariantOutcome {
  if (!o.ok) return { id, ok: false, error: o.error };
  if ('result' in o) return { id, ok: true, result: o.result };
  return 'record' in o ? { id, ok: true, record: o.record } : { id, ok: true, summary: o.summary };
}

/** The variants [from, end) of a batch as one sandbox job's BatchSpec. */
export function batchSpec(batch: Pick<VariantBatch, 'detail' | 'variants' | 'splits'>, from = 0, end = batch.variants.length): BatchSpec {
  return { detail: batch.detail, variants: batch.variants.slice(from, end).map(batchVariant), ...(batch.splits ? { splits: batch.splits } : {}) };
}

/** [start, end) index ranges: `n` items in `parts` contiguous, nearly equal parts. */
export function splitRanges(n: number, parts: number): [number, number][] {
  const k = Math.max(1, Math.min(parts, n));
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) out.push([Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)]);
  return out.filter(([a, b]) => b > a);
}

/**
 * Bar-runs (bars × variants) worth a sandbox of their own. Starting a second sandbox costs a container start and
 * a JIT warm-up (~0.2–0.5 s here: docs/performance.md), the time the loop needs for roughly this many bar-runs;
 * a smaller batch (an evaluation's 14 re-runs of 20 years of daily bars: ~30,000) runs fastest in ONE warm one.
 */
export const BAR_RUNS_PER_SANDBOX = 500_000;

/** How many sandboxes a batch is spread over: one per core, but never more than the work pays for. */
export function batchParts(batch: Pick<VariantBatch, 'series' | 'variants'>, concurrency: number, barRunsPerSandbox = BAR_RUNS_PER_SANDBOX): number {
  const bars = batch.series.reduce((n, s) => n + s.length, 0);
  return Math.max(1, Math.min(concurrency, batch.variants.length, Math.floor((bars * batch.variants.length) / barRunsPerSandbox)));
}

export function sandboxBatchEngine(options: BatchEngineOptions): VariantEngine {
  const own = options.runner ? undefined : new SandboxRunner({ ...options.settings, mode: options.mode, poolSize: options.settings?.poolSize ?? 0 });
  const runner = options.runner ?? own!;
  return batchRunnerEngine({
    name: options.mode === 'docker' ? 'docker-batch' : 'process-batch',
    runBatch: (req) => runner.runBatch({ ...req, mode: options.mode }),
    concurrency: options.concurrency ?? 2,
    barRunsPerSandbox: options.barRunsPerSandbox,
    dispose: async () => {
      await own?.dispose();
    },
  });
}

/** One batch job somewhere (a local sandbox, a Swarm task): what batchRunnerEngine needs of a place to run. */
export type BatchRunner = (req: Omit<SandboxBatchRequest, 'mode'>) => Promise<BatchJobEnd>;

/** Times the variants left after an infrastructure failure (a Swarm task rejected, a node lost) are retried before they are reported failed. */
export const INFRA_RETRIES = 2;

/**
 * A VariantEngine over any BatchRunner: splits the variants into contiguous batches (batchParts), runs them
 * concurrently, streams outcomes in completion order, and keeps going after a failure: the variant that stopped
 * its sandbox fails with that error and the rest of its batch runs in a new one; after an infrastructure
 * failure the rest is retried (INFRA_RETRIES) and then reported failed, never dropped.
 */
export function batchRunnerEngine(spec: { name: VariantEngine['name']; runBatch: BatchRunner; concurrency: number; barRunsPerSandbox?: number; dispose: () => Promise<void> }): VariantEngine {
  const concurrency = Math.max(1, spec.concurrency);
  const options = { barRunsPerSandbox: spec.barRunsPerSandbox };
  const runner = { runBatch: spec.runBatch };
  return {
    name: spec.name,
    async run(batch: VariantBatch): Promise<VariantOutcome[]> {
      batch.signal?.throwIfAborted();
      const total = batch.variants.length;
      const outcomes: VariantOutcome[] = new Array(total);
      let done = 0;
      const report = (i: number, outcome: VariantOutcome) => {
        outcomes[i] = outcome;
        done++;
        batch.onOutcome?.(outcome, done, total);
      };
      const runRange = async (start: number, end: number): Promise<void> => {
        let next = start;
        let infraFailures = 0;
        while (next < end) {
          const from = next;
          let ended;
          try {
            ended = await runner.runBatch({
              compiled: batch.compiled,
              series: batch.series,
              options: batch.options,
              batch: batchSpec(batch, from, end),
              signal: batch.signal,
              onOutcome: (k, o) => report(from + k, variantOutcome(batch.variants[from + k].id, o)),
            });
          } catch (err) {
            if (batch.signal?.aborted) throw err;
            // No sandbox for this batch (engine down, image missing): every remaining variant fails with why.
            const message = err instanceof Error ? err.message : String(err);
            for (let i = next; i < end; i++) report(i, { id: batch.variants[i].id, ok: false, error: message });
            return;
          }
          next = from + ended.outcomes;
          if (ended.infra && ended.error && next < end) {
            if (++infraFailures <= INFRA_RETRIES) continue;
            for (let i = next; i < end; i++) report(i, { id: batch.variants[i].id, ok: false, error: `${ended.error.message} (tried ${INFRA_RETRIES + 1} times)` });
            return;
          }
          if (ended.error && next < end) {
            report(next, { id: batch.variants[next].id, ok: false, error: ended.error.message });
            next++;
          }
        }
      };
      // Every range has settled (its sandbox killed and released) before this returns, also on cancel.
      const ranges = await Promise.allSettled(splitRanges(total, batchParts(batch, concurrency, options.barRunsPerSandbox)).map(([a, b]) => runRange(a, b)));
      const failed = ranges.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        // Cancelled: the same AbortError the other engines throw (the sandbox says 'cancelled').
        batch.signal?.throwIfAborted();
        const err = failed.reason as unknown;
        if (err instanceof SandboxError && err.kind === 'cancelled') throw Object.assign(new Error('The batch was cancelled.'), { name: 'AbortError' });
        throw err;
      }
      batch.signal?.throwIfAborted();
      return outcomes;
    },
    dispose: spec.dispose,
  };
}
