/**
 * The structured form of a trading idea: what the offline generator parses a
 * sentence into and writes code from. Exported so that other tools (issue 7's
 * evaluators) can check a backtest's trades against what was asked for.
 */
import type { Timeframe } from '../sdk/types';

/** Indicators the offline generator can use, each with its own settings. */
export type IndicatorSpec =
  | { type: 'RSI'; period: number }
  | { type: 'SMA' | 'EMA' | 'WMA'; period: number; source: 'close' | 'volume' }
  | { type: 'MACD'; fast: number; slow: number; signal: number }
  | { type: 'BollingerBands'; period: number; stdDev: number }
  | { type: 'Stochastic'; period: number; signal: number }
  | { type: 'ATR'; period: number }
  | { type: 'ADX'; period: number }
  /** Highest high / lowest low of the N bars *before* the current one (so a breakout can exceed it). */
  | { type: 'Highest' | 'Lowest'; period: number };

export type IndicatorType = IndicatorSpec['type'];

/** Which output of a multi-output indicator an operand reads. */
export type IndicatorOutput =
  | 'value'
  | 'macd' | 'signal' | 'histogram'
  | 'upper' | 'middle' | 'lower'
  | 'k' | 'd'
  | 'adx' | 'pdi' | 'mdi';

export type Operand =
  | { kind: 'number'; value: number }
  | { kind: 'price'; field: 'close' | 'volume' }
  | { kind: 'indicator'; indicator: IndicatorSpec; output: IndicatorOutput };

export type Operator = 'above' | 'below' | 'crossesAbove' | 'crossesBelow' | 'between';

/** One comparison, e.g. `RSI(14) < 35` or `SMA(50) crosses above SMA(200)`. */
export interface Comparison {
  kind: 'compare';
  left: Operand;
  op: Operator;
  /** The threshold, or the lower bound for `between`. */
  right: Operand;
  /** Upper bound for `between`. */
  upper?: Operand;
  /** Right side scaled by this factor, e.g. "volume above 1.5x its 20-day average". */
  multiplier?: number;
  /** The words this comparison was read from. */
  text: string;
}

export interface RuleGroup {
  kind: 'and' | 'or';
  rules: Rule[];
  /**
   * "close touches SMA(50)": an `or` of crosses above, crosses below and equals
   * (between X and X) of one pair, described as one "touches" comparison.
   */
  touches?: boolean;
}

export type Rule = Comparison | RuleGroup;

export type Direction = 'long' | 'short';

export interface RiskSpec {
  /** Exit when price moves this percent against the entry. */
  stopLossPct?: number;
  /** Exit when price moves this percent in favour of the entry. */
  takeProfitPct?: number;
  /** Exit when price retreats this percent from its best since entry. */
  trailingStopPct?: number;
  /** Protective stop this many ATRs away from the entry bar's close. */
  atrStop?: { multiple: number; period: number };
}

export interface StrategySpec {
  /** The idea exactly as the user wrote it. */
  request: string;
  symbols: string[];
  timeframe: Timeframe;
  direction: Direction;
  entry: Rule;
  /** Signal exit; undefined when only stops (or nothing) close the position. */
  exit?: Rule;
  risk: RiskSpec;
  /** Percent of equity per entry; undefined means all available cash. */
  sizePercent?: number;
}

/** Human-readable form of a rule, used in messages, comments and docs. */
export function describeRule(rule: Rule): string {
  if (rule.kind !== 'compare' && rule.touches && rule.rules[0]?.kind === 'compare') {
    return `${describeOperand(rule.rules[0].left)} touches ${describeOperand(rule.rules[0].right)}`;
  }
  if (rule.kind !== 'compare') {
    const parts = rule.rules.map((r) => (r.kind === 'compare' || r.touches ? describeRule(r) : `(${describeRule(r)})`));
    return parts.join(rule.kind === 'and' ? ' and ' : ' or ');
  }
  const right = (rule.multiplier !== undefined ? `${rule.multiplier} × ` : '') + describeOperand(rule.right);
  switch (rule.op) {
    case 'between':
      return `${describeOperand(rule.left)} between ${right} and ${describeOperand(rule.upper!)}`;
    case 'crossesAbove':
      return `${describeOperand(rule.left)} crosses above ${right}`;
    case 'crossesBelow':
      return `${describeOperand(rule.left)} crosses below ${right}`;
    case 'above':
      return `${describeOperand(rule.left)} > ${right}`;
    case 'below':
      return `${describeOperand(rule.left)} < ${right}`;
  }
}

export function describeOperand(operand: Operand): string {
  if (operand.kind === 'number') return String(operand.value);
  if (operand.kind === 'price') return operand.field === 'close' ? 'close' : 'volume';
  const i = operand.indicator;
  switch (i.type) {
    case 'RSI':
    case 'ATR':
      return `${i.type}(${i.period})`;
    case 'ADX':
      return operand.output === 'adx' ? `ADX(${i.period})` : `${operand.output === 'pdi' ? '+DI' : '-DI'}(${i.period})`;
    case 'SMA':
    case 'EMA':
    case 'WMA':
      return `${i.type}(${i.source === 'volume' ? 'volume, ' : ''}${i.period})`;
    case 'MACD':
      return `MACD(${i.fast},${i.slow},${i.signal}) ${operand.output === 'macd' ? 'line' : operand.output}`;
    case 'BollingerBands':
      return `Bollinger(${i.period},${i.stdDev}) ${operand.output} band`;
    case 'Stochastic':
      return `Stochastic(${i.period},${i.signal}) %${operand.output.toUpperCase()}`;
    case 'Highest':
      return `${i.period}-bar high`;
    case 'Lowest':
      return `${i.period}-bar low`;
  }
}

/** Every comparison of a rule tree, depth first. */
export function comparisonsOf(rule: Rule | undefined): Comparison[] {
  if (!rule) return [];
  if (rule.kind === 'compare') return [rule];
  return rule.rules.flatMap(comparisonsOf);
}
