import { IndicatorBase } from './base';
import { checkPeriod } from './errors';
import { WindowMoments } from './moments';

/**
 * Simple moving average: the mean of the last `period` values.
 *
 * SMAₜ = (xₜ + xₜ₋₁ + … + xₜ₋ₚ₊₁) / p
 *
 * O(1) per bar with a running sum that is re-added exactly once per `period` bars, so
 * it does not drift over millions of bars; a flat series gives exactly its price.
 *
 * Warm-up: `period − 1` bars return `undefined`; the first value is on bar `period`.
 *
 * @example
 * ```ts
 * sma = new SMA(50);
 * onBar(bar: Bar) {
 *   const avg = this.sma.update(bar.close);
 *   if (avg !== undefined && bar.close > avg) { … }
 * }
 * ```
 */
export class SMA extends IndicatorBase<number | undefined, number> {
  /** Number of values averaged. */
  readonly period: number;
  /** `period − 1`: updates that return `undefined` before the first average. */
  readonly warmup: number;
  private readonly window: WindowMoments;

  /** @param period number of values averaged, a whole number >= 1 (e.g. 20). */
  constructor(period: number) {
    super();
    this.period = checkPeriod('SMA', 'period', period, 'new SMA(20)');
    this.warmup = this.period - 1;
    this.window = new WindowMoments(this.period, false);
  }

  /**
   * Adds the next value (usually `bar.close`) and returns the average of the last
   * `period` values, or `undefined` during the warm-up. `undefined` input is ignored.
   * @throws IndicatorError on NaN or ±Infinity.
   */
  update(value: number | undefined): number | undefined {
    // Inline finite test: a call into another module is not inlined under tsx (3× slower).
    if (typeof value !== 'number' || value - value !== 0) return this.skipOrThrow(value);
    const w = this.window;
    w.push(value);
    return w.full ? (this.current = w.mean) : undefined;
  }

  protected clear(): void {
    this.window.clear();
  }

  protected get label(): string {
    return `SMA(${this.period})`;
  }
}
