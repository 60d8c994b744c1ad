/**
 * A parameter sweep of one strategy: the variants drawn from the space run on a VariantEngine (resuming from the
 * journal), ranked by the objective under the constraints, with the honest-trials figures — the number of
 * variants tried, the PBO by CSCV and the deflated Sharpe of the best. docs/optimize.md.
 */
import type { BarSeries } from '../data/series';
import type { StrategyParams } from '../sdk/types';
import type { CompiledStrategy } from '../strategy/compile';
import type { VariantBatch, VariantEngine } from '../run/variants';
import { deflatedSharpe } from '../evaluate/verdict/stats';
import { executeVariants, type Progress } from './execute';
import { dataFingerprint, hashOf, openJournal, type JournalEntry } from './journal';
import { cscv, DEFAULT_SPLITS, type PboResult } from './pbo';
import { bestOf, failedRecord, rankVariants, type Constraints, type Objective, type RankedVariant, type VariantRecord } from './score';
import { gridSize, sampleVariants, type ParamDimension, type Sampling } from './space';

/** What a sweep and a walk-forward both take. */
export interface SweepInputs {
  compiled: CompiledStrategy;
  /** The strategy's source: part of the journal key. */
  source: string;
  series: BarSeries[];
  options: VariantBatch['options'];
  space: ParamDimension[];
  sampling: Sampling;
  objective: Objective;
  constraints: Constraints;
  engine: VariantEngine;
  /** Folder holding `.strategy-lab/` for the journal; none: nothing is journaled (nothing to resume). */
  journalRoot?: string;
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
  /** Called each time a variant runs (tests count runs with it). */
  onRun?: (id: string) => void;
  /**
   * Adds the variants tried to the strategy's trial count (RunStore.addTrials) and returns the new total; called
   * once per journal (a resumed or repeated run adds 0). Default: no history, the trial count is this run's variants.
   */
  countTrials?: (variants: number) => Promise<number>;
}

export interface SweepRequest extends SweepInputs {
  /** CSCV blocks S (even). */
  splits?: number;
  onProgress?: (p: Progress) => void;
}

export interface SweepResult {
  /** The journal key (SHA-256) and its folder, when journaled. */
  key: string;
  journal?: string;
  objective: Objective;
  constraints: Constraints;
  /** Variants tried (ran, or failed): every one counts as a trial. */
  variantsTried: number;
  gridSize: number;
  resumed: number;
  ranked: RankedVariant[];
  best: RankedVariant | null;
  pbo: PboResult;
  /** Deflated Sharpe of the best variant over `trials` (the strategy's whole count, this sweep included). */
  deflatedSharpe: number | null;
  trials: number;
}

/** The journal key of a sweep: everything that decides the variants' numbers. Objective and constraints only rank them. */
export function sweepKey(req: Pick<SweepRequest, 'source' | 'series' | 'options' | 'space' | 'sampling' | 'splits'>, kind = 'sweep'): string {
  return hashOf({ kind, source: hashOf(req.source), data: dataFingerprint(req.series), options: req.options, space: req.space, sampling: req.sampling, splits: req.splits ?? DEFAULT_SPLITS });
}

export async function runSweep(req: SweepRequest): Promise<SweepResult> {
  const splits = req.splits ?? DEFAULT_SPLITS;
  const specs = sampleVariants(req.space, req.sampling);
  const key = sweepKey(req);
  const journal = req.journalRoot
    ? openJournal(req.journalRoot, key, { what: 'optimize', space: req.space, sampling: req.sampling, variants: specs.length }, req.onWarning ?? (() => {}))
    : undefined;
  const entries = await executeVariants({
    engine: req.engine,
    compiled: req.compiled,
    series: req.series,
    options: req.options,
    variants: specs.map((s) => ({ id: s.id, params: s.params })),
    splits,
    failedEntryOf: (v, error) => ({ kind: 'variant', ...failedRecord(v.id, (v.params ?? {}) as StrategyParams, error) }),
    journal,
    signal: req.signal,
    onProgress: req.onProgress,
    onRun: req.onRun,
  });
  const records = specs.map((s) => recordFromEntry(entries.get(s.id)!));
  const ranked = rankVariants(records, req.objective, req.constraints);
  const best = bestOf(ranked);
  const ran = records.filter((r) => r.ok && r.blocks);
  const pbo = cscv(ran.map((r) => r.blocks!), splits);
  const trials = await countOnce(journal, records.length, req.countTrials);
  return {
    key,
    journal: journal?.dir,
    objective: req.objective,
    constraints: req.constraints,
    variantsTried: records.length,
    gridSize: gridSize(req.space),
    resumed: countResumed(journal, specs.map((s) => s.id)),
    ranked,
    best,
    pbo,
    deflatedSharpe: deflatedOf(best, trials),
    trials,
  };
}

function countResumed(journal: ReturnType<typeof openJournal> | undefined, ids: string[]): number {
  if (!journal) return 0;
  const set = new Set(journal.entries.filter((e) => e.kind === 'variant' && e.ok !== false).map((e) => e.id));
  return ids.filter((id) => set.has(id)).length;
}

export function recordFromEntry(entry: JournalEntry): VariantRecord {
  const { kind: _kind, ...record } = entry;
  return record as unknown as VariantRecord;
}

/** The deflated Sharpe of a variant over `trials` variants (core/evaluate/verdict/stats.ts). */
export function deflatedOf(r: VariantRecord | null, trials: number): number | null {
  if (!r?.moments || r.periodSharpe === null) return null;
  return deflatedSharpe(r.periodSharpe, r.moments.n, r.moments.skew, r.moments.kurtosis, Math.max(1, trials));
}

/**
 * Counts the trials once per journal: the first time a sweep completes, `count` adds them to the history and a
 * `trials` line records it; a resumed or repeated sweep adds 0 and reads the current total.
 */
export async function countOnce(journal: ReturnType<typeof openJournal> | undefined, variants: number, count?: (n: number) => Promise<number>): Promise<number> {
  if (!count) return variants;
  // Already counted by an earlier run of this journal: add nothing, read the current total.
  if (journal?.entries.some((e) => e.kind === 'trials')) return count(0);
  const total = await count(variants);
  journal?.append({ kind: 'trials', variants, total });
  return total;
}
