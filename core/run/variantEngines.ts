/**
 * The two simple VariantEngines: in this process (trusted code: tests,
 * benchmarks, `--sandbox none --trust`) and one sandbox run per variant (any
 * mode, the baseline a batched sandbox engine must beat). Both produce the
 * same outcomes for the same batch; engines that batch inside one sandbox live
 * beside the sandbox code.
 */
import { withoutFullColumns } from '../engine/equityCurve';
import { runInThisProcess, runStrategy, summarizeInThisProcess, type SandboxMode } from './runStrategy';
import type { SandboxRunner } from '../sandbox/runner';
import { recordAsSent } from '../sandbox/result-codec';
import { summaryRecord } from '../sweep/score';
import { strategyModule, type StrategyClass } from '../strategy/load';
import { seriesInWindow, summarize, variantOptions, type VariantBatch, type VariantEngine, type VariantOutcome, type VariantSummary } from './variants';

/** Runs every variant with `runOne` (bounded concurrency), keeping input order in the returned array. */
export async function runVariantsWith(
  batch: VariantBatch,
  concurrency: number,
  runOne: (index: number) => Promise<VariantOutcome>,
): Promise<VariantOutcome[]> {
  const total = batch.variants.length;
  const outcomes: VariantOutcome[] = new Array(total);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      batch.signal?.throwIfAborted();
      const outcome = await runOne(i);
      outcomes[i] = outcome;
      done++;
      batch.onOutcome?.(outcome, done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, total)) }, worker));
  batch.signal?.throwIfAborted();
  return outcomes;
}

/** A variant's summary as the outcome its batch asked for: the summary itself, or its record (as a sandbox sends it). */
function summaryOutcome(id: string, batch: VariantBatch, summary: VariantSummary): VariantOutcome {
  return batch.detail === 'record' ? { id, ok: true, record: recordAsSent(summaryRecord(summary, batch.splits)) } : { id, ok: true, summary };
}

function failure(id: string, err: unknown): VariantOutcome {
  return { id, ok: false, error: err instanceof Error ? err.message : String(err) };
}

/** Trusted code only: every variant runs in this process, one after another (the loop is synchronous). */
export function inProcessEngine(): VariantEngine {
  return {
    name: 'in-process',
    run: (batch) => {
      // Compiled once per batch, evaluated afresh per variant (as the sandbox's batch worker does).
      let module: (() => StrategyClass) | undefined;
      const loadClass = () => (module ??= strategyModule(batch.compiled.js, batch.compiled.fileName))();
      return runVariantsWith(batch, 1, async (i) => {
        const variant = batch.variants[i];
        try {
          const request = {
            loadClass,
            compiled: batch.compiled,
            series: seriesInWindow(batch.series, variant.window),
            options: { ...variantOptions(batch.options, variant), onLog: () => {} },
            signal: batch.signal,
          };
          if (batch.detail === 'full') return { id: variant.id, ok: true, result: runInThisProcess(request) };
          if (batch.detail === 'drawable') return { id: variant.id, ok: true, result: withoutFullColumns(runInThisProcess({ ...request, equity: 'drawable' })) };
          return summaryOutcome(variant.id, batch, summarizeInThisProcess(request));
        } catch (err) {
          if (batch.signal?.aborted) throw err;
          return failure(variant.id, err);
        }
      });
    },
    dispose: async () => {},
  };
}

/** Each variant is its own sandbox run (`runStrategy`), `concurrency` at a time. */
export function perRunEngine(mode: SandboxMode, runner: SandboxRunner | undefined, concurrency: number): VariantEngine {
  return {
    name: 'per-run',
    run: (batch) =>
      runVariantsWith(batch, concurrency, async (i) => {
        const variant = batch.variants[i];
        try {
          const result = await runStrategy({
            compiled: batch.compiled,
            series: seriesInWindow(batch.series, variant.window),
            options: variantOptions(batch.options, variant),
            mode,
            runner,
            signal: batch.signal,
            onLog: () => {},
            ...(batch.detail === 'drawable' ? { equity: 'drawable' as const } : {}),
          });
          if (batch.detail === 'full') return { id: variant.id, ok: true, result };
          if (batch.detail === 'drawable') return { id: variant.id, ok: true, result: withoutFullColumns(result) };
          return summaryOutcome(variant.id, batch, summarize(result));
        } catch (err) {
          if (batch.signal?.aborted) throw err;
          return failure(variant.id, err);
        }
      }),
    dispose: async () => {},
  };
}
