import { IndicatorBase } from './base';
import { checkPeriod } from './errors';
import { emaAlpha, SeededSmoother } from './smoothing';

/**
 * Exponential moving average with α = 2 / (period + 1), seeded with the SMA of the
 * first `period` values (as technicalindicators and TA-Lib do).
 *
 * EMAₜ = EMAₜ₋₁ + α · (xₜ − EMAₜ₋₁)
 *
 * Warm-up: `period − 1` bars return `undefined`; the first value (the seed SMA) is on
 * bar `period`.
 *
 * @example
 * ```ts
 * fast = new EMA(12);
 * onBar(bar: Bar) { const e = this.fast.update(bar.close); }
 * ```
 */
export class EMA extends IndicatorBase<number | undefined, number> {
  /** Smoothing length; α = 2 / (period + 1). */
  readonly period: number;
  /** `period − 1`: updates that return `undefined` before the first value. */
  readonly warmup: number;
  private readonly smoother: SeededSmoother;

  /** @param period smoothing length, a whole number >= 1 (e.g. 12). */
  constructor(period: number) {
    super();
    this.period = checkPeriod('EMA', 'period', period, 'new EMA(12)');
    this.warmup = this.period - 1;
    this.smoother = new SeededSmoother(this.period, emaAlpha(this.period));
  }

  /**
   * Adds the next value and returns the EMA, or `undefined` during the warm-up.
   * `undefined` input is ignored.
   * @throws IndicatorError on NaN or ±Infinity.
   */
  update(value: number | undefined): number | undefined {
    // Inline finite test: a call into another module is not inlined under tsx (3× slower).
    if (typeof value !== 'number' || value - value !== 0) return this.skipOrThrow(value);
    const avg = this.smoother.push(value);
    return avg === avg ? (this.current = avg) : undefined;
  }

  protected clear(): void {
    this.smoother.clear();
  }

  protected get label(): string {
    return `EMA(${this.period})`;
  }
}
