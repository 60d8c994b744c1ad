/**
 * Exponential smoothing seeded with the simple average of the first `period` inputs,
 * the convention technicalindicators (and TA-Lib) use for EMA, Wilder's RSI averages,
 * ATR and ADX. `alpha` is 2/(period+1) for an EMA and 1/period for Wilder's smoothing.
 */
export class SeededSmoother {
  /** Current average, NaN until `period` inputs have been seen. */
  average = NaN;
  private seen = 0;
  private seed = 0;

  constructor(
    readonly period: number,
    private readonly alpha: number,
  ) {}

  /** Adds `x`; returns the smoothed value, or NaN while seeding. */
  push(x: number): number {
    if (this.seen >= this.period) {
      this.average += (x - this.average) * this.alpha;
      return this.average;
    }
    // The seed mean, kept as a running mean so a flat series seeds to exactly its value.
    const seed = this.seen === 0 ? x : this.seed + (x - this.seed) / (this.seen + 1);
    this.seed = seed;
    if (++this.seen === this.period) this.average = seed;
    return this.average;
  }

  /** Back to the unseeded state. */
  clear(): void {
    this.average = NaN;
    this.seed = 0;
    this.seen = 0;
  }
}

/** Smoothing factor of an EMA: 2 / (period + 1). */
export const emaAlpha = (period: number): number => 2 / (period + 1);
/** Smoothing factor of Wilder's moving average (RMA/SMMA): 1 / period. */
export const wilderAlpha = (period: number): number => 1 / period;
