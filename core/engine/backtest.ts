/** Runs a strategy over bars and turns the raw simulation into the result object (metrics, trades, equity, orders). */
import type { BarSeries } from '../data/series';
import type { StrategyClass } from '../strategy/load';
import { computeMetrics } from '../metrics/index';
import type { TradeStat } from '../metrics/types';
import type { BacktestBroker, ClosedLot } from './broker';
import { simulate, type RawBacktest } from './simulate';
import { buildTimeline } from './grid';
import { formatTime } from './time';
import { EQUITY_FULL_MAX, allEquityPoints, attachEquityColumns, drawableIndices, drawdownColumn, equityPointAt, type EquityColumns } from './equityCurve';
import type { BacktestOptions, BacktestResult, EquityPoint, OrderRecord, Trade } from './types';

export { CancelledError, StrategyRuntimeError, DEFAULT_OPTIONS, simulate, resolveOptions, type RawBacktest } from './simulate';

/** How the result is built: `equity: 'drawable'` lets a run past EQUITY_FULL_MAX bars carry a decimated curve (equityCurve.ts). */
export interface ResultOptions {
  /**
   * Default 'all': one equity point per bar, whatever the length. 'columns': no points (`equity: []`), the full
   * columns beside the result (equityColumnsOf): what a sandbox sends for an 'all' run, whose host builds the
   * points from them (core/sandbox/result-codec.ts), so a million point objects and time strings are never made
   * inside the sandbox's memory limit.
   */
  equity?: 'all' | 'drawable' | 'columns';
  /** Told when the bar loop ('run'), the metrics ('metrics') and the result objects ('result') are done (the CLI's phase timer). */
  phases?: { mark(name: string): void };
}

export function runBacktest(strategyClass: StrategyClass, series: BarSeries[], options: BacktestOptions = {}, resultOptions: ResultOptions = {}): BacktestResult {
  const raw = simulate(strategyClass, series, options);
  resultOptions.phases?.mark('run');
  return buildResult(strategyClass, series, options, raw, resultOptions);
}

/** What a sweep keeps of a run (core/run/variants.ts `VariantSummary`): the numbers, without the formatted result. */
export interface BacktestSummary {
  metrics: BacktestResult['metrics'];
  /** Bar times (ms) of the equity curve. */
  time: Float64Array;
  equity: Float64Array;
  trades: number;
  params: RawBacktest['params'];
}

/**
 * The same run as `runBacktest`, reduced to its summary straight from the simulation: the metrics come from the
 * same `computeMetrics` call on the same inputs, but no per-bar time strings, equity points, trade or order
 * records or indicator plots are built — formatting 5,000 daily times took most of a 20-year variant's time in a sweep.
 */
export function runBacktestSummary(strategyClass: StrategyClass, series: BarSeries[], options: BacktestOptions = {}): BacktestSummary {
  const { raw, lots, metrics } = simulateToMetrics(strategyClass, series, options);
  return { metrics, time: raw.grid, equity: raw.equity, trades: lots.length, params: raw.params };
}

/** What a text summary of a run shows (the CLI's, core/cli/summary.ts): the run's facts, its metrics, its open trades. */
export interface RunOverview {
  run: Pick<BacktestResult['run'], 'strategy' | 'symbols' | 'bars' | 'options'>;
  metrics: BacktestResult['metrics'];
  /** Trades still open at the end (marked to market at the last close). */
  openTrades: number;
}

export function overviewOf(result: BacktestResult): RunOverview {
  const { strategy, symbols, bars, options } = result.run;
  return { run: { strategy, symbols, bars, options }, metrics: result.metrics, openTrades: result.trades.filter((t) => t.open).length };
}

/**
 * The same run as `runBacktest`, reduced to its overview straight from the simulation (the summary path's metrics):
 * a million-bar run skips the ~0.1 s of trade, order and equity records a text summary never shows.
 */
export function runBacktestOverview(strategyClass: StrategyClass, series: BarSeries[], options: BacktestOptions = {}, phases?: ResultOptions['phases']): RunOverview {
  const { raw, lots, metrics } = simulateToMetrics(strategyClass, series, options, phases);
  phases?.mark('result');
  let openTrades = 0;
  for (const lot of lots) if (lot.exitReason === OPEN) openTrades++;
  return { run: { strategy: raw.strategy, symbols: series.map((s) => s.symbol), bars: raw.grid.length, options: raw.options }, metrics, openTrades };
}

/** The bar loop (plot() checked, no indicator values recorded) and the metrics as `buildResult` computes them: the summary paths share it. */
function simulateToMetrics(strategyClass: StrategyClass, series: BarSeries[], options: BacktestOptions, phases?: ResultOptions['phases']) {
  const raw = simulate(strategyClass, series, options, { plots: false });
  phases?.mark('run');
  const lots = collectLots(raw.broker, raw.grid);
  const metrics = metricsOf(series, raw, packedMap(lots, toStat));
  phases?.mark('metrics');
  return { raw, lots, metrics };
}

function metricsOf(series: BarSeries[], raw: RawBacktest, tradeStats: TradeStat[]): BacktestResult['metrics'] {
  const n = raw.grid.length;
  return computeMetrics({
    time: raw.grid,
    equity: raw.equity,
    trades: tradeStats,
    // One symbol on its own grid: its closes are the benchmark, read in place (no copy of a million values).
    benchmark: series.length === 1 && series[0].length === n ? series[0].close : buyAndHold(series, raw.grid),
    commissionsPaid: raw.broker.commissionsPaid,
  });
}

/** `raw` carries everything the result echoes (the class name and options as the run read them); the class and options arguments stay for callers. */
export function buildResult(_strategyClass: StrategyClass, series: BarSeries[], _options: BacktestOptions, raw: RawBacktest, resultOptions: ResultOptions = {}): BacktestResult {
  const { grid, equity, broker } = raw;
  const n = grid.length;
  const trades = packedMap(collectLots(broker, grid), toTrade);
  const metrics = metricsOf(series, raw, packedMap(trades, (t) => t.stat));
  resultOptions.phases?.mark('metrics');
  const columns: EquityColumns = { time: grid, equity, drawdownPct: drawdownColumn(equity) };
  const decimate = resultOptions.equity === 'drawable' && n > EQUITY_FULL_MAX;
  const kept = decimate ? drawableIndices(columns) : null;
  const columnsOnly = resultOptions.equity === 'columns';
  const equityPoints: EquityPoint[] = columnsOnly ? [] : kept ? Array.from(kept, (i) => equityPointAt(columns, i)) : allEquityPoints(columns);
  const orders: OrderRecord[] = packedMap(broker.orders, (o) => ({
    id: o.id,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    status: o.status,
    placedAt: Number.isNaN(o.placedAt) ? '' : formatTime(o.placedAt),
    placedBar: o.placedStep,
    shares: o.filledShares ?? o.shares ?? null,
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(o.stop !== undefined ? { stop: o.stop } : {}),
    ...(o.filledAt !== undefined ? { filledAt: formatTime(o.filledAt), fillPrice: o.fillPrice } : {}),
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.tag !== undefined ? { tag: o.tag } : {}),
  }));
  const result: BacktestResult = {
    metrics,
    trades: packedMap(trades, (t) => t.trade),
    equity: equityPoints,
    orders,
    fills: broker.fills,
    run: {
      strategy: raw.strategy,
      symbols: series.map((s) => s.symbol),
      bars: n,
      start: n ? formatTime(grid[0]) : null,
      end: n ? formatTime(grid[n - 1]) : null,
      // Resolved once, by simulate: resolving again here (inlined into buildResult) deoptimised it on the shape of
      // each caller's options object after the warm-up.
      options: raw.options,
      params: raw.params,
      ...(kept ? { equityDecimated: { from: n, to: kept.length } } : {}),
    },
  };
  if (raw.plots) result.plots = raw.plots;
  if (kept || columnsOnly) attachEquityColumns(result, columns);
  resultOptions.phases?.mark('result');
  return result;
}

/** Closed lots, then still-open lots marked at the last close, in entry order (the trades). */
function collectLots(broker: BacktestBroker, grid: Float64Array): ClosedLot[] {
  const last = grid.length - 1;
  const lots: ClosedLot[] = [...broker.closedLots];
  for (const { symbol, lot, lastPrice } of broker.openLots()) {
    lots.push({
      symbol, shares: lot.shares, entryPrice: lot.price, entryStep: lot.step, entryTime: lot.time,
      exitPrice: lastPrice, exitStep: last, exitTime: grid[last], commission: lot.commission, exitReason: OPEN, tag: lot.tag,
    });
  }
  // Stable sort: lots opened on the same bar keep their fill order.
  return lots.sort((a, b) => a.entryStep - b.entryStep);
}

const OPEN = '(open)';

/**
 * `xs.map(f)` that always returns a PACKED_ELEMENTS array. `Array.prototype.map` returns PACKED arrays from
 * the interpreter but HOLEY ones once TurboFan inlines it, so the same result arrays had two maps depending on
 * whether `buildResult` was optimised, and the metrics code the warm-up had optimised for one of them
 * deoptimised on the other in a user's job ("wrong map" in validate/computeMetrics/exposurePct,
 * test/sandbox/warmup.test.ts). An array literal grown by push has one elements kind in every tier.
 */
function packedMap<T, U>(xs: readonly T[], f: (x: T) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < xs.length; i++) out.push(f(xs[i]));
  return out;
}

function toTrade(lot: ClosedLot): { trade: Trade; stat: TradeStat } {
  const open = lot.exitReason === OPEN;
  const stat = toStat(lot);
  const trade: Trade = {
    symbol: lot.symbol,
    side: lot.shares > 0 ? 'long' : 'short',
    size: Math.abs(lot.shares),
    entryTime: formatTime(lot.entryTime),
    entryPrice: lot.entryPrice,
    entryBar: lot.entryStep,
    exitTime: open ? null : formatTime(lot.exitTime),
    exitPrice: open ? null : lot.exitPrice,
    exitBar: open ? null : lot.exitStep,
    pnl: stat.pnl,
    returnPct: stat.returnPct,
    commission: lot.commission,
    open,
    exitReason: open ? null : lot.exitReason,
    ...(lot.tag !== undefined ? { tag: lot.tag } : {}),
  };
  return { trade, stat };
}

/** The metrics' view of one trade (its pnl and return are the trade record's too). */
function toStat(lot: ClosedLot): TradeStat {
  const size = Math.abs(lot.shares);
  const pnl = Math.sign(lot.shares) * (lot.exitPrice - lot.entryPrice) * size - lot.commission;
  return { entryBar: lot.entryStep, exitBar: lot.exitStep, entryTime: lot.entryTime, exitTime: lot.exitTime, pnl, returnPct: (pnl / (lot.entryPrice * size)) * 100 };
}

/**
 * Buy-and-hold benchmark on the grid: for one symbol its close; for several,
 * an equal-weight index (mean of each close divided by its first close), with
 * closes carried forward over a symbol's missing bars and a symbol that starts
 * later counted as cash until its first bar (docs/metrics.md).
 */
export function buyAndHold(series: BarSeries[], grid: Float64Array): Float64Array {
  const out = new Float64Array(grid.length);
  if (series.length === 1 && series[0].length === grid.length) {
    out.set(series[0].close);
    return out;
  }
  const { order, keys } = buildTimeline(series);
  const cursor = new Int32Array(series.length);
  const last = new Float64Array(series.length).fill(NaN);
  for (let step = 0; step < grid.length; step++) {
    let sum = 0;
    for (let i = 0; i < series.length; i++) {
      const s = series[i];
      if (cursor[i] < s.length && keys[i][cursor[i]] === order[step]) last[i] = s.close[cursor[i]++];
      // A symbol that has not started yet counts as cash (value 1), so the index does not jump when it joins.
      sum += Number.isNaN(last[i]) ? 1 : last[i] / s.close[0];
    }
    out[step] = sum / series.length;
  }
  return out;
}

