/**
 * The chat client the LLM evaluators (and the refine loop's feedback) talk
 * through, configured by the same settings as generation (`strategyLab.llm.*`,
 * core/generate/types.ts `LlmSettings`) and the same API key.
 *
 * The base URL rule, the error messages and the retry policy are the
 * generator's (core/generate/llm/failures.ts); this file only builds the
 * non-streaming client the judges need. Evaluators only see `ChatClient`.
 */
import { createOpenAIClient } from '../../generate/llm/openaiClient';
import { redactKnownSecrets } from '../../report/redact';
import { redactKey } from '../../generate/llm/openaiProvider';
import { explainModelError, isRetryable, notACompletion, resolveBaseUrl, retryDelay } from '../../generate/llm/failures';
import type { ChatMessage } from '../../generate/llm/prompt';
import { DEFAULT_LLM_SETTINGS, type LlmSettings } from '../../generate/types';

export type { ChatMessage };

export interface ChatClient {
  /** Model name, for reports. */
  readonly model: string;
  /** One chat completion's text. Throws an Error with an actionable message on transport/API failures. */
  complete(messages: ChatMessage[], signal?: AbortSignal): Promise<string>;
}

export interface LlmConfig {
  apiKey: string | undefined;
  settings?: Partial<LlmSettings>;
}

/**
 * A client when an API key is configured; undefined means "no LLM": LLM evaluators are skipped.
 * Same base URL rule, timeout and messages as generation (core/generate/llm/failures.ts): one
 * `timeoutMs` per request, retries only on 429/5xx (a hung server is waited for once, not 4 times).
 */
export function chatClientFrom(config: LlmConfig | undefined): ChatClient | undefined {
  if (!config?.apiKey) return undefined;
  const apiKey = config.apiKey;
  const settings: LlmSettings = { ...DEFAULT_LLM_SETTINGS, ...Object.fromEntries(Object.entries(config.settings ?? {}).filter(([, v]) => v !== undefined)) };
  const baseURL = resolveBaseUrl(settings.baseUrl);
  // The key is stripped from every reply by the transport (openaiClient.ts) before the openai package sees it.
  const client = createOpenAIClient({ apiKey, baseURL, timeout: settings.timeoutMs, maxRetries: 0 });
  const context = { where: baseURL, model: settings.model, timeoutMs: settings.timeoutMs, redact: (t: string) => redactKey(t, apiKey) };
  const once = async (messages: ChatMessage[], signal?: AbortSignal): Promise<string> => {
    const completion: unknown = await client.chat.completions.create(
      { model: settings.model, messages, temperature: settings.temperature, stream: false },
      { signal },
    );
    const choices = (completion as { choices?: { message?: { content?: unknown } }[] } | null)?.choices;
    if (!Array.isArray(choices)) throw notACompletion(baseURL, completion);
    const content = choices[0]?.message?.content;
    // The transport already removed the key from the reply; this covers a key the model itself knew.
    return typeof content === 'string' ? redactKnownSecrets(content, [apiKey]) : '';
  };
  return {
    model: settings.model,
    async complete(messages, signal) {
      for (let retry = 0; ; retry++) {
        try {
          return await once(messages, signal);
        } catch (err) {
          if (signal?.aborted) throw err;
          const error = explainModelError(err, context);
          if (!isRetryable(error) || retry >= settings.maxRetries) throw new Error(`LLM request failed: ${error.message}`);
          await new Promise((resolve) => setTimeout(resolve, retryDelay(err, settings.retryBaseMs, retry)));
        }
      }
    },
  };
}
