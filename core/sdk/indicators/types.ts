// The shape every indicator in `strategy-lab/indicators` shares, and the bar-like
// input the bar-based ones (ATR, Stochastic, ADX, OBV, VWAP) take.

/**
 * An incremental indicator: call `update(...)` once per bar, in time order.
 *
 * @example
 * ```ts
 * rsi = new RSI(14);
 * onBar(bar: Bar) {
 *   const value = this.rsi.update(bar.close); // undefined for the first 14 bars
 *   if (value !== undefined && value < 30) this.buy(bar.symbol);
 * }
 * ```
 */
export interface Indicator<TInput, TOutput> {
  /**
   * Feeds the next bar's input and returns the indicator's value on this bar, or
   * `undefined` while it is still warming up. Throws `IndicatorError` on NaN/Infinity
   * (state is left untouched, so nothing is poisoned).
   */
  update(input: TInput): TOutput | undefined;
  /** The result of the last `update` (`undefined` before the first complete value). */
  readonly value: TOutput | undefined;
  /** `true` once `value` is defined, i.e. the warm-up is over. */
  readonly ready: boolean;
  /** How many `update` calls return `undefined` before the first value (e.g. 14 for `RSI(14)`). */
  readonly warmup: number;
  /** Forgets all history: the indicator behaves as if newly constructed. */
  reset(): void;
}

/**
 * What the bar-based indicators read from a bar. The SDK's `Bar` fits as is, so
 * pass the bar straight in: `atr.update(bar)`.
 */
export interface BarLike {
  /** Highest price of the bar. */
  readonly high: number;
  /** Lowest price of the bar. */
  readonly low: number;
  /** Last price of the bar. */
  readonly close: number;
  /** Traded volume; required by OBV and VWAP, ignored by the others. */
  readonly volume?: number;
  /** Bar start, ms since epoch UTC; VWAP uses it to start a new session each day. */
  readonly time?: number;
}
