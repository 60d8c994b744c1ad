/**
 * On-disk bar cache, one file per (provider, symbol, interval, adjustment):
 *
 *   <dir>/<provider>/<SYMBOL>~<interval>~<adj|raw>.bars   (format: binary.ts)
 *
 * Guarantees: a file records the exact time range it covers, so a later request only
 * fetches what is missing before/after it; writes go to a temp file, are fsynced and
 * renamed into place (readers see the old or the new file, never half of one); writers
 * take a lock file and merge with whatever is on disk at that moment, so concurrent
 * writers do not lose each other's bars; a corrupt file (bad checksum, truncated) is
 * deleted with a warning and fetched again; a bar still forming (its period not over
 * yet) is returned to the caller but never stored.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CorruptFileError, decodeBars, decodeHeader, encodeBars, type BarFileHeader } from './binary';
import { formatInstant } from './dates';
import { DataError, isDataError } from './errors';
import { INTERVAL_MS, type Interval } from './interval';
import { acquireLock, type LockOptions } from './lock';
import { mergeSeries, sameBar } from './merge';
import type { BarRequest, DataProvider } from './provider';
import { checkRequest } from './request';
import { createSeries, lowerBound, sliceSeries, type BarSeries } from './series';

export interface CacheKey {
  provider: string;
  symbol: string;
  interval: Interval;
  adjusted: boolean;
}

export interface CacheEntry {
  key: CacheKey;
  series: BarSeries;
  coveredFrom: number;
  coveredTo: number;
}

export interface CacheListing extends CacheKey {
  path: string;
  bars: number;
  bytes: number;
  coveredFrom: number;
  coveredTo: number;
  writtenAt: string;
}

export interface CacheOptions {
  /** Clock (ms); tests pin it. */
  now?: () => number;
  /** Where warnings go (corrupt file dropped, lock timeout). Default: ignored. */
  onWarning?: (message: string) => void;
  lock?: LockOptions;
}

/** `STRATEGY_LAB_CACHE_DIR`, else `~/.cache/strategy-lab`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.STRATEGY_LAB_CACHE_DIR || join(homedir(), '.cache', 'strategy-lab');
}

const FILE_SUFFIX = '.bars';

/** File-name-safe symbol: keeps letters, digits and `.-^=`, escapes the rest as %XX. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9.\-^=]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export class BarCache {
  private readonly now: () => number;
  /** Where this cache's warnings go (CacheOptions.onWarning); CachedProvider reports offline use through it. */
  readonly warn: (message: string) => void;

  constructor(readonly dir: string, private readonly options: CacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.warn = options.onWarning ?? (() => undefined);
  }

  pathFor(key: CacheKey): string {
    return join(this.dir, safeName(key.provider), `${safeName(key.symbol)}~${key.interval}~${key.adjusted ? 'adj' : 'raw'}${FILE_SUFFIX}`);
  }

  /** The cached entry, or null when absent or corrupt (a corrupt file is removed, with a warning). */
  async read(key: CacheKey): Promise<CacheEntry | null> {
    const path = this.pathFor(key);
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.warn(`Cache file ${path} unreadable (${(error as Error).message}); fetching instead.`);
      return null;
    }
    try {
      const { header, series } = decodeBars(buf);
      if (header.provider !== key.provider || header.symbol !== key.symbol || header.interval !== key.interval || header.adjusted !== key.adjusted) {
        throw new CorruptFileError('header does not match its file name');
      }
      return { key, series, coveredFrom: header.coveredFrom, coveredTo: header.coveredTo };
    } catch (error) {
      if (!(error instanceof CorruptFileError)) throw error;
      this.warn(`Cache file ${path} is corrupt (${error.message}); discarded, the data will be fetched again.`);
      await unlink(path).catch(() => undefined);
      return null;
    }
  }

  /**
   * Stores bars covering `[coveredFrom, coveredTo)`, merged under the lock with what is
   * on disk now (if the two ranges touch; otherwise the new range replaces the old).
   * Returns false (with a warning) when the lock could not be had: nothing is lost but
   * this top-up, which a later run fetches again.
   */
  async write(key: CacheKey, series: BarSeries, coveredFrom: number, coveredTo: number): Promise<boolean> {
    if (!(coveredTo > coveredFrom)) return false;
    const path = this.pathFor(key);
    await mkdir(dirname(path), { recursive: true });
    const release = await acquireLock(`${path}.lock`, this.options.lock);
    if (!release) {
      this.warn(`Cache busy: could not lock ${path}; these bars were not cached this time.`);
      return false;
    }
    try {
      let merged = sliceSeries(series, coveredFrom, coveredTo - 1);
      let from = coveredFrom;
      let to = coveredTo;
      const existing = await this.read(key);
      if (existing && existing.coveredFrom <= coveredTo && existing.coveredTo >= coveredFrom) {
        merged = mergeSeries(existing.series, merged, coveredFrom, coveredTo);
        from = Math.min(from, existing.coveredFrom);
        to = Math.max(to, existing.coveredTo);
      }
      const header: Omit<BarFileHeader, 'format' | 'length' | 'columns' | 'sha256'> = {
        provider: key.provider, symbol: key.symbol, interval: key.interval, adjusted: key.adjusted,
        coveredFrom: from, coveredTo: to, source: series.source, writtenAt: new Date(this.now()).toISOString(),
      };
      await writeAtomic(path, encodeBars(merged, header));
      return true;
    } finally {
      await release();
    }
  }

  async list(): Promise<CacheListing[]> {
    const out: CacheListing[] = [];
    let providers: string[];
    try {
      providers = await readdir(this.dir);
    } catch {
      return out;
    }
    for (const provider of providers.sort()) {
      let files: string[];
      try {
        files = await readdir(join(this.dir, provider));
      } catch {
        continue;
      }
      for (const name of files.sort()) {
        if (!name.endsWith(FILE_SUFFIX)) continue;
        const path = join(this.dir, provider, name);
        try {
          const buf = await readFile(path);
          const { header } = decodeHeader(buf);
          out.push({
            provider: header.provider, symbol: header.symbol, interval: header.interval as Interval, adjusted: header.adjusted,
            path, bars: header.length, bytes: buf.length, coveredFrom: header.coveredFrom, coveredTo: header.coveredTo, writtenAt: header.writtenAt,
          });
        } catch (error) {
          this.warn(`Skipping unreadable cache file ${path}: ${(error as Error).message}`);
        }
      }
    }
    return out;
  }

  /** Deletes cached files (all, or those matching `filter`); returns how many. */
  async clear(filter: { provider?: string; symbol?: string } = {}): Promise<number> {
    let removed = 0;
    let providers: string[];
    try {
      providers = await readdir(this.dir);
    } catch {
      return 0;
    }
    for (const provider of providers) {
      if (filter.provider && provider !== safeName(filter.provider)) continue;
      let files: string[];
      try {
        files = await readdir(join(this.dir, provider));
      } catch {
        continue;
      }
      for (const name of files) {
        const isBars = name.endsWith(FILE_SUFFIX);
        const isLeftover = name.endsWith('.tmp');
        if (!isBars && !isLeftover) continue;
        if (filter.symbol && !name.startsWith(`${safeName(filter.symbol.toUpperCase())}~`)) continue;
        await unlink(join(this.dir, provider, name)).then(() => { if (isBars) removed++; }, () => undefined);
      }
    }
    return removed;
  }
}

/** Write to a temp file, fsync, rename over the target, fsync the folder. */
export async function writeAtomic(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  // Make the rename itself durable; not supported everywhere (Windows), hence best effort.
  try {
    const dir = await open(dirname(path), 'r');
    try { await dir.sync(); } finally { await dir.close(); }
  } catch { /* best effort */ }
}

/** The provider could not be reached or would not answer now: the cache may stand in (see CachedProvider.offline). */
function isUnreachable(error: unknown): error is DataError {
  return isDataError(error, 'network') || isDataError(error, 'rate-limited');
}

/** Errors that mean "no bars in this part", which a top-up treats as covered-and-empty. */
function isNoBars(error: unknown): boolean {
  return isDataError(error, 'empty-range') || isDataError(error, 'weekend-range');
}

/**
 * Wraps a provider with the cache: serves what is cached, fetches only the missing
 * parts before/after it, stores the result (minus any still-forming bar).
 *
 * Each top-up re-fetches one cached bar at its seam; if that bar changed (e.g. a new
 * dividend re-adjusted history) the cached bars are stale, so the whole range is fetched
 * again instead of splicing two different adjustments together.
 */
export class CachedProvider implements DataProvider {
  readonly id: string;
  /** Requests sent to the wrapped provider (for diagnostics and tests). */
  requests = 0;

  constructor(private readonly inner: DataProvider, private readonly cache: BarCache, private readonly now: () => number = Date.now) {
    this.id = inner.id;
  }

  async fetch(request: BarRequest, signal?: AbortSignal): Promise<BarSeries> {
    checkRequest(request, this.inner.id); // a bad range must fail here, not look like a cache miss
    const key: CacheKey = { provider: this.inner.id, symbol: request.symbol, interval: request.interval, adjusted: request.adjusted };
    const entry = await this.cache.read(key);
    if (entry && request.start >= entry.coveredFrom && request.end <= entry.coveredTo) {
      return this.finish(request, key, entry, entry.series, request.start, request.end);
    }
    try {
      if (entry) return await this.topUp(request, key, entry, signal);
      const fetched = await this.fetchPart(request, request.start, request.end, signal);
      return await this.finish(request, key, null, fetched, request.start, request.end);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      if (entry) return this.offline(request, entry, error);
      throw new DataError(error.code, `${error.message} Nothing is cached for ${request.symbol} ${request.interval} (${this.inner.id}), so there is no offline copy: run once with a connection, or use the sample or a CSV file.`, { provider: this.inner.id, symbol: request.symbol, cause: error });
    }
  }

  /** The cached bars extended before/after by what the provider has now. */
  private async topUp(request: BarRequest, key: CacheKey, entry: CacheEntry, signal?: AbortSignal): Promise<BarSeries> {
    const cached = entry.series;
    const from = Math.min(request.start, entry.coveredFrom);
    const to = Math.max(request.end, entry.coveredTo);
    let merged = cached;
    let stale = false;
    if (request.start < entry.coveredFrom) {
      // Ask up to and including the first cached bar, to check the seam.
      const seam = cached.length ? cached.time[0] + 1 : entry.coveredFrom;
      const part = await this.fetchPart(request, request.start, Math.max(seam, entry.coveredFrom), signal);
      stale ||= !seamMatches(cached, 0, part);
      merged = mergeSeries(merged, part, request.start, entry.coveredFrom);
    }
    if (!stale && request.end > entry.coveredTo) {
      const seam = cached.length ? cached.time[cached.length - 1] : entry.coveredTo;
      const part = await this.fetchPart(request, Math.min(seam, entry.coveredTo), request.end, signal);
      stale ||= !seamMatches(cached, cached.length - 1, part);
      merged = mergeSeries(merged, part, entry.coveredTo, request.end);
    }
    if (stale) merged = await this.fetchPart(request, from, to, signal);
    return this.finish(request, key, entry, merged, from, to);
  }

  /**
   * The provider cannot be reached: serve what the cache has of the request, and say which range that is.
   * A cache that has nothing inside the request is no answer: the error says what is cached.
   */
  private offline(request: BarRequest, entry: CacheEntry, error: DataError): BarSeries {
    const part = sliceSeries(entry.series, request.start, request.end - 1);
    const bars = entry.series;
    const covered = bars.length ? `${formatInstant(bars.time[0])} … ${formatInstant(bars.time[bars.length - 1])}` : 'no bars';
    if (part.length === 0) {
      throw new DataError(error.code, `${error.message} The cache has ${request.symbol} ${request.interval} (${this.inner.id}) only from ${covered}, outside the requested range: pick dates inside it, or connect.`, { provider: this.inner.id, symbol: request.symbol, cause: error });
    }
    this.cache.warn(
      `Offline: ${error.message} Using the cached ${request.symbol} ${request.interval} bars (${this.inner.id}) from ${covered}; ` +
        `the run gets ${formatInstant(part.time[0])} … ${formatInstant(part.time[part.length - 1])} of the requested ${formatInstant(request.start)} … ${formatInstant(request.end)} (end exclusive).`,
    );
    return part;
  }

  private async finish(request: BarRequest, key: CacheKey, entry: CacheEntry | null, merged: BarSeries, from: number, to: number): Promise<BarSeries> {
    // Store only what is final: bars whose period has ended.
    const finalBefore = Math.min(to, this.now() - INTERVAL_MS[request.interval] + 1);
    if (merged !== entry?.series && finalBefore > from) await this.cache.write(key, merged, from, finalBefore);

    const result = sliceSeries(merged, request.start, request.end - 1);
    if (result.length === 0) {
      throw new DataError('empty-range', `No ${request.interval} bars for ${request.symbol} between ${formatInstant(request.start)} and ${formatInstant(request.end)} (${this.inner.id}). Widen the date range.`, { provider: this.inner.id, symbol: request.symbol });
    }
    return result;
  }

  private async fetchPart(request: BarRequest, start: number, end: number, signal?: AbortSignal): Promise<BarSeries> {
    if (!(end > start)) return createSeries(request.symbol, 0);
    this.requests++;
    try {
      return await this.inner.fetch({ ...request, start, end }, signal);
    } catch (error) {
      if (isNoBars(error)) return createSeries(request.symbol, 0);
      throw error;
    }
  }
}

/** The cached bar at `k` is also in `part` with the same prices (or `part` lacks that time). */
function seamMatches(cached: BarSeries, k: number, part: BarSeries): boolean {
  if (k < 0 || k >= cached.length) return true;
  const m = lowerBound(part.time, cached.time[k]);
  if (m >= part.length || part.time[m] !== cached.time[k]) return true;
  return sameBar(cached, k, part, m);
}
