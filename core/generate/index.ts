/** Generate Strategy: idea text → validated strategy file, offline or with an OpenAI-compatible model. */
export { generateStrategy, resolveProvider, PROVIDER_CHOICES } from './provider';
export { generateOffline } from './offline/generateOffline';
export { writeStrategy } from './offline/writeStrategy';
export { parseIdea, DEFAULT_SYMBOL, DEFAULT_TIMEFRAME, type ParseResult } from './idea/parseIdea';
export { generateWithOpenAI, OPENAI_DEFAULT_BASE_URL, redactKey } from './llm/openaiProvider';
export { resolveBaseUrl } from './llm/failures';
export { extractCode } from './llm/extractCode';
export { initialMessages, repairMessage, systemPrompt, type ChatMessage } from './llm/prompt';
export { checkStrategySource, formatProblems, type CheckReport, type CodeProblem } from './check';
export { readRequestFromSource, requestHeader, withRequestHeader, REQUEST_PREFIX } from './header';
export { slugify, writeNewFile, numberedName, STRATEGY_SUFFIX } from './files';
export { defaultStrategyPath, namesForIdea, namesFromSpec, type StrategyNames } from './naming';
export { GenerateError, notUnderstoodError, type GenerateErrorKind } from './errors';
export { describeEvent } from './events';
export * from './spec';
export * from './types';
export { readGenerateSettings, LLM_SETTING_KEYS, IDEA_EXAMPLES, type GenerateSettings, type SettingGetter } from './settings';
