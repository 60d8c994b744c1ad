/**
 * What went wrong talking to an OpenAI-compatible server, in one actionable
 * message per cause — shared by generation (openaiProvider.ts) and the LLM
 * judges (core/evaluate/llm/client.ts), so both say the same thing for the
 * same failure: unreachable, timed out, not a chat completion (HTML, broken
 * JSON), key rejected, model missing, rate limited, server error. Also where
 * requests go (the base URL) and which failures are worth a retry.
 */
import OpenAI from 'openai';
import { GenerateError } from '../errors';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * The server requests go to: the setting or flag when given, else the
 * `OPENAI_BASE_URL` environment variable (as the OpenAI tools read it), else OpenAI's.
 */
export function resolveBaseUrl(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit?.trim() || env.OPENAI_BASE_URL?.trim() || OPENAI_DEFAULT_BASE_URL;
  return chosen.replace(/\/+$/, '');
}

export interface CallContext {
  /** The resolved base URL. */
  where: string;
  model: string;
  timeoutMs: number;
  /** Removes the key (and key-like tokens) from server text before it is quoted. */
  redact: (text: string) => string;
}

/** Only a busy or failing server is asked again; a timeout, a refused connection or a rejected key would fail the same way. */
export function isRetryable(error: GenerateError): boolean {
  return error.kind === 'rate-limited' || error.kind === 'server-error';
}

/** Turns whatever the client threw into one GenerateError with an actionable message. */
export function explainModelError(err: unknown, c: CallContext): GenerateError {
  if (err instanceof GenerateError) return err;
  const { where, model } = c;
  if (err instanceof OpenAI.APIUserAbortError) return cancelledError();
  if (err instanceof OpenAI.APIConnectionTimeoutError) return timeoutError(c);
  if (err instanceof OpenAI.APIConnectionError) {
    return new GenerateError('connection', `Could not reach the model server at ${where} (${connectionCause(err)}). Check strategyLab.llm.baseUrl (--base-url, or OPENAI_BASE_URL) and that the server is running.`);
  }
  if (err instanceof OpenAI.AuthenticationError) {
    // The server's own text can echo part of the key: say it in our words.
    return new GenerateError('auth', `The API key was rejected (401 from ${where}). Set a valid key: in VS Code run 'Strategy Lab: Set API Key'; for the CLI set OPENAI_API_KEY.`);
  }
  if (err instanceof OpenAI.PermissionDeniedError) {
    return new GenerateError('auth', `The API key may not use model '${model}' (403 from ${where}). Pick a model your key can use (strategyLab.llm.model / --model) or set another key.`);
  }
  if (err instanceof OpenAI.NotFoundError) {
    return new GenerateError('model-not-found', `Model '${model}' was not found at ${where} (404). Set strategyLab.llm.model (--model) to a model that server offers, and check the base URL ends in /v1.`);
  }
  if (err instanceof OpenAI.RateLimitError) {
    return new GenerateError('rate-limited', `The model server is rate-limiting requests (429). Wait a minute and try again, or check your plan's limits.`);
  }
  if (err instanceof OpenAI.APIError && typeof err.status === 'number' && err.status >= 500) {
    return new GenerateError('server-error', `The model server failed (${err.status}): ${preview(err.message, c)}. Try again later.`);
  }
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    return new GenerateError('request-rejected', `The model server rejected the request (${err.status}): ${preview(err.message, c)}. Check strategyLab.llm.model and strategyLab.llm.temperature.`);
  }
  return new GenerateError('bad-response', `The reply from ${where} is not an OpenAI-compatible chat completion (${preview(err instanceof Error ? err.message : String(err), c)}). Check that strategyLab.llm.baseUrl points at an OpenAI-compatible /v1 endpoint.`);
}

/** A 200 reply whose body is not a completion: an HTML page (a proxy, a login wall) or JSON of another shape. */
export function notACompletion(where: string, body?: unknown): GenerateError {
  const html = typeof body === 'string' && /^\s*<(?:!doctype|html|head|body)/i.test(body);
  return new GenerateError(
    'bad-response',
    `The server at ${where} answered, but not with a chat completion (${html ? 'an HTML page' : typeof body === 'string' ? 'text that is not JSON' : 'no "choices"'}). Check that strategyLab.llm.baseUrl points at an OpenAI-compatible /v1 endpoint.`,
  );
}

export function timeoutError(c: Pick<CallContext, 'where' | 'timeoutMs'>): GenerateError {
  return new GenerateError(
    'timeout',
    `The model did not finish its reply within ${formatSeconds(c.timeoutMs)} (strategyLab.llm.timeoutMs / --timeout). Raise the timeout or check the server at ${c.where}. Not retried: a slow server would time out again.`,
  );
}

export function cancelledError(): GenerateError {
  return new GenerateError('cancelled', 'Generation cancelled.');
}

/** Retry-After (seconds) or retry-after-ms when the server gives one, else base × 2^retry; capped at 30 s. */
export function retryDelay(err: unknown, baseMs: number, retry: number): number {
  const headers = (err as { headers?: Headers }).headers;
  const ms = Number(headers?.get?.('retry-after-ms'));
  const seconds = Number(headers?.get?.('retry-after'));
  const hinted = Number.isFinite(ms) && ms > 0 ? ms : Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
  return Math.min(hinted ?? baseMs * 2 ** retry, MAX_RETRY_DELAY_MS);
}

/** First line(s) of untrusted text for a message, with anything key-like removed. */
export function preview(text: string, c: Pick<CallContext, 'redact'>): string {
  const clean = c.redact(text).replace(/\s+/g, ' ').trim();
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}

/** "0.3 s", "60 s". */
export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function connectionCause(err: InstanceType<typeof OpenAI.APIConnectionError>): string {
  // The socket's code sits a few causes down (SDK error → fetch error → socket error).
  let code: unknown;
  for (let c: unknown = err.cause, depth = 0; c && depth < 5 && code === undefined; c = (c as { cause?: unknown }).cause, depth++) {
    code = (c as { code?: unknown }).code;
  }
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  return typeof code === 'string' ? code : 'no connection';
}
