/** Which provider runs: `auto` is OpenAI when a key is set, otherwise the offline generator. */
import { GenerateError } from './errors';
import type { GenerateOptions, GeneratedStrategy, ProviderChoice, ProviderName } from './types';

export const PROVIDER_CHOICES: readonly ProviderChoice[] = ['auto', 'offline', 'openai'];

export function resolveProvider(choice: ProviderChoice | undefined, apiKey: string | undefined): ProviderName {
  const c = choice ?? 'auto';
  if (c === 'auto') return apiKey ? 'openai' : 'offline';
  if (!PROVIDER_CHOICES.includes(c)) {
    throw new GenerateError('request-rejected', `Unknown provider '${String(c)}': use one of ${PROVIDER_CHOICES.join(', ')}.`);
  }
  return c;
}

/** Idea → validated strategy file text (with the request header). Writes nothing. */
export async function generateStrategy(idea: string, options: GenerateOptions = {}): Promise<GeneratedStrategy> {
  const trimmed = idea.trim();
  if (!trimmed) {
    throw new GenerateError('not-understood', 'The idea is empty. Describe the strategy, e.g. "Buy AAPL when RSI drops below 30, sell when it rises above 70".');
  }
  const provider = resolveProvider(options.provider, options.apiKey);
  if (provider === 'offline') {
    // Instant and local: no progress events to report.
    if (options.signal?.aborted) throw new GenerateError('cancelled', 'Generation cancelled.');
    const { generateOffline } = await import('./offline/generateOffline');
    return generateOffline(trimmed);
  }
  // Loaded when used: the generators validate with the TypeScript compiler, which the editor must not load at start-up.
  const { generateWithOpenAI } = await import('./llm/openaiProvider');
  return generateWithOpenAI({ idea: trimmed, apiKey: options.apiKey, settings: options.llm, signal: options.signal, onEvent: options.onEvent });
}
