/**
 * Names for a generated strategy, from what the idea says: the ticker, the indicators with their numbers and the
 * kind of rule. "Buy AAPL when RSI drops below 35, sell when it rises above 65" → class `AaplRsi35to65Reversion`,
 * file `aapl-rsi-35-65`. Specific names keep history rows, tabs and the results panel apart (RsiStrategy,
 * RsiStrategy-2 … said nothing). Pure and deterministic: the same idea always gets the same names; a taken file
 * name is numbered by writeNewFile, never overwritten.
 */
import { parseIdea } from './idea/parseIdea';
import { comparisonsOf, type Comparison, type IndicatorSpec, type Operand, type StrategySpec } from './spec';
import { join } from 'node:path';
import { slugify, STRATEGY_SUFFIX } from './files';

export interface StrategyNames {
  /** A valid TypeScript class name (PascalCase, starts with a letter, at most MAX_CLASS_LENGTH characters). */
  className: string;
  /** The file name without `.strategy.ts`: lowercase words joined by '-'. */
  fileStem: string;
}

const MAX_CLASS_LENGTH = 60;
/** Words an unparsed idea's name leaves out: they say nothing about this strategy. */
const ACTION_WORDS = new Set(['buy', 'buys', 'sell', 'sells', 'short', 'strategy', 'that', 'which', 'trade', 'trades', 'my', 'some']);
const MAX_FILE_STEM = 40;

const WORDS: Record<IndicatorSpec['type'], string> = {
  RSI: 'Rsi', SMA: 'Sma', EMA: 'Ema', WMA: 'Wma', MACD: 'Macd', BollingerBands: 'Bollinger', Stochastic: 'Stochastic',
  ATR: 'Atr', ADX: 'Adx', Highest: 'Breakout', Lowest: 'Breakdown',
};
/** Indicators read as levels between bounds: a buy low / sell high on them is a mean reversion. */
const OSCILLATORS = new Set<IndicatorSpec['type']>(['RSI', 'Stochastic']);

/** One naming token: the word in the class name and the one in the file name. */
interface Token { cls: string; file: string }

/** Names from a parsed spec (the offline generator's, and the LLM path's when the idea parses). */
export function namesFromSpec(spec: StrategySpec): StrategyNames {
  const entry = comparisonsOf(spec.entry);
  const exit = comparisonsOf(spec.exit);
  const tokens: Token[] = spec.symbols.slice(0, 2).map((s) => word(s));
  const seen = new Map<string, Token & { numbers: string[] }>();
  const order: (Token & { numbers: string[] })[] = [];
  const indicator = (i: IndicatorSpec) => {
    const key = JSON.stringify(i);
    let t = seen.get(key);
    if (!t) { t = { cls: WORDS[i.type], file: WORDS[i.type].toLowerCase(), numbers: [] }; seen.set(key, t); order.push(t); }
    return t;
  };
  let cross = false;
  for (const c of [...entry, ...exit]) {
    const [ind, other] = c.left.kind === 'indicator' ? [c.left, c.right] : [c.right, c.left];
    if (ind.kind !== 'indicator') continue;
    const t = indicator(ind.indicator);
    if (c.op === 'crossesAbove' || c.op === 'crossesBelow') cross = true;
    if (other.kind === 'number') addNumber(t.numbers, other.value);
    else if (other.kind === 'indicator' && other.indicator.type === ind.indicator.type && periodOf(ind.indicator) !== periodOf(other.indicator)) {
      // "SMA 50 crosses SMA 200": both periods, once.
      indicator(other.indicator);
      addNumber(t.numbers, periodOf(ind.indicator));
      addNumber(t.numbers, periodOf(other.indicator));
      seen.get(JSON.stringify(other.indicator))!.cls = '';
    } else if (other.kind === 'price' && ind.indicator.type !== 'Highest' && ind.indicator.type !== 'Lowest') addNumber(t.numbers, periodOf(ind.indicator));
    else if (ind.indicator.type === 'Highest' || ind.indicator.type === 'Lowest') addNumber(t.numbers, periodOf(ind.indicator));
  }
  for (const t of order.filter((o) => o.cls).slice(0, 2)) {
    const join = t.numbers.length === 2 ? (cross ? 'x' : 'to') : '';
    tokens.push({ cls: `${t.cls}${t.numbers.join(join)}`, file: [t.file, ...t.numbers].join('-') });
  }
  const rule = ruleWord(spec, entry, cross);
  return assemble(tokens, rule, spec.direction === 'short');
}

/** Names for an idea: from its spec when it parses, else from its tickers and words (the LLM path's ideas). */
export function namesForIdea(idea: string): StrategyNames {
  const parsed = parseIdea(idea);
  if (parsed.ok) return namesFromSpec(parsed.spec);
  const stem = slugify(idea, MAX_FILE_STEM);
  const words = stem.split('-').filter((w) => w && !ACTION_WORDS.has(w)).slice(0, 5);
  if (!words.length) return { className: 'GeneratedStrategy', fileStem: 'strategy' };
  return assemble(words.map((w) => word(w)), 'Strategy', false);
}

/** What kind of rule: an oscillator bought low and sold high reverts to the mean; a cross; a channel breakout. */
function ruleWord(spec: StrategySpec, entry: Comparison[], cross: boolean): string {
  const first = entry[0];
  const types = entry.flatMap((c) => [c.left, c.right]).filter((o): o is Extract<Operand, { kind: 'indicator' }> => o.kind === 'indicator').map((o) => o.indicator.type);
  if (types.includes('Highest') || types.includes('Lowest')) return '';   // 'Breakout' / 'Breakdown' is the indicator word
  if (first && types.some((t) => OSCILLATORS.has(t)) && first.right.kind === 'number') {
    const buysLow = first.op === 'below' || first.op === 'crossesBelow';
    return buysLow === (spec.direction === 'long') ? 'Reversion' : 'Momentum';
  }
  if (cross) return 'Cross';
  if (first?.left.kind === 'price' || first?.right.kind === 'price') return 'Trend';
  return types.length ? '' : 'Strategy';
}

function assemble(tokens: Token[], rule: string, short: boolean): StrategyNames {
  let className = tokens.map((t) => t.cls).join('') + (short ? 'Short' : '') + rule;
  if (!className) className = 'GeneratedStrategy';
  if (!/^[A-Za-z]/.test(className)) className = `S${className}`;
  if (className.length > MAX_CLASS_LENGTH) className = className.slice(0, MAX_CLASS_LENGTH);
  let fileStem = '';
  for (const part of [...tokens.map((t) => t.file), ...(short ? ['short'] : []), ...(rule === 'Cross' ? ['cross'] : [])]) {
    const next = fileStem ? `${fileStem}-${part}` : part;
    if (next.length > MAX_FILE_STEM) break;
    fileStem = next;
  }
  return { className, fileStem: fileStem || 'strategy' };
}

/** A ticker or word as a token: "AAPL" → Aapl / aapl; "BRK.B" → BrkB / brk-b; "^GSPC" → Gspc / gspc. */
function word(text: string): Token {
  const parts = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return {
    cls: parts.map((p) => p[0].toUpperCase() + p.slice(1).toLowerCase()).join(''),
    file: parts.map((p) => p.toLowerCase()).join('-'),
  };
}

/** A number as identifier characters: 35 → "35", 0.5 → "0p5", -2 → "m2". */
function addNumber(list: string[], value: number | undefined): void {
  if (value === undefined || !Number.isFinite(value)) return;
  const text = String(Math.abs(value)).replace('.', 'p').replace(/e\+?/i, 'e');
  const token = `${value < 0 ? 'm' : ''}${text}`;
  if (!list.includes(token) && list.length < 2) list.push(token);
}

function periodOf(i: IndicatorSpec): number | undefined {
  return 'period' in i ? i.period : undefined;
}

/** `<dir>/strategies/<names>.strategy.ts` for an idea (writeNewFile numbers it when taken). */
export function defaultStrategyPath(workspaceDir: string, idea: string): string {
  return join(workspaceDir, 'strategies', `${namesForIdea(idea).fileStem}${STRATEGY_SUFFIX}`);
}
