/**
 * Runs the variants a journal does not hold yet on a VariantEngine (from `variantEngineFor`), journals each one
 * as it finishes, and reports progress with an ETA. Sweeps and walk-forward both go through here, so resume,
 * cancel and progress behave the same in both.
 */
import type { BarSeries } from '../data/series';
import type { CompiledStrategy } from '../strategy/compile';
import type { Variant, VariantBatch, VariantEngine, VariantSummary } from '../run/variants';
import type { JournalEntry, OpenJournal } from './journal';
import { recordOf, type VariantRecord } from './score';

export interface Progress {
  /** Variants finished, those found in the journal included. */
  done: number;
  total: number;
  /** Variants taken from the journal (not run again). */
  resumed: number;
  elapsedMs: number;
  /** Estimated time left, from the pace of this session's runs; null before the first one finishes. */
  etaMs: number | null;
}

export interface ExecuteRequest {
  engine: VariantEngine;
  compiled: CompiledStrategy;
  series: BarSeries[];
  options: VariantBatch['options'];
  variants: Variant[];
  /**
   * 'record' (default): each run comes back as its record, reduced where it ran (a few hundred bytes);
   * 'summary': its equity curve comes back too (walk-forward's out-of-sample runs, which are stitched).
   */
  detail?: 'record' | 'summary';
  /** CSCV blocks in each record (sweeps that compute the PBO). */
  splits?: number;
  /**
   * Makes the journal entry of a finished variant (`kind: 'variant'`); `summary` only with detail 'summary'.
   * Default: the record itself.
   */
  entryOf?: (variant: Variant, record: VariantRecord, summary?: VariantSummary) => JournalEntry;
  failedEntryOf: (variant: Variant, error: string) => JournalEntry;
  journal?: OpenJournal;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Called each time a variant runs (tests count runs with it). */
  onRun?: (id: string) => void;
  now?: () => number;
}

/** Variants handed to the engine at once: bounds memory (summaries hold equity curves) while keeping batches large. */
export const CHUNK = 256;

/**
 * Every variant's entry, keyed by id: journaled ones as they were, the rest run now. A failed variant is
 * journaled too but run again on resume (the failure may have been the machine's, not the strategy's).
 * Cancelling throws (the engine's abort) after journaling what finished.
 */
export async function executeVariants(req: ExecuteRequest): Promise<Map<string, JournalEntry>> {
  const now = req.now ?? Date.now;
  const entryOf = req.entryOf ?? ((_v: Variant, record: VariantRecord): JournalEntry => ({ kind: 'variant', ...record }));
  const wanted = new Set(req.variants.map((v) => v.id));
  const entries = new Map<string, JournalEntry>();
  for (const e of req.journal?.entries ?? []) {
    if (e.kind === 'variant' && e.id !== undefined && wanted.has(e.id) && e.ok !== false) entries.set(e.id, e);
  }
  const pending = req.variants.filter((v) => !entries.has(v.id));
  const total = req.variants.length;
  const resumed = total - pending.length;
  const started = now();
  let ran = 0;
  const report = () => {
    const elapsedMs = now() - started;
    const left = pending.length - ran;
    req.onProgress?.({ done: resumed + ran, total, resumed, elapsedMs, etaMs: ran > 0 ? (elapsedMs / ran) * left : left === 0 ? 0 : null });
  };
  report();
  for (let at = 0; at < pending.length; at += CHUNK) {
    req.signal?.throwIfAborted();
    const chunk = pending.slice(at, at + CHUNK);
    const byId = new Map(chunk.map((v) => [v.id, v]));
    await req.engine.run({
      compiled: req.compiled,
      series: req.series,
      options: req.options,
      variants: chunk,
      detail: req.detail ?? 'record',
      ...(req.splits ? { splits: req.splits } : {}),
      signal: req.signal,
      onOutcome: (outcome) => {
        const variant = byId.get(outcome.id);
        if (!variant) return;
        req.onRun?.(outcome.id);
        let entry: JournalEntry;
        if (!outcome.ok) entry = req.failedEntryOf(variant, outcome.error);
        else if (outcome.record) entry = entryOf(variant, { id: variant.id, ...outcome.record });
        else if (outcome.summary) entry = entryOf(variant, recordOf(variant.id, outcome.summary, req.splits), outcome.summary);
        else throw new Error(`The ${req.engine.name} engine returned a full result for a ${req.detail ?? 'record'} batch (variant ${outcome.id}).`);
        req.journal?.append(entry);
        entries.set(outcome.id, entry);
        ran++;
        report();
      },
    });
  }
  return entries;
}

/** "12 s", "3 min 20 s", "1 h 05 min". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** One progress line: "1,234/10,000 variants (12 %) · 40 s elapsed · ETA 4 min 50 s (200 from the journal)". */
export function progressLine(p: Progress, noun = 'variants'): string {
  const pct = p.total ? Math.floor((p.done / p.total) * 100) : 100;
  const eta = p.etaMs === null ? 'ETA …' : `ETA ${formatDuration(p.etaMs)}`;
  const resumed = p.resumed ? ` (${p.resumed.toLocaleString('en-US')} from the journal)` : '';
  return `${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} ${noun} (${pct} %) · ${formatDuration(p.elapsedMs)} elapsed · ${eta}${resumed}`;
}

/**
 * A filter for progress reports that go to a screen: the first, the last (done = total), and otherwise at most
 * one per `intervalMs`. Variants finish up to thousands a second; a notification or a webview re-rendered for
 * each one would slow the sweep it reports on.
 */
export function progressGate(intervalMs: number, now: () => number = Date.now): (p: Pick<Progress, 'done' | 'total'>) => boolean {
  let last: number | undefined;
  return (p) => {
    const t = now();
    if (last !== undefined && p.done < p.total && t - last < intervalMs) return false;
    last = t;
    return true;
  };
}
