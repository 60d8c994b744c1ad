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
import { basename, dirname, join } from 'node:path';
import { CorruptFileError, decodeBars, encodeBars, type BarFileHeader } from './binary';
import { formatInstant } from './dates';
import { DataError, isDataError } from './errors';
import { INTERVAL_MS, type Interval } from './interval';
import { checkCacheFile, removeLeftovers, type FileHealth } from './cache-health';
import { acquireLock, type LockOptions } from './lock';
import { barProblem } from './rules';
import { mergeSeries, sameBar } from './merge';
import { adjustmentOf, type Adjustment, type BarRequest, type DataProvider } from './provider';
import { checkRequest } from './request';
import { createSeries, lowerBound, sliceSeries, type BarSeries } from './series';

export interface CacheKey {
  provider: string;
  symbol: string;
  interval: Interval;
  adjusted: boolean;
  /** raw | split | all; default from `adjusted`. Each has its own file. */
  adjustment?: Adjustment;
}

const ADJUSTMENT_SUFFIX: Readonly<Record<Adjustment, string>> = { all: 'adj', raw: 'raw', split: 'split' };

export interface CacheEntry {
  key: CacheKey;
  series: BarSeries;
  coveredFrom: number;
  coveredTo: number;
}

export interface CacheListing extends CacheKey {
  path: string;
  /** `ok`, or what is wrong with the file (`data ls`: header, size, ranges; `data verify`: also checksum and bar rules). */
  health: FileHealth;
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

export { defaultCacheDir } from './cacheDir';

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
    return join(this.dir, safeName(key.provider), `${safeName(key.symbol)}~${key.interval}~${ADJUSTMENT_SUFFIX[adjustmentOf(key)]}${FILE_SUFFIX}`);
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
      if (header.provider !== key.provider || header.symbol !== key.symbol || header.interval !== key.interval || (header.adjustment ?? (header.adjusted ? 'all' : 'raw')) !== adjustmentOf(key)) {
        throw new CorruptFileError('header does not match its file name');
      }
      if (series.length && (series.time[0] < header.coveredFrom || series.time[series.length - 1] >= header.coveredTo)) {
        throw new CorruptFileError('bars lie outside the recorded range');
      }
      for (let i = 0; i < series.length; i++) {
        const problem = barProblem(series.open[i], series.high[i], series.low[i], series.close[i], series.volume[i]);
        if (problem) throw new CorruptFileError(`bar ${i + 1}: ${problem.reason}`);
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
      // Under the lock no live writer of this file is mid-write: temp files of dead ones go.
      await removeLeftovers(dirname(path), basename(path));
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
        provider: key.provider, symbol: key.symbol, interval: key.interval, adjusted: key.adjusted, adjustment: adjustmentOf(key),
        coveredFrom: from, coveredTo: to, source: series.source, writtenAt: new Date(this.now()).toISOString(),
      };
      await writeAtomic(path, encodeBars(merged, header));
      return true;
    } finally {
      await release();
    }
  }

  /**
   * Every cached file with its health: `deep` adds the checksum and the bar rules on every
   * bar (`data verify`); without it the header, size and ranges are checked (`data ls`).
   */
  async list(options: { deep?: boolean } = {}): Promise<CacheListing[]> {
    const out: CacheListing[] = [];
    for (const { provider, name, path } of await this.files()) {
      let buf: Buffer;
      try {
        buf = await readFile(path);
      } catch (error) {
        this.warn(`Skipping unreadable cache file ${path}: ${(error as Error).message}`);
        continue;
      }
      const expectedName = (h: BarFileHeader): string => basename(this.pathFor({ provider: h.provider, symbol: h.symbol, interval: h.interval as Interval, adjusted: h.adjusted, adjustment: h.adjustment }));
      const { header, health } = checkCacheFile(buf, expectedName, name, options.deep === true);
      const [symbol = name, interval = '?', adj = ''] = name.slice(0, -FILE_SUFFIX.length).split('~');
      out.push({
        provider: header?.provider ?? provider, symbol: header?.symbol ?? decodeURIComponent(symbol), interval: (header?.interval ?? interval) as Interval,
        adjusted: header?.adjusted ?? adj === 'adj', path, health, bars: header?.length ?? 0, bytes: buf.length,
        coveredFrom: header?.coveredFrom ?? NaN, coveredTo: header?.coveredTo ?? NaN, writtenAt: header?.writtenAt ?? '',
      });
    }
    return out;
  }

  /** The `.bars` files, sorted by provider then name. */
  private async files(): Promise<{ provider: string; name: string; path: string }[]> {
    const out: { provider: string; name: string; path: string }[] = [];
    let providers: string[];
    try {
      providers = await readdir(this.dir);
    } catch {
      return out;
    }
    for (const provider of providers.sort()) {
      const names = await readdir(join(this.dir, provider)).catch(() => [] as string[]);
      for (const name of names.sort()) if (name.endsWith(FILE_SUFFIX)) out.push({ provider, name, path: join(this.dir, provider, name) });
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
        if (!name.endsWith(FILE_SUFFIX)) continue;
        if (filter.symbol && !name.startsWith(`${safeName(filter.symbol.toUpperCase())}~`)) continue;
        await unlink(join(this.dir, provider, name)).then(() => { removed++; }, () => undefined);
      }
      // Temp and lock files of writers that died (kill -9, power loss); a live writer's stay.
      await removeLeftovers(join(this.dir, provider));
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
    const key: CacheKey = { provider: this.inner.id, symbol: request.symbol, interval: request.interval, adjusted: request.adjusted, adjustment: adjustmentOf(request) };
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
    let stale: string | null = null;
    // Each side re-asks for one cached bar's whole period, so the overlap holds the provider's
    // real stamp of it (Alpaca daily 05:00/04:00 UTC, Yahoo 14:30/13:30 UTC), not just 00:00.
    const period = INTERVAL_MS[request.interval];
    if (request.start < entry.coveredFrom) {
      const seamEnd = cached.length ? cached.time[0] + period : entry.coveredFrom;
      const part = await this.fetchPart(request, request.start, Math.max(seamEnd, entry.coveredFrom), signal);
      stale = seamMismatch(cached, 0, part);
      merged = mergeSeries(merged, part, request.start, entry.coveredFrom);
    }
    if (!stale && request.end > entry.coveredTo) {
      const seam = cached.length ? cached.time[cached.length - 1] : entry.coveredTo;
      const part = await this.fetchPart(request, Math.min(seam, entry.coveredTo), Math.max(request.end, seam + period), signal);
      stale = seamMismatch(cached, cached.length - 1, part);
      merged = mergeSeries(merged, sliceSeries(part, -Infinity, request.end - 1), entry.coveredTo, request.end);
    }
    if (stale) {
      this.cache.warn(`${request.symbol} ${request.interval} (${this.inner.id}): ${stale} The history was re-adjusted (a split or dividend) since it was cached, so the whole range ${formatInstant(from)} … ${formatInstant(to)} is fetched again instead of splicing two adjustments together.`);
      merged = await this.fetchPart(request, from, to, signal);
    }
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

/** Why the cached bar at `k` disagrees with the provider's answer `part` (missing or other prices), or null. */
function seamMismatch(cached: BarSeries, k: number, part: BarSeries): string | null {
  if (k < 0 || k >= cached.length) return null;
  const m = lowerBound(part.time, cached.time[k]);
  if (m >= part.length || part.time[m] !== cached.time[k]) return `the provider no longer sends the cached bar of ${formatInstant(cached.time[k])}.`;
  if (sameBar(cached, k, part, m)) return null;
  return `the cached bar of ${formatInstant(cached.time[k])} has close ${cached.close[k]}, the provider now says ${part.close[m]}.`;
}
