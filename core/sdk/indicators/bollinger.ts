import { IndicatorBase } from './base';
import { checkPeriod, checkPositive } from './errors';
import { WindowMoments } from './moments';

/** One Bollinger Bands reading. */
export interface BollingerBandsValue {
  /** middle + stdDev · σ */
  readonly upper: number;
  /** SMA of the last `period` values. */
  readonly middle: number;
  /** middle − stdDev · σ */
  readonly lower: number;
}

/**
 * Bollinger Bands: an SMA with bands `stdDev` standard deviations above and below.
 *
 * middle = SMA(period); σ = population standard deviation of the same window
 * (divide by `period`, as Bollinger and technicalindicators do);
 * upper/lower = middle ± stdDev · σ.
 *
 * O(1) per bar: running sums of (x − shift) and (x − shift)², where the shift is reset
 * to the window mean once per lap, so the variance never suffers the cancellation of
 * Σx² − (Σx)²/n on large prices. A flat window gives σ = 0 exactly.
 *
 * Warm-up: `period − 1` bars return `undefined`.
 *
 * @example
 * ```ts
 * bb = new BollingerBands(20, 2);
 * onBar(bar: Bar) {
 *   const b = this.bb.update(bar.close);
 *   if (b && bar.close < b.lower) this.buy(bar.symbol);
 * }
 * ```
 */
export class BollingerBands extends IndicatorBase<number | undefined, BollingerBandsValue> {
  /** Window length (default 20). */
  readonly period: number;
  /** Band width in standard deviations (default 2). */
  readonly stdDev: number;
  /** `period − 1`: updates that return `undefined` before the first value. */
  readonly warmup: number;
  private readonly window: WindowMoments;

  /**
   * @param period window length, a whole number >= 1; default 20
   * @param stdDev band distance in standard deviations, > 0; default 2
   */
  constructor(period = 20, stdDev = 2) {
    super();
    this.period = checkPeriod('BollingerBands', 'period', period, 'new BollingerBands(20, 2)');
    this.stdDev = checkPositive('BollingerBands', 'stdDev', stdDev, 'new BollingerBands(20, 2)');
    this.warmup = this.period - 1;
    this.window = new WindowMoments(this.period, true);
  }

  /**
   * Adds the next close and returns `{ upper, middle, lower }`, or `undefined` during
   * the warm-up. `undefined` input is ignored.
   * @throws IndicatorError on NaN or ±Infinity.
   */
  update(value: number | undefined): BollingerBandsValue | undefined {
    // Inline finite test: a call into another module is not inlined under tsx (3× slower).
    if (typeof value !== 'number' || value - value !== 0) return this.skipOrThrow(value);
    const w = this.window;
    w.push(value);
    if (!w.full) return undefined;
    const middle = w.mean;
    const band = this.stdDev * w.stdDev;
    return (this.current = { upper: middle + band, middle, lower: middle - band });
  }

  protected clear(): void {
    this.window.clear();
  }

  protected get label(): string {
    return `BollingerBands(${this.period}, ${this.stdDev})`;
  }
}
