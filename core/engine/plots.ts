/**
 * Records what the strategy's indicators produced, bar by bar, for drawing them on the results chart
 * (docs/indicators.md, "Drawing a strategy's indicators").
 *
 * Only the SDK's own indicator objects are recorded (their prototype must be exactly one of the SDK classes'),
 * found in the strategy's own fields or passed to `plot()`; their `current` value is read after every bar, once
 * the engine's numbers for that bar are final. Reading never runs strategy code: `current` is pinned as a data
 * property (non-configurable, so it cannot become a getter), object outputs are read through their own data
 * descriptors, and Proxies are refused. A strategy can still write `current` itself: the worst it can do is
 * mis-draw its own lines. Nothing recorded here feeds back into the run.
 *
 * Memory is bounded: at most MAX_PLOTS indicators (MAX_PLOT_LINES lines); up to EQUITY_FULL_MAX bars every bar
 * is kept, past that every `stride`-th bar (about EQUITY_DRAWN_POINTS points per line).
 */
import { ADX } from '../sdk/indicators/adx';
import { ATR } from '../sdk/indicators/atr';
import { BollingerBands } from '../sdk/indicators/bollinger';
import { EMA } from '../sdk/indicators/ema';
import { Highest } from '../sdk/indicators/highest';
import { Lowest } from '../sdk/indicators/lowest';
import { MACD } from '../sdk/indicators/macd';
import { OBV } from '../sdk/indicators/obv';
import { RSI } from '../sdk/indicators/rsi';
import { SMA } from '../sdk/indicators/sma';
import { Stochastic } from '../sdk/indicators/stochastic';
import { VWAP } from '../sdk/indicators/vwap';
import { WMA } from '../sdk/indicators/wma';
import { isProxy, readPlotSettings } from '../sdk/internal';
import type { PlotSetting } from '../sdk/plot';
import type { StrategyParams } from '../sdk/types';
import { StrategyInputError } from '../sdk/inputs';
import { EQUITY_DRAWN_POINTS, EQUITY_FULL_MAX } from './equityCurve';
import { MAX_PLOT_LINES, MAX_PLOTS } from './caps';
import type { IndicatorPlots, PlotSeries } from './types';

export { MAX_PLOTS, MAX_PLOT_LINES };

interface Kind {
  /** The output's fields for object outputs; [] for a number. */
  keys: readonly string[];
  pane: PlotSeries['pane'];
  range?: [number, number];
  /** Usual levels when the strategy gives none and no param looks like one. */
  levels?: readonly number[];
}

const PRICE: Kind = { keys: [], pane: 'price' };
const KINDS = new Map<object, Kind & { name: string }>([
  [SMA.prototype, { ...PRICE, name: 'SMA' }],
  [EMA.prototype, { ...PRICE, name: 'EMA' }],
  [WMA.prototype, { ...PRICE, name: 'WMA' }],
  [Highest.prototype, { ...PRICE, name: 'Highest' }],
  [Lowest.prototype, { ...PRICE, name: 'Lowest' }],
  [VWAP.prototype, { ...PRICE, name: 'VWAP' }],
  [BollingerBands.prototype, { keys: ['upper', 'middle', 'lower'], pane: 'price', name: 'BollingerBands' }],
  [RSI.prototype, { keys: [], pane: 'oscillator', range: [0, 100], levels: [30, 70], name: 'RSI' }],
  [Stochastic.prototype, { keys: ['k', 'd'], pane: 'oscillator', range: [0, 100], levels: [20, 80], name: 'Stochastic' }],
  [ADX.prototype, { keys: ['adx', 'pdi', 'mdi'], pane: 'oscillator', range: [0, 100], name: 'ADX' }],
  [MACD.prototype, { keys: ['macd', 'signal', 'histogram'], pane: 'oscillator', name: 'MACD' }],
  [ATR.prototype, { keys: [], pane: 'oscillator', name: 'ATR' }],
  [OBV.prototype, { keys: [], pane: 'oscillator', name: 'OBV' }],
]);

const { getOwnPropertyDescriptor, getPrototypeOf, defineProperty } = Object;
const ownKeys = Reflect.ownKeys;

/** The SDK kind of a value, or undefined when it is not exactly an SDK indicator (subclasses and Proxies are not). */
function kindOf(value: unknown): (Kind & { name: string }) | undefined {
  if (typeof value !== 'object' || value === null || isProxy(value)) return undefined;
  return KINDS.get(getPrototypeOf(value) as object);
}

/** Param names that read as a threshold on a 0…100 oscillator (buyBelow, oversold, upperBand…). */
const LEVEL_PARAM = /below|above|oversold|overbought|lower|upper|threshold|level|entry|exit/i;

function levelsFromParams(params: StrategyParams): number[] {
  const out: number[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'number' && value > 0 && value < 100 && LEVEL_PARAM.test(key) && !out.includes(value)) out.push(value);
  }
  return out.sort((a, b) => a - b).slice(0, 8);
}

interface Tracked {
  indicator: object;
  kind: Kind;
  series: PlotSeries;
  columns: Float64Array[];
}

export interface PlotRecorder {
  /** After the bar loop's step `step` (its numbers final). */
  record(step: number): void;
  /** The recorded series on the bar times `grid`. */
  finish(grid: Float64Array): IndicatorPlots | undefined;
}

/**
 * Finds the indicators to draw (after onStart) and prepares their columns for `steps` bars. Undefined when
 * there is nothing to draw. Throws StrategyInputError for a plot() naming a symbol the run does not have.
 */
export function createPlotRecorder(strategy: object, steps: number, symbols: string[], params: StrategyParams): PlotRecorder | undefined {
  const { all, settings } = readPlotSettings(strategy);
  const candidates: { indicator: object; field?: string; setting: Exclude<PlotSetting, false> }[] = [];
  const seen = new Set<object>();
  // Explicit plot() calls first, in call order; then the fields, in declaration order.
  for (const [indicator, setting] of settings as Map<object, PlotSetting>) {
    seen.add(indicator);
    if (setting !== false) candidates.push({ indicator, setting });
  }
  if (all) {
    for (const key of ownKeys(strategy)) {
      if (typeof key !== 'string') continue;
      const d = getOwnPropertyDescriptor(strategy, key);
      if (!d || !('value' in d) || seen.has(d.value as object) || !kindOf(d.value)) continue;
      seen.add(d.value as object);
      candidates.push({ indicator: d.value as object, field: key, setting: {} });
    }
  }
  // Field names for explicitly plotted indicators that have no name of their own.
  const fieldOf = new Map<object, string>();
  for (const key of ownKeys(strategy)) {
    if (typeof key !== 'string') continue;
    const d = getOwnPropertyDescriptor(strategy, key);
    if (d && 'value' in d && kindOf(d.value) && !fieldOf.has(d.value as object)) fieldOf.set(d.value as object, key);
  }
  const stride = steps > EQUITY_FULL_MAX ? Math.ceil(steps / EQUITY_DRAWN_POINTS) : 1;
  const points = Math.ceil(steps / stride);
  const paramLevels = levelsFromParams(params);
  const tracked: Tracked[] = [];
  let lines = 0;
  for (const { indicator, field, setting } of candidates) {
    const kind = kindOf(indicator);
    if (!kind) continue; // plot() of something that is not an SDK indicator (a subclass, a Proxy, Cross): not drawn
    const width = Math.max(1, kind.keys.length);
    if (tracked.length >= MAX_PLOTS || lines + width > MAX_PLOT_LINES) break;
    if (setting.symbol !== undefined && !symbols.includes(setting.symbol)) {
      throw new StrategyInputError(`plot(): symbol '${setting.symbol}' is not one of this run's symbols (${symbols.join(', ')}).`);
    }
    // `current` stays a writable data property (update() assigns it) but can no longer become a getter.
    const d = getOwnPropertyDescriptor(indicator, 'current');
    if (!d || !('value' in d)) continue;
    if (d.configurable) defineProperty(indicator, 'current', { configurable: false });
    const label = `${field ?? fieldOf.get(indicator) ?? kind.name}${labelOf(indicator, kind.name)}`;
    const levels = setting.levels ?? (kind.range ? (paramLevels.length && kind.levels ? paramLevels : kind.levels ? [...kind.levels] : undefined) : undefined);
    const series: PlotSeries = {
      name: setting.name ?? label,
      indicator: kind.name,
      symbol: setting.symbol ?? symbols[0],
      pane: kind.pane,
      ...(kind.range ? { range: kind.range } : {}),
      ...(levels && levels.length ? { levels } : {}),
      lines: [],
    };
    tracked.push({ indicator, kind, series, columns: Array.from({ length: width }, () => new Float64Array(points).fill(NaN)) });
    lines += width;
  }
  if (tracked.length === 0) return undefined;

  return {
    record(step) {
      if (step % stride !== 0) return;
      const at = step / stride;
      for (let t = 0; t < tracked.length; t++) {
        const { indicator, kind, columns } = tracked[t];
        const v = (indicator as { current: unknown }).current;
        if (kind.keys.length === 0) {
          if (typeof v === 'number') columns[0][at] = v;
        } else if (typeof v === 'object' && v !== null && !isProxy(v)) {
          for (let k = 0; k < kind.keys.length; k++) {
            const field = getOwnPropertyDescriptor(v, kind.keys[k]);
            const x: unknown = field && 'value' in field ? field.value : undefined;
            if (typeof x === 'number') columns[k][at] = x;
          }
        }
      }
    },
    finish(grid) {
      const time = new Array<number>(points);
      for (let j = 0; j < points; j++) time[j] = grid[j * stride];
      // Filled in place, not copied with a spread: the series' shapes vary (range, levels), and a spread of them
      // made this code deoptimise on a shape the warm-up had not seen (test/sandbox/warmup.test.ts).
      const series = tracked.map(({ kind, series: s, columns }) => {
        s.lines = columns.map((c, k) => ({ key: kind.keys[k] ?? 'value', values: Array.from(c, (x) => (Number.isFinite(x) ? x : null)) }));
        return s;
      });
      return { time, stride, series };
    },
  };
}

/** ` · RSI(14)`: the indicator's own label (its parameters), read through the SDK's getter. */
function labelOf(indicator: object, fallback: string): string {
  try {
    const getter = findGetter(getPrototypeOf(indicator) as object, 'label');
    const text: unknown = getter?.call(indicator);
    return typeof text === 'string' && text.length <= 40 ? ` · ${text}` : ` · ${fallback}`;
  } catch {
    return ` · ${fallback}`;
  }
}

function findGetter(proto: object | null, key: string): (() => unknown) | undefined {
  for (let p = proto; p !== null; p = getPrototypeOf(p) as object | null) {
    const d = getOwnPropertyDescriptor(p, key);
    if (d) return d.get;
  }
  return undefined;
}
