/**
 * Reads one side of a comparison ("the 50-day SMA", "RSI(14)", "35", "the
 * lower Bollinger band", "its 20-day average volume") into an Operand.
 * Input is lower-case working text with tickers replaced by TICKER_TOKEN.
 */
import type { IndicatorOutput, IndicatorSpec, Operand } from '../spec';
import { TICKER_TOKEN } from './phrases';

/** Defaults when the idea names an indicator without its settings. */
export const DEFAULTS = {
  rsi: 14,
  movingAverage: 20,
  macd: [12, 26, 9] as const,
  bollinger: [20, 2] as const,
  stochastic: [14, 3] as const,
  atr: 14,
  adx: 14,
  channel: 20,
};

const UNIT = String.raw`(?:days?|d|periods?|bars?|sessions?|weeks?|hours?|minutes?|candles?)`;
/** "50-day ", "50 day ", "50 ", "50d " before the name. */
const PREFIX = String.raw`(?:(\d+)[- ]?(?:${UNIT}[- ]?)?\s*)?`;
/** "(14)", "(12, 26, 9)", " 14", " of 14", " over the last 20 days" after the name. */
const SUFFIX = String.raw`(?:\s*\(\s*(\d+(?:\.\d+)?(?:\s*[,/]\s*\d+(?:\.\d+)?)*)\s*\)|\s+(\d+)(?:[- ]${UNIT})?|\s+(?:of|over)\s+(?:the\s+)?(?:last\s+|past\s+|previous\s+)?(\d+)(?:[- ]?${UNIT})?)?`;

interface OperandPattern {
  name: string;
  build: (numbers: number[], names: RegExpExecArray) => Operand;
}

const ind = (indicator: IndicatorSpec, output: IndicatorOutput = 'value'): Operand => ({ kind: 'indicator', indicator, output });

const movingAverage = (type: 'SMA' | 'EMA' | 'WMA', source: 'close' | 'volume') => (n: number[]): Operand =>
  ind({ type, period: n[0] ?? DEFAULTS.movingAverage, source });

const macd = (output: IndicatorOutput) => (n: number[]): Operand =>
  ind({ type: 'MACD', fast: n[0] ?? DEFAULTS.macd[0], slow: n[1] ?? DEFAULTS.macd[1], signal: n[2] ?? DEFAULTS.macd[2] }, output);

const stochastic = (output: IndicatorOutput) => (n: number[]): Operand =>
  ind({ type: 'Stochastic', period: n[0] ?? DEFAULTS.stochastic[0], signal: n[1] ?? DEFAULTS.stochastic[1] }, output);

const adx = (output: IndicatorOutput) => (n: number[]): Operand => ind({ type: 'ADX', period: n[0] ?? DEFAULTS.adx }, output);

const BAND = String.raw`(upper|lower|middle|mid|top|bottom)`;
const bandOutput = (word: string): IndicatorOutput =>
  word === 'upper' || word === 'top' ? 'upper' : word === 'lower' || word === 'bottom' ? 'lower' : 'middle';

/** Ordered: longer names first, so "macd signal" wins over "macd". */
const PATTERNS: OperandPattern[] = [
  { name: String.raw`(?:rsi|relative strength index|relative strength)`, build: (n) => ind({ type: 'RSI', period: n[0] ?? DEFAULTS.rsi }) },
  { name: String.raw`(?:(?:volume|vol)\s+(?:sma|simple moving average|moving average|average|ma)|(?:average|avg)\s+(?:daily\s+)?volume|(?:moving\s+)?average\s+of\s+volume)`, build: movingAverage('SMA', 'volume') },
  { name: String.raw`(?:volume|vol)\s+(?:ema|exponential moving average)`, build: movingAverage('EMA', 'volume') },
  { name: String.raw`(?:ema|exponential moving average|exponential average)`, build: movingAverage('EMA', 'close') },
  { name: String.raw`(?:wma|weighted moving average)`, build: movingAverage('WMA', 'close') },
  { name: String.raw`(?:sma|simple moving average|moving average|simple average|average|ma)`, build: movingAverage('SMA', 'close') },
  { name: String.raw`(?:macd\s+)?signal(?:\s+line)?`, build: macd('signal') },
  { name: String.raw`(?:macd\s+)?histogram`, build: macd('histogram') },
  { name: String.raw`macd(?:\s+line)?`, build: macd('macd') },
  {
    name: String.raw`(?:${BAND}\s+(?:bollinger\s+)?(?:band|bb)|bollinger\s+${BAND}(?:\s+band)?|${BAND}\s+bollinger)`,
    build: (n, m) => ind({ type: 'BollingerBands', period: n[0] ?? DEFAULTS.bollinger[0], stdDev: n[1] ?? DEFAULTS.bollinger[1] }, bandOutput(m[1] ?? m[2] ?? m[3])),
  },
  { name: String.raw`(?:(?:slow\s+|full\s+)?stochastic(?:\s+oscillator)?|stoch)\s*%?d`, build: stochastic('d') },
  { name: String.raw`(?:(?:slow\s+|full\s+)?stochastic(?:\s+oscillator)?(?:\s*%?k)?|stoch(?:\s*%?k)?|%k)`, build: stochastic('k') },
  { name: String.raw`%d`, build: stochastic('d') },
  { name: String.raw`(?:adx|average directional index)`, build: adx('adx') },
  { name: String.raw`(?:\+di|plus di|positive di)`, build: adx('pdi') },
  { name: String.raw`(?:-di|minus di|negative di)`, build: adx('mdi') },
  { name: String.raw`(?:atr|average true range)`, build: (n) => ind({ type: 'ATR', period: n[0] ?? DEFAULTS.atr }) },
  // "highest close" is not this (the channel is of highs): it stays not understood rather than misread.
  { name: String.raw`(?:highest\s+high|high(?:est)?|top of the range|range high|channel high|donchian high)`, build: (n) => ind({ type: 'Highest', period: n[0] ?? DEFAULTS.channel }) },
  { name: String.raw`(?:lowest\s+low|low(?:est)?|bottom of the range|range low|channel low|donchian low)`, build: (n) => ind({ type: 'Lowest', period: n[0] ?? DEFAULTS.channel }) },
];

const COMPILED = PATTERNS.map((p) => ({ ...p, re: new RegExp(`^${PREFIX}${p.name}${SUFFIX}$`) }));

const ARTICLES = /^(?:(?:the|a|an|its|their|his|her|current|today's|todays|prior|previous|recent|last)\s+)+/;
const PRICE_WORDS = new RegExp(String.raw`^(?:${TICKER_TOKEN}(?:'s)?\s*)?(?:price|close|closing price|the close|stock|shares?|share price|last price|stock price|candle|bar|it|(?:it\s+)?closes|${TICKER_TOKEN})$`);
const VOLUME_WORDS = new RegExp(String.raw`^(?:${TICKER_TOKEN}(?:'s)?\s*)?(?:daily\s+|trading\s+|the\s+)?(?:volume|vol)$`);

/** What "it" refers to, or undefined when the text does not say. */
export type PronounResolver = () => Operand | undefined;

export interface ParsedOperand {
  operand: Operand;
  /** True when the words gave the settings ("RSI(7)", "50-day SMA"); false for a bare name ("the signal line"). */
  explicit: boolean;
}

/** One operand, or undefined when the words are not in the grammar. */
export function parseOperand(raw: string, pronoun?: PronounResolver): Operand | undefined {
  return parseOperandDetailed(raw, pronoun)?.operand;
}

export function parseOperandDetailed(raw: string, pronoun?: PronounResolver): ParsedOperand | undefined {
  let text = raw.trim().replace(/[.!?]+$/, '').trim();
  const number = /^(-?\d+(?:\.\d+)?)\s*(?:%|percent)?$/.exec(text);
  if (number) return { operand: { kind: 'number', value: Number(number[1]) }, explicit: true };
  if (/^(?:the\s+)?(?:zero|zero line|0 line)$/.test(text)) return { operand: { kind: 'number', value: 0 }, explicit: true };
  if (/^(?:it|its value|that)$/.test(text) && pronoun) {
    const it = pronoun();
    return it && { operand: it, explicit: true };
  }
  text = text.replace(ARTICLES, '').replace(new RegExp(`^${TICKER_TOKEN}(?:'s)?\\s+(?=\\S)`), '').trim();
  // "the fast EMA (12)": fast/slow only tell two averages apart, so they need their periods.
  const adjective = /^(?:fast(?:er)?|slow(?:er)?|short[- ]term|long[- ]term)\s+(?!stochastic)/.exec(text);
  if (adjective) {
    const rest = parseOperandDetailed(text.slice(adjective[0].length));
    return rest?.explicit && rest.operand.kind === 'indicator' ? rest : undefined;
  }
  if (VOLUME_WORDS.test(text)) return { operand: { kind: 'price', field: 'volume' }, explicit: true };
  if (PRICE_WORDS.test(text)) return { operand: { kind: 'price', field: 'close' }, explicit: true };
  for (const p of COMPILED) {
    const m = p.re.exec(text);
    if (!m) continue;
    const numbers = numbersOf(m);
    return { operand: p.build(numbers, nameGroups(m)), explicit: numbers.length > 0 };
  }
  return undefined;
}

/** The prefix period, then the suffix numbers ("(12, 26, 9)" or " 14"). */
function numbersOf(m: RegExpExecArray): number[] {
  const groups = m.slice(1);
  const prefix = groups[0];
  const [list, single, over] = groups.slice(-3);
  const suffix = list ? list.split(/\s*[,/]\s*/).map(Number) : single ? [Number(single)] : over ? [Number(over)] : [];
  if (list) return suffix;
  return prefix !== undefined ? [Number(prefix), ...suffix] : suffix;
}

/** Capture groups inside the name pattern (between prefix and suffix), re-indexed from 1. */
function nameGroups(m: RegExpExecArray): RegExpExecArray {
  const inner = m.slice(2, m.length - 3);
  const out = [m[0], ...inner] as unknown as RegExpExecArray;
  return out;
}
