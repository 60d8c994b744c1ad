/**
 * The OpenAI(-compatible) provider: ask, extract the code, validate it with
 * the project's validator, and send the errors back for a repair, up to
 * `maxAttempts` rounds. 429/5xx are retried with backoff. Every failure has
 * its own message; the API key never appears in one.
 */
import OpenAI from 'openai';
import { checkStrategySource, formatProblems, type CodeProblem } from '../check';
import { GenerateError } from '../errors';
import { withRequestHeader } from '../header';
import { DEFAULT_LLM_SETTINGS, type GenerateEvent, type GeneratedStrategy, type LlmSettings } from '../types';
import { extractCode } from './extractCode';
import { createOpenAIClient } from './openaiClient';
import { redactSecrets } from '../../report/redact';
import { initialMessages, noCodeMessage, repairMessage, type ChatMessage } from './prompt';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const MAX_RETRY_DELAY_MS = 30_000;

export interface OpenAiRequest {
  idea: string;
  apiKey: string | undefined;
  settings?: Partial<LlmSettings>;
  signal?: AbortSignal;
  onEvent?: (event: GenerateEvent) => void;
}

export async function generateWithOpenAI(request: OpenAiRequest): Promise<GeneratedStrategy> {
  const { idea, apiKey, signal } = request;
  const settings: LlmSettings = { ...DEFAULT_LLM_SETTINGS, ...stripUndefined(request.settings ?? {}) };
  const emit = request.onEvent ?? (() => {});
  if (!apiKey) {
    throw new GenerateError(
      'no-api-key',
      "No API key for the OpenAI provider. In VS Code run 'Strategy Lab: Set API Key'; for the CLI set OPENAI_API_KEY. Or use --provider offline.",
    );
  }
  const client = createOpenAIClient({ apiKey, baseURL: settings.baseUrl ?? OPENAI_DEFAULT_BASE_URL, timeout: settings.timeoutMs, maxRetries: 0 });
  const call = new ModelCall(client, settings, apiKey, signal, emit);
  const messages = initialMessages(idea);
  let failure: GenerateError | undefined;
  let lastProblems: CodeProblem[] = [];

  for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
    emit({ type: 'attempt', attempt, maxAttempts: settings.maxAttempts });
    const reply = await call.complete(messages, attempt);
    messages.push({ role: 'assistant', content: reply });
    if (!reply.trim()) {
      failure = new GenerateError('empty-reply', `The model '${settings.model}' sent an empty reply ${tries(attempt)}. Try again, or pick another model (strategyLab.llm.model / --model).`);
      emit({ type: 'no-code', attempt, reason: 'empty reply' });
      messages.push(noCodeMessage());
      continue;
    }
    const code = extractCode(reply);
    if (!code) {
      failure = new GenerateError(
        'no-code',
        `The model '${settings.model}' replied without a strategy file (no TypeScript class extending BaseStrategy) ${tries(attempt)}. Its reply began: "${preview(reply, apiKey)}". Try again or pick a stronger model.`,
      );
      emit({ type: 'no-code', attempt, reason: 'no code block with a BaseStrategy class' });
      messages.push(noCodeMessage());
      continue;
    }
    const source = withRequestHeader(idea, code);
    const report = checkStrategySource(source);
    if (report.errors.length === 0) {
      emit({ type: 'valid', attempt });
      return {
        source,
        provider: 'openai',
        attempts: attempt,
        notes: report.warnings.map((w) => `line ${w.line}: ${w.code} ${w.message}`),
      };
    }
    lastProblems = report.errors;
    emit({ type: 'invalid', attempt, problems: report.errors });
    failure = undefined;
    messages.push(repairMessage(report.errors));
  }
  throw (
    failure ??
    new GenerateError(
      'invalid-code',
      `The model's code still had ${lastProblems.length} validation error(s) after ${settings.maxAttempts} attempt(s), so nothing was written:\n${formatProblems(lastProblems)}\nTry again, raise strategyLab.llm.maxAttempts, pick a stronger model, or use the offline generator.`,
      { problems: lastProblems.map((p) => p.message) },
    )
  );
}

/** One chat completion with retries on 429/5xx, streaming or not, with a timeout that covers the whole reply. */
class ModelCall {
  constructor(
    private readonly client: OpenAI,
    private readonly settings: LlmSettings,
    private readonly apiKey: string,
    private readonly signal: AbortSignal | undefined,
    private readonly emit: (event: GenerateEvent) => void,
  ) {}

  async complete(messages: ChatMessage[], attempt: number): Promise<string> {
    for (let retry = 0; ; retry++) {
      try {
        return await this.once(messages, attempt);
      } catch (err) {
        const error = this.explain(err);
        const retryable = error.kind === 'rate-limited' || error.kind === 'server-error';
        if (!retryable || retry >= this.settings.maxRetries) {
          if (retryable) error.message += ` Gave up after ${retry} retr${retry === 1 ? 'y' : 'ies'}.`;
          throw error;
        }
        const delayMs = retryDelay(err, this.settings.retryBaseMs, retry);
        const status = (err as { status?: unknown }).status;
        const reason = error.kind === 'rate-limited' ? 'rate limited (429).' : `server error (${typeof status === 'number' ? status : '5xx'}).`;
        this.emit({ type: 'retrying', attempt, reason, delayMs });
        await sleep(delayMs, this.signal);
      }
    }
  }

  private async once(messages: ChatMessage[], attempt: number): Promise<string> {
    if (this.signal?.aborted) throw cancelled();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.settings.timeoutMs);
    const onAbort = () => controller.abort();
    this.signal?.addEventListener('abort', onAbort, { once: true });
    const body = { model: this.settings.model, messages, temperature: this.settings.temperature };
    try {
      if (this.settings.stream) {
        const stream = await this.client.chat.completions.create({ ...body, stream: true }, { signal: controller.signal });
        let text = '';
        let chunks = 0;
        for await (const chunk of stream) {
          if (!chunk || !Array.isArray(chunk.choices)) throw notACompletion();
          chunks++;
          const delta = chunk.choices[0]?.delta?.content;
          if (delta) {
            text += delta;
            this.emit({ type: 'receiving', attempt, chars: text.length });
          }
        }
        // An aborted stream just ends (the client swallows the abort): tell a cut-off reply from a finished one.
        if (controller.signal.aborted) throw timedOut ? timeoutError(this.settings) : cancelled();
        if (chunks === 0) throw notACompletion();
        return text;
      }
      const completion: unknown = await this.client.chat.completions.create({ ...body, stream: false }, { signal: controller.signal });
      const choices = (completion as { choices?: { message?: { content?: unknown } }[] } | null)?.choices;
      if (!Array.isArray(choices)) throw notACompletion();
      const content = choices[0]?.message?.content;
      const text = typeof content === 'string' ? content : '';
      this.emit({ type: 'receiving', attempt, chars: text.length });
      return text;
    } catch (err) {
      if (timedOut) throw timeoutError(this.settings);
      if (this.signal?.aborted) throw cancelled();
      throw err;
    } finally {
      clearTimeout(timer);
      this.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Turns whatever the client threw into one GenerateError with an actionable message. */
  private explain(err: unknown): GenerateError {
    if (err instanceof GenerateError) return err;
    const s = this.settings;
    const where = s.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
    if (err instanceof OpenAI.APIUserAbortError) return cancelled();
    if (err instanceof OpenAI.APIConnectionTimeoutError) return timeoutError(s);
    if (err instanceof OpenAI.APIConnectionError) {
      return new GenerateError('connection', `Could not reach the model server at ${where}. Check strategyLab.llm.baseUrl (--base-url) and that the server is running.`);
    }
    if (err instanceof OpenAI.AuthenticationError) {
      // The server's own text can echo part of the key: say it in our words.
      return new GenerateError('auth', `The API key was rejected (401 from ${where}). Set a valid key: in VS Code run 'Strategy Lab: Set API Key'; for the CLI set OPENAI_API_KEY.`);
    }
    if (err instanceof OpenAI.PermissionDeniedError) {
      return new GenerateError('auth', `The API key may not use model '${s.model}' (403 from ${where}). Pick a model your key can use (strategyLab.llm.model / --model) or set another key.`);
    }
    if (err instanceof OpenAI.NotFoundError) {
      return new GenerateError('model-not-found', `Model '${s.model}' was not found at ${where} (404). Set strategyLab.llm.model (--model) to a model that server offers, and check the base URL ends in /v1.`);
    }
    if (err instanceof OpenAI.RateLimitError) {
      return new GenerateError('rate-limited', `The model server is rate-limiting requests (429). Wait a minute and try again, or check your plan's limits.`);
    }
    if (err instanceof OpenAI.APIError && typeof err.status === 'number' && err.status >= 500) {
      return new GenerateError('server-error', `The model server failed (${err.status}): ${preview(err.message, this.apiKey)}. Try again later.`);
    }
    if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
      return new GenerateError('request-rejected', `The model server rejected the request (${err.status}): ${preview(err.message, this.apiKey)}. Check strategyLab.llm.model and strategyLab.llm.temperature.`);
    }
    return new GenerateError('bad-response', `The reply from ${where} is not an OpenAI-compatible chat completion (${preview(err instanceof Error ? err.message : String(err), this.apiKey)}). Check that strategyLab.llm.baseUrl points at an OpenAI-compatible /v1 endpoint.`);
  }
}

function notACompletion(): GenerateError {
  return new GenerateError('bad-response', 'The server answered, but not with a chat completion (no "choices"). Check that strategyLab.llm.baseUrl points at an OpenAI-compatible /v1 endpoint.');
}

function timeoutError(s: LlmSettings): GenerateError {
  return new GenerateError(
    'timeout',
    `The model did not finish its reply within ${formatSeconds(s.timeoutMs)} (strategyLab.llm.timeoutMs / --timeout). Raise the timeout or check the server at ${s.baseUrl ?? OPENAI_DEFAULT_BASE_URL}.`,
  );
}

function cancelled(): GenerateError {
  return new GenerateError('cancelled', 'Generation cancelled.');
}

/** Retry-After (seconds) or retry-after-ms when the server gives one, else base × 2^retry; capped. */
function retryDelay(err: unknown, baseMs: number, retry: number): number {
  const headers = (err as { headers?: Headers }).headers;
  const ms = Number(headers?.get?.('retry-after-ms'));
  const seconds = Number(headers?.get?.('retry-after'));
  const hinted = Number.isFinite(ms) && ms > 0 ? ms : Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
  return Math.min(hinted ?? baseMs * 2 ** retry, MAX_RETRY_DELAY_MS);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** First line(s) of untrusted text for a message, with anything key-like removed. */
function preview(text: string, apiKey: string): string {
  const clean = redactKey(text, apiKey).replace(/\s+/g, ' ').trim();
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}

/** Removes the key (whole or partial) and anything key-like from a message: core/report/redact.ts. */
export function redactKey(text: string, apiKey: string): string {
  return redactSecrets(text, [apiKey]);
}

function tries(attempt: number): string {
  return `(attempt ${attempt})`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
