/**
 * The chat messages sent to the model: the SDK's own `.d.ts` (so the model
 * codes against the real API), the validator's rules, two examples written by
 * the offline generator, and the request. Repairs send the validator's errors
 * back.
 */
import { getSdkDeclarations } from '../../sdk/dts';
import { RULES } from '../../validate/rules';
import { formatProblems, type CodeProblem } from '../check';
import { parseIdea } from '../idea/parseIdea';
import { writeStrategy } from '../offline/writeStrategy';
import { namesForIdea } from '../naming';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export const EXAMPLE_IDEAS = [
  'Buy AAPL when RSI drops below 30, sell when it rises above 70',
  'Buy SPY and QQQ when the 50-day SMA crosses above the 200-day SMA, sell when it crosses back below, with a 5% trailing stop',
];

let cachedSystem: string | undefined;

export function systemPrompt(): string {
  cachedSystem ??= buildSystemPrompt();
  return cachedSystem;
}

function buildSystemPrompt(): string {
  const rules = Object.entries(RULES)
    .map(([code, rule]) => `- ${code} (${rule.severity}) ${rule.title}: ${rule.catches}`)
    .join('\n');
  const examples = EXAMPLE_IDEAS.map((idea) => {
    const parsed = parseIdea(idea);
    if (!parsed.ok) throw new Error(`Prompt example no longer parses: ${idea}`);
    return `Request: ${idea}\n\`\`\`ts\n${writeStrategy(parsed.spec)}\`\`\``;
  }).join('\n\n');
  return [
    'You write trading strategies for Strategy Lab as one TypeScript file.',
    'The file default-exports one class extending BaseStrategy, with `static config: StrategyConfig = { symbols, timeframe }`, tunable numbers in `params = { … }`, and `onBar(bar: Bar): void`.',
    "Import only from 'strategy-lab' and 'strategy-lab/indicators'. Indicators are incremental: call `update(...)` once per bar; it returns undefined while warming up.",
    'Keep indicator state per symbol when config has several symbols. Orders: this.buy(symbol, options), this.sell(symbol, options), this.close(symbol); this.position(symbol) is the signed share count.',
    'Reply with the whole file in exactly one ```ts code block. No explanations are needed.',
    '',
    'The SDK (its complete declarations):',
    '```ts',
    getSdkDeclarations().text.trim(),
    '```',
    '',
    'The validator rejects files that break these rules (errors must be zero; avoid warnings too):',
    rules,
    '',
    'Examples:',
    examples,
  ].join('\n');
}

export function initialMessages(idea: string, nameFrom: string = idea): ChatMessage[] {
  return [
    { role: 'system', content: systemPrompt() },
    // The same specific class name the offline generator would give (ticker, indicator, rule): history rows differ by it.
    { role: 'user', content: `Request: ${idea}\nName the default-exported class ${namesForIdea(nameFrom).className}.` },
  ];
}

/** The follow-up after an invalid reply: the validator's errors, and what to send back. */
export function repairMessage(problems: CodeProblem[]): ChatMessage {
  return {
    role: 'user',
    content: `The file does not validate. Errors (line numbers count the "// Request:" header line(s) at the top):\n${formatProblems(problems)}\n\nFix every error and reply with the whole corrected file in one \`\`\`ts code block.`,
  };
}

/** The follow-up after a reply without code. */
export function noCodeMessage(): ChatMessage {
  return { role: 'user', content: 'Your reply contained no TypeScript code. Reply with the whole strategy file in one ```ts code block.' };
}
