/**
 * What a strategy says about drawing its indicators (`this.plot(…)`), read and checked once per call like every
 * other value it hands the SDK (inputs.ts). The engine records the values itself (core/engine/plots.ts).
 */
import { describeValue, StrategyInputError } from './inputs';
import { isProxy } from './internal';
import type { PlotOptions } from './types';

/** Longest plot name (characters). */
export const MAX_PLOT_NAME_CHARS = 60;
/** Most levels on one oscillator pane. */
export const MAX_PLOT_LEVELS = 8;

/** A plot setting as the engine keeps it: drawn with these options, or `false` (not drawn). */
export type PlotSetting = false | { name?: string; levels?: number[]; symbol?: string };

const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;

/** Checks and copies `plot()`'s second argument. */
export function readPlotOptions(options: unknown): PlotSetting {
  if (options === false) return false;
  if (options === undefined) return {};
  if (typeof options === 'string') return { name: readName(options) };
  if (typeof options !== 'object' || options === null || Array.isArray(options) || isProxy(options)) {
    throw new StrategyInputError(`plot(): the options must be a name, false, or { name, levels, symbol }, got ${describeValue(options)}. Example: this.plot(this.rsi, { name: 'RSI 14', levels: [30, 70] }).`);
  }
  const out: { name?: string; levels?: number[]; symbol?: string } = {};
  const name = own(options, 'name');
  if (name !== undefined) out.name = readName(name);
  const symbol = own(options, 'symbol');
  if (symbol !== undefined) {
    if (typeof symbol !== 'string' || symbol.length === 0 || symbol.length > 64) throw new StrategyInputError(`plot(): symbol must be one of the strategy's symbols, got ${describeValue(symbol)}.`);
    out.symbol = symbol;
  }
  const levels = own(options, 'levels');
  if (levels !== undefined) out.levels = readLevels(levels);
  return out;
}

function own(options: object, key: keyof PlotOptions): unknown {
  const d = getOwnPropertyDescriptor(options, key);
  if (d === undefined) return undefined;
  if (!('value' in d)) throw new StrategyInputError(`plot(): options.${key} is a getter; pass a plain value.`);
  return d.value;
}

function readName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_PLOT_NAME_CHARS) {
    throw new StrategyInputError(`plot(): the name must be a non-empty string of at most ${MAX_PLOT_NAME_CHARS} characters, got ${describeValue(name)}.`);
  }
  return name;
}

function readLevels(levels: unknown): number[] {
  if (!Array.isArray(levels) || isProxy(levels) || levels.length > MAX_PLOT_LEVELS) {
    throw new StrategyInputError(`plot(): levels must be a list of at most ${MAX_PLOT_LEVELS} numbers, e.g. [30, 70], got ${describeValue(levels)}.`);
  }
  const out: number[] = [];
  for (let i = 0; i < levels.length; i++) {
    const d = getOwnPropertyDescriptor(levels, i);
    const v: unknown = d && 'value' in d ? d.value : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new StrategyInputError(`plot(): levels[${i}] must be a finite number, got ${describeValue(v)}.`);
    out.push(v);
  }
  return out;
}
