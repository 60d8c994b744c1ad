/**
 * Request alignment: the tickers, indicators, periods, thresholds, stops and
 * sizing named in the request are present in the code. The request is read
 * by the generator's idea parser (a StrategySpec); the code is read on its
 * AST (code/facts.ts), so `this.params.buyBelow` counts as its value and a
 * number in a comment or a string does not.
 */
import { indicatorCode } from '../../generate/offline/catalog';
import { comparisonsOf, describeOperand, describeRule, type IndicatorSpec, type Operand } from '../../generate/spec';
import { readCodeFacts, type CodeFacts } from '../code/facts';
import type { EvalContext } from '../context';
import { scored, skipped, type CodeAnchor, type EvaluatorResult, type Finding } from '../types';

export const ALIGNMENT = { id: 'alignment', name: 'Request alignment', kind: 'deterministic' } as const;

export interface AlignmentItem {
  what: string;
  found: boolean;
  /** What the code has instead, when it differs. */
  detail?: string;
  anchor: CodeAnchor;
}

export function evaluateAlignment(ctx: EvalContext): EvaluatorResult {
  if (!ctx.request) return skipped(ALIGNMENT, 'Skipped: no request (give --request, or keep the `// Request:` header the generator writes).');
  const spec = ctx.spec ?? ctx.partialSpec?.spec;
  if (!spec) return skipped(ALIGNMENT, `Skipped: ${ctx.specProblem ?? 'the request could not be read as rules'}.`);
  const facts = readCodeFacts(ctx.source, ctx.fileName);
  const items = alignmentItems(ctx.request, spec, facts);
  if (items.length === 0) return skipped(ALIGNMENT, 'Skipped: the request names no ticker, indicator or number to look for.');
  const missing = items.filter((i) => !i.found);
  const reasons = missing.length
    ? missing.map((i) => `Not in the code: ${i.what}${i.detail ? ` (${i.detail})` : ''}.`)
    : [`Everything the request names is in the code: ${items.map((i) => i.what).join(', ')}.`];
  const findings: Finding[] = missing.map((i) => ({ message: `Request alignment: the request asks for ${i.what}${i.detail ? `, but ${i.detail}` : ', which the code does not have'}.`, severity: 'warning', anchor: i.anchor }));
  const ignored = ctx.spec ? undefined : ctx.partialSpec?.ignoredWords;
  if (ignored) reasons.push(`Not checked (the request parser did not understand it): ${ignored.map((w) => `"${w}"`).join(', ')}.`);
  return scored(ALIGNMENT, (items.length - missing.length) / items.length, missing.length === 0, reasons, { items, ...(ignored ? { ignoredWords: ignored } : {}) }, findings);
}

/** The checks, limited to what the request itself names (defaults the parser filled in are not held against the code). */
export function alignmentItems(request: string, spec: NonNullable<EvalContext['spec']>, facts: CodeFacts): AlignmentItem[] {
  const named = namedNumbers(request);
  const items: AlignmentItem[] = [];
  const upper = request.toUpperCase();
  for (const symbol of spec.symbols) {
    if (!new RegExp(`(^|[^A-Z])\\$?${symbol.replace(/[.^$]/g, '\\$&')}([^A-Z]|$)`).test(upper)) continue;
    const found = !!facts.symbols?.includes(symbol);
    items.push({ what: `ticker ${symbol}`, found, ...(found ? {} : { detail: `config.symbols is ${facts.symbols ? JSON.stringify(facts.symbols) : 'not a literal list'}` }), anchor: { kind: 'config', field: 'symbols' } });
  }
  if (spec.timeframe !== '1d') {
    items.push({ what: `timeframe ${spec.timeframe}`, found: facts.timeframe === spec.timeframe, detail: `config.timeframe is ${facts.timeframe ?? 'not a literal'}`, anchor: { kind: 'config', field: 'timeframe' } });
  }
  const indicators = new Map<string, IndicatorSpec>();
  for (const c of [...comparisonsOf(spec.entry), ...comparisonsOf(spec.exit)]) {
    for (const o of [c.left, c.right, c.upper]) if (o?.kind === 'indicator') indicators.set(JSON.stringify(o.indicator), o.indicator);
  }
  if (spec.risk.atrStop) indicators.set('atr', { type: 'ATR', period: spec.risk.atrStop.period });
  for (const ind of indicators.values()) items.push(indicatorItem(ind, facts, named));
  for (const [role, rule] of [['entry', spec.entry], ['exit', spec.exit]] as const) {
    for (const c of comparisonsOf(rule)) {
      for (const o of [c.right, c.upper]) {
        if (o?.kind !== 'number' || !named.has(o.value)) continue;
        const inComparison = facts.thresholds.some((t) => t.value === o.value);
        items.push({
          what: `${role} threshold ${o.value} (${describeRule(c)})`,
          found: inComparison,
          ...(inComparison ? {} : { detail: facts.numbers.has(o.value) ? `${o.value} appears, but in no comparison` : `no comparison uses ${o.value}` }),
          anchor: { kind: 'rule', role },
        });
      }
      if (c.multiplier !== undefined && named.has(c.multiplier)) {
        const found = facts.thresholds.some((t) => t.value === c.multiplier);
        items.push({ what: `multiplier ${c.multiplier} (${describeRule(c)})`, found, ...(found ? {} : { detail: `no comparison scales by ${c.multiplier}` }), anchor: { kind: 'rule', role } });
      }
    }
  }
  const entryMethod = spec.direction === 'long' ? 'buy' : 'sell';
  const entryCalls = facts.orders.filter((o) => o.method === entryMethod);
  items.push({ what: `${spec.direction} entries`, found: entryCalls.length > 0, ...(entryCalls.length ? {} : { detail: `there is no this.${entryMethod}(…) call` }), anchor: { kind: 'method', name: 'onBar' } });
  const risk: [string, number | undefined, string][] = [
    ['stopLossPct', spec.risk.stopLossPct, 'stop-loss'],
    ['takeProfitPct', spec.risk.takeProfitPct, 'take-profit'],
    ['trailingStopPct', spec.risk.trailingStopPct, 'trailing stop'],
    ['percent', spec.sizePercent, 'position size'],
  ];
  for (const [option, value, words] of risk) {
    if (value === undefined) continue;
    const given = entryCalls.map((o) => o.options[option]).filter((v) => v !== undefined);
    const found = given.includes(value);
    items.push({
      what: `${words} ${value}%`,
      found,
      ...(found ? {} : { detail: given.length ? `${option} is ${given.join(', ')}` : `no ${option} option on the entry order` }),
      anchor: { kind: 'rule', role: 'entry' },
    });
  }
  if (spec.risk.atrStop && named.has(spec.risk.atrStop.multiple)) {
    const found = facts.numbers.has(spec.risk.atrStop.multiple);
    items.push({ what: `ATR stop ${spec.risk.atrStop.multiple}×`, found, anchor: { kind: 'rule', role: 'entry' } });
  }
  return items;
}

function indicatorItem(ind: IndicatorSpec, facts: CodeFacts, named: Set<number>): AlignmentItem {
  const code = indicatorCode(ind);
  const label = describeOperand({ kind: 'indicator', indicator: ind, output: 'value' } as Operand).replace(/ (value|line)$/, '');
  const uses = facts.indicators.filter((u) => u.className === code.className);
  if (uses.length === 0) {
    return { what: `indicator ${label}`, found: false, detail: `no new ${code.className}(…) in the code`, anchor: { kind: 'method', name: 'onBar' } };
  }
  const wanted = code.settings.map((s) => s.value);
  const matches = uses.find((u) => wanted.every((w, i) => (named.has(w) ? u.args[i] === w : u.args[i] === w || u.args[i] === null || u.args[i] === undefined)));
  if (matches) return { what: `indicator ${label}`, found: true, anchor: { kind: 'indicator', className: code.className } };
  const have = uses.map((u) => `${u.className}(${u.args.map((a) => (a === null ? '?' : a)).join(', ')})`).join(', ');
  return { what: `indicator ${label}`, found: false, detail: `the code has ${have}`, anchor: { kind: 'indicator', className: code.className } };
}

/** Numbers written in the request ("RSI(14) below 35", "2.5%", "1.5x"). */
export function namedNumbers(request: string): Set<number> {
  const out = new Set<number>();
  for (const m of request.matchAll(/(?<![\w.])-?\d+(?:\.\d+)?/g)) out.add(Number(m[0]));
  return out;
}
