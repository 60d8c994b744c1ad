/**
 * "Did you mean …?" for the parts of an idea the offline generator did not
 * understand: the supported phrasings (docs/generate.md) that share the most
 * meaningful words with the part, typos forgiven. No suggestion when nothing
 * is shared: "the moon is full" gets none rather than a random one.
 */
import { correctWord } from './typos';

/** One phrasing per grammar element, as written in docs/generate.md. */
export const PHRASEBOOK = [
  'RSI drops below 30',
  'RSI rises above 70',
  'RSI is oversold',
  'RSI crosses above 30',
  'RSI is between 40 and 60',
  'price crosses above the 50-day SMA',
  'price closes above the 200-day moving average',
  'the 50-day SMA crosses above the 200-day SMA',
  'the 20-day EMA crosses below the 50-day EMA',
  'price touches the 50-day SMA',
  'MACD crosses above the signal line',
  'the MACD histogram turns positive',
  'MACD crosses above zero',
  'price closes below the lower Bollinger band',
  'price reaches the middle Bollinger band',
  'the stochastic %K crosses above %D',
  'the stochastic %K is below 20',
  'ADX is above 25',
  '+DI crosses above -DI',
  'price closes above the 20-day high',
  'price breaks below the 10-day low',
  'a new 55-day high',
  'volume is above 1.5x its 20-day average',
  'golden cross',
  'death cross',
  'a 2% stop loss',
  'a 5% trailing stop',
  'take profit at 10%',
  'a 2 ATR stop',
  'use 25% of equity per trade',
  'on hourly bars',
  'on 5-minute bars',
  'on weekly bars',
  'buy AAPL when …',
  'sell when …',
  'short TSLA when …',
  'cover when …',
];

const STOP_WORDS = new Set(['the', 'a', 'an', 'is', 'are', 'when', 'if', 'it', 'its', 'and', 'or', 'of', 'on', 'at', 'to', 'in', 'with', 'by', 'for', 'be', 'than', 'then', '…']);

function meaningfulWords(text: string): Set<string> {
  const words = text.toLowerCase().match(/[%+-]?[a-z]+|\d+/g) ?? [];
  return new Set(words.map((w) => correctWord(w) ?? w).filter((w) => !STOP_WORDS.has(w) && !/^\d+$/.test(w)));
}

/** Up to `max` phrasings closest to a not-understood part, best first. */
export function suggestPhrasings(part: string, max = 2): string[] {
  const words = meaningfulWords(part);
  if (!words.size) return [];
  return PHRASEBOOK.map((phrase) => {
    const own = meaningfulWords(phrase);
    const shared = [...own].filter((w) => words.has(w)).length;
    return { phrase, shared, score: shared / own.size };
  })
    .filter((s) => s.shared > 0)
    .sort((a, b) => b.shared - a.shared || b.score - a.score)
    .slice(0, max)
    .map((s) => s.phrase);
}
