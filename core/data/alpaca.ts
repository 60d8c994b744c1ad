/**
 * Alpaca Market Data REST v2 (`/v2/stocks/{symbol}/bars`), paged through
 * `next_page_token` to the end. Keys come from the options or from the environment
 * (`APCA_API_KEY_ID`, `APCA_API_SECRET_KEY`) and are only ever sent as request headers:
 * never logged, never put in an error message.
 *
 * Adjusted by default (`adjustment=all`: splits and dividends); `adjusted: false` asks for
 * `raw`. Feed `iex` by default (free plans); set `feed: 'sip'` with a paid plan. Daily and
 * weekly bars are dated at 00:00 UTC of their New York trading date.
 */
import { floorDay, floorWeek, formatInstant, isoDate } from './dates';
import { DataError } from './errors';
import { isIntraday, type Interval } from './interval';
import { adjustmentOf, type BarRequest, type DataProvider } from './provider';
import { DEFAULT_TIMEOUT_MS, RetryableHttpError, abortedError, checkRequest, requestDeadline, retryAfterMs, timeoutError, withRetry, type RetryOptions } from './request';
import { checkSeries } from './rules';
import { createSeries, truncateSeries, type BarSeries } from './series';

export interface AlpacaProviderOptions {
  keyId?: string;
  secretKey?: string;
  /** Market data base URL. Default `https://data.alpaca.markets` (or env APCA_DATA_URL). */
  dataUrl?: string;
  /** Trading API base URL, used to tell unknown from delisted symbols. Default paper API (or env APCA_API_BASE_URL). */
  tradingUrl?: string;
  feed?: 'iex' | 'sip';
  fetch?: typeof globalThis.fetch;
  retry?: RetryOptions;
  env?: NodeJS.ProcessEnv;
  /** Bars per page (max 10000). */
  pageSize?: number;
  /** Limit for one HTTP request in ms (default 30 s). */
  timeoutMs?: number;
}

const TIMEFRAMES: Readonly<Record<Interval, string>> = {
  '1m': '1Min', '2m': '2Min', '5m': '5Min', '15m': '15Min', '30m': '30Min',
  '1h': '1Hour', '4h': '4Hour', '1d': '1Day', '1wk': '1Week',
};

const MAX_PAGES = 10_000;

interface AlpacaBar { t: string; o: number; h: number; l: number; c: number; v: number }

export class AlpacaProvider implements DataProvider {
  readonly id = 'alpaca';
  private readonly keyId: string | undefined;
  private readonly secretKey: string | undefined;
  private readonly dataUrl: string;
  private readonly tradingUrl: string;
  private readonly feed: string;
  private readonly http: typeof globalThis.fetch;
  private readonly retry: RetryOptions;
  private readonly pageSize: number;
  private readonly timeoutMs: number;

  constructor(options: AlpacaProviderOptions = {}) {
    const env = options.env ?? process.env;
    this.keyId = options.keyId ?? env.APCA_API_KEY_ID;
    this.secretKey = options.secretKey ?? env.APCA_API_SECRET_KEY;
    this.dataUrl = (options.dataUrl ?? env.APCA_DATA_URL ?? 'https://data.alpaca.markets').replace(/\/+$/, '');
    this.tradingUrl = (options.tradingUrl ?? env.APCA_API_BASE_URL ?? 'https://paper-api.alpaca.markets').replace(/\/+$/, '').replace(/\/v2$/, '');
    this.feed = options.feed ?? 'iex';
    this.http = options.fetch ?? globalThis.fetch;
    this.retry = options.retry ?? {};
    this.pageSize = Math.min(10_000, Math.max(1, options.pageSize ?? 10_000));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async fetch(request: BarRequest, signal?: AbortSignal): Promise<BarSeries> {
    checkRequest(request, this.id);
    const { symbol } = request;
    if (!this.keyId || !this.secretKey) {
      throw new DataError('auth', 'Alpaca needs API keys: in VS Code run "Strategy Lab: Set Alpaca Keys", or set APCA_API_KEY_ID and APCA_API_SECRET_KEY in the environment (a free paper-trading account has them); or use the yahoo/sample source.', { provider: this.id, symbol });
    }
    const bars: AlpacaBar[] = [];
    const seenTokens = new Set<string>();
    let token: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) throw this.malformed(symbol, 'too many pages');
      const body = await this.getJson(this.barsUrl(request, token), symbol, signal);
      if (!body || typeof body !== 'object') throw this.malformed(symbol, 'not a JSON object');
      const { bars: pageBars, next_page_token: next } = body as { bars?: unknown; next_page_token?: unknown };
      if (pageBars !== null && pageBars !== undefined && !Array.isArray(pageBars)) throw this.malformed(symbol, '"bars" is not a list');
      for (const bar of (pageBars ?? []) as unknown[]) bars.push(this.checkBar(bar, symbol));
      if (next === null || next === undefined || next === '') break;
      if (typeof next !== 'string' || seenTokens.has(next)) throw this.malformed(symbol, 'bad or repeated next_page_token');
      seenTokens.add(next);
      token = next;
    }
    const series = this.toSeries(bars, request);
    if (series.length === 0) throw await this.emptyError(request, signal);
    return series;
  }

  private barsUrl(request: BarRequest, pageToken?: string): string {
    const params = new URLSearchParams({
      timeframe: TIMEFRAMES[request.interval],
      start: new Date(request.start).toISOString(),
      end: new Date(request.end - 1).toISOString(),
      limit: String(this.pageSize),
      adjustment: adjustmentOf(request),
      feed: this.feed,
      sort: 'asc',
    });
    if (pageToken) params.set('page_token', pageToken);
    return `${this.dataUrl}/v2/stocks/${encodeURIComponent(request.symbol)}/bars?${params}`;
  }

  private headers(): Record<string, string> {
    return { 'APCA-API-KEY-ID': this.keyId!, 'APCA-API-SECRET-KEY': this.secretKey!, accept: 'application/json' };
  }

  /** GET with retries; returns parsed JSON, or throws DataError. `allow404` returns null on 404. */
  private async getJson(url: string, symbol: string, signal?: AbortSignal, allow404 = false): Promise<unknown> {
    const attempt = async (): Promise<unknown> => {
      let response: Response;
      let text: string;
      const deadline = requestDeadline(this.timeoutMs, signal);
      try {
        response = await this.http(url, { headers: this.headers(), signal: deadline.signal });
        if (response.status === 429 || response.status >= 500) {
          throw new RetryableHttpError(response.status, retryAfterMs(response.headers.get('retry-after')), response.statusText);
        }
        text = await response.text();
      } catch (error) {
        if (error instanceof RetryableHttpError) throw error;
        if (deadline.timedOut()) throw timeoutError('Alpaca', symbol, this.timeoutMs);
        if (signal?.aborted) throw abortedError(this.id, symbol, error);
        throw new DataError('network', `Cannot reach Alpaca (${(error as Error).message}): check the internet connection or the Alpaca URL.`, { provider: this.id, symbol, cause: error });
      } finally {
        deadline.done();
      }
      if (response.status === 404 && allow404) return null;
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        if (response.ok) throw this.malformed(symbol, `not JSON: "${text.slice(0, 80)}"`);
      }
      if (response.ok) return body;
      const message = String((body as { message?: unknown })?.message ?? text.slice(0, 200) ?? response.statusText);
      if (response.status === 401 || response.status === 403) {
        throw new DataError('auth', `Alpaca rejected the API keys (HTTP ${response.status}: ${message}): check APCA_API_KEY_ID / APCA_API_SECRET_KEY and that your plan includes this feed (${this.feed}).`, { provider: this.id, symbol });
      }
      if (response.status === 404 || /invalid symbol|unknown symbol|not found/i.test(message)) {
        throw new DataError('unknown-symbol', `Alpaca does not know the symbol '${symbol}' (${message}). Check the ticker (Alpaca uses BRK.B style).`, { provider: this.id, symbol });
      }
      throw new DataError('bad-request', `Alpaca refused the request (HTTP ${response.status}: ${message}).`, { provider: this.id, symbol });
    };
    return withRetry(attempt, this.retry, (error, attempts) => new DataError('rate-limited',
      error.status === 429
        ? `Alpaca is rate-limiting requests (HTTP 429; free plans allow 200 per minute) and still refused after ${attempts} attempts with backoff: wait a minute and try again.`
        : `Alpaca's servers failed (HTTP ${error.status}) ${attempts} times in a row: try again later.`,
      { provider: this.id, symbol, cause: error }), signal).catch((error: unknown) => {
      if (signal?.aborted && !(error instanceof DataError)) throw abortedError(this.id, symbol, error);
      throw error;
    });
  }

  private checkBar(bar: unknown, symbol: string): AlpacaBar {
    const b = bar as Partial<AlpacaBar> | null;
    if (!b || typeof b.t !== 'string' || !Number.isFinite(Date.parse(b.t)) || ![b.o, b.h, b.l, b.c, b.v].every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw this.malformed(symbol, `bad bar ${JSON.stringify(bar).slice(0, 120)}`);
    }
    return b as AlpacaBar;
  }

  private toSeries(bars: AlpacaBar[], request: BarRequest): BarSeries {
    const daily = !isIntraday(request.interval);
    const out = createSeries(request.symbol, bars.length, false, {
      provider: 'alpaca',
      label: `Alpaca (${this.feed}) · ${request.symbol} ${request.interval}`,
      synthetic: false,
      adjusted: adjustmentOf(request) === 'all',
      adjustment: adjustmentOf(request),
      interval: request.interval,
    });
    // Pages may arrive in any order: sort by time; a bar sent twice must be the same bar.
    const times = bars.map((b) => { const raw = Date.parse(b.t); return daily ? (request.interval === '1wk' ? floorWeek(raw) : floorDay(raw)) : raw; });
    const order = bars.map((_, i) => i).sort((x, y) => times[x] - times[y] || x - y);
    let n = 0;
    for (const i of order) {
      const b = bars[i];
      const t = times[i];
      if (n > 0 && t === out.time[n - 1]) {
        if (b.o === out.open[n - 1] && b.h === out.high[n - 1] && b.l === out.low[n - 1] && b.c === out.close[n - 1] && b.v === out.volume[n - 1]) continue;
        throw new DataError('duplicate-date', `alpaca ${request.symbol} ${request.interval}: two different bars for ${formatInstant(t)} (${b.t}); the answer is inconsistent, nothing was cached. Try again later.`, { provider: this.id, symbol: request.symbol });
      }
      out.time[n] = t;
      out.open[n] = b.o;
      out.high[n] = b.h;
      out.low[n] = b.l;
      out.close[n] = b.c;
      out.volume[n] = b.v;
      n++;
    }
    const series = truncateSeries(out, n);
    checkSeries(series, `alpaca ${request.symbol} ${request.interval}`, { provider: this.id });
    return series;
  }

  /** No bars: ask the assets endpoint whether the symbol is unknown, delisted, or just quiet. */
  private async emptyError(request: BarRequest, signal?: AbortSignal): Promise<DataError> {
    const details = { provider: this.id, symbol: request.symbol };
    let asset: { status?: string; tradable?: boolean } | null | undefined;
    try {
      asset = (await this.getJson(`${this.tradingUrl}/v2/assets/${encodeURIComponent(request.symbol)}`, request.symbol, signal, true)) as typeof asset;
    } catch (error) {
      if (error instanceof DataError && (error.code === 'unknown-symbol' || error.code === 'aborted')) asset = error.code === 'unknown-symbol' ? null : undefined;
      if (error instanceof DataError && error.code === 'aborted') return error;
    }
    if (asset === null) {
      return new DataError('unknown-symbol', `Alpaca does not know the symbol '${request.symbol}': check the ticker (Alpaca uses BRK.B style).`, details);
    }
    if (asset && asset.status === 'inactive') {
      return new DataError('delisted', `${request.symbol} is inactive at Alpaca (delisted): no bars between ${formatInstant(request.start)} and ${formatInstant(request.end)}. Pick an earlier range or another symbol.`, details);
    }
    return new DataError('empty-range', `Alpaca has no ${request.interval} bars for ${request.symbol} between ${formatInstant(request.start)} and ${isoDate(request.end - 1)} (${this.feed} feed). Widen the date range${this.feed === 'iex' ? '; the free IEX feed has fewer trades than the full SIP feed' : ''}.`, details);
  }

  private malformed(symbol: string, what: string): DataError {
    return new DataError('malformed-response', `Alpaca's answer for ${symbol} was not in the expected format (${what}). Try again later; if it persists, the API may have changed.`, { provider: this.id, symbol });
  }
}

/** An Alpaca key pair as the extension stores it. */
export interface AlpacaKeys { keyId: string; secretKey: string }

/** SecretStorage names of the pair ("Strategy Lab: Set Alpaca Keys"). */
export const ALPACA_KEY_ID_SECRET = 'strategyLab.alpaca.keyId';
export const ALPACA_SECRET_KEY_SECRET = 'strategyLab.alpaca.secretKey';

/** What the keys are read from: vscode.SecretStorage fits (structurally, so this module never imports vscode). */
export interface SecretSource { get(key: string): PromiseLike<string | undefined> }

/** The stored pair, or undefined when either half is missing (a half pair would only fail later, at Alpaca). */
export async function readAlpacaKeys(secrets: SecretSource): Promise<AlpacaKeys | undefined> {
  const keyId = (await secrets.get(ALPACA_KEY_ID_SECRET))?.trim();
  const secretKey = (await secrets.get(ALPACA_SECRET_KEY_SECRET))?.trim();
  return keyId && secretKey ? { keyId, secretKey } : undefined;
}

/**
 * The `providers` override (core/data/provider.ts `ResolveOptions.providers`) for a run: Alpaca with the stored
 * keys, which win over the environment's. Nothing stored: no override, and the default provider reads
 * APCA_API_KEY_ID / APCA_API_SECRET_KEY as before.
 */
export async function alpacaProvidersFromSecrets(secrets: SecretSource, options: Omit<AlpacaProviderOptions, 'keyId' | 'secretKey'> = {}): Promise<{ alpaca?: AlpacaProvider }> {
  const keys = await readAlpacaKeys(secrets);
  return keys ? { alpaca: new AlpacaProvider({ ...options, ...keys }) } : {};
}
