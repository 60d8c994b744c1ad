/**
 * Idea text → StrategySpec. The grammar (docs/generate.md): whole-sentence
 * phrases (tickers, timeframe, stops, size) are lifted out first; the rest is
 * cut into clauses, each an entry ("buy … when …"), an exit ("sell when …"),
 * a bare condition ("when …", joined to the next action), or a named setup
 * ("golden cross", "Bollinger mean reversion"). Anything left over is listed
 * as not understood, and then no spec is produced.
 */
import type { Timeframe } from '../../sdk/types';
import type { Direction, Rule, StrategySpec } from '../spec';
import { specProblems } from './checkSpec';
import { parseCondition, type ConditionContext, type Role } from './condition';
import { ignoredNote, normalizeIdea } from './normalize';
import { extractRisk, extractSize, extractTickers, extractTimeframe, TICKER_TOKEN } from './phrases';
import { isKnownWord } from './typos';
import { convertPeriods } from './units';

export const DEFAULT_SYMBOL = 'SPY';
export const DEFAULT_TIMEFRAME: Timeframe = '1d';
/** Longer text is not an idea but a document: refuse it rather than read it slowly. */
export const MAX_IDEA_LENGTH = 1000;

export type ParseResult =
  | { ok: true; spec: StrategySpec; understood: string[]; notes: string[] }
  | { ok: false; understood: string[]; notUnderstood: string[]; notes?: string[] };

interface Action {
  role: Role;
  direction?: Direction;
}

const T = TICKER_TOKEN;
const ENTRY_SHORT = new RegExp(String.raw`^(?:sells?\s+short|short[- ]sells?|go(?:es)?\s+short|shorts?|enter(?:s)?\s+(?:a\s+)?short(?:\s+position)?|open\s+(?:a\s+)?short(?:\s+position)?)\b`);
const ENTRY_LONG = new RegExp(String.raw`^(?:buys?|go(?:es)?\s+long|long|enters?(?:\s+(?:a\s+)?long)?(?:\s+(?:a\s+)?(?:position|trade))?|purchases?|get\s+in(?:to)?|open\s+(?:a\s+)?long(?:\s+position)?|accumulate)\b`);
const EXIT = new RegExp(String.raw`^(?:sells?(?:\s+(?:it|them|everything|the\s+position|out))?|exits?(?:\s+(?:the\s+)?(?:position|trade|long|short))?|close(?:\s+(?:the\s+)?(?:position|trade|long|short))?|covers?(?:\s+(?:the\s+)?short)?|get\s+out|flat|take\s+profits?)\b`);
/** Words between the action and its condition: "buy AAPL", "buy shares of AAPL", "on AAPL". */
const OBJECT = new RegExp(String.raw`^(?:(?:it|them|shares(?:\s+of)?|stock(?:\s+in)?|the\s+stock|(?:the\s+)?${T}|(?:on|in|for|of)\s+${T})\s*)*`);
/** No "at": "sell at the middle band" keeps it as the comparison ("reaches"). */
const CONNECTOR = /^(?:(?:when(?:ever)?|if|once|as\s+soon\s+as|after|on|upon)\b\s*)?/;
/** An action at the end of a condition clause: "when MACD crosses above the signal line buy NVDA". */
const TRAILING_ACTION = new RegExp(String.raw`^(.+?)\s+((?:buy|sell\s+short|sell|short|cover|exit|go\s+long|go\s+short|get\s+out|close\s+the\s+position)(?:\s+(?:it|them|(?:the\s+)?${T}))?)$`);

/** Named setups that stand for both rules. */
interface Setup {
  re: RegExp;
  entry: string;
  exit: string;
}
const SETUPS: Setup[] = [
  { re: /^(?:trade\s+)?(?:the\s+|a\s+)?golden[\s/]+(?:and\s+)?(?:death\s+)?cross(?:over)?(?:\s+strategy)?$/, entry: 'golden cross', exit: 'death cross' },
  { re: /^(?:trade\s+)?(?:the\s+|a\s+)?macd(?:\s+signal)?(?:\s+line)?\s+cross(?:over)?s?(?:\s+strategy)?$/, entry: 'macd cross', exit: 'macd cross' },
  {
    re: /^(?:trade\s+)?(?:a\s+)?bollinger(?:\s+bands?)?\s+mean[- ]reversion(?:\s+strategy)?$/,
    entry: 'price closes below the lower bollinger band',
    exit: 'price closes above the middle bollinger band',
  },
  { re: /^(?:trade\s+)?(?:an?\s+)?rsi\s+mean[- ]reversion(?:\s+strategy)?$/, entry: 'rsi below 30', exit: 'rsi above 70' },
  { re: /^(?:trade\s+)?(?:an?\s+)?(\d+)[- ](?:day|bar)\s+(?:channel\s+)?breakout(?:\s+strategy)?$/, entry: 'price closes above the $1-day high', exit: 'price closes below the $1-day low' },
];

export function parseIdea(request: string): ParseResult {
  const understood: string[] = [];
  const notUnderstood: string[] = [];
  const notes: string[] = [];
  if (request.length > MAX_IDEA_LENGTH) {
    return { ok: false, understood, notUnderstood: [`the idea is ${request.length} characters long; describe it in at most ${MAX_IDEA_LENGTH} (a sentence or two)`] };
  }

  const tickers = extractTickers(request.replace(/[“”]/g, '"').replace(/[‘’]/g, "'"), isKnownWord);
  const normal = normalizeIdea(tickers.text.toLowerCase(), () => false);
  notes.push(...tickers.readings, ...normal.readings);
  const timeframe = extractTimeframe(normal.text);
  const crypto = tickers.value.some((t) => /-(?:USDT?|BTC|ETH)$/.test(t));
  const units = convertPeriods(timeframe.text, timeframe.value ?? DEFAULT_TIMEFRAME, crypto);
  notes.push(...units.notes);
  const risk = extractRisk(units.text);
  const size = extractSize(risk.text);
  const text = size.text;
  understood.push(...tickers.phrases, ...timeframe.phrases.map((p) => `timeframe: ${p}`), ...risk.phrases, ...size.phrases.map((p) => `size: ${p}`));
  notUnderstood.push(...timeframe.unsupported, ...units.problems);

  const entries: Rule[] = [];
  const exits: Rule[] = [];
  let direction: Direction | undefined;
  let pendingCondition: string | undefined;
  let pendingAction: Action | undefined;
  let lastAction: Action | undefined;
  const ctx: ConditionContext = { role: 'entry', direction: 'long', readings: notes };

  const addRule = (action: Action, condition: string) => {
    if (action.direction) {
      if (direction && direction !== action.direction) {
        notUnderstood.push('both long and short entries in one strategy (write two strategies)');
        return;
      }
      direction = action.direction;
    }
    ctx.role = action.role;
    ctx.direction = direction ?? 'long';
    const result = parseCondition(condition, ctx);
    understood.push(...result.understood);
    notUnderstood.push(...result.notUnderstood);
    if (result.rule) (action.role === 'entry' ? entries : exits).push(result.rule);
    lastAction = action;
  };

  for (const clause of splitClauses(text)) {
    const setup = SETUPS.map((s) => ({ s, m: s.re.exec(stripTickerMentions(clause)) })).find((x) => x.m);
    if (setup) {
      understood.push(`setup: ${clause}`);
      const fill = (t: string) => t.replace('$1', setup.m![1] ?? '');
      addRule({ role: 'entry', direction: direction ?? 'long' }, fill(setup.s.entry));
      addRule({ role: 'exit' }, fill(setup.s.exit));
      continue;
    }
    const otherwise = /^otherwise\s+(?:sell|exit|close|get\s+out)(?:\s+(?:it|them|${T}))?$/.exec(clause);
    if (otherwise) {
      const only = entries.length === 1 ? entries[0] : undefined;
      if (only?.kind === 'compare' && (only.op === 'above' || only.op === 'below')) {
        exits.push({ ...only, op: only.op === 'above' ? 'below' : 'above', text: `not (${only.text})` });
        understood.push(`exit: ${clause} (the entry's comparison the other way)`);
      } else notUnderstood.push(`${clause} (say when to sell: "otherwise" works after one above/below entry)`);
      continue;
    }
    const action = readAction(clause);
    if (action) {
      const rest = clause.slice(action.length).trim().replace(OBJECT, '').replace(CONNECTOR, '').replace(/^(?:(?:and|or)\s*)+$/, '').trim();
      if (rest) addRule(action.action, rest);
      else if (pendingCondition !== undefined) {
        addRule(action.action, pendingCondition);
        pendingCondition = undefined;
      } else pendingAction = action.action;
      continue;
    }
    const trailing = TRAILING_ACTION.exec(clause.replace(/^(?:and|or)\s+/, ''));
    const trailingAction = trailing ? readAction(trailing[2]) : undefined;
    if (trailing && trailingAction) {
      // "when MACD crosses above the signal line buy NVDA", "RSI below 30 buy QQQ".
      addRule(trailingAction.action, trailing[1].replace(/^(?:when(?:ever)?|if|once|as\s+soon\s+as)\s+/, ''));
      continue;
    }
    if (/^(?:when(?:ever)?|if|once|as\s+soon\s+as)\b/.test(clause) || (pendingAction && /^(?:and|or)\b/.test(clause))) {
      const condition = clause.replace(/^(?:and|or)\s+/, '');
      if (pendingAction) {
        addRule(pendingAction, condition);
        pendingAction = undefined;
      } else pendingCondition = condition;
      continue;
    }
    if (isOnlyTickerMention(clause)) continue;
    // "Buy QQQ when ADX is above 30, +DI crosses above -DI": a bare condition after a rule adds to it (and).
    if (lastAction && pendingCondition === undefined && !pendingAction && joinCondition(clause, lastAction)) continue;
    notUnderstood.push(clause);
  }
  if (pendingCondition !== undefined) notUnderstood.push(`${pendingCondition} (a condition with no buy/sell/short action)`);
  // "…, exit with a 5% trailing stop" is an exit by its stop; a bare "sell" with nothing to go on is not.
  if (pendingAction && !(pendingAction.role === 'exit' && hasAnyRisk(risk.value))) {
    notUnderstood.push(`${pendingAction.role === 'exit' ? 'an exit' : 'an entry'} with no condition (say when, e.g. "sell when RSI rises above 70")`);
  }
  if (entries.length === 0 && notUnderstood.length === 0) {
    notUnderstood.push('no entry rule: say when to buy or short, e.g. "buy when RSI drops below 30"');
  }
  const ignored = ignoredNote(normal.ignored);
  if (ignored) notes.push(ignored);
  if (notUnderstood.length) return { ok: false, understood: understood.map(tickers.restore), notUnderstood: notUnderstood.map(tickers.restore), notes: notes.map(tickers.restore) };

  const symbols = tickers.value.length ? tickers.value : [DEFAULT_SYMBOL];
  if (!tickers.value.length) notes.push(`No ticker named: trading ${DEFAULT_SYMBOL}. Write tickers in capitals (e.g. AAPL) to choose.`);
  const spec: StrategySpec = {
    request,
    symbols,
    timeframe: timeframe.value ?? DEFAULT_TIMEFRAME,
    direction: direction ?? 'long',
    entry: combine(entries),
    exit: exits.length ? combine(exits) : undefined,
    risk: risk.value,
    sizePercent: size.value ?? (symbols.length > 1 ? Math.floor(100 / symbols.length) : undefined),
  };
  const problems = specProblems(spec);
  if (problems.length) return { ok: false, understood: understood.map(tickers.restore), notUnderstood: problems };
  if (!spec.exit && !hasRisk(spec)) notes.push('No exit rule or stop: positions are held until the end of the data.');
  return { ok: true, spec, understood: understood.map(tickers.restore), notes: notes.map(tickers.restore) };

  /** ANDs a condition-only clause into the last rule of the last action; false when it is not a whole condition. */
  function joinCondition(clause: string, action: Action): boolean {
    const list = action.role === 'entry' ? entries : exits;
    if (!list.length) return false;
    const probe: ConditionContext = { ...ctx, readings: [] };
    const result = parseCondition(clause, probe);
    if (!result.rule || result.notUnderstood.length) return false;
    Object.assign(ctx, probe, { readings: notes });
    const last = list[list.length - 1];
    list[list.length - 1] = last.kind === 'and' && !last.touches ? { kind: 'and', rules: [...last.rules, result.rule] } : { kind: 'and', rules: [last, result.rule] };
    understood.push(...result.understood);
    notes.push(`read ', ${clause}' as 'and ${clause}'`);
    return true;
  }
}

/** Clauses: split on sentence ends, commas, semicolons, "then", and "and"/"but" before an action verb. */
function splitClauses(text: string): string[] {
  const guarded = text.replace(/\(([^)]*)\)/g, (m) => m.replace(/,/g, '\u0001'));
  return guarded
    .split(
      /;|:(?!\d)|,|\.(?!\d)|!|\?|\n|\bthen\b|\s(?:and|but)\s+(?=(?:sells?|exits?|close|covers?|buys?|shorts?|go\s+long|go\s+short|go\s+flat|get\s+out|take\s+profit)\b)|\s+(?=(?:sells?|exits?|covers?|get\s+out)\s+(?:it\s+|the\s+position\s+|@sym\d+\s+)?(?:when|whenever|if|once|as\s+soon\s+as)\b)/,
    )
    .map((c) => c.replace(/\u0001/g, ',').replace(/\s+/g, ' ').trim().replace(/^(?:(?:and|but|also|then)\s+)+/, '').trim())
    .filter((c) => c && !/^(?:and|or|but|also|then)$/.test(c));
}

function readAction(clause: string): { action: Action; length: number } | undefined {
  if (/^cover\b/.test(clause)) return { action: { role: 'exit' }, length: 5 };
  const short = ENTRY_SHORT.exec(clause);
  if (short && !/^sell\b/.test(clause.slice(short[0].length).trim()) ) return { action: { role: 'entry', direction: 'short' }, length: short[0].length };
  const long = ENTRY_LONG.exec(clause);
  if (long) return { action: { role: 'entry', direction: 'long' }, length: long[0].length };
  const exit = EXIT.exec(clause);
  if (exit) return { action: { role: 'exit' }, length: exit[0].length };
  return undefined;
}

function stripTickerMentions(clause: string): string {
  return clause.replace(new RegExp(String.raw`\s*(?:(?:on|for|in|with|using)\s+)?${T}\s*`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

function isOnlyTickerMention(clause: string): boolean {
  return /^(?:(?:trade|trading|for|on|in|with|using|tickers?|symbols?|stocks?)\s*)*$/.test(stripTickerMentions(clause));
}

function combine(rules: Rule[]): Rule {
  return rules.length === 1 ? rules[0] : { kind: 'or', rules };
}

function hasRisk(spec: StrategySpec): boolean {
  return hasAnyRisk(spec.risk);
}

function hasAnyRisk(r: StrategySpec['risk']): boolean {
  return r.stopLossPct !== undefined || r.takeProfitPct !== undefined || r.trailingStopPct !== undefined || r.atrStop !== undefined;
}
