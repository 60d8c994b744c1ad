/**
 * Checks and helpers shared by the network providers: the request sanity checks that
 * need no network, and retry-with-backoff for rate limits and server hiccups.
 */
import { formatInstant, onlyWeekend } from './dates';
import { DataError } from './errors';
import { INTERVAL_MS, isIntraday } from './interval';
import type { BarRequest } from './provider';

/** Throws the DataError a provider would otherwise discover the slow way. */
export function checkRequest(request: BarRequest, provider: string): void {
  const { symbol, interval, start, end } = request;
  if (!symbol || !/^[A-Za-z0-9.\-^=/]{1,32}$/.test(symbol)) {
    throw new DataError('bad-request', `Invalid symbol '${symbol}': use a ticker such as AAPL, BRK-B or ^GSPC.`, { provider, symbol });
  }
  if (!(interval in INTERVAL_MS)) throw new DataError('bad-interval', `Unknown interval '${interval}'.`, { provider, symbol });
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new DataError('bad-request', 'Start and end must be dates.', { provider, symbol });
  if (start >= end) {
    throw new DataError('start-after-end', `Start ${formatInstant(start)} is not before end ${formatInstant(end)}: swap the dates.`, { provider, symbol });
  }
  if ((interval === '1d' || isIntraday(interval)) && onlyWeekend(start, end)) {
    throw new DataError('weekend-range', `${formatInstant(start)} … ${formatInstant(end)} covers only a weekend, when markets are closed: include a weekday.`, { provider, symbol });
  }
}

export interface RetryOptions {
  /** Total attempts including the first. Default 4. */
  attempts?: number;
  /** First wait (ms), doubled each time, with jitter. Default 1000. */
  baseDelayMs?: number;
  /** How to wait between attempts (tests record the delays instead of sleeping). Default: a timer that the signal cancels. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Thrown by fetch wrappers for statuses worth retrying (429, 5xx). */
export class RetryableHttpError extends Error {
  override readonly name = 'RetryableHttpError';
  constructor(readonly status: number, readonly retryAfterMs: number | undefined, message: string) {
    super(message);
  }
}

export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(timer); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The longest wait between two attempts, whatever Retry-After asks. */
export const MAX_WAIT_MS = 30_000;

/**
 * Runs `attempt`, retrying RetryableHttpError with exponential backoff (honouring
 * Retry-After up to 30 s); after the last attempt, `exhausted` turns the error into the
 * message the user sees.
 */
export async function withRetry<T>(attempt: () => Promise<T>, options: RetryOptions, exhausted: (error: RetryableHttpError, attempts: number) => Error, signal?: AbortSignal): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const base = options.baseDelayMs ?? 1000;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof RetryableHttpError)) throw error;
      if (i >= attempts) throw exhausted(error, attempts);
      const backoff = base * 2 ** (i - 1) * (1 + 0.25 * Math.random());
      await (options.sleep ?? sleep)(Math.min(MAX_WAIT_MS, Math.max(backoff, error.retryAfterMs ?? 0)), signal);
    }
  }
}

export function abortedError(provider: string, symbol: string, cause?: unknown): DataError {
  return new DataError('aborted', `Cancelled while fetching ${symbol} from ${provider}.`, { provider, symbol, cause });
}

/** Default limit for one HTTP request (connect + answer + body), in ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A signal for one request that aborts when `outer` does or after `ms`; `timedOut()` tells
 * the two apart, `done()` clears the timer (call it in `finally`).
 */
export function requestDeadline(ms: number, outer?: AbortSignal): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(new Error(`no answer within ${ms} ms`)); }, ms);
  const onAbort = (): void => controller.abort(outer!.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done: () => { clearTimeout(timer); outer?.removeEventListener('abort', onAbort); },
  };
}

export function timeoutError(provider: string, symbol: string, ms: number): DataError {
  return new DataError('timeout', `${provider} did not answer within ${ms / 1000} s while fetching ${symbol}: the server is slow or unreachable. Try again later, or raise the limit with --timeout <seconds> (VS Code: strategyLab.data.requestTimeoutSeconds).`, { provider, symbol });
}

/** `--timeout` in seconds: a positive number. */
export function parseTimeoutSeconds(text: string): number {
  const seconds = Number(text);
  if (!(seconds > 0 && seconds <= 3600)) throw new DataError('bad-request', `Request timeout '${text}' is not a number of seconds between 0 and 3600 (default 30).`);
  return seconds;
}
