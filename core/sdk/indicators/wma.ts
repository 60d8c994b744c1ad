import { IndicatorBase } from './base';
import { checkPeriod } from './errors';
import { Ring } from './ring';

/**
 * Weighted moving average: linear weights 1 (oldest) … period (newest).
 *
 * WMAₜ = Σₖ₌₁..ₚ k · xₜ₋ₚ₊ₖ / (p(p+1)/2)
 *
 * Kept in O(1) per bar with two running sums (plain and weighted), re-added exactly
 * once per `period` bars. Warm-up: `period − 1` bars return `undefined`.
 */
export class WMA extends IndicatorBase<number | undefined, number> {
  /** Number of values weighted. */
  readonly period: number;
  /** `period − 1`: updates that return `undefined` before the first value. */
  readonly warmup: number;
  private readonly window: Ring;
  private readonly denominator: number;
  private sum = 0;
  private weighted = 0;

  /** @param period number of values weighted, a whole number >= 1 (e.g. 20). */
  constructor(period: number) {
    super();
    this.period = checkPeriod('WMA', 'period', period, 'new WMA(20)');
    this.warmup = this.period - 1;
    this.window = new Ring(this.period);
    this.denominator = (this.period * (this.period + 1)) / 2;
  }

  /**
   * Adds the next value and returns the WMA, or `undefined` during the warm-up.
   * `undefined` input is ignored.
   * @throws IndicatorError on NaN or ±Infinity.
   */
  update(value: number | undefined): number | undefined {
    // Inline finite test: a call into another module is not inlined under tsx (3× slower).
    if (typeof value !== 'number' || value - value !== 0) return this.skipOrThrow(value);
    const w = this.window;
    const filling = w.count < this.period;
    const out = w.push(value);
    if (filling) {
      // Weights are still 1..count: the new value takes weight `count`.
      this.weighted += w.count * value;
      this.sum += value;
    } else {
      // Every old weight drops by one (−sum), the oldest leaves, the new value enters at `period`.
      this.weighted += this.period * value - this.sum;
      this.sum += value - out;
    }
    if (w.wrapped) {
      this.sum = w.sum();
      this.weighted = w.weightedSum();
    }
    if (w.count < this.period) return undefined;
    return (this.current = this.weighted / this.denominator);
  }

  protected clear(): void {
    this.window.clear();
    this.sum = 0;
    this.weighted = 0;
  }

  protected get label(): string {
    return `WMA(${this.period})`;
  }
}
