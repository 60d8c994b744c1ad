/**
 * Parsed CSV files, kept as binary columns so a re-run of a large file skips parsing (a 1 M-row, 60 MB CSV parses
 * in ~0.3 s; its columns load in a few tens of ms). One entry per file:
 *
 *   <cache>/parsed-csv/<sha256 of path, size, mtime, inode, symbol>.cols   (format: binary.ts)
 *
 * The key holds the file's size and modification time, so an edited or replaced file is a miss and is parsed
 * again. Writes are atomic (temp file + rename): a reader sees a whole entry or none. A damaged entry (checksum,
 * size, header) is a miss: it is removed and written anew. Only files of at least `minBytes` are cached (a
 * smaller file parses faster than an entry loads), and past `maxEntries` entries or `maxTotalBytes` on disk the
 * least recently written go. A cache that cannot be written only makes the next run slower.
 *
 * The process also keeps the series it loaded (`memoryBytes`, least recently used first out), under the same key:
 * the extension host lives for a session, and its re-runs of a large file then skip reading and checking the entry
 * (~0.3 s for a million bars). The file is still stat'ed on every load, so an edit is a miss here too. Nothing
 * writes into a loaded series' columns (strategies get values, engine/views.ts), so sharing them is safe.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CorruptFileError, decodeBars, encodeBarParts } from './binary';
import { MAX_CSV_BYTES, loadCsv, type CsvOptions } from './csv';
import type { BarSeries } from './series';

export interface CsvCacheOptions {
  /** Cache root (the data cache's); entries go to `<cacheDir>/parsed-csv/`. */
  cacheDir: string;
  /** Files smaller than this are parsed every time. Default 1 MiB. */
  minBytes?: number;
  /** Default 16. */
  maxEntries?: number;
  /** Default 4 GiB (a 20 M-bar file is ~1 GB of columns). */
  maxTotalBytes?: number;
  /** Columns kept in this process's memory across loads; default 256 MiB (five 1 M-bar files), 0 keeps none. */
  memoryBytes?: number;
}

/** Bump when the key or the entry layout changes: old entries are then never read. */
const FORMAT = 1;
const SUFFIX = '.cols';
const DEFAULTS = { minBytes: 1 << 20, maxEntries: 16, maxTotalBytes: 4 * 1024 ** 3, memoryBytes: 256 * 1024 ** 2 };

/** What an entry records about the file it was parsed from; a read checks it against the file as it is now. */
interface Origin {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  symbol: string | null;
}

/** loadCsv through the parsed-data cache: the same series (values, symbol, source label) and the same errors. */
export async function loadCsvCached(path: string, csvOptions: CsvOptions, cache: CsvCacheOptions): Promise<BarSeries> {
  const file = resolve(path);
  const before = await stat(file).catch(() => null);
  const minBytes = cache.minBytes ?? DEFAULTS.minBytes;
  // Anything odd (missing, a folder, too small to be worth it) goes straight to loadCsv, which words the errors.
  if (!before || !before.isFile() || before.size < minBytes || before.size > (csvOptions.maxBytes ?? MAX_CSV_BYTES)) return loadCsv(path, csvOptions);
  const origin: Origin = { path: file, size: before.size, mtimeMs: before.mtimeMs, ino: before.ino, symbol: csvOptions.symbol ?? null };
  const dir = join(cache.cacheDir, 'parsed-csv');
  const entry = join(dir, `${keyOf(origin)}${SUFFIX}`);
  const key = entry; // in memory as on disk: the same file, symbol and cache
  const labelled = (s: BarSeries) => (csvOptions.source ? { ...s, source: csvOptions.source } : s);
  const kept = memory.get(key);
  if (kept) {
    memory.delete(key); // most recently used last
    memory.set(key, kept);
    return labelled(kept.series);
  }
  const hit = await readEntry(entry, origin);
  if (hit) {
    keep(key, hit, cache.memoryBytes ?? DEFAULTS.memoryBytes);
    return labelled(hit);
  }
  const series = await loadCsv(path, csvOptions);
  const after = await stat(file).catch(() => null);
  // Changed while it was read: the key would not describe these bars.
  if (after && after.size === before.size && after.mtimeMs === before.mtimeMs) {
    await writeEntry(dir, entry, series, origin, cache);
    keep(key, series, cache.memoryBytes ?? DEFAULTS.memoryBytes);
  }
  return series;
}

/** Series loaded in this process by entry path, least recently used first. */
const memory = new Map<string, { series: BarSeries; bytes: number }>();
let memoryTotal = 0;

function keep(key: string, series: BarSeries, budget: number): void {
  const bytes = [series.time, series.open, series.high, series.low, series.close, series.volume, series.adjClose].reduce((n, c) => n + (c?.byteLength ?? 0), 0);
  if (bytes > budget) return;
  memory.set(key, { series, bytes });
  memoryTotal += bytes;
  for (const [k, v] of memory) {
    if (memoryTotal <= budget) break;
    memory.delete(k);
    memoryTotal -= v.bytes;
  }
}

/** Forgets every series kept in memory (tests; a process that wants its memory back). */
export function clearCsvMemory(): void {
  memory.clear();
  memoryTotal = 0;
}

function keyOf(origin: Origin): string {
  return createHash('sha256').update(JSON.stringify([FORMAT, origin.path, origin.size, origin.mtimeMs, origin.ino, origin.symbol])).digest('hex');
}

async function readEntry(entry: string, origin: Origin): Promise<BarSeries | null> {
  let buf: Buffer;
  try {
    buf = await readFile(entry);
  } catch {
    return null;
  }
  try {
    const { header, series } = decodeBars(buf);
    const stored = (header as { origin?: Origin }).origin;
    if (!stored || JSON.stringify(stored) !== JSON.stringify(origin)) throw new CorruptFileError('entry of another file');
    return series;
  } catch (error) {
    if (!(error instanceof CorruptFileError)) throw error;
    await unlink(entry).catch(() => undefined); // rewritten by this run
    return null;
  }
}

async function writeEntry(dir: string, entry: string, series: BarSeries, origin: Origin, cache: CsvCacheOptions): Promise<void> {
  const tmp = `${entry}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    const header = {
      provider: 'csv', symbol: series.symbol, interval: '', adjusted: false,
      coveredFrom: series.length ? series.time[0] : 0, coveredTo: series.length ? series.time[series.length - 1] + 1 : 0,
      source: series.source, writtenAt: new Date().toISOString(), origin,
    };
    // No fsync: a torn entry after a crash fails its checksum and is parsed again; durability buys nothing here.
    // Written from the columns' own memory, part by part: no 48 MB-per-million-bars copy into one buffer first.
    await writeFile(tmp, encodeBarParts(series, header));
    await rename(tmp, entry);
    await prune(dir, cache);
  } catch {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Keeps the newest entries within the count and size limits. */
async function prune(dir: string, cache: CsvCacheOptions): Promise<void> {
  const maxEntries = cache.maxEntries ?? DEFAULTS.maxEntries;
  const maxTotal = cache.maxTotalBytes ?? DEFAULTS.maxTotalBytes;
  const names = (await readdir(dir)).filter((n) => n.endsWith(SUFFIX));
  const entries = (await Promise.all(names.map(async (n) => {
    const s = await stat(join(dir, n)).catch(() => null);
    return s ? { path: join(dir, n), size: s.size, t: s.mtimeMs } : null;
  }))).filter((e) => e !== null).sort((a, b) => b.t - a.t);
  let total = 0;
  for (const [i, e] of entries.entries()) {
    total += e.size;
    if (i >= maxEntries || (i > 0 && total > maxTotal)) await unlink(e.path).catch(() => undefined);
  }
}
