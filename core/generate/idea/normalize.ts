/**
 * Plain-English variety → the grammar's words, before clauses are read:
 * typos fixed, synonyms mapped ("moving avg", "every time", "stop out at"),
 * and words that do not change the meaning dropped ("please", "basically",
 * "I'd like to"). Every change is reported, so nothing is read silently:
 * fixes as "read 'bellow' as 'below'", dropped words as "ignored …".
 * Input and output are lower-case working text (tickers already tokens).
 */
import { correctTypos } from './typos';
import { TICKER_TOKEN } from './phrases';

export interface Normalized {
  text: string;
  /** "read 'bellow' as 'below'" */
  readings: string[];
  /** Words dropped because they do not change the meaning. */
  ignored: string[];
}

/** Phrases that mean the same as a grammar phrase. Order matters: longer first. */
const SYNONYMS: [RegExp, string][] = [
  [/\bmov(?:ing)?\.?\s+avg\.?\b|\bmov(?:ing)?\s+averages?\b/g, 'moving average'],
  [/\bavg\.?\b/g, 'average'],
  [/\b(?:every|each|any)\s+time\b/g, 'whenever'],
  [/\bstop(?:s|ped)?\s+(?:me\s+)?out\s+(?:at|if\s+down|after)\s+(?:an?\s+)?/g, 'stop loss '],
  [/\bstop\s+(\d+(?:\.\d+)?)\s*(?:x\s*)?atrs?\s+(?:below|under|above|from)\s+(?:the\s+)?entry(?:\s+price)?/g, '$1 atr stop'],
  [/\b(?:oversold|overbought)\s*\(\s*(?:below|under|<)\s*(\d+(?:\.\d+)?)\s*\)/g, 'below $1'],
  [/\b(?:overbought|oversold)\s*\(\s*(?:above|over|>)\s*(\d+(?:\.\d+)?)\s*\)/g, 'above $1'],
  [/\b(?:turns|goes|flips|crosses\s+into)\s+positive\b/g, 'crosses above zero'],
  [/\b(?:turns|goes|flips|crosses\s+into)\s+negative\b/g, 'crosses below zero'],
  [/\b(?:is|stays|remains)\s+positive\b/g, 'is above zero'],
  [/\b(?:is|stays|remains)\s+negative\b/g, 'is below zero'],
  [/\bgets\s+back\s+(?:to|up\s+to)\b/g, 'returns to'],
  [/\b(?:on|at|after|upon)\s+an?\s+(?:break|breakout|move)\s+(above|over|below|under)\b/g, 'when price breaks $1'],
  [/\b(?:makes|hits|sets|prints|reaches)\s+(?:a\s+)?new\s+/g, 'is above the '],
  [/\b(lower|upper|middle)\s+band\s+of\s+(?:the\s+)?bollinger\s+bands?\b/g, '$1 bollinger band'],
  [/\bbuy\s+to\s+cover\b/g, 'cover'],
  [/\bgo(?:es)?\s+flat\b|\bflatten\b/g, 'exit'],
  [/\bcut\s+(?:it|the\s+position|the\s+trade)\b/g, 'exit'],
  [/\b(rsi|stochastic|stoch|macd|adx|%k|%d)(\s*\([^)]*\))?\s+(?:reading|value|level)\b/g, '$1$2'],
  [/\bbrakes\b/g, 'breaks'],
  // "the prior day's high": the high of the bar before, as a 1-day channel (so it is refused on intraday bars).
  [/\b(?:the\s+)?(?:prior|previous|yesterday's|last)\s+(day|bar|candle|week)(?:'s)?\s+(high|low)\b/g, 'the 1-$1 $2'],
  [/\byesterday's\s+(high|low)\b/g, 'the 1-day $1'],
  // "RSI2", "SMA200", "ema 20" written as one word: the period in parentheses.
  [/\b(rsi|sma|ema|wma|atr|adx)(\d+)\b/g, '$1($2)'],
  [/\b(it|that|price|rsi|macd)'s\b/g, '$1 is'],
  [/\b(stochastic|stoch)\s*(\(\s*\d+\s*,\s*\d+\s*\))\s*(%[kd])/g, '$1 $3$2'],
];

/** Words and phrases that do not change what the strategy does; dropped and reported. */
const FILLERS: RegExp[] = [
  /^(?:(?:ok|okay|so|hi|hey)[,\s]+)+/,
  /\b(?:can|could|would)\s+you\s+(?:please\s+)?(?:make|create|write|build|code|give\s+me)\s+(?:me\s+)?(?:an?\s+)?(?:simple\s+)?(?:strategy|system|bot|algo)\s+(?:that|which|to)\b/g,
  /\b(?:make|create|write|build|code)\s+(?:me\s+)?(?:an?\s+)?(?:simple\s+)?(?:strategy|system|bot|algo)\s+(?:that|which|to)\b/g,
  /\bi(?:'d|\s+would)\s+like\s+to\b|\bi\s+(?:want|wanna|need)\s+to\b|\bi\s+want\b|\blet's\b/g,
  /\bplease\b|\bbasically\b|\bsimply\b|\bjust\b|\bkindly\b|(?<=\bbuy\s+)some\b/g,
  /\b(?:simple|basic|classic)\s+(?:strategy|system|setup)\b/g,
];

/** Labels that name a style but add no rule: "Mean reversion:", "Trend following on GLD:". */
const LABEL = /^(?:(?:a|an|the|my|simple|basic|classic)\s+)*(?:mean[- ]reversion|trend[- ]following|momentum|turtle(?:[- ]style)?|swing(?:\s+trading)?|breakout|scalping|strategy|system|idea|setup|plan)(?:\s+(?:strategy|system|idea|setup|style|trade|play))*$/;

export function normalizeIdea(text: string, isTickerPosition: (index: number) => boolean): Normalized {
  const readings: string[] = [];
  const ignored: string[] = [];
  const typos = correctTypos(text, (_w, index) => isTickerPosition(index));
  for (const f of typos.fixes) readings.push(`read '${f.from}' as '${f.to}'`);
  let out = typos.text;
  for (const [re, to] of SYNONYMS) out = out.replace(re, to);
  for (const re of FILLERS) {
    out = out.replace(re, (m) => {
      ignored.push(m.trim());
      return ' ';
    });
  }
  // "Mean reversion: buy …" — a label before a colon.
  out = out.replace(/^([a-z' -]+):\s*/, (m, label: string) => {
    if (!LABEL.test(label.trim().replace(new RegExp(String.raw`\s+(?:on|for)\s+${TICKER_TOKEN}$`), ''))) return m;
    ignored.push(label.trim());
    return '';
  });
  out = out.replace(/^([a-z' -]+?)\s+(?:on|for)\s+(@sym\d+):\s*/, (m, label: string, sym: string) => {
    if (!LABEL.test(label.trim())) return m;
    ignored.push(label.trim());
    return `${sym}: `;
  });
  return { text: out.replace(/[ \t]+/g, ' ').trim(), readings, ignored };
}

/** "Ignored (does not change the meaning): "please", "basically"." */
export function ignoredNote(ignored: string[]): string | undefined {
  const unique = [...new Set(ignored.filter(Boolean))];
  return unique.length ? `Ignored words that do not change the meaning: ${unique.map((w) => `"${w}"`).join(', ')}.` : undefined;
}
