/**
 * The event-driven backtest loop: bars one at a time, in time order, several
 * symbols in one portfolio. Per timestamp: (1) each symbol with a bar fills
 * its pending orders and protective exits against that bar, (2) last prices
 * move to the bar closes, (3) `onBar` runs once per symbol bar, (4) with
 * fill: 'close' new market orders fill at the close, (5) equity is marked to
 * market. A strategy only ever receives the current bar: there is no API that
 * reaches ahead.
 */
import { bindBroker, withParamOverrides } from '../sdk/internal';
import type { Bar, Fill, StrategyParams } from '../sdk/types';
import type { BarSeries } from '../data/series';
import type { StrategyClass } from '../strategy/load';
import { BacktestBroker } from './broker';
import { buildTimeline } from './grid';
import { formatTime } from './time';
import { readParams, strategyName } from './strategyValues';
import type { BacktestOptions, BacktestResult, IndicatorPlots } from './types';
import { createPlotRecorder, type PlotRecorder } from './plots';

export const DEFAULT_OPTIONS = {
  cash: 10_000,
  commission: 0,
  commissionFixed: 0,
  slippageBps: 0,
  fill: 'next-open',
} as const satisfies BacktestResult['run']['options'];

export class CancelledError extends Error {
  constructor() {
    super('The backtest was cancelled.');
    this.name = 'CancelledError';
  }
}

/** An exception thrown by strategy code, with the bar where it happened. */
export class StrategyRuntimeError extends Error {
  constructor(
    message: string,
    readonly phase: 'constructor' | 'onStart' | 'onBar' | 'onEnd' | 'onFill',
    readonly time: string | null,
    readonly symbol: string | null,
    readonly strategyStack?: string,
    /** The timeline step (bar index of a single-symbol run) being processed, or null outside the bar loop. */
    readonly bar: number | null = null,
  ) {
    super(message);
    this.name = 'StrategyRuntimeError';
  }
}

/** Raw engine output before formatting: columnar, for callers that post-process (evaluators, bench). */
export interface RawBacktest {
  grid: Float64Array;
  equity: Float64Array;
  broker: BacktestBroker;
  params: StrategyParams;
  /** The class name, read once before the run (strategyValues.ts). */
  strategy: string;
  /** The effective options the run used (resolveOptions), echoed in the result. */
  options: BacktestResult['run']['options'];
  /** The strategy's indicators for the chart (plots.ts); undefined when none are drawn. */
  plots?: IndicatorPlots;
}

export function resolveOptions(options: BacktestOptions): BacktestResult['run']['options'] {
  const o = { ...DEFAULT_OPTIONS, ...stripUndefined(options) };
  const problems: string[] = [];
  if (!(o.cash > 0 && Number.isFinite(o.cash))) problems.push(`cash must be a positive number, got ${o.cash}`);
  if (!(o.commission >= 0 && o.commission < 1)) problems.push(`commission is a fraction of traded value (0.001 = 0.1%), got ${o.commission}`);
  if (!(o.commissionFixed >= 0)) problems.push(`commissionFixed must be ≥ 0, got ${o.commissionFixed}`);
  if (!(o.slippageBps >= 0 && o.slippageBps < 10_000)) problems.push(`slippageBps must be between 0 and 10000, got ${o.slippageBps}`);
  if (o.fill !== 'next-open' && o.fill !== 'close') problems.push(`fill must be 'next-open' or 'close', got '${String(o.fill)}'`);
  if (problems.length) throw new RangeError(`Invalid backtest options: ${problems.join('; ')}.`);
  return { cash: o.cash, commission: o.commission, commissionFixed: o.commissionFixed, slippageBps: o.slippageBps, fill: o.fill };
}

/** What the run records beyond the numbers: a summary has no chart, so it skips reading the indicator plots. */
export interface SimulateRecording {
  plots?: boolean;
}

export function simulate(strategyClass: StrategyClass, series: BarSeries[], options: BacktestOptions = {}, recording: SimulateRecording = {}): RawBacktest {
  if (series.length === 0) throw new RangeError('No data: give at least one symbol with bars.');
  for (const s of series) {
    if (s.length === 0) throw new RangeError(`No bars for ${s.symbol} in the requested range: widen the date range or check the data source.`);
  }
  const settings = resolveOptions(options);
  const name = strategyName(strategyClass);
  // Steps in delivery order (bar ends when bar lengths differ, see grid.ts); `grid` holds each step's label.
  const { order, labels: grid, keys } = buildTimeline(series);
  const n = order.length;
  const k = series.length;
  const equity = new Float64Array(n);

  let currentSymbol: string | null = null;
  let phase: StrategyRuntimeError['phase'] = 'constructor';
  let strategy: ReturnType<typeof construct>;
  let onFillHook: ((fill: Fill) => void) | undefined;
  const broker = new BacktestBroker(series, {
    ...settings,
    onLog: options.onLog,
    onFill: (fill) => onFillHook?.(fill),
  });
  const fail = (err: unknown): never => {
    if (err instanceof CancelledError || err instanceof StrategyRuntimeError) throw err;
    const time = Number.isNaN(broker.time) ? null : formatTime(broker.time);
    const bar = phase === 'onBar' || phase === 'onFill' ? broker.step : null;
    const where = phase === 'onBar' ? ` on ${currentSymbol} at ${time} (bar ${bar})` : '';
    const { message, stack } = thrownDetails(err);
    throw new StrategyRuntimeError(`${name}.${phase} threw${where}: ${message}`, phase, time, currentSymbol, stack, bar);
  };

  function construct() {
    return withParamOverrides(options.params, () => new strategyClass());
  }
  try {
    strategy = construct();
  } catch (err) {
    return fail(err);
  }
  bindBroker(strategy, broker);
  if (typeof strategy.onFill === 'function') {
    const s = strategy;
    onFillHook = (fill) => {
      const previous = phase;
      phase = 'onFill';
      try {
        s.onFill!(fill);
      } catch (err) {
        fail(err);
      }
      phase = previous;
    };
  }

  let plots: PlotRecorder | undefined;
  try {
    phase = 'onStart';
    strategy.onStart?.();
    // After onStart: plot() calls are in. They are checked, and the plotted indicators' `current` pinned, on every
    // run, so a run without a chart (a sweep's summary, the CLI's text summary) fails or passes exactly as a charted
    // one; without a chart the recorder gets no bars (no columns) and is not read. Reading runs no strategy code.
    const charted = recording.plots !== false;
    const recorder = createPlotRecorder(strategy, charted ? n : 0, series.map((s) => s.symbol), paramsForLevels(strategy.params));
    if (charted) plots = recorder;
    phase = 'onBar';
    const cursor = new Int32Array(k);
    const hasBar = new Uint8Array(k);
    const isCancelled = options.isCancelled;
    const fillAtClose = settings.fill === 'close';
    // Symbols on one shared calendar (the common case) skip the per-symbol time matching.
    const aligned = series.every((s) => s.length === n);
    if (aligned) hasBar.fill(1);
    for (let step = 0; step < n; step++) {
      const t = order[step];
      broker.step = step;
      broker.time = grid[step];
      if (isCancelled !== undefined && (step & 1023) === 0 && isCancelled()) throw new CancelledError();
      // 1. fills at this bar, per symbol
      for (let i = 0; i < k; i++) {
        if (!aligned) {
          const c = cursor[i];
          hasBar[i] = c < series[i].length && keys[i][c] === t ? 1 : 0;
        }
        if (hasBar[i]) broker.openBar(i, cursor[i], step);
      }
      // 2. closes become the last prices (after every symbol's fills: sizing must not see this bar's closes)
      for (let i = 0; i < k; i++) if (hasBar[i]) broker.setLastPrice(i, series[i].close[cursor[i]]);
      // 3. the strategy sees each bar of this timestamp
      for (let i = 0; i < k; i++) {
        if (!hasBar[i]) continue;
        const s = series[i];
        const c = cursor[i];
        currentSymbol = s.symbol;
        const bar: Bar = { symbol: s.symbol, time: s.time[c], open: s.open[c], high: s.high[c], low: s.low[c], close: s.close[c], volume: s.volume[c], index: c };
        strategy.onBar(bar);
      }
      // 4. fill: 'close' — after every onBar, since any symbol's bar may place orders for another
      if (fillAtClose) for (let i = 0; i < k; i++) if (hasBar[i]) broker.closeBar(i, cursor[i], step);
      // 5. mark to market
      equity[step] = broker.equity();
      plots?.record(step);
      for (let i = 0; i < k; i++) cursor[i] += hasBar[i];
    }
    currentSymbol = null;
    phase = 'onEnd';
    strategy.onEnd?.();
    broker.finish();
  } catch (err) {
    fail(err);
  }
  let params: StrategyParams;
  try {
    params = readParams(strategy.params);
  } catch (err) {
    return fail(err);
  }
  return { grid, equity, broker, params, strategy: name, options: settings, plots: plots?.finish(grid) };
}

/** Longest strategy stack kept (characters): a forged or deeply recursive stack must not grow the error report. */
export const MAX_STRATEGY_STACK_CHARS = 16 * 1024;

/**
 * The message and stack of whatever the strategy threw, read without letting it take the engine down: a thrown
 * non-Error, a `toString` or `stack` getter that throws, or an `Error.prepareStackTrace` the strategy replaced
 * all end in a message (and at worst no stack). The stack is only a hint: the host maps positions from it and
 * trusts none outside the strategy's own file (core/strategy/errorLocation.ts).
 */
export function thrownDetails(err: unknown): { message: string; stack: string | undefined } {
  let message: string;
  let stack: string | undefined;
  try {
    message = err instanceof Error ? String(err.message) : String(err);
  } catch {
    message = 'the strategy threw a value that cannot be turned into a message';
  }
  try {
    const s: unknown = err instanceof Error ? err.stack : undefined;
    // Frames only: V8's stack starts with the message, which may be megabytes long.
    if (typeof s === 'string') {
      const from = s.indexOf('\n    at ') + 1; // 0 when there is no frame line
      stack = s.slice(from, from + MAX_STRATEGY_STACK_CHARS);
    }
  } catch {
    stack = undefined;
  }
  return { message, stack };
}

/** The params as checked numbers, for the chart's threshold lines only: a bad value here is the run's end to report. */
function paramsForLevels(params: unknown): StrategyParams {
  try {
    return readParams(params);
  } catch {
    return {};
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
