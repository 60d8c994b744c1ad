/**
 * StrategySpec → strategy source. The code is meant to be read and edited:
 * every period, threshold and stop is a named param, each symbol has its own
 * indicator state, and each rule carries a comment in plain words.
 */
import { comparisonsOf, describeRule, type Comparison, type IndicatorSpec, type Operand, type Rule, type StrategySpec } from '../spec';
import { requestHeader } from '../header';
import { indicatorCode, type IndicatorCode } from './catalog';
import { namesFromSpec } from '../naming';

interface Slot {
  spec: IndicatorSpec;
  code: IndicatorCode;
  /** Field in SymbolState and local in onBar. */
  name: string;
}

type Role = 'entry' | 'exit';

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const keyOf = (i: IndicatorSpec) => JSON.stringify(i);

export function writeStrategy(spec: StrategySpec): string {
  const slots = nameSlots(collectIndicators(spec));
  const slotOf = (i: IndicatorSpec) => slots.find((s) => keyOf(s.spec) === keyOf(i))!;
  const params = new ParamTable();
  for (const slot of slots) for (const s of slot.code.settings) params.add(`${slot.name}${s.suffix}`, s.value);

  const crossKeys = new Map<string, string>();
  const operand = new OperandRenderer(slotOf, crossKeys);
  const renderRule = (rule: Rule, role: Role, nested = false): string => {
    if (rule.kind !== 'compare') {
      const body = rule.rules.map((r) => renderRule(r, role, true)).join(rule.kind === 'and' ? ' && ' : ' || ');
      return nested ? `(${body})` : body;
    }
    const expr = renderComparison(rule, role, params, operand);
    // A between-test is two comparisons: keep them together inside and/or chains.
    return nested && rule.op === 'between' ? `(${expr})` : expr;
  };
  /** Top-level terms, so a long condition can go one term per line. */
  const renderTop = (rule: Rule, role: Role): { terms: string[]; joiner: string } =>
    rule.kind === 'compare'
      ? { terms: [renderRule(rule, role)], joiner: '' }
      : { terms: rule.rules.map((r) => renderRule(r, role, true)), joiner: rule.kind === 'and' ? '&&' : '||' };
  const entryExpr = renderTop(spec.entry, 'entry');
  const exitExpr = spec.exit ? renderTop(spec.exit, 'exit') : undefined;

  const risk = spec.risk;
  const orderOptions: string[] = [];
  if (spec.sizePercent !== undefined) orderOptions.push(`percent: this.params.${params.add('positionPct', spec.sizePercent)}`);
  if (risk.stopLossPct !== undefined) orderOptions.push(`stopLossPct: this.params.${params.add('stopLossPct', risk.stopLossPct)}`);
  if (risk.takeProfitPct !== undefined) orderOptions.push(`takeProfitPct: this.params.${params.add('takeProfitPct', risk.takeProfitPct)}`);
  if (risk.trailingStopPct !== undefined) orderOptions.push(`trailingStopPct: this.params.${params.add('trailingStopPct', risk.trailingStopPct)}`);
  if (risk.atrStop) {
    const atr = slotOf({ type: 'ATR', period: risk.atrStop.period }).name;
    const multiple = params.add('atrStopMultiple', risk.atrStop.multiple);
    orderOptions.push(`stopLoss: bar.close ${spec.direction === 'long' ? '-' : '+'} this.params.${multiple} * ${atr}`);
  }

  const classNames = [...new Set([...slots.map((s) => s.code.className), ...operand.helpers])].sort();
  const snapshot = [...crossKeys.entries()];
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);

  out(requestHeader(spec.request));
  out(`// Written by Strategy Lab's offline generator.`);
  out(`// Entry (${spec.direction}): ${describeRule(spec.entry)}`);
  out(`// Exit: ${spec.exit ? describeRule(spec.exit) : 'no signal exit'}${riskSummary(spec)}`);
  out(`import { BaseStrategy, type Bar, type StrategyConfig } from 'strategy-lab';`);
  if (classNames.length) out(`import { ${classNames.join(', ')} } from 'strategy-lab/indicators';`);
  out();
  out('/** Indicators and last readings of one symbol: each ticker gets its own. */');
  out('interface SymbolState {');
  for (const slot of slots) out(`  ${slot.name}: ${slot.code.className};`);
  if (snapshot.length) out(`  prev?: { ${snapshot.map(([key]) => `${key}: number`).join('; ')} };`);
  out('}');
  out();
  out(`export default class ${namesFromSpec(spec).className} extends BaseStrategy {`);
  out(`  static override config: StrategyConfig = { symbols: [${spec.symbols.map((s) => `'${s}'`).join(', ')}], timeframe: '${spec.timeframe}' };`);
  out();
  out('  override params = {');
  for (const [name, value] of params.entries()) out(`    ${name}: ${value},`);
  out('  };');
  out();
  out('  private readonly state = new Map<string, SymbolState>();');
  out();
  out('  onBar(bar: Bar): void {');
  out('    const s = this.stateOf(bar.symbol);');
  for (const slot of slots) {
    if (slot.code.readsPrior) {
      out(`    const ${slot.name} = s.${slot.name}.value; // before this bar`);
      out(`    s.${slot.name}.update(${slot.code.input});`);
    } else out(`    const ${slot.name} = s.${slot.name}.update(${slot.code.input});`);
  }
  if (slots.length) out(`    if (${slots.map((s) => `${s.name} === undefined`).join(' || ')}) return; // warming up`);
  if (snapshot.length) {
    out('    const prev = s.prev; // undefined on the first bar: no crossing yet');
    out(`    s.prev = { ${snapshot.map(([key, expr]) => (key === expr ? key : `${key}: ${expr}`)).join(', ')} };`);
  }
  out();
  out(`    // Entry: ${describeRule(spec.entry)}`);
  out(assignment('entry', entryExpr));
  if (exitExpr) {
    out(`    // Exit: ${describeRule(spec.exit!)}`);
    out(assignment('exit', exitExpr));
  }
  out();
  out('    const held = this.position(bar.symbol);');
  const options = orderOptions.length ? `, {\n        ${orderOptions.join(',\n        ')},\n      }` : '';
  out('    if (held === 0 && entry) {');
  out(`      this.${spec.direction === 'long' ? 'buy' : 'sell'}(bar.symbol${options});`);
  if (exitExpr) {
    out('    } else if (held !== 0 && exit) {');
    out('      this.close(bar.symbol);');
  }
  out('    }');
  out('  }');
  out();
  out('  private stateOf(symbol: string): SymbolState {');
  out('    let s = this.state.get(symbol);');
  out('    if (!s) {');
  out('      s = {');
  for (const slot of slots) {
    const args = slot.code.settings.map((x) => `this.params.${slot.name}${x.suffix}`).join(', ');
    out(`        ${slot.name}: new ${slot.code.className}(${args}),`);
  }
  out('      };');
  out('      this.state.set(symbol, s);');
  out('    }');
  out('    return s;');
  out('  }');
  out('}');
  return lines.join('\n') + '\n';
}

const MAX_LINE = 110;

/** `const name = a && b;`, or one term per line when that is too long to read. */
function assignment(name: string, { terms, joiner }: { terms: string[]; joiner: string }): string {
  const oneLine = `    const ${name} = ${terms.join(` ${joiner} `)};`;
  if (oneLine.length <= MAX_LINE || terms.length === 1) return oneLine;
  return `    const ${name} =\n${terms.map((t, i) => `      ${t}${i < terms.length - 1 ? ` ${joiner}` : ';'}`).join('\n')}`;
}

/** Every indicator the rules and stops read, in order of first mention, without duplicates. */
function collectIndicators(spec: StrategySpec): IndicatorSpec[] {
  const found: IndicatorSpec[] = [];
  const add = (i: IndicatorSpec) => {
    if (!found.some((f) => keyOf(f) === keyOf(i))) found.push(i);
  };
  for (const c of [...comparisonsOf(spec.entry), ...comparisonsOf(spec.exit)]) {
    for (const o of [c.left, c.right, c.upper]) if (o?.kind === 'indicator') add(o.indicator);
  }
  if (spec.risk.atrStop) add({ type: 'ATR', period: spec.risk.atrStop.period });
  return found;
}

/**
 * One indicator of a kind keeps its plain name (`rsi`); two moving averages
 * become `fastSma`/`slowSma`; otherwise the period tells them apart (`sma20`).
 */
function nameSlots(indicators: IndicatorSpec[]): Slot[] {
  const withCode = indicators.map((spec) => ({ spec, code: indicatorCode(spec) }));
  return withCode.map(({ spec, code }) => {
    const same = withCode.filter((w) => w.code.baseName === code.baseName);
    if (same.length === 1) return { spec, code, name: code.baseName };
    const first = (w: { code: IndicatorCode }) => w.code.settings[0].value;
    if (same.length === 2 && code.settings.length === 1 && !code.readsPrior && first(same[0]) !== first(same[1])) {
      const fast = first({ code }) === Math.min(first(same[0]), first(same[1]));
      return { spec, code, name: `${fast ? 'fast' : 'slow'}${cap(code.baseName)}` };
    }
    return { spec, code, name: `${code.baseName}${same.indexOf(same.find((w) => keyOf(w.spec) === keyOf(spec))!) + 1}` };
  });
}

/** Named params in insertion order; a taken name gets a number. */
class ParamTable {
  private readonly values = new Map<string, number>();
  add(name: string, value: number): string {
    let unique = name;
    for (let n = 2; this.values.has(unique); n++) unique = `${name}${n}`;
    this.values.set(unique, value);
    return unique;
  }
  entries(): [string, number][] {
    return [...this.values.entries()];
  }
}

/** Expressions for operands now and on the previous bar; records what crossings need remembered. */
class OperandRenderer {
  /** Cross helpers from 'strategy-lab/indicators' the rules call. */
  readonly helpers = new Set<string>();

  constructor(
    private readonly slotOf: (i: IndicatorSpec) => Slot,
    /** Snapshot key → expression of its current value. */
    private readonly crossKeys: Map<string, string>,
  ) {}

  /** A name for the operand, used in param names and the previous-bar snapshot. */
  key(o: Operand): string {
    if (o.kind === 'number') return 'value';
    if (o.kind === 'price') return o.field;
    const slot = this.slotOf(o.indicator);
    if (!slot.code.multiOutput || o.output === 'value') return slot.name;
    if (o.output === slot.code.baseName) return `${slot.name}Line`;
    return `${slot.name}${cap(o.output)}`;
  }

  now(o: Operand, param?: string): string {
    if (o.kind === 'number') return `this.params.${param}`;
    if (o.kind === 'price') return `bar.${o.field}`;
    const slot = this.slotOf(o.indicator);
    return slot.code.multiOutput ? `${slot.name}.${o.output}` : slot.name;
  }

  prev(o: Operand, param?: string): string {
    if (o.kind === 'number') return this.now(o, param);
    const key = this.key(o);
    this.crossKeys.set(key, this.now(o));
    return `prev?.${key}`;
  }
}

const OP_WORDS = { above: 'Above', below: 'Below', crossesAbove: 'CrossAbove', crossesBelow: 'CrossBelow' } as const;

function renderComparison(c: Comparison, role: Role, params: ParamTable, operand: OperandRenderer): string {
  const leftKey = operand.key(c.left);
  const base = `${role}${cap(leftKey)}`;
  const numberParam = (o: Operand | undefined, suffix: string) => (o?.kind === 'number' ? params.add(`${base}${suffix}`, o.value) : undefined);
  if (c.op === 'between' && c.right.kind !== 'number' && JSON.stringify(c.right) === JSON.stringify(c.upper)) {
    // Between X and X: "touches" has it for "equals X".
    return `${operand.now(c.left)} === ${operand.now(c.right)}`;
  }
  if (c.op === 'between') {
    const lo = numberParam(c.right, 'Min');
    const hi = numberParam(c.upper, 'Max');
    const left = operand.now(c.left);
    return `${left} >= ${operand.now(c.right, lo)} && ${left} <= ${operand.now(c.upper!, hi)}`;
  }
  const threshold = numberParam(c.right, OP_WORDS[c.op]);
  const multiple = c.multiplier !== undefined ? params.add(`${base}Multiple`, c.multiplier) : undefined;
  const scaled = (expr: string) => (multiple ? `this.params.${multiple} * ${expr}` : expr);
  const left = operand.now(c.left);
  const right = scaled(operand.now(c.right, threshold));
  switch (c.op) {
    case 'above':
      return `${left} > ${right}`;
    case 'below':
      return `${left} < ${right}`;
    case 'crossesAbove':
    case 'crossesBelow': {
      const helper = c.op === 'crossesAbove' ? 'crossedAbove' : 'crossedBelow';
      operand.helpers.add(helper);
      return `${helper}(${operand.prev(c.left)}, ${scaled(operand.prev(c.right, threshold))}, ${left}, ${right})`;
    }
  }
}

function riskSummary(spec: StrategySpec): string {
  const r = spec.risk;
  const parts = [
    r.stopLossPct !== undefined && `${r.stopLossPct}% stop-loss`,
    r.takeProfitPct !== undefined && `${r.takeProfitPct}% take-profit`,
    r.trailingStopPct !== undefined && `${r.trailingStopPct}% trailing stop`,
    r.atrStop && `stop ${r.atrStop.multiple} × ATR(${r.atrStop.period}) from entry`,
    spec.sizePercent !== undefined && `${spec.sizePercent}% of equity per entry`,
  ].filter(Boolean);
  return parts.length ? `; ${parts.join(', ')}` : '';
}

