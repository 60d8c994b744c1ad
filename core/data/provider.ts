/**
 * Where bars come from. A `DataProvider` answers one request for one symbol; the
 * resolver turns a strategy's config plus run options into the aligned `BarSeries[]`
 * the engine takes, going through the on-disk cache for network sources.
 */
import { stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StrategyConfig } from '../sdk/types';
import { BarCache, CachedProvider, defaultCacheDir } from './cache';
import { loadCsv, symbolFromFileName } from './csv';
import { loadCsvCached } from './csvCache';
import { formatInstant, parseDateBound } from './dates';
import { DataError } from './errors';
import { DAY_MS, INTERVAL_MS, isIntraday, parseInterval, type Interval } from './interval';
import { SampleProvider } from './sample';
import { sliceSeries, type BarSeries } from './series';
import { typicalSpacing } from './spacing';

/** One request: bars of `symbol` at `interval` with `start <= time < end` (ms UTC). */
export interface BarRequest {
  symbol: string;
  interval: Interval;
  start: number;
  end: number;
  /** Split- and dividend-adjusted prices (default true everywhere); `adjustment` says more when set. */
  adjusted: boolean;
  /** raw | split | all; default from `adjusted` (true → all, false → raw). */
  adjustment?: Adjustment;
}

/** Price adjustment: none, splits only, or splits and dividends (a total-return series). */
export type Adjustment = 'raw' | 'split' | 'all';
export const ADJUSTMENTS: readonly Adjustment[] = ['raw', 'split', 'all'];

export function adjustmentOf(request: Pick<BarRequest, 'adjusted' | 'adjustment'>): Adjustment {
  return request.adjustment ?? (request.adjusted ? 'all' : 'raw');
}

export function parseAdjustment(text: string): Adjustment {
  const a = text.trim().toLowerCase();
  if ((ADJUSTMENTS as readonly string[]).includes(a)) return a as Adjustment;
  throw new DataError('bad-request', `Unknown adjustment '${text}': use raw (as traded), split (split-adjusted) or all (split- and dividend-adjusted, the default).`);
}

export interface DataProvider {
  /** 'sample', 'yahoo', 'alpaca', …: also the cache's namespace. */
  readonly id: string;
  /** Bars in the request's range; throws DataError (never returns an empty series). */
  fetch(request: BarRequest, signal?: AbortSignal): Promise<BarSeries>;
}

export type SourceId = 'sample' | 'csv' | 'yahoo' | 'alpaca';
export const SOURCES: readonly SourceId[] = ['sample', 'csv', 'yahoo', 'alpaca'];

export interface ResolveOptions {
  /** Default 'sample' (offline). */
  source?: SourceId;
  /** For source 'csv': a CSV file (one symbol) or a folder of `<SYMBOL>….csv` files. */
  csvPath?: string;
  /**
   * Override the config's start/end: `YYYY-MM-DD` (UTC) or ISO date-time text, where a bare
   * `to` date includes that whole day; or ms since epoch, both inclusive.
   */
  from?: string | number;
  to?: string | number;
  /** Default true. */
  adjusted?: boolean;
  /** raw | split | all; wins over `adjusted`. */
  adjustment?: Adjustment;
  /** Limit for one provider HTTP request (ms); default 30 s. */
  requestTimeoutMs?: number;
  /** Environment for provider settings (Alpaca keys and URLs); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Cache folder for yahoo/alpaca; default `defaultCacheDir()`; null = no cache. */
  cacheDir?: string | null;
  /** Replace a provider (tests, or a configured Alpaca client). */
  providers?: Partial<Record<Exclude<SourceId, 'csv'>, DataProvider>>;
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
  now?: () => number;
}

export function parseSource(text: string): SourceId {
  const s = text.trim().toLowerCase();
  if ((SOURCES as readonly string[]).includes(s)) return s as SourceId;
  throw new DataError('bad-request', `Unknown data source '${text}': use one of ${SOURCES.join(', ')}.`);
}

/**
 * Default history when no start is given: 10 years for daily/weekly, and as much as
 * Yahoo serves for intraday (7 days of 1m, 59 days of 2m–30m, 729 days of 1h/4h).
 */
export function defaultStart(interval: Interval, now: number): number {
  const days = interval === '1m' ? 7 : interval === '1h' || interval === '4h' ? 729 : isIntraday(interval) ? 59 : 3653;
  return Math.floor((now - days * DAY_MS) / DAY_MS) * DAY_MS;
}

/** A provider for a network or sample source, wrapped in the cache when there is one. */
export async function createProvider(source: Exclude<SourceId, 'csv'>, options: ResolveOptions = {}): Promise<DataProvider> {
  const injected = options.providers?.[source];
  let provider: DataProvider;
  if (injected) provider = injected;
  else if (source === 'sample') return new SampleProvider(); // generated: nothing to cache
  else if (source === 'yahoo') provider = new (await import('./yahoo')).YahooProvider({ timeoutMs: options.requestTimeoutMs });
  else provider = new (await import('./alpaca')).AlpacaProvider({ timeoutMs: options.requestTimeoutMs, env: options.env });
  if (options.cacheDir === null || source === 'sample') return provider;
  const cache = new BarCache(options.cacheDir ?? defaultCacheDir(), { onWarning: options.onWarning, now: options.now });
  return new CachedProvider(provider, cache, options.now);
}

/** Bars for every symbol of `config`, trimmed to their common period. */
export async function resolveSeries(config: Pick<StrategyConfig, 'symbols' | 'timeframe' | 'start' | 'end'>, options: ResolveOptions = {}): Promise<BarSeries[]> {
  const source = options.source ?? 'sample';
  const interval = parseInterval(config.timeframe ?? '1d');
  const symbols = (config.symbols ?? []).map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (symbols.length === 0) throw new DataError('bad-request', 'The strategy config lists no symbols: set `symbols: [\'SPY\']` (for example).');
  const fromText = options.from ?? config.start;
  const toText = options.to ?? config.end;
  const now = (options.now ?? Date.now)();
  const explicitStart = typeof fromText === 'number' ? fromText : fromText ? parseDateBound(fromText, 'start date') : undefined;
  const explicitEnd = typeof toText === 'number' ? toText + 1 : toText ? parseDateBound(toText, 'end date', true) : undefined;
  if (explicitStart !== undefined && explicitEnd !== undefined && explicitStart >= explicitEnd) {
    throw new DataError('start-after-end', `The start ${formatInstant(explicitStart)} is not before the end ${formatInstant(explicitEnd)}: swap them or widen the range.`);
  }

  let series: BarSeries[];
  if (source === 'csv') {
    series = await Promise.all(symbols.map(async (symbol) => {
      const file = await csvFileFor(symbol, symbols.length, options.csvPath, interval);
      // Large files go through the parsed-data cache (csvCache.ts) unless caching is off (cacheDir null).
      const full = options.cacheDir === null ? await loadCsv(file, { symbol }) : await loadCsvCached(file, { symbol }, { cacheDir: options.cacheDir ?? defaultCacheDir() });
      checkCsvFits(full, file, symbol, interval, options.onWarning);
      const part = sliceSeries(full, explicitStart ?? -Infinity, (explicitEnd ?? Infinity) - 1);
      if (part.length === 0) {
        throw new DataError('empty-range', `${symbol}: the CSV has no bars between ${explicitStart === undefined ? 'its start' : formatInstant(explicitStart)} and ${explicitEnd === undefined ? 'its end' : formatInstant(explicitEnd)} (it covers ${formatInstant(full.time[0])} … ${formatInstant(full.time[full.length - 1])}).`, { symbol, provider: 'csv' });
      }
      return part;
    }));
  } else {
    const provider = await createProvider(source, options);
    // The sample has a fixed span: without dates it serves all of it.
    const start = explicitStart ?? (source === 'sample' ? -8.64e15 : defaultStart(interval, now));
    const end = explicitEnd ?? (source === 'sample' ? 8.64e15 : now);
    // `adjusted: false` alone keeps its old meaning per provider (Yahoo: split-adjusted); `adjustment` is exact.
    const adjusted = options.adjustment ? options.adjustment === 'all' : options.adjusted ?? true;
    series = await Promise.all(symbols.map((symbol) => provider.fetch({ symbol, interval, start, end, adjusted, adjustment: options.adjustment }, options.signal)));
  }
  return alignSeries(series);
}

/** Words in a file name that say which interval it holds (`SPY_daily.csv`, `SPY_1min_….csv`). */
const INTERVAL_WORDS: Readonly<Record<Interval, readonly string[]>> = {
  '1m': ['1m', '1min', 'minute', 'm1'], '2m': ['2m', '2min'], '5m': ['5m', '5min', 'm5'], '15m': ['15m', '15min', 'm15'],
  '30m': ['30m', '30min', 'm30'], '1h': ['1h', '60m', '60min', 'hour', 'hourly', 'h1'], '4h': ['4h', '240m', 'h4'],
  '1d': ['1d', 'd1', 'day', 'daily', 'eod'], '1wk': ['1wk', '1w', 'week', 'weekly'],
};

async function csvFileFor(symbol: string, symbolCount: number, csvPath: string | undefined, interval: Interval): Promise<string> {
  if (!csvPath) throw new DataError('bad-request', 'Source csv needs a CSV file or folder: pass --data <file-or-folder> to the CLI, or set strategyLab.data.csvPath in VS Code.');
  let isDir = false;
  try {
    isDir = (await stat(csvPath)).isDirectory();
  } catch {
    throw new DataError('file-not-found', `CSV path not found: ${csvPath}.`, { file: csvPath });
  }
  if (!isDir) {
    if (symbolCount > 1) throw new DataError('bad-request', `The strategy trades ${symbolCount} symbols but one CSV file was given: pass a folder with one <SYMBOL>….csv file per symbol.`, { file: csvPath });
    return csvPath;
  }
  const files = (await readdir(csvPath)).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
  const matches = files.filter((f) => symbolFromFileName(f) === symbol);
  if (matches.length === 0) {
    throw new DataError('file-not-found', `No CSV for ${symbol} in ${csvPath}: name it ${symbol}.csv or ${symbol}_<anything>.csv (found: ${files.join(', ') || 'no .csv files'}).`, { file: csvPath, symbol });
  }
  // Several files for one symbol (e.g. daily and 1-minute): take the one named for the interval.
  const named = matches.length === 1 ? matches : matches.filter((f) => f.toLowerCase().split(/[_\-. ]/).some((w) => INTERVAL_WORDS[interval].includes(w)));
  if (named.length !== 1) {
    throw new DataError('bad-request', `Several CSV files for ${symbol} in ${csvPath} (${(named.length ? named : matches).join(', ')}): put the interval in the name (e.g. ${symbol}_daily.csv, ${symbol}_5min.csv) or pass one file.`, { file: csvPath, symbol });
  }
  return join(csvPath, named[0]);
}

/**
 * Trims every series to the period all of them cover, so a multi-symbol strategy never
 * sees one symbol years before the others. The engine aligns the individual bars.
 */
export function alignSeries(series: BarSeries[]): BarSeries[] {
  if (series.length < 2) return series;
  let first = -Infinity;
  let last = Infinity;
  for (const s of series) {
    first = Math.max(first, s.time[0]);
    last = Math.min(last, s.time[s.length - 1]);
  }
  if (first > last) {
    const spans = series.map((s) => `${s.symbol} ${formatInstant(s.time[0])} … ${formatInstant(s.time[s.length - 1])}`).join('; ');
    throw new DataError('empty-range', `The symbols have no period in common (${spans}): pick symbols that traded at the same time.`);
  }
  return series.map((s) => (s.time[0] === first && s.time[s.length - 1] === last ? s : sliceSeries(s, first, last)));
}

/**
 * A CSV whose bars are spaced unlike the strategy's timeframe, or whose file name names
 * another symbol, still loads (the user may mean it) but never silently: a warning says so.
 */
function checkCsvFits(series: BarSeries, file: string, symbol: string, interval: Interval, onWarning?: (message: string) => void): void {
  const spacing = typicalSpacing(series.time);
  const expected = INTERVAL_MS[interval];
  const fits = spacing === undefined || (expected >= DAY_MS ? Math.abs(spacing - expected) < DAY_MS / 2 : spacing === expected);
  if (!fits) {
    onWarning?.(`${file}: its bars are ${describeSpacing(spacing!)} apart but the strategy's timeframe is ${interval}: indicators count bars, so periods mean something else. Pass a ${interval} file or set the strategy's timeframe to match.`);
  }
  const named = symbolFromFileName(file);
  if (named !== symbol && !/^(DATA|BARS|PRICES?|OHLCV?)$/.test(named)) {
    onWarning?.(`${file}: the file name says ${named} but it is used as ${symbol}, the strategy's symbol. Check that this is ${symbol}'s data.`);
  }
}

function describeSpacing(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS} day${ms === DAY_MS ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hour${ms === 3_600_000 ? '' : 's'}`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  return `${ms / 1000} s`;
}

/** One line saying where the bars came from and how they are adjusted, e.g. for a results header; SYNTHETIC first if any is. */
export function seriesLabel(series: readonly BarSeries[]): string {
  const labels = [...new Set(series.map((s) => s.source?.label ?? `${s.symbol} (unknown source)`))];
  const synthetic = series.some((s) => s.source?.synthetic);
  const text = `${labels.join('; ')} · ${describeAdjustment(series)}`;
  return synthetic && !text.startsWith('SYNTHETIC') ? `SYNTHETIC data: ${text}` : text;
}

/** "prices: split+dividend adjusted (yahoo)" and the like: what a run's prices are, stated once. */
export function describeAdjustment(series: readonly BarSeries[]): string {
  const parts = [...new Set(series.map((s) => {
    const provider = s.source?.provider ?? 'unknown';
    if (s.source?.synthetic) return 'synthetic (no splits or dividends)';
    const a = s.source?.adjustment;
    if (a === 'all') return `split+dividend adjusted (${provider})`;
    if (a === 'split') return `split-adjusted, dividends not (${provider})`;
    if (a === 'raw') return `raw, not adjusted (${provider})`;
    return provider === 'csv' ? 'as in the CSV file (its adjustment is not stated)' : `adjustment unknown (${provider})`;
  }))];
  return `prices: ${parts.join('; ')}`;
}
