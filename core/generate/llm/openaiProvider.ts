/**
 * The OpenAI(-compatible) provider: ask, extract the code, validate it with
 * the project's validator, and send the errors back for a repair, up to
 * `maxAttempts` rounds. 429/5xx are retried with backoff. Every failure has
 * its own message; the API key never appears in one.
 */
import type OpenAI from 'openai';
import { checkStrategySource, formatProblems, type CodeProblem } from '../check';
import { GenerateError } from '../errors';
import { withRequestHeader } from '../header';
import { DEFAULT_LLM_SETTINGS, type GenerateEvent, type GeneratedStrategy, type LlmSettings } from '../types';
import { extractCode } from './extractCode';
import { cancelledError as cancelled, explainModelError, isRetryable, notACompletion, preview as previewText, resolveBaseUrl, retryDelay, timeoutError } from './failures';
import { createOpenAIClient } from './openaiClient';
import { redactSecrets } from '../../report/redact';
import { initialMessages, noCodeMessage, repairMessage, type ChatMessage } from './prompt';

export { OPENAI_DEFAULT_BASE_URL } from './failures';

export interface OpenAiRequest {
  idea: string;
  /** The user's own request when `idea` carries more (refine adds its findings): the class is named from it. */
  nameFrom?: string;
  apiKey: string | undefined;
  settings?: Partial<LlmSettings>;
  signal?: AbortSignal;
  onEvent?: (event: GenerateEvent) => void;
}

export async function generateWithOpenAI(request: OpenAiRequest): Promise<GeneratedStrategy> {
  const { idea, apiKey, signal } = request;
  const settings: LlmSettings = { ...DEFAULT_LLM_SETTINGS, ...stripUndefined(request.settings ?? {}) };
  settings.baseUrl = resolveBaseUrl(settings.baseUrl);
  const emit = request.onEvent ?? (() => {});
  if (!apiKey) {
    throw new GenerateError(
      'no-api-key',
      "No API key for the OpenAI provider. In VS Code run 'Strategy Lab: Set API Key'; for the CLI set OPENAI_API_KEY. Or use --provider offline.",
    );
  }
  const client = createOpenAIClient({ apiKey, baseURL: settings.baseUrl, timeout: settings.timeoutMs, maxRetries: 0 });
  const call = new ModelCall(client, settings, apiKey, signal, emit);
  const messages = initialMessages(idea, request.nameFrom);
  let failure: GenerateError | undefined;
  let lastProblems: CodeProblem[] = [];

  for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
    emit({ type: 'attempt', attempt, maxAttempts: settings.maxAttempts });
    const reply = await call.complete(messages, attempt);
    messages.push({ role: 'assistant', content: reply });
    if (!reply.trim()) {
      failure = new GenerateError('empty-reply', `The model '${settings.model}' sent an empty reply ${tries(attempt)}. Try again, or pick another model (strategyLab.llm.model / --model).`);
      emit({ type: 'no-code', attempt, maxAttempts: settings.maxAttempts, reason: 'empty reply' });
      messages.push(noCodeMessage());
      continue;
    }
    const code = extractCode(reply);
    if (!code) {
      failure = new GenerateError(
        'no-code',
        `The model '${settings.model}' replied without a strategy file (no TypeScript class extending BaseStrategy) ${tries(attempt)}. Its reply began: "${preview(reply, apiKey)}". Try again or pick a stronger model.`,
      );
      emit({ type: 'no-code', attempt, maxAttempts: settings.maxAttempts, reason: 'no code block with a BaseStrategy class' });
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
    emit({ type: 'invalid', attempt, maxAttempts: settings.maxAttempts, problems: report.errors });
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
        const retryable = isRetryable(error);
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
          if (!chunk || !Array.isArray(chunk.choices)) throw notACompletion(this.where, chunk);
          chunks++;
          const delta = chunk.choices[0]?.delta?.content;
          if (delta) {
            text += delta;
            this.emit({ type: 'receiving', attempt, chars: text.length });
          }
        }
        // An aborted stream just ends (the client swallows the abort): tell a cut-off reply from a finished one.
        if (controller.signal.aborted) throw timedOut ? timeoutError(this.context) : cancelled();
        if (chunks === 0) throw notACompletion(this.where);
        return text;
      }
      const completion: unknown = await this.client.chat.completions.create({ ...body, stream: false }, { signal: controller.signal });
      const choices = (completion as { choices?: { message?: { content?: unknown } }[] } | null)?.choices;
      if (!Array.isArray(choices)) throw notACompletion(this.where, completion);
      const content = choices[0]?.message?.content;
      const text = typeof content === 'string' ? content : '';
      this.emit({ type: 'receiving', attempt, chars: text.length });
      return text;
    } catch (err) {
      if (timedOut) throw timeoutError(this.context);
      if (this.signal?.aborted) throw cancelled();
      throw err;
    } finally {
      clearTimeout(timer);
      this.signal?.removeEventListener('abort', onAbort);
    }
  }

  private get where(): string {
    return this.settings.baseUrl ?? resolveBaseUrl(undefined);
  }

  private get context() {
    return { where: this.where, model: this.settings.model, timeoutMs: this.settings.timeoutMs, redact: (t: string) => redactKey(t, this.apiKey) };
  }

  /** Turns whatever the client threw into one GenerateError with an actionable message (failures.ts). */
  private explain(err: unknown): GenerateError {
    return explainModelError(err, this.context);
  }
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
  return previewText(text, { redact: (t) => redactKey(t, apiKey) });
}

/** Removes the key (whole or partial) and anything key-like from a message: core/report/redact.ts. */
export function redactKey(text: string, apiKey: string): string {
  return redactSecrets(text, [apiKey]);
}

function tries(attempt: number): string {
  return `(attempt ${attempt})`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
