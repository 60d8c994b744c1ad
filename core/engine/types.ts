import type { BarSeries } from '../data/series';
import type { Fill, Order, OrderSide, StrategyParams } from '../sdk/types';
import type { Metrics } from '../metrics/types';

/** When a market order fills: next bar's open (default, no look-ahead) or this bar's close. */
export type FillPolicy = 'next-open' | 'close';

export interface BacktestOptions {
  /** Starting cash. Default 10,000. */
  cash?: number;
  /** Commission as a fraction of traded value per side, e.g. 0.001 = 0.1%. Default 0. */
  commission?: number;
  /** Fixed fee per filled order, in cash. Default 0. */
  commissionFixed?: number;
  /** Slippage in basis points, applied against the trader on every market/stop fill. Default 0. */
  slippageBps?: number;
  /** Default 'next-open'. */
  fill?: FillPolicy;
  /** Parameter overrides applied before the strategy's field initializers run. */
  params?: Partial<StrategyParams>;
  /** Called for every line the strategy logs. */
  onLog?: (line: LogLine) => void;
  /** Checked between bars; when it returns true the run stops with a CancelledError. */
  isCancelled?: () => boolean;
}

export interface LogLine {
  /** Time (ms) of the bar being processed, or null outside onBar. */
  time: number | null;
  message: string;
}

/** A round trip: entry fill to exit fill (or still open at the end). */
export interface Trade {
  symbol: string;
  side: 'long' | 'short';
  /** Shares, always positive. */
  size: number;
  entryTime: string;
  entryPrice: number;
  entryBar: number;
  /** null while open at the end of the data. */
  exitTime: string | null;
  exitPrice: number | null;
  exitBar: number | null;
  /** Profit in cash after both sides' commissions; open trades are marked at the last close. */
  pnl: number;
  /** pnl / (entryPrice × size) × 100, commissions included. */
  returnPct: number;
  /** Commission paid on entry and exit. */
  commission: number;
  /** true when still open at the end (marked to market). */
  open: boolean;
  /** Why it was exited: 'signal', 'stop-loss', 'take-profit', 'trailing-stop', 'end-of-data'. */
  exitReason: string | null;
  tag?: string;
}

export interface EquityPoint {
  time: string;
  equity: number;
  /** (equity / running peak − 1) × 100, ≤ 0. */
  drawdownPct: number;
}

export interface OrderRecord {
  id: number;
  symbol: string;
  side: OrderSide;
  type: Order['type'];
  status: Order['status'];
  placedAt: string;
  placedBar: number;
  shares: number | null;
  limit?: number;
  stop?: number;
  filledAt?: string;
  fillPrice?: number;
  reason?: string;
  tag?: string;
}

/**
 * What the strategy's indicators produced, for drawing only (core/engine/plots.ts): never an input to metrics.
 * `values[j]` is the value on bar `j × stride` (time `time[j]`), null during the warm-up.
 */
export interface IndicatorPlots {
  /** Bar times (ms) of the recorded points. */
  time: number[];
  /** 1 up to EQUITY_FULL_MAX bars (every bar), else every `stride`-th bar. */
  stride: number;
  series: PlotSeries[];
}

export interface PlotSeries {
  /** Legend name: plot()'s name, or the field name and the indicator, e.g. `fast · SMA(50)`. */
  name: string;
  /** The SDK class: SMA, RSI, MACD… */
  indicator: string;
  /** The symbol whose price chart shows it. */
  symbol: string;
  /** 'price': on the price pane; 'oscillator': a pane of its own below it. */
  pane: 'price' | 'oscillator';
  /** Fixed scale of a bounded oscillator (RSI, Stochastic, ADX: 0…100). */
  range?: [number, number];
  /** Horizontal threshold lines (plot()'s levels, the strategy's params, or the usual ones). */
  levels?: number[];
  /** One line per output field ('value' for a single-number indicator). */
  lines: { key: string; values: (number | null)[] }[];
}

export interface BacktestResult {
  metrics: Metrics;
  trades: Trade[];
  equity: EquityPoint[];
  orders: OrderRecord[];
  fills: Fill[];
  /** Echo of the effective options and data window, so a run can be reproduced. */
  run: {
    strategy: string;
    symbols: string[];
    bars: number;
    start: string | null;
    end: string | null;
    options: Required<Pick<BacktestOptions, 'cash' | 'commission' | 'commissionFixed' | 'slippageBps' | 'fill'>>;
    params: StrategyParams;
    /**
     * Present when `equity` holds a drawable subset of the curve (runs past EQUITY_FULL_MAX bars that asked for
     * one, core/engine/equityCurve.ts): `from` bars, `to` points kept. Metrics are computed on every bar.
     */
    equityDecimated?: { from: number; to: number };
  };
  /** The strategy's indicators as drawn on the price chart; absent when it has none (or opted out). */
  plots?: IndicatorPlots;
}

export type { BarSeries };
