/**
 * Small typos in the grammar's own words ("bellow", "crosess", "sel"): each
 * unknown word close to exactly one keyword is read as that keyword, and the
 * reading is reported ("read 'bellow' as 'below'"). Words the grammar or
 * plain English already knows are never changed, and neither is a word with
 * two equally close keywords (it is left for the "not understood" list).
 */

/** Words of the idea grammar a typo may stand for. */
export const KEYWORDS = [
  'above', 'below', 'under', 'over', 'cross', 'crosses', 'crossed', 'crossing', 'crossover', 'breaks', 'break', 'breakout',
  'rises', 'falls', 'drops', 'dips', 'climbs', 'closes', 'touches', 'reaches', 'between', 'exceeds', 'greater', 'less',
  'sell', 'short', 'cover', 'exit', 'close', 'enter', 'purchase', 'whenever', 'when', 'once',
  'signal', 'line', 'histogram', 'macd', 'bollinger', 'band', 'bands', 'middle', 'lower', 'upper', 'stochastic',
  'average', 'moving', 'simple', 'exponential', 'weighted', 'relative', 'strength', 'index', 'volume', 'price',
  'trailing', 'stop', 'loss', 'profit', 'take', 'target', 'position', 'equity', 'portfolio', 'capital', 'percent',
  'golden', 'death', 'reverse', 'opposite', 'oversold', 'overbought', 'positive', 'negative', 'highest', 'lowest',
  'high', 'low', 'daily', 'weekly', 'hourly', 'minute', 'intraday', 'bars', 'candles', 'chart', 'zero', 'period',
];

/** Misspellings too short for the distance rule (any 3-letter word is one edit from many others). */
const SHORT_TYPOS: Record<string, string> = {
  sel: 'sell', wen: 'when', ovr: 'over', lin: 'line', los: 'loss', byu: 'buy', blw: 'below', abv: 'above', undr: 'under',
};

/** Words that are right as written: never "corrected" into a keyword. */
const KNOWN = new Set([
  ...KEYWORDS,
  'buy', 'buys', 'long', 'go', 'get', 'out', 'the', 'a', 'an', 'and', 'or', 'but', 'if', 'then', 'it', 'its', 'is', 'are', 'at',
  'on', 'of', 'for', 'to', 'in', 'with', 'by', 'as', 'soon', 'after', 'from', 'back', 'up', 'down', 'into', 'through',
  'sells', 'shorts', 'covers', 'exits', 'closed', 'closing', 'rise', 'rose', 'fall', 'fell', 'drop', 'dropped', 'dip', 'dipped',
  'goes', 'went', 'gets', 'moves', 'move', 'climb', 'touch', 'touched', 'reach', 'reached', 'hits', 'hit', 'tags', 'returns',
  'new', 'day', 'days', 'week', 'weeks', 'hour', 'hours', 'minutes', 'month', 'months', 'year', 'years', 'bar', 'candle', 'session',
  'use', 'using', 'each', 'per', 'trade', 'trades', 'trading', 'entry', 'risk', 'size', 'percent', 'pct', 'times', 'twice',
  'stock', 'stocks', 'shares', 'share', 'them', 'their', 'this', 'that', 'these', 'those', 'when', 'what', 'where', 'while',
  'sma', 'ema', 'wma', 'rsi', 'atr', 'adx', 'ma', 'bb', 'di', 'vol', 'avg', 'stoch', 'high', 'highs', 'lows', 'close', 'closes',
  'please', 'just', 'some', 'only', 'also', 'strategy', 'system', 'idea', 'setup', 'want', 'like', 'make', 'create', 'can', 'you',
  'me', 'my', 'i', 'we', 'our', 'be', 'been', 'has', 'have', 'had', 'do', 'does', 'not', 'no', 'yes', 'all', 'any', 'every',
  'more', 'most', 'than', 'then', 'there', 'here', 'time', 'times', 'next', 'last', 'past', 'prior', 'previous', 'current',
  'flat', 'hold', 'held', 'cut', 'add', 'rules', 'rule', 'condition', 'still', 'stays', 'remains', 'turns', 'turn', 'makes',
  'bullish', 'bearish', 'mean', 'reversion', 'trend', 'following', 'momentum', 'turtle', 'style', 'basically', 'simple',
  'crossunder', 'sells', 'selling', 'bought', 'buying', 'shorting', 'covering', 'exiting', 'entering', 'gain', 'gains',
  'pullback', 'channel', 'range', 'donchian', 'top', 'bottom', 'mid', 'full', 'slow', 'fast', 'plus', 'minus', 'reading',
  'value', 'level', 'same', 'way', 'again', 'until', 'before', 'open', 'moon', 'news', 'earnings', 'bells', 'bell', 'well',
  'calls', 'puts', 'options', 'option', 'futures', 'dip', 'dips', 'rally', 'everything', 'nothing', 'crypto', 'gold', 'oil',
  'bonds', 'market', 'index', 'forever', 'leverage', 'leveraged', 'margin', 'today', 'now', 'big', 'small', 'fed', 'vix', 'cci', 'mfi', 'obv', 'vwap', 'sar',
]);

/** A word the grammar or plain English knows (so not a ticker and not a typo). */
export function isKnownWord(word: string): boolean {
  return KNOWN.has(word);
}

export interface TypoFix {
  from: string;
  to: string;
}

/** The keyword a word is a typo of, or undefined (known word, no close keyword, or two equally close). */
export function correctWord(word: string): string | undefined {
  if (KNOWN.has(word) || !/^[a-z]+$/.test(word)) return undefined;
  if (SHORT_TYPOS[word]) return SHORT_TYPOS[word];
  if (word.length < 4) return undefined;
  const limit = word.length >= 7 ? 2 : 1;
  let best: { word: string; distance: number; prefix: number }[] = [];
  for (const k of KEYWORDS) {
    if (Math.abs(k.length - word.length) > limit) continue;
    const d = editDistance(word, k, limit);
    if (d > limit) continue;
    const candidate = { word: k, distance: d, prefix: commonPrefix(word, k) };
    if (!best.length || d < best[0].distance) best = [candidate];
    else if (d === best[0].distance) best.push(candidate);
  }
  if (!best.length) return undefined;
  // Ties: the keyword sharing the longer start wins ("croses" → crosses, not closes); still tied → leave it.
  best.sort((a, b) => b.prefix - a.prefix || b.word.length - a.word.length);
  const top = best.filter((b) => b.prefix === best[0].prefix);
  // Forms of one word ("cross" / "crosses") mean the same to the grammar: take the longest.
  if (top.some((t) => !top[0].word.startsWith(t.word))) return undefined;
  return top[0].word;
}

/** Rewrites every correctable word of lower-case text; returns the fixes in order. */
export function correctTypos(text: string, keep: (word: string, index: number) => boolean = () => false): { text: string; fixes: TypoFix[] } {
  const fixes: TypoFix[] = [];
  const out = text.replace(/[a-z]+/g, (word, index: number) => {
    if (keep(word, index)) return word;
    // A word glued to a digit or symbol ("5pm", "p/e") is not a keyword typo.
    if (/[\w/:@]/.test(text[index - 1] ?? '') || /[\w/:]/.test(text[index + word.length] ?? '')) return word;
    const to = correctWord(word);
    if (!to) return word;
    if (!fixes.some((f) => f.from === word)) fixes.push({ from: word, to });
    return to;
  });
  return { text: out, fixes };
}

/** Optimal-string-alignment distance (a swap of two neighbours counts as one edit), stopping past `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0][j] = j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
      rowMin = Math.min(rowMin, d);
    }
    if (i > 0 && rowMin > limit) return limit + 1;
  }
  return rows[a.length][b.length];
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
