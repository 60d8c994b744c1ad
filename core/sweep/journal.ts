/**
 * The append-only journal of a sweep or walk-forward run: `.strategy-lab/sweeps/<id>/journal.jsonl`, one JSON
 * object per line, the first a header with the full key. The key is a SHA-256 of everything that decides the
 * variants' numbers (strategy source, data, run options, space, sampling, windows), so a changed input gets a new
 * journal and never reuses stale results. Each finished variant is one appended line (one write call); a crash
 * can leave only a torn last line, which is dropped with a warning (and cut off the file) when the journal is
 * reopened. docs/optimize.md, "Journal and resume".
 */
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BarSeries } from '../data/series';

export const SWEEPS_DIR = join('.strategy-lab', 'sweeps');
const SCHEMA = 'strategy-lab/sweep-journal@1';

/** SHA-256 of a value's canonical JSON (object keys sorted), hex. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 of the bars themselves (symbol, times, OHLCV): the same file re-read hashes the same, an edited bar does not. */
export function dataFingerprint(series: readonly BarSeries[]): string {
  const h = createHash('sha256');
  for (const s of series) {
    h.update(`${s.symbol}\0${s.length}\0`);
    for (const col of [s.time, s.open, s.high, s.low, s.close, s.volume, s.adjClose]) {
      if (col) h.update(new Uint8Array(col.buffer, col.byteOffset, s.length * 8));
      h.update('\0');
    }
  }
  return h.digest('hex');
}

export interface JournalEntry {
  kind: string;
  id?: string;
  [field: string]: unknown;
}

export interface OpenJournal {
  readonly dir: string;
  readonly file: string;
  /** Entries already journaled (the header excluded), in file order. */
  readonly entries: JournalEntry[];
  append(entry: JournalEntry): void;
}

/**
 * Opens (or creates) the journal for `key` under `root`. Unreadable lines are skipped with a warning; a torn
 * last line is also cut off so the next append starts on a clean line. A header with another key (a hash prefix
 * collision or a hand-edited file) is an error, never a silent reuse.
 */
export function openJournal(root: string, key: string, describe: Record<string, unknown>, onWarning: (message: string) => void): OpenJournal {
  const dir = join(root, SWEEPS_DIR, key.slice(0, 16));
  const file = join(dir, 'journal.jsonl');
  mkdirSync(dir, { recursive: true });
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const entries: JournalEntry[] = [];
  if (text === null || text.length === 0) {
    writeFileSync(file, `${JSON.stringify({ kind: 'header', schema: SCHEMA, key, created: new Date().toISOString(), ...describe })}\n`);
  } else {
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < text.length - 1) {
      onWarning(`The journal ${file} ended in a torn line (an interrupted write); it was dropped and that variant will run again.`);
      const fd = openSync(file, 'r+');
      try {
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, lastNewline + 1)));
      } finally {
        closeSync(fd);
      }
      text = text.slice(0, lastNewline + 1);
    }
    const lines = text.split('\n').filter((l) => l.length > 0);
    lines.forEach((line, i) => {
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        if (i === 0) throw new Error(`The header of ${file} is unreadable, so its results cannot be matched to this sweep. Delete ${dir} to start afresh.`);
        onWarning(`Line ${i + 1} of ${file} is not valid JSON; it was skipped (that variant will run again).`);
        return;
      }
      if (i === 0) {
        if (entry.kind !== 'header' || entry.key !== key) {
          throw new Error(`${file} belongs to another sweep (its header does not carry this sweep's key). Move it away or delete ${dir} to start afresh.`);
        }
        return;
      }
      if (entry && typeof entry === 'object' && typeof entry.kind === 'string') entries.push(entry);
    });
    if (lines.length === 0) writeFileSync(file, `${JSON.stringify({ kind: 'header', schema: SCHEMA, key, created: new Date().toISOString(), ...describe })}\n`);
  }
  return {
    dir,
    file,
    entries,
    // One write per entry: a crash tears at most the line being written, never an earlier one.
    append: (entry) => appendFileSync(file, `${JSON.stringify(entry)}\n`),
  };
}
