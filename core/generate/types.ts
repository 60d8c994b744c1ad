/** What a generation run takes, reports while it works, and returns. */
import type { CodeProblem } from './check';
import type { StrategySpec } from './spec';

export type ProviderName = 'offline' | 'openai';
export type ProviderChoice = ProviderName | 'auto';

/** Settings of the OpenAI(-compatible) provider; VS Code settings `strategyLab.llm.*`, CLI flags. */
export interface LlmSettings {
  /** Default `gpt-4o-mini`. */
  model: string;
  /** Any OpenAI-compatible endpoint (Azure, Ollama, LM Studio, vLLM); default OpenAI's. */
  baseUrl?: string;
  /** Default 0.2. */
  temperature: number;
  /** Per request (the whole, streamed reply), default 60 000; the same for generation and the LLM judges. A timeout is not retried. */
  timeoutMs: number;
  /** Generate-validate-repair rounds, default 3. */
  maxAttempts: number;
  /** Retries of one request on 429/5xx only (never on a timeout or a refused connection), default 3. */
  maxRetries: number;
  /** First retry delay; doubles each time (a Retry-After header wins, capped at 30 s). Default 1000. */
  retryBaseMs: number;
  /** Stream the reply (progress as it arrives). Default true. */
  stream: boolean;
}

export const DEFAULT_LLM_SETTINGS: LlmSettings = {
  model: 'gpt-4o-mini',
  temperature: 0.2,
  timeoutMs: 60_000,
  maxAttempts: 3,
  maxRetries: 3,
  retryBaseMs: 1000,
  stream: true,
};

/** Progress a caller can show (VS Code progress, CLI stderr). */
export type GenerateEvent =
  | { type: 'attempt'; attempt: number; maxAttempts: number }
  | { type: 'receiving'; attempt: number; chars: number }
  | { type: 'retrying'; attempt: number; reason: string; delayMs: number }
  /** maxAttempts: whether another attempt (a repair) follows. */
  | { type: 'invalid'; attempt: number; maxAttempts?: number; problems: CodeProblem[] }
  | { type: 'no-code'; attempt: number; maxAttempts?: number; reason: string }
  | { type: 'valid'; attempt: number };

export interface GenerateOptions {
  provider?: ProviderChoice;
  /** API key (never logged). Without one, `auto` uses the offline generator. */
  apiKey?: string;
  llm?: Partial<LlmSettings>;
  signal?: AbortSignal;
  onEvent?: (event: GenerateEvent) => void;
}

export interface GeneratedStrategy {
  /** The whole file, starting with the `// Request:` header. */
  source: string;
  provider: ProviderName;
  /** Model rounds used (1 for offline). */
  attempts: number;
  /** The parsed idea (offline provider only). */
  spec?: StrategySpec;
  /** Warnings from the validator and remarks such as "no ticker named". */
  notes: string[];
}
