/**
 * The `strategyLab.llm.*` settings, read through any getter (VS Code's
 * configuration in the extension, a plain object in tests). The API key is
 * deliberately not among them: it lives in SecretStorage or OPENAI_API_KEY.
 */
import { PROVIDER_CHOICES } from './provider';
import { DEFAULT_LLM_SETTINGS, type LlmSettings, type ProviderChoice } from './types';

export type SettingGetter = <T>(key: string, fallback: T) => T;

/** Setting names under `strategyLab.` (documented in docs/generate.md, contributed in package.json). */
export const LLM_SETTING_KEYS = {
  provider: 'llm.provider',
  model: 'llm.model',
  baseUrl: 'llm.baseUrl',
  temperature: 'llm.temperature',
  timeoutMs: 'llm.timeoutMs',
  maxAttempts: 'llm.maxAttempts',
} as const;

export interface GenerateSettings {
  provider: ProviderChoice;
  llm: Partial<LlmSettings>;
}

/** Typed settings; values out of range fall back to the defaults rather than break a run. */
export function readGenerateSettings(get: SettingGetter): GenerateSettings {
  const provider = get<string>(LLM_SETTING_KEYS.provider, 'auto');
  const number = (key: string, fallback: number, ok: (n: number) => boolean) => {
    const n = get<number>(key, fallback);
    return typeof n === 'number' && Number.isFinite(n) && ok(n) ? n : fallback;
  };
  const baseUrl = get<string>(LLM_SETTING_KEYS.baseUrl, '').trim();
  const model = get<string>(LLM_SETTING_KEYS.model, DEFAULT_LLM_SETTINGS.model).trim();
  return {
    provider: (PROVIDER_CHOICES as readonly string[]).includes(provider) ? (provider as ProviderChoice) : 'auto',
    llm: {
      model: model || DEFAULT_LLM_SETTINGS.model,
      baseUrl: baseUrl || undefined,
      temperature: number(LLM_SETTING_KEYS.temperature, DEFAULT_LLM_SETTINGS.temperature, (n) => n >= 0 && n <= 2),
      timeoutMs: number(LLM_SETTING_KEYS.timeoutMs, DEFAULT_LLM_SETTINGS.timeoutMs, (n) => n >= 1000),
      maxAttempts: Math.round(number(LLM_SETTING_KEYS.maxAttempts, DEFAULT_LLM_SETTINGS.maxAttempts, (n) => n >= 1 && n <= 10)),
    },
  };
}

/** Ideas shown as examples in the VS Code input box and the docs. */
export const IDEA_EXAMPLES = [
  'Buy AAPL when RSI drops below 35, sell when it rises above 65',
  'Golden cross on SPY with a 5% trailing stop',
  'Bollinger mean reversion on QQQ',
  'Buy TSLA when price breaks above the 20-day high with a 2% stop loss',
  'Buy AAPL, MSFT and NVDA when the MACD line crosses above the signal line, sell when it crosses below',
];
