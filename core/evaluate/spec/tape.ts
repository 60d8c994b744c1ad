/**
 * Indicator values of a StrategySpec over one symbol's bars, computed with the
 * SDK's own indicators the way the generated code feeds them (channel
 * indicators read before their update), and the rules evaluated and put in
 * words at any bar. Trusted code only: this runs our SDK, never the strategy.
 */
import type { BarSeries } from '../../data/series';
import { indicatorCode } from '../../generate/offline/catalog';
import { describeOperand, type Comparison, type IndicatorSpec, type Operand, type Rule, type StrategySpec, comparisonsOf } from '../../generate/spec';
import * as sdk from '../../sdk/indicators/index';
import { fmt } from '../context';

type Reading = number | Record<string, number> | undefined;

/** Per indicator key, its reading at every bar. */
export class SpecTape {
  private readonly readings = new Map<string, Reading[]>();

  constructor(readonly series: BarSeries, spec: StrategySpec) {
    const all = new Map<string, IndicatorSpec>();
    for (const c of [...comparisonsOf(spec.entry), ...comparisonsOf(spec.exit)]) {
      for (const o of [c.left, c.right, c.upper]) if (o?.kind === 'indicator') all.set(keyOf(o.indicator), o.indicator);
    }
    for (const [key, ind] of all) this.readings.set(key, compute(series, ind));
  }

  /** Value of an operand at bar i (undefined while warming up). */
  value(o: Operand, i: number): number | undefined {
    if (i < 0 || i >= this.series.length) return undefined;
    if (o.kind === 'number') return o.value;
    if (o.kind === 'price') return o.field === 'close' ? this.series.close[i] : this.series.volume[i];
    const r = this.readings.get(keyOf(o.indicator))![i];
    if (r === undefined) return undefined;
    return typeof r === 'number' ? r : r[o.output];
  }
}

const keyOf = (i: IndicatorSpec) => JSON.stringify(i);

function compute(s: BarSeries, spec: IndicatorSpec): Reading[] {
  const code = indicatorCode(spec);
  const Ctor = (sdk as unknown as Record<string, new (...args: number[]) => { update(x: unknown): Reading; value: Reading }>)[code.className];
  const ind = new Ctor(...code.settings.map((x) => x.value));
  const out: Reading[] = new Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const bar = { time: s.time[i], open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] };
    const input = code.input === 'bar' ? bar : code.input === 'bar.close' ? bar.close : code.input === 'bar.volume' ? bar.volume : code.input === 'bar.high' ? bar.high : bar.low;
    if (code.readsPrior) {
      out[i] = ind.value;
      ind.update(input);
    } else out[i] = ind.update(input);
  }
  return out;
}

export interface RuleCheck {
  holds: boolean;
  /** "RSI(14)=33.8 < 35" for each comparison that decides the outcome. */
  words: string;
}

/** Evaluates a rule at bar i, with words built from the values it read. */
export function checkRule(tape: SpecTape, rule: Rule, i: number, tolerance = 1e-9): RuleCheck {
  if (rule.kind !== 'compare') {
    const parts = rule.rules.map((r) => checkRule(tape, r, i, tolerance));
    const holds = rule.kind === 'and' ? parts.every((p) => p.holds) : parts.some((p) => p.holds);
    // Say what made it true (or, when false, what failed).
    const shown = rule.kind === 'and' ? (holds ? parts : parts.filter((p) => !p.holds)) : holds ? parts.filter((p) => p.holds) : parts;
    return { holds, words: shown.map((p) => p.words).join(rule.kind === 'and' ? ' and ' : ' or ') };
  }
  return checkComparison(tape, rule, i, tolerance);
}

function checkComparison(tape: SpecTape, c: Comparison, i: number, tolerance: number): RuleCheck {
  const m = c.multiplier ?? 1;
  const l = tape.value(c.left, i);
  const r0 = tape.value(c.right, i);
  const r = r0 === undefined ? undefined : r0 * m;
  const name = (o: Operand, v: number | undefined, scale = 1) => (o.kind === 'number' ? fmt(o.value * scale, 4).replace(/\.?0+$/, '') : `${scale !== 1 ? `${scale} × ` : ''}${describeOperand(o)}=${v === undefined ? 'n/a' : fmt(v / (scale || 1))}`);
  const left = name(c.left, l);
  const right = name(c.right, r, m);
  if (l === undefined || r === undefined) return { holds: false, words: `${left} vs ${right} (warming up)` };
  const slack = tolerance * Math.max(1, Math.abs(l), Math.abs(r));
  switch (c.op) {
    case 'above':
      return { holds: l > r - slack, words: `${left} ${l > r ? '>' : '≤'} ${right}` };
    case 'below':
      return { holds: l < r + slack, words: `${left} ${l < r ? '<' : '≥'} ${right}` };
    case 'between': {
      const u = tape.value(c.upper!, i);
      if (u === undefined) return { holds: false, words: `${left} (warming up)` };
      return { holds: l >= r - slack && l <= u + slack, words: `${left} between ${right} and ${name(c.upper!, u)}` };
    }
    case 'crossesAbove':
    case 'crossesBelow': {
      const pl = tape.value(c.left, i - 1);
      const pr0 = tape.value(c.right, i - 1);
      const pr = pr0 === undefined ? undefined : pr0 * m;
      const up = c.op === 'crossesAbove';
      const holds = pl !== undefined && pr !== undefined && (up ? pl <= pr + slack && l > r - slack : pl >= pr - slack && l < r + slack);
      return { holds, words: `${left} ${holds ? (up ? 'crossed above' : 'crossed below') : up ? 'did not cross above' : 'did not cross below'} ${right}` };
    }
  }
}
