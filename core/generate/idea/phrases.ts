/**
 * Whole-sentence phrases the offline parser lifts out before it reads the
 * entry/exit clauses: tickers, timeframe, stops and position size. Each match
 * is blanked out of the working text (same length, so positions stay valid)
 * and reported as understood.
 */
import type { Timeframe } from '../../sdk/types';
import type { RiskSpec } from '../spec';

/** Regex source of the stand-in for a ticker (or a list of tickers) in the working text: `@sym0`, `@sym1`, … */
export const TICKER_TOKEN = String.raw`@sym\d+`;

/** All-caps words that are not tickers. */
const NOT_TICKERS = new Set([
  'RSI', 'SMA', 'EMA', 'WMA', 'MA', 'MACD', 'ATR', 'ADX', 'DI', 'OBV', 'VWAP', 'BB', 'EOD', 'ETF', 'AND', 'OR', 'THE',
  'I', 'A', 'AM', 'PM', 'TP', 'SL', 'K', 'D', 'OK', 'BUY', 'SELL', 'SHORT', 'LONG', 'WHEN', 'IF', 'USD', 'UTC', 'X',
  'CCI', 'MFI', 'SAR', 'IV', 'ECB', 'FED', 'PE', 'EPS', 'ATH', 'HOD', 'LOD', 'EMA', 'DMI', 'ROC', 'TRIX',
]);

/** Letters glued to "/" or ":" are not tickers: "P/E", "put/call", "3:30PM". */
const TICKER_RE = /(?<![\w$@%+/-])(?<!\d:)\$?[A-Z]{1,5}(?:[.-][A-Z]{1,4})?(?![\w(/]|:\d)|\$[a-z]{1,5}\b/g;
const TOKEN_LIST_RE = new RegExp(String.raw`@sym(\d+)(?:\s*(?:,\s*(?:and\s+|&\s*)?|\s+and\s+|\s*&\s*|\s*/\s*)${TICKER_TOKEN})+`, 'g');
/** Verbs and prepositions a ticker follows: "buy aapl", "short the qqq", "golden cross on spy". */
const TICKER_LEAD = String.raw`(?:\b(?:buy|buys|purchase|short|shorts|sell\s+short|go\s+long|go\s+short|long|trade|trading|accumulate)\s+(?:(?:some|shares\s+of|the)\s+)?|\b(?:on|for)\s+)`;
const TICKER_WORD = String.raw`(?:[a-z]{1,5}(?:[.-][a-z]{1,4})?)`;
/** A lower-case ticker (list) at a ticker position, ending where a condition, a stop or the clause starts. */
const LOWER_TICKERS_RE = new RegExp(
  String.raw`${TICKER_LEAD}(${TICKER_WORD}(?:\s*(?:,|&|\band\b)\s*${TICKER_WORD})*)(?=\s*(?:$|[,.;:!?]|\b(?:when|whenever|if|once|on|with|at|as|using|and\s+(?:sell|exit|close|cover)|every|after)\b))`,
  'gi',
);

export interface Extracted<T> {
  value: T;
  /** Text with the matched phrases blanked or replaced. */
  text: string;
  /** The phrases as written, for the "understood" list. */
  phrases: string[];
}

/**
 * Finds tickers (all-caps words such as AAPL, BRK.B, BTC-USD, or $tsla, and
 * words in any case where a ticker goes: "buy aapl when…") and replaces each
 * list of them with one token; `restore` puts the words back into any piece
 * of the working text (for messages). An idea written all in capitals is read
 * as if lower-case, so its words are not taken for tickers.
 */
export function extractTickers(
  text: string,
  isWord: (word: string) => boolean,
): Extracted<string[]> & { restore: (working: string) => string; readings: string[] } {
  const symbols: string[] = [];
  const originals: string[] = [];
  const readings: string[] = [];
  const letters = text.replace(/[^A-Za-z]/g, '');
  const shouting = letters.length >= 12 && letters.replace(/[^A-Z]/g, '').length / letters.length > 0.8;
  const token = (word: string) => {
    const symbol = word.replace(/^\$/, '').toUpperCase();
    if (!symbols.includes(symbol)) symbols.push(symbol);
    originals.push(word);
    return `@sym${originals.length - 1}`;
  };
  let marked = shouting ? text.toLowerCase() : text;
  marked = marked.replace(TICKER_RE, (word, index: number) => {
    const symbol = word.replace(/^\$/, '').toUpperCase();
    // "Buy MA when…": right after "buy", even an indicator's abbreviation is the ticker.
    const afterVerb = /\b(?:buy|short|sell\s+short|go\s+long|go\s+short|purchase)\s+$/i.test(marked.slice(0, index)) && !/^\s*\(/.test(marked.slice(index + word.length));
    if (!word.startsWith('$') && NOT_TICKERS.has(symbol) && !afterVerb) return word;
    return token(word);
  });
  marked = marked.replace(LOWER_TICKERS_RE, (m, list: string) => {
    const words = list.split(/\s*(?:,|&|\band\b)\s*/i).filter(Boolean);
    if (words.some((w) => isWord(w.toLowerCase()))) return m;
    for (const w of words) readings.push(`read '${w}' as ticker ${w.toUpperCase()}`);
    return m.slice(0, m.length - list.length) + list.replace(new RegExp(TICKER_WORD, 'gi'), (w) => (words.includes(w) ? token(w) : w));
  });
  const restore = (working: string) => working.replace(/@sym(\d+)/g, (_m, i: string) => originals[Number(i)] ?? _m);
  const collapsed = marked.replace(TOKEN_LIST_RE, (list, first: string) => {
    originals[Number(first)] = restore(list);
    return `@sym${first}`;
  });
  return { value: symbols, text: collapsed, phrases: symbols.length ? [`tickers ${symbols.join(', ')}`] : [], restore, readings };
}

const NUM = String.raw`(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])`;
const PCT = String.raw`${NUM}\s*(?:%|percent\b|pct\b)`;
const LEAD = String.raw`(?:\b(?:with|and|using|use|plus|set|place|put)\s+)?(?:an?\s+)?`;

interface RiskPattern {
  re: RegExp;
  apply: (m: RegExpExecArray, risk: RiskSpec) => void;
}

const RISK_PATTERNS: RiskPattern[] = [
  {
    re: new RegExp(String.raw`${LEAD}(?:${PCT}\s*trailing[- ]stop(?:[- ]loss)?|trailing[- ]stop(?:[- ]loss)?(?:\s+(?:of|at))?\s*${PCT})`, 'g'),
    apply: (m, r) => { r.trailingStopPct = Number(m[1] ?? m[2]); },
  },
  {
    re: new RegExp(String.raw`${LEAD}(?:${NUM}\s*(?:x|times)?\s*(?:the\s+)?(?:(?<!\d)(\d+)[- ](?:day|bar|period)\s+)?atr\s+stop(?:[- ]loss)?|stop(?:[- ]loss)?\s+(?:of|at)\s+${NUM}\s*(?:x|times)?\s*(?:the\s+)?(?:(?<!\d)(\d+)[- ](?:day|bar|period)\s+)?atrs?)`, 'g'),
    apply: (m, r) => { r.atrStop = { multiple: Number(m[1] ?? m[3]), period: Number(m[2] ?? m[4] ?? 14) }; },
  },
  {
    re: new RegExp(String.raw`${LEAD}(?:${PCT}\s*(?:stop[- ]?loss|stop|sl)\b|(?:stop[- ]?loss|stop|sl)(?:\s+(?:of|at))?\s*${PCT})`, 'g'),
    apply: (m, r) => { r.stopLossPct = Number(m[1] ?? m[2]); },
  },
  {
    re: new RegExp(String.raw`${LEAD}(?:${PCT}\s*(?:take[- ]profit|profit[- ]target|target|tp)\b|(?:take[- ]profits?|profit[- ]target|target|tp)(?:\s+(?:of|at))?\s*(?:an?\s+)?${PCT}(?:\s+(?:gain|profit))?|(?:after|at|on)\s+(?:an?\s+)?${PCT}\s+(?:gain|profit))`, 'g'),
    apply: (m, r) => { r.takeProfitPct = Number(m[1] ?? m[2] ?? m[3]); },
  },
];

/** Stop-loss, take-profit, trailing-stop and ATR-stop phrases. */
export function extractRisk(text: string): Extracted<RiskSpec> {
  const risk: RiskSpec = {};
  const phrases: string[] = [];
  let out = text;
  for (const { re, apply } of RISK_PATTERNS) {
    out = out.replace(re, (...args) => {
      const match = args.slice(0, -2) as unknown as RegExpExecArray;
      apply(match, risk);
      phrases.push(match[0].trim());
      return ' '.repeat(match[0].length);
    });
  }
  return { value: risk, text: out, phrases };
}

const SIZE_OF = String.raw`\s+of\s+(?:the\s+|my\s+|our\s+|total\s+|available\s+)*(?:equity|capital|portfolio|account|cash|balance)`;
const SIZE_EACH = String.raw`(?:\s+(?:(?:per|on\s+each|for\s+each|in\s+each|each)\s+(?:trade|position|ticker|symbol|entry|stock|name)|each))?`;
const SIZE_RE = new RegExp(
  String.raw`(?:\b(?:using|use|with|risk(?:ing)?|invest(?:ing)?|allocate|allocating|put(?:ting)?|spend(?:ing)?|buy(?:ing)?\s+with)\s+)?(?:a\s+)?(?:position[- ]size\s+(?:of\s+)?${PCT}(?:${SIZE_OF})?|${PCT}\s+position(?:[- ]size)?|${PCT}${SIZE_OF}|${PCT}(?=\s+(?:per|each|in\s+each|for\s+each|on\s+each)\b))${SIZE_EACH}`,
  'g',
);

/** "25% of equity", "position size 10%": percent of equity per entry. */
export function extractSize(text: string): Extracted<number | undefined> {
  let value: number | undefined;
  const phrases: string[] = [];
  const out = text.replace(SIZE_RE, (m, ...groups: unknown[]) => {
    value = Number(groups.slice(0, 4).find((g) => typeof g === 'string'));
    phrases.push(m.trim());
    return ' '.repeat(m.length);
  });
  return { value, text: out, phrases };
}

const BAR_WORDS = String.raw`(?:bars?|candles?|charts?|timeframe|data|candlesticks?)`;
const MINUTE_TIMEFRAMES: Record<number, Timeframe> = { 1: '1m', 2: '2m', 5: '5m', 15: '15m', 30: '30m', 60: '1h', 240: '4h' };

const TIMEFRAME_PATTERNS: { re: RegExp; timeframe: (m: RegExpExecArray) => Timeframe | undefined }[] = [
  {
    re: new RegExp(String.raw`(?:\b(?:on|using|with|over|trading)\s+)?(?:the\s+)?(?:an?\s+)?\b(\d+)[- ]?(?:minutes?|mins?|m)\b[- ]?(?:${BAR_WORDS}|timeframe)`, 'g'),
    timeframe: (m) => MINUTE_TIMEFRAMES[Number(m[1])],
  },
  {
    re: new RegExp(String.raw`(?:\b(?:on|using|with|over|trading)\s+)?(?:the\s+)?\b(1|one|4|four)[- ]?(?:hours?|h)\b[- ]?${BAR_WORDS}`, 'g'),
    timeframe: (m) => (m[1] === '1' || m[1] === 'one' ? '1h' : '4h'),
  },
  { re: new RegExp(String.raw`(?:\b(?:on|using|with|trading)\s+)?(?:the\s+)?\bhourly(?:\s+${BAR_WORDS})?`, 'g'), timeframe: () => '1h' },
  { re: new RegExp(String.raw`(?:\b(?:on|using|with|trading)\s+)?(?:the\s+)?\bweekly(?:\s+${BAR_WORDS})|\bon\s+the\s+weekly\b`, 'g'), timeframe: () => '1wk' },
  { re: new RegExp(String.raw`(?:\b(?:on|using|with|trading)\s+)?(?:the\s+)?\bdaily(?:\s+${BAR_WORDS})?`, 'g'), timeframe: () => '1d' },
  { re: new RegExp(String.raw`(?:\b(?:on|using|with|trading)\s+)?(?:an?\s+)?\bintraday(?:\s+${BAR_WORDS})?`, 'g'), timeframe: () => '15m' },
];

/**
 * "on 5-minute bars", "hourly", "daily", "intraday" (15-minute bars). Undefined
 * when not said. Each mention is kept: two different bar sizes in one idea
 * ("hourly bars when the daily RSI…") are a multi-timeframe idea, refused.
 */
export function extractTimeframe(text: string): Extracted<Timeframe | undefined> & { unsupported: string[] } {
  let value: Timeframe | undefined;
  const phrases: string[] = [];
  const unsupported: string[] = [];
  const mentions: { phrase: string; timeframe: Timeframe }[] = [];
  let out = text;
  for (const { re, timeframe } of TIMEFRAME_PATTERNS) {
    out = out.replace(re, (...args) => {
      const match = args.slice(0, -2) as unknown as RegExpExecArray;
      const tf = timeframe(match);
      if (tf) {
        value ??= tf;
        mentions.push({ phrase: match[0].trim(), timeframe: tf });
        phrases.push(match[0].trim());
      } else {
        unsupported.push(`${match[0].trim()} (bar sizes: 1, 2, 5, 15, 30 minutes, 1 or 4 hours, daily, weekly)`);
      }
      return ' '.repeat(match[0].length);
    });
  }
  const distinct = [...new Set(mentions.map((m) => m.timeframe))];
  if (distinct.length > 1) {
    unsupported.push(
      `${mentions.map((m) => `"${m.phrase}"`).join(' and ')}: more than one bar size in one idea (multi-timeframe); the offline generator writes one bar size per strategy — say one, or give periods in bars of that size`,
    );
  }
  return { value, text: out, phrases, unsupported };
}
