/**
 * Reads a condition ("RSI drops below 35 and price is above the 200-day SMA")
 * into a rule tree. `and` binds tighter than `or`; no parentheses. Every atom
 * either becomes a comparison or is reported as not understood: nothing is
 * dropped.
 */
import type { Comparison, Direction, IndicatorSpec, Operand, Operator, Rule } from '../spec';
import { DEFAULTS, parseOperand, parseOperandDetailed } from './operand';

export type Role = 'entry' | 'exit';

/** What a condition is read in the light of: the clause's role, the trade direction, and what "it" meant last. */
export interface ConditionContext {
  role: Role;
  direction: Direction;
  /** Left side of the last comparison (what "it" refers to). */
  subject?: Operand;
  /** Right side of the last comparison ("sell when it crosses back below"). */
  lastRight?: Operand;
  /** The last crossing read ("sell on the reverse cross"). */
  lastCross?: Comparison;
  /** Left side of the last comparison, the price included ("sell when below" repeats it). */
  lastLeft?: Operand;
  /** Settings last written for each indicator ("MACD(8,21,5) … its signal" reuses 8, 21, 5). */
  settings?: Map<IndicatorSpec['type'], IndicatorSpec>;
  /** Readings reported to the user ("read ', +DI crosses…' as 'and …'"). */
  readings?: string[];
}

export interface ConditionResult {
  rule?: Rule;
  understood: string[];
  notUnderstood: string[];
}

const OPERATORS: { re: RegExp; op: OperatorWord }[] = [
  { op: 'crossesAbove', re: /\b(?:crosses|crossed|cross|crossing|moves|breaks|broke|breaking)\s+(?:back\s+)?(?:out\s+)?(?:above|over|through|up\s+through)\b|\bcross(?:es|ed)?\s+up(?:\s+through)?\b|\bbreaks\s+out\s+(?:above|over)?/ },
  { op: 'crossesBelow', re: /\b(?:crosses|crossed|cross|crossing|moves|breaks|broke|breaking)\s+(?:back\s+)?(?:down\s+)?(?:below|under|down\s+through|beneath)\b|\bcross(?:es|ed)?\s+down(?:\s+through)?\b|\bbreaks\s+down\s+(?:below|under)?/ },
  { op: 'between', re: /\b(?:is\s+|stays\s+|trades\s+|remains\s+)?between\b/ },
  {
    op: 'above',
    re: /(?:\b(?:is|are|stays|remains|trades|closes|closed|rises|rose|goes|moves|climbs|gets|pops|jumps|spikes|pushes|comes|recovers|rebounds|bounces)\s+)?(?:\b(?:back|still)\s+)?(?:\babove|\bover|\bgreater\s+than|\bhigher\s+than|\bmore\s+than)\b|\bexceeds?\b|\btops\b|>=?/,
  },
  {
    op: 'below',
    re: /(?:\b(?:is|are|stays|remains|trades|closes|closed|drops|dropped|falls|fell|dips|dipped|sinks|declines|goes|gets|slips|comes)\s+)?(?:\b(?:back|still)\s+)?(?:\bbelow|\bunder|\bless\s+than|\blower\s+than|\bbeneath)\b|<=?/,
  },
  { op: 'touches', re: /\b(?:touches|touched|touch|tags|tagged|tests|pulls\s+back\s+to|retests)\b/ },
  { op: 'reaches', re: /\b(?:reaches|reached|hits|returns\s+to|gets\s+to|is\s+at|comes\s+back\s+to|reverts\s+to)\b|^at\b/ },
  { op: 'oversold', re: /\b(?:is\s+|gets\s+|becomes\s+|goes\s+)?oversold\b/ },
  { op: 'overbought', re: /\b(?:is\s+|gets\s+|becomes\s+|goes\s+)?overbought\b/ },
  // "volume is 2x its average": at least that multiple.
  { op: 'above', re: /\bis\s+(?=\d+(?:\.\d+)?\s*(?:x|times)\s)/ },
];

type OperatorWord = Operator | 'reaches' | 'touches' | 'oversold' | 'overbought';

/** The usual oversold / overbought levels of the oscillators that have them. */
const EXTREMES: Partial<Record<IndicatorSpec['type'], [number, number]>> = { RSI: [30, 70], Stochastic: [20, 80] };

/** Preset patterns that stand for a whole comparison. */
interface Preset {
  re: RegExp;
  build: (m: RegExpExecArray, ctx: ConditionContext) => Comparison;
}

const sma = (period: number): Operand => ({ kind: 'indicator', indicator: { type: 'SMA', period, source: 'close' }, output: 'value' });
const macdOf = (output: 'macd' | 'signal'): Operand => ({
  kind: 'indicator',
  indicator: { type: 'MACD', fast: DEFAULTS.macd[0], slow: DEFAULTS.macd[1], signal: DEFAULTS.macd[2] },
  output,
});
const close: Operand = { kind: 'price', field: 'close' };
/** Does this clause want the price to go up? Long entries and short exits do. */
const wantsUp = (ctx: ConditionContext) => (ctx.role === 'entry') === (ctx.direction === 'long');

const PRESETS: Preset[] = [
  {
    // "the reverse cross", "the opposite crossover": the last crossing, the other way.
    re: /^(?:the\s+|a\s+)?(?:reverse|opposite)\s+cross(?:over)?(?:\s+(?:below|above|down|up))?$/,
    build: (m, ctx) => {
      const last = ctx.lastCross;
      if (!last) throw new NotUnderstood();
      return { kind: 'compare', left: last.left, op: last.op === 'crossesAbove' ? 'crossesBelow' : 'crossesAbove', right: last.right, text: m[0] };
    },
  },
  {
    // "the 20-day high is broken": the close goes past a channel high or low.
    re: /^(.+?)\s+(?:is|gets)\s+(?:broken|taken\s+out|cleared|exceeded|breached)$/,
    build: (m) => {
      const channel = parseOperand(m[1]);
      if (channel?.kind !== 'indicator' || (channel.indicator.type !== 'Highest' && channel.indicator.type !== 'Lowest')) throw new NotUnderstood();
      return { kind: 'compare', left: close, op: channel.indicator.type === 'Highest' ? 'above' : 'below', right: channel, text: m[0] };
    },
  },
  {
    re: /^(?:an?\s+|the\s+)?(?:(\d+)\s*\/\s*(\d+)\s+)?golden\s+cross(?:over)?$/,
    build: (m) => ({ kind: 'compare', left: sma(Number(m[1] ?? 50)), op: 'crossesAbove', right: sma(Number(m[2] ?? 200)), text: m[0] }),
  },
  {
    re: /^(?:an?\s+|the\s+)?(?:(\d+)\s*\/\s*(\d+)\s+)?death\s+cross(?:over)?$/,
    build: (m) => ({ kind: 'compare', left: sma(Number(m[1] ?? 50)), op: 'crossesBelow', right: sma(Number(m[2] ?? 200)), text: m[0] }),
  },
  {
    re: /^(?:an?\s+|the\s+)?(bullish\s+|bearish\s+)?macd(?:\s+signal)?(?:\s+line)?\s+cross(?:over|es|ing)?(?:\s+(up|down))?$/,
    build: (m, ctx) => {
      const up = m[1]?.trim() === 'bullish' || m[2] === 'up' ? true : m[1]?.trim() === 'bearish' || m[2] === 'down' ? false : wantsUp(ctx);
      return { kind: 'compare', left: macdOf('macd'), op: up ? 'crossesAbove' : 'crossesBelow', right: macdOf('signal'), text: m[0] };
    },
  },
  {
    re: /^(?:an?\s+|the\s+)?(?:new\s+)?(\d+)[- ](?:day|bar|period|week)s?\s+(?:high\s+)?(?:breakout|high)$/,
    build: (m) => ({ kind: 'compare', left: close, op: 'above', right: { kind: 'indicator', indicator: { type: 'Highest', period: Number(m[1]) }, output: 'value' }, text: m[0] }),
  },
  {
    re: /^(?:an?\s+|the\s+)?(?:new\s+)?(\d+)[- ](?:day|bar|period|week)s?\s+(?:low\s+)?(?:breakdown|low)$/,
    build: (m) => ({ kind: 'compare', left: close, op: 'below', right: { kind: 'indicator', indicator: { type: 'Lowest', period: Number(m[1]) }, output: 'value' }, text: m[0] }),
  },
];

const FILLER = /^(?:(?:when|whenever|if|once|as soon as|after|on|upon|only if|and|but|then|also|while)\s+)+/;
/** Words inside a condition that join like "and": "RSI < 30 with price above the 200 SMA", "… but price is above …". */
const AND_WORDS = /\s+(?:with|while|but|on)\s+(?=(?:the\s+)?(?:price|close|volume|rsi|macd|adx|stoch|%k|%d|\+di|-di|it\b))/g;
/** "crosses above %D below 20": a crossing, and where it happens. */
const CROSS_WITH_LEVEL = /^(.*\bcross(?:es|ed)?\s+(?:above|below|over|under)\s+.+?)\s+(?:while\s+|when\s+)?(below|above|under|over)\s+(zero|-?\d+(?:\.\d+)?)$/;

export function parseCondition(text: string, ctx: ConditionContext): ConditionResult {
  const understood: string[] = [];
  const notUnderstood: string[] = [];
  // Keep "between 40 and 60" together before splitting on "and".
  const protectedText = text
    .replace(/\bbetween\s+(\S+)\s+and\s+(\S+)/g, 'between $1 ~ $2')
    .replace(new RegExp(String.raw`\s+(?:on|for|in)\s+@sym\d+\b`, 'g'), '')
    .replace(AND_WORDS, ' and ')
    .replace(/(?:\s+(?:and|or|but))+\s*$/, '');
  const orParts = protectedText.split(/\s+or\s+/).map((s) => s.trim()).filter(Boolean);
  const orRules: Rule[] = [];
  // "it" in the next clause means this clause's first subject: "buy when RSI < 30 and …, sell when it …".
  let first: Pick<ConditionContext, 'subject' | 'lastRight' | 'lastLeft'> | undefined;
  for (const orPart of orParts) {
    const andRules: Rule[] = [];
    const atoms = orPart.split(/\s+and\s+/).map((s) => s.trim()).filter(Boolean).flatMap(splitCrossWithLevel);
    for (const atomText of atoms) {
      const atom = atomText.replace(FILLER, '').trim();
      const rule = parseComparison(atom, ctx);
      if (rule) {
        first ??= { subject: ctx.subject, lastRight: ctx.lastRight, lastLeft: ctx.lastLeft };
        andRules.push(rule);
        understood.push(`${ctx.role}: ${atom.replace(' ~ ', ' and ')}`);
      } else notUnderstood.push(atom.replace(' ~ ', ' and '));
    }
    if (andRules.length) orRules.push(andRules.length === 1 ? andRules[0] : { kind: 'and', rules: andRules });
  }
  if (first) Object.assign(ctx, first);
  // Nothing understood: name the condition as written, not its "and"-pieces ("the head" | "shoulders pattern").
  if (!orRules.length && notUnderstood.length > 1) notUnderstood.splice(0, notUnderstood.length, text.trim().replace(FILLER, ''));
  const rule: Rule | undefined = orRules.length === 0 ? undefined : orRules.length === 1 ? orRules[0] : { kind: 'or', rules: orRules };
  return { rule, understood, notUnderstood };
}

/** "%K crosses above %D below 20" → "%K crosses above %D" and "it below 20". */
function splitCrossWithLevel(atom: string): string[] {
  const m = CROSS_WITH_LEVEL.exec(atom);
  return m ? [m[1], `it ${m[2]} ${m[3]}`] : [atom];
}

/** One comparison (or a "touches" group), updating the context so later "it" and omitted subjects resolve. */
export function parseComparison(atom: string, ctx: ConditionContext): Rule | undefined {
  for (const preset of PRESETS) {
    const m = preset.re.exec(atom);
    if (!m) continue;
    try {
      return remember(preset.build(m, ctx), ctx);
    } catch (err) {
      if (err instanceof NotUnderstood) return undefined;
      throw err;
    }
  }
  // "the 20-day EMA crosses the 50-day EMA from below" → "… crosses above …".
  atom = atom.replace(/^(.*?\bcross(?:es|ed)?)\s+(?!above|below|over|under|up|down)(.*?)\s+from\s+(below|above|underneath)$/, (_m, head: string, rest: string, from: string) => `${head} ${from === 'above' ? 'below' : 'above'} ${rest}`);
  const found = findOperator(atom);
  if (!found) return undefined;
  const { op, index, length } = found;
  const leftText = atom.slice(0, index).trim();
  let rightText = atom.slice(index + length).trim();
  let multiplier: number | undefined;
  const mult = /^(\d+(?:\.\d+)?)\s*(?:x|times)\s+(.*)$/.exec(rightText);
  if (mult) {
    multiplier = Number(mult[1]);
    rightText = mult[2];
  }

  if (op === 'between') {
    const bounds = /^(\S+)\s*~\s*(\S+)$/.exec(rightText);
    if (!bounds) return undefined;
    const low = parseOperand(bounds[1]);
    const high = parseOperand(bounds[2]);
    if (low?.kind !== 'number' || high?.kind !== 'number') return undefined;
    const left = leftOperand(leftText, ctx, low);
    if (!left) return undefined;
    const [lo, hi] = low.value <= high.value ? [low, high] : [high, low];
    return remember({ kind: 'compare', left, op, right: lo, upper: hi, text: atom.replace(' ~ ', ' and ') }, ctx);
  }

  if (op === 'oversold' || op === 'overbought') {
    // "RSI is oversold": its usual level (30/70; stochastic 20/80). Only for oscillators that have one.
    if (rightText) return undefined;
    const left = leftOperand(leftText, ctx, { kind: 'number', value: 0 });
    const levels = left?.kind === 'indicator' ? EXTREMES[left.indicator.type] : undefined;
    if (!left || !levels) return undefined;
    const value = op === 'oversold' ? levels[0] : levels[1];
    ctx.readings?.push(`read '${op}' as ${op === 'oversold' ? 'below' : 'above'} ${value}`);
    return remember({ kind: 'compare', left, op: op === 'oversold' ? 'below' : 'above', right: { kind: 'number', value }, text: atom }, ctx);
  }

  // A named left side is read first, so its settings carry to the right ("MACD(8,21,5) crosses above its signal").
  const named = !['', 'it', 'that', 'price'].includes(leftText) ? operandIn(leftText, ctx, () => ctx.subject) : undefined;
  if (!named && !['', 'it', 'that', 'price'].includes(leftText)) return undefined;
  // On the right, "it" is the level of the previous clause: "…closes above its 200-day average, sell when it closes below it".
  const right = rightText ? operandIn(rightText, ctx, () => ctx.lastRight ?? ctx.subject) : ctx.lastRight;
  if (!right) return undefined;
  const left = named ?? leftOperand(leftText, ctx, right);
  if (!left) return undefined;
  if (op === 'touches') {
    // "touches X": the close crosses X either way, or equals it (docs/generate.md).
    const r = volumeAware(left, right);
    const rules: Comparison[] = [
      { kind: 'compare', left, op: 'crossesAbove', right: r, text: atom },
      { kind: 'compare', left, op: 'crossesBelow', right: r, text: atom },
      { kind: 'compare', left, op: 'between', right: r, upper: r, text: atom },
    ];
    remember(rules[2], ctx);
    return { kind: 'or', touches: true, rules };
  }
  const resolved = op === 'reaches' ? reachOperator(right, ctx) : op;
  if (!resolved) return undefined;
  return remember({ kind: 'compare', left, op: resolved, right: volumeAware(left, right), multiplier, text: atom }, ctx);
}

function findOperator(atom: string): { op: OperatorWord; index: number; length: number } | undefined {
  let best: { op: OperatorWord; index: number; length: number } | undefined;
  for (const { op, re } of OPERATORS) {
    const m = re.exec(atom);
    if (m && (best === undefined || m.index < best.index)) best = { op, index: m.index, length: m[0].length };
  }
  return best;
}

/**
 * An operand, with indicator settings carried over: an indicator named
 * without settings after the same one was named with them is that one
 * ("MACD(8,21,5) crosses above its signal", "RSI(7) …, sell when RSI …").
 * A bare "50-day" after a moving average is that kind of average.
 */
function operandIn(text: string, ctx: ConditionContext, pronoun?: () => Operand | undefined): Operand | undefined {
  const settings = (ctx.settings ??= new Map());
  const bare = /^(?:the\s+|its\s+)?(\d+)-bar$/.exec(text.trim());
  const lastAverage = [...settings.values()].reverse().find((i) => i.type === 'SMA' || i.type === 'EMA' || i.type === 'WMA');
  if (bare && lastAverage && 'source' in lastAverage) {
    return { kind: 'indicator', indicator: { ...lastAverage, period: Number(bare[1]) }, output: 'value' };
  }
  const parsed = parseOperandDetailed(text, pronoun);
  if (!parsed) return undefined;
  const o = parsed.operand;
  if (o.kind !== 'indicator') return o;
  const key = o.indicator.type;
  const earlier = settings.get(key);
  if (!parsed.explicit && earlier && (!('source' in earlier) || !('source' in o.indicator) || earlier.source === o.indicator.source)) {
    return { ...o, indicator: earlier };
  }
  if (parsed.explicit) {
    settings.delete(key); // re-insert: the most recent comes last
    settings.set(key, o.indicator);
  }
  return o;
}

/** What kind of number an operand is, so an omitted subject is not compared with something of another scale. */
function scaleOf(o: Operand): string {
  if (o.kind === 'number') return 'number';
  if (o.kind === 'price') return o.field === 'close' ? 'price' : 'volume';
  const i = o.indicator;
  switch (i.type) {
    case 'SMA':
    case 'EMA':
    case 'WMA':
      return i.source === 'close' ? 'price' : 'volume';
    case 'BollingerBands':
    case 'Highest':
    case 'Lowest':
      return 'price';
    case 'RSI':
    case 'Stochastic':
    case 'ADX':
      return 'oscillator';
    default:
      return i.type;
  }
}

/**
 * The left side. "it" means the last subject (an indicator) when comparing
 * with a number ("sell when it rises above 65"). An omitted left side repeats
 * the previous comparison's left side, price included ("buy when MACD is above
 * the signal line, sell when below"; "price above the 200-day SMA and below the
 * lower band") — unless that is of another scale than the right side (then the
 * price: "buy when RSI < 30, sell at the middle band").
 */
function leftOperand(text: string, ctx: ConditionContext, right: Operand): Operand | undefined {
  const numericRight = right.kind === 'number';
  const fits = (o: Operand | undefined) => o && (numericRight ? o.kind !== 'number' : scaleOf(o) === scaleOf(right)) ? o : undefined;
  if (text === 'price') return close;
  if (text === '' || text === 'that') return fits(ctx.lastLeft) ?? (numericRight ? fits(ctx.subject) : fits(close));
  if (text === 'it') return numericRight ? ctx.subject ?? ctx.lastLeft : fits(ctx.subject) ?? close;
  return operandIn(text, ctx, () => ctx.subject);
}
/**
 * "reaches X": the side that X lies on. Upper band and highs mean from
 * below (>=), lower band and lows from above; the middle band and averages
 * depend on which way the clause wants the price to move.
 */
function reachOperator(right: Operand, ctx: ConditionContext): Operator | undefined {
  if (right.kind === 'indicator') {
    if (right.output === 'upper' || right.indicator.type === 'Highest') return 'above';
    if (right.output === 'lower' || right.indicator.type === 'Lowest') return 'below';
    if (right.output === 'middle' || right.indicator.type === 'SMA' || right.indicator.type === 'EMA' || right.indicator.type === 'WMA') {
      // A long exit at the middle band: the price came back up to it.
      return wantsUp(ctx) ? 'below' : 'above';
    }
  }
  return undefined;
}

/** "volume is above its 20-day average": the average is of volume, not of price. */
function volumeAware(left: Operand, right: Operand): Operand {
  if (left.kind === 'price' && left.field === 'volume' && right.kind === 'indicator') {
    const i = right.indicator;
    if (i.type === 'SMA' || i.type === 'EMA' || i.type === 'WMA') return { ...right, indicator: { ...i, source: 'volume' } };
  }
  return right;
}

/** A preset matched the words but cannot apply here (e.g. "reverse cross" with no cross before it). */
class NotUnderstood extends Error {}

function remember(c: Comparison, ctx: ConditionContext): Comparison {
  if (c.op === 'crossesAbove' || c.op === 'crossesBelow') ctx.lastCross = c;
  if (c.left.kind !== 'price' || c.left.field === 'volume') ctx.subject = c.left;
  ctx.lastLeft = c.left;
  ctx.lastRight = c.right;
  return c;
}
