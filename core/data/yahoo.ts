/**
 * Yahoo Finance through `yahoo-finance2`'s chart API.
 *
 * Adjusted by default: for daily and weekly bars, Open/High/Low/Close are scaled by
 * Yahoo's `adjclose / close`, so splits *and* dividends are folded into the prices
 * (total-return series) and `adjClose` carries Yahoo's adjusted close. With
 * `adjusted: false` the prices are Yahoo's raw ones, which are already split-adjusted
 * but not dividend-adjusted. Intraday bars come as Yahoo serves them (split-adjusted),
 * regular session only (no pre/post market).
 *
 * Daily and weekly bars are dated at 00:00 UTC of the exchange's local trading date.
 * `4h` is built from `1h` bars (4 hourly bars per bucket from each session's open).
 */
import YahooFinance from 'yahoo-finance2';
import { floorDay, floorWeek, formatInstant, isoDate } from './dates';
import { DataError } from './errors';
import { DAY_MS, INTERVAL_MS, isIntraday, type Interval } from './interval';
import { adjustmentOf, type BarRequest, type DataProvider } from './provider';
import { DEFAULT_TIMEOUT_MS, RetryableHttpError, abortedError, checkRequest, requestDeadline, retryAfterMs, timeoutError, withRetry, type RetryOptions } from './request';
import { checkSeries } from './rules';
import { resampleSeries } from './resample';
import { createSeries, truncateSeries, type BarSeries } from './series';

/** How far back Yahoo serves each intraday interval, and how much one request may span. */
export const YAHOO_INTRADAY_LIMITS: Readonly<Partial<Record<Interval, { days: number; perRequestDays: number }>>> = {
  '1m': { days: 30, perRequestDays: 7 },
  '2m': { days: 60, perRequestDays: 60 },
  '5m': { days: 60, perRequestDays: 60 },
  '15m': { days: 60, perRequestDays: 60 },
  '30m': { days: 60, perRequestDays: 60 },
  '1h': { days: 730, perRequestDays: 200 },
  '4h': { days: 730, perRequestDays: 200 },
};
/** Daily/weekly history is unlimited; long ranges are still split into 20-year requests. */
const LONG_CHUNK_DAYS = 7305;

export interface YahooProviderOptions {
  /** `fetch` handed to yahoo-finance2 (tests route it to a local server). Default: global fetch. */
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  retry?: RetryOptions;
  /** Limit for one HTTP request in ms (default 30 s). */
  timeoutMs?: number;
}

type YahooInterval = '1m' | '2m' | '5m' | '15m' | '30m' | '1h' | '1d' | '1wk';

interface ChartObject {
  meta: { symbol?: string; gmtoffset?: number; regularMarketTime?: Date | number; firstTradeDate?: Date | number | null; timezone?: string; instrumentType?: string };
  timestamp?: (number | Date)[];
  indicators: {
    quote: { open: (number | null)[]; high: (number | null)[]; low: (number | null)[]; close: (number | null)[]; volume: (number | null)[] }[];
    adjclose?: { adjclose?: (number | null)[] }[];
  };
}

/** Our fetch's own timeout, told apart from the user's cancel. */
class TimedOut extends Error {
  constructor(readonly ms: number) { super(`no answer within ${ms} ms`); }
}

const quietLogger = { info() {}, warn() {}, error() {}, debug() {}, dir() {} };
const toMs = (v: Date | number | null | undefined): number => (v instanceof Date ? v.getTime() : typeof v === 'number' ? v * 1000 : NaN);

export class YahooProvider implements DataProvider {
  readonly id = 'yahoo';
  private readonly client: InstanceType<typeof YahooFinance>;
  private readonly now: () => number;
  private readonly retry: RetryOptions;

  constructor(options: YahooProviderOptions = {}) {
    const baseFetch = options.fetch ?? globalThis.fetch;
    // Rate limits and server errors become RetryableHttpError before the library sees
    // them (it would print the URL to the console and lose the status).
    // The body is read here, under the deadline, so a server that stalls mid-answer times out too.
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const guardedFetch = async (input: Parameters<typeof fetch>[0] | URL, init?: RequestInit): Promise<Response> => {
      const deadline = requestDeadline(timeoutMs, init?.signal ?? undefined);
      try {
        const response = await baseFetch(input, { ...init, signal: deadline.signal });
        const text = await response.text();
        if (response.status === 429 || response.status >= 500) {
          throw new RetryableHttpError(response.status, retryAfterMs(response.headers.get('retry-after')), text.slice(0, 200) || response.statusText);
        }
        return new Response([101, 204, 205, 304].includes(response.status) ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers });
      } catch (error) {
        if (deadline.timedOut()) throw new TimedOut(timeoutMs);
        throw error;
      } finally {
        deadline.done();
      }
    };
    this.client = new YahooFinance({
      fetch: guardedFetch as typeof fetch,
      logger: quietLogger,
      suppressNotices: ['yahooSurvey'],
      versionCheck: false, // would call the npm registry on validation errors
      validation: { logErrors: false, logOptionsErrors: false },
    } as ConstructorParameters<typeof YahooFinance>[0]);
    this.now = options.now ?? Date.now;
    this.retry = options.retry ?? {};
  }

  async fetch(request: BarRequest, signal?: AbortSignal): Promise<BarSeries> {
    checkRequest(request, this.id);
    const { symbol, interval } = request;
    if (request.adjustment === 'raw') {
      throw new DataError('bad-request', `Yahoo serves no raw prices: its OHLC are always split-adjusted. Use --adjust split (split-adjusted, dividends not) or all (the default), or the alpaca source for raw prices.`, { provider: this.id, symbol });
    }
    const limit = YAHOO_INTRADAY_LIMITS[interval];
    const now = this.now();
    if (limit) {
      const earliest = floorDay(now - (limit.days - 1) * DAY_MS);
      if (request.start < earliest) {
        throw new DataError('intraday-limit',
          `Yahoo serves ${interval} bars for the last ${limit.days} days only${interval === '1m' ? ' (at most 7 days per request)' : ''}; the start ${formatInstant(request.start)} is too early. Use --from ${isoDate(earliest)} or later, or a coarser interval (1h: 730 days; 1d: no limit).`,
          { provider: this.id, symbol });
      }
    }
    const yahooInterval: YahooInterval = interval === '4h' ? '1h' : interval;
    const chunkMs = (limit?.perRequestDays ?? LONG_CHUNK_DAYS) * DAY_MS;
    const parts: BarSeries[] = [];
    let lastMeta: ChartObject['meta'] | undefined;
    for (let from = request.start; from < request.end; from += chunkMs) {
      if (signal?.aborted) throw abortedError(this.id, symbol, signal.reason);
      const to = Math.min(request.end, from + chunkMs);
      const chart = await this.chart(symbol, yahooInterval, from, to, signal);
      lastMeta = chart.meta;
      const part = toSeries(chart, request, yahooInterval);
      checkSeries(part, `yahoo ${symbol} ${yahooInterval} (answer for ${formatInstant(from)} … ${formatInstant(to)})`, { provider: this.id });
      parts.push(part);
    }
    let series = concatParts(symbol, parts, request);
    if (interval === '4h') series = resampleSeries(series, '4h');
    if (series.length === 0) throw this.emptyError(request, lastMeta, now);
    return series;
  }

  private async chart(symbol: string, interval: YahooInterval, from: number, to: number, signal?: AbortSignal): Promise<ChartObject> {
    const call = async (): Promise<ChartObject> => {
      try {
        return (await this.client.chart(symbol, {
          period1: new Date(from),
          period2: new Date(to),
          interval,
          includePrePost: false,
          events: 'div|split',
          return: 'object',
        }, { fetchOptions: { signal } } as never)) as unknown as ChartObject;
      } catch (error) {
        if (error instanceof RetryableHttpError) throw error;
        const timedOut = error instanceof TimedOut ? error : (error as { cause?: unknown })?.cause;
        if (timedOut instanceof TimedOut) throw timeoutError('Yahoo', symbol, timedOut.ms);
        throw this.translate(error, symbol, signal);
      }
    };
    return withRetry(call, this.retry, (error, attempts) => new DataError('rate-limited',
      error.status === 429
        ? `Yahoo is rate-limiting requests (HTTP 429) and still refused after ${attempts} attempts with backoff: wait a few minutes and try again, or use cached/sample data.`
        : `Yahoo's servers failed (HTTP ${error.status}) ${attempts} times in a row: try again later.`,
      { provider: this.id, symbol, cause: error }), signal).catch((error: unknown) => {
      if (signal?.aborted && !(error instanceof DataError)) throw abortedError(this.id, symbol, error);
      throw error;
    });
  }

  /** Maps yahoo-finance2's errors to DataError codes. */
  private translate(error: unknown, symbol: string, signal?: AbortSignal): DataError {
    const e = error as Error & { code?: unknown };
    const message = String(e?.message ?? error);
    const details = { provider: this.id, symbol, cause: error };
    if (signal?.aborted || e?.name === 'AbortError') return abortedError(this.id, symbol, error);
    if (/No data found|symbol may be delisted/i.test(message)) {
      return new DataError('unknown-symbol', `Yahoo has no symbol '${symbol}' (it answered "${message}"). Check the ticker as Yahoo spells it (e.g. BRK-B, ^GSPC, EURUSD=X); Yahoo also drops delisted symbols entirely.`, details);
    }
    if (/must be within the last|Only \d+ days worth/i.test(message)) {
      return new DataError('intraday-limit', `Yahoo refused the range: ${message}`, details);
    }
    if (/Data doesn't exist for startDate|startDate.*after|no price data/i.test(message)) {
      return new DataError('empty-range', `Yahoo has no bars for ${symbol} in that range (${message}).`, details);
    }
    if (/fetch failed|ECONN|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|socket hang up|network/i.test(message)) {
      return new DataError('network', `Cannot reach Yahoo Finance (${message}): check the internet connection, or use --source sample.`, details);
    }
    if (e?.name === 'HTTPError' || e?.name === 'BadRequestError') {
      return new DataError('malformed-response', `Yahoo answered with an error for ${symbol}: ${message.slice(0, 200)}`, details);
    }
    // Anything else failed while reading Yahoo's answer (schema validation, JSON, shape).
    return new DataError('malformed-response', `Yahoo's answer for ${symbol} was not in the expected format (${message.slice(0, 160)}). Yahoo may have changed its API; try again later or update yahoo-finance2.`, details);
  }

  /** No bars: tell a delisted symbol apart from a plain empty range. */
  private emptyError(request: BarRequest, meta: ChartObject['meta'] | undefined, now: number): DataError {
    const details = { provider: this.id, symbol: request.symbol };
    const lastTrade = toMs(meta?.regularMarketTime);
    if (Number.isFinite(lastTrade) && lastTrade < request.start && now - lastTrade > 30 * DAY_MS) {
      return new DataError('delisted', `${request.symbol} last traded on ${isoDate(lastTrade)} (delisted or suspended): Yahoo has no bars after that. Pick a range before ${isoDate(lastTrade)}.`, details);
    }
    const firstTrade = toMs(meta?.firstTradeDate);
    const hint = Number.isFinite(firstTrade) && request.end <= firstTrade ? ` It started trading on ${isoDate(firstTrade)}.` : ' Markets may have been closed (holidays) or the range is in the future.';
    return new DataError('empty-range', `Yahoo has no ${request.interval} bars for ${request.symbol} between ${formatInstant(request.start)} and ${formatInstant(request.end)}.${hint} Widen the date range.`, details);
  }
}

/** One chart answer → columns; skips rows without prices, dates daily/weekly bars at 00:00 UTC. */
function toSeries(chart: ChartObject, request: BarRequest, interval: YahooInterval): BarSeries {
  const stamps = chart.timestamp ?? [];
  const quote = chart.indicators?.quote?.[0];
  if (stamps.length && (!quote || !Array.isArray(quote.close) || quote.close.length !== stamps.length)) {
    throw new DataError('malformed-response', `Yahoo's answer for ${request.symbol} has ${stamps.length} timestamps but ${quote?.close?.length ?? 0} prices: the answer is damaged. Try again; if it persists, Yahoo changed its format (update yahoo-finance2).`, { provider: 'yahoo', symbol: request.symbol });
  }
  const adj = chart.indicators?.adjclose?.[0]?.adjclose;
  const daily = !isIntraday(request.interval);
  const offsetMs = (chart.meta?.gmtoffset ?? 0) * 1000;
  const out = createSeries(request.symbol, stamps.length, daily && Array.isArray(adj), {
    provider: 'yahoo',
    label: `Yahoo Finance · ${request.symbol} ${request.interval}`,
    synthetic: false,
    adjusted: daily ? adjustmentOf(request) === 'all' : false,
    adjustment: daily && adjustmentOf(request) === 'all' ? 'all' : 'split',
    interval: request.interval,
  });
  let n = 0;
  for (let i = 0; i < stamps.length; i++) {
    const o = quote!.open[i], h = quote!.high[i], l = quote!.low[i], c = quote!.close[i];
    // Rows without prices (no trades, halts) are Yahoo's way of saying "no bar": skipped.
    // Any other bad value is left in for checkSeries to report.
    if (o == null || h == null || l == null || c == null) continue;
    const raw = stamps[i] instanceof Date ? (stamps[i] as Date).getTime() : (stamps[i] as number) * 1000;
    let t = raw;
    if (daily) t = interval === '1wk' ? floorWeek(raw + offsetMs) : floorDay(raw + offsetMs);
    const a = adj?.[i];
    const factor = daily && request.adjusted && a != null && a > 0 ? a / c : 1;
    // Yahoo repeats the live bar: a later row for the same time replaces the earlier one.
    if (n > 0 && t === out.time[n - 1]) n--;
    out.time[n] = t;
    out.open[n] = o * factor;
    out.high[n] = h * factor;
    out.low[n] = l * factor;
    out.close[n] = c * factor;
    out.volume[n] = quote!.volume[i] ?? 0;
    if (out.adjClose) out.adjClose[n] = a ?? c;
    n++;
  }
  return truncateSeries(out, n);
}

/** Joins chunk answers, dropping overlaps at the seams and bars outside the request. */
function concatParts(symbol: string, parts: BarSeries[], request: BarRequest): BarSeries {
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const withAdj = parts.length > 0 && parts.every((p) => p.adjClose !== undefined || p.length === 0) && parts.some((p) => p.adjClose);
  const out = createSeries(symbol, total, withAdj, parts.find((p) => p.source)?.source);
  let n = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const t = p.time[i];
      // Daily/weekly bars are dated at their period's start: keep those overlapping the range.
      if (t + (isIntraday(request.interval) ? 0 : INTERVAL_MS[request.interval] - 1) < request.start || t >= request.end) continue;
      if (n > 0 && t <= out.time[n - 1]) continue;
      out.time[n] = t;
      out.open[n] = p.open[i];
      out.high[n] = p.high[i];
      out.low[n] = p.low[i];
      out.close[n] = p.close[i];
      out.volume[n] = p.volume[i];
      if (out.adjClose) out.adjClose[n] = p.adjClose![i];
      n++;
    }
  }
  return truncateSeries(out, n);
}
