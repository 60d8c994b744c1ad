/**
 * Public types of the strategy SDK (`import … from 'strategy-lab'`).
 * This file, `strategy.ts` and `indicators/` are the single source of the SDK's
 * `.d.ts`: the language server, the LLM prompt and the runtime all derive from them.
 */

/** Bar interval. `1d` is daily, `1wk` weekly; the rest are intraday. */
export type Timeframe = '1m' | '2m' | '5m' | '15m' | '30m' | '1h' | '4h' | '1d' | '1wk';

/** Static configuration of a strategy: what data it needs. */
export interface StrategyConfig {
  /** Ticker symbols, e.g. `['AAPL']` or `['SPY', 'QQQ']`. */
  symbols: string[];
  /** Bar interval, e.g. `'1d'`. */
  timeframe: Timeframe;
  /** Optional first date (inclusive), `YYYY-MM-DD`. */
  start?: string;
  /** Optional last date (inclusive), `YYYY-MM-DD`. */
  end?: string;
}

/**
 * What a strategy writes as `static config`. `timeframe` also accepts a plain
 * string so that `{ timeframe: '1d' }` type-checks without `as const` (TypeScript
 * widens literals in class properties); unknown values are reported by the
 * validator (SL030) and refused at load time.
 */
export type StrategyConfigInput = Omit<StrategyConfig, 'timeframe'> & { timeframe: Timeframe | (string & {}) };

/** Tunable numbers and switches. Numeric and boolean values can be optimized. */
export type StrategyParams = Record<string, number | boolean>;

/** One price bar, delivered to `onBar` once and never again. */
export interface Bar {
  readonly symbol: string;
  /** Bar start time, milliseconds since 1970-01-01 UTC (daily bars: midnight UTC of the date). */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** 0-based position of this bar in its symbol's series. */
  readonly index: number;
}

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop';
export type OrderStatus = 'pending' | 'filled' | 'cancelled' | 'rejected';

/**
 * How much to trade and how. Give at most one of `shares`, `cash`, `percent`;
 * with none, `buy`/`sell` use all available cash (whole shares, commission included).
 */
export interface OrderOptions {
  /** Number of shares (whole or fractional). */
  shares?: number;
  /** Amount of money to spend (whole shares, commission included). */
  cash?: number;
  /** Percent of current equity, 0 < percent <= 100 (e.g. 50 for half). */
  percent?: number;
  /** Limit price: buy at or below / sell at or above. Makes this a limit order. */
  limit?: number;
  /** Stop price: buy when price rises to / sell when it falls to. Makes this a stop order. */
  stop?: number;
  /** Protective stop as a percent move against the entry fill price, e.g. 2 for 2%. */
  stopLossPct?: number;
  /** Profit target as a percent move in favour of the entry fill price, e.g. 5 for 5%. */
  takeProfitPct?: number;
  /** Protective stop at an absolute price. */
  stopLoss?: number;
  /** Profit target at an absolute price. */
  takeProfit?: number;
  /** Trailing stop: exit when price retreats this percent from the best price since entry. */
  trailingStopPct?: number;
  /** Free-form label copied to the order and its trade. */
  tag?: string;
}

/** An order as the broker knows it. */
export interface Order {
  readonly id: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly status: OrderStatus;
  /** Shares requested, or undefined while sized at fill time (cash/percent/all-in). */
  readonly shares: number | undefined;
  readonly limit?: number;
  readonly stop?: number;
  /** Time (ms) of the bar on which the order was placed. */
  readonly placedAt: number;
  readonly tag?: string;
  /** Why the broker rejected or cancelled it, when it did. */
  readonly reason?: string;
}

/** A filled order (or part of one). */
export interface Fill {
  readonly orderId: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly shares: number;
  readonly price: number;
  readonly commission: number;
  readonly time: number;
}

/** An open position: `shares` is positive for long, negative for short. */
export interface Position {
  readonly symbol: string;
  readonly shares: number;
  /** Average entry price of the open shares. */
  readonly avgPrice: number;
  /** Last known close. */
  readonly lastPrice: number;
  readonly marketValue: number;
  readonly unrealizedPnl: number;
}

/** Anything `plot()` accepts: every indicator from `strategy-lab/indicators` fits. */
export interface Plottable {
  readonly value: unknown;
  readonly ready: boolean;
}

/**
 * How an indicator is drawn on the results chart (`this.plot(indicator, options)`). Price-scale indicators
 * (SMA, EMA, WMA, Bollinger Bands, Highest, Lowest, VWAP) go on the price pane; oscillators (RSI, MACD,
 * Stochastic, ADX, ATR, OBV) each get a small pane below it, on the same time axis.
 */
export interface PlotOptions {
  /** Legend name, at most 60 characters. Default: the field name and the indicator, e.g. `fast · SMA(50)`. */
  name?: string;
  /**
   * Horizontal lines on an oscillator's pane (at most 8), e.g. `[30, 70]` for RSI. Default for RSI and
   * Stochastic: the numeric params named like a threshold (`buyBelow`, `oversold`, `upper`…) between 0 and 100,
   * else 30/70 (RSI) and 20/80 (Stochastic).
   */
  levels?: number[];
  /** The symbol whose price chart shows it (multi-symbol strategies). Default: the first symbol. */
  symbol?: string;
}
