/**
 * The chat client the LLM evaluators (and the refine loop's feedback) talk
 * through, configured by the same settings as generation (`strategyLab.llm.*`,
 * core/generate/types.ts `LlmSettings`) and the same API key.
 *
 * STOPGAP: the generator (core/generate/llm/openaiProvider.ts) builds its
 * OpenAI client and its retry/timeout/error handling inside
 * `generateWithOpenAI` and exports neither. Until it exports them, this file
 * holds the one extra construction, kept to the same options (baseURL, timeout,
 * no client-side retries beyond `maxRetries`), so swapping it for the
 * generator's export is a one-file change. Evaluators only see `ChatClient`.
 */
import { createOpenAIClient } from '../../generate/llm/openaiClient';
import { redactKnownSecrets } from '../../report/redact';
import { OPENAI_DEFAULT_BASE_URL, redactKey } from '../../generate/llm/openaiProvider';
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

/** A client when an API key is configured; undefined means "no LLM": LLM evaluators are skipped. */
export function chatClientFrom(config: LlmConfig | undefined): ChatClient | undefined {
  if (!config?.apiKey) return undefined;
  const apiKey = config.apiKey;
  const settings: LlmSettings = { ...DEFAULT_LLM_SETTINGS, ...Object.fromEntries(Object.entries(config.settings ?? {}).filter(([, v]) => v !== undefined)) };
  const baseURL = settings.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
  const client = createOpenAIClient({ apiKey, baseURL, timeout: settings.timeoutMs, maxRetries: settings.maxRetries });
  return {
    model: settings.model,
    async complete(messages, signal) {
      try {
        const completion: unknown = await client.chat.completions.create(
          { model: settings.model, messages, temperature: settings.temperature, stream: false },
          { signal },
        );
        const choices = (completion as { choices?: { message?: { content?: unknown } }[] } | null)?.choices;
        if (!Array.isArray(choices)) throw new Error(`The reply from ${baseURL} is not a chat completion (no "choices"). Check strategyLab.llm.baseUrl.`);
        const content = choices[0]?.message?.content;
        // The transport already removed the key from the reply; this covers a key the model itself knew.
        return typeof content === 'string' ? redactKnownSecrets(content, [apiKey]) : '';
      } catch (err) {
        if (signal?.aborted) throw err;
        const status = (err as { status?: number }).status;
        const what = status === 401 ? 'the API key was rejected (401)' : status ? `the model server answered ${status}` : `could not reach the model server at ${baseURL}`;
        throw new Error(`LLM request failed: ${what}: ${redactKey(err instanceof Error ? err.message : String(err), apiKey).slice(0, 200)}. Check strategyLab.llm.baseUrl, strategyLab.llm.model and the API key.`);
      }
    },
  };
}
