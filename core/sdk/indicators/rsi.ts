import { IndicatorBase } from './base';
import { checkPeriod } from './errors';
import { SeededSmoother, wilderAlpha } from './smoothing';

/**
 * Relative Strength Index (Wilder, 1978), 0…100.
 *
 * gainₜ = max(xₜ − xₜ₋₁, 0), lossₜ = max(xₜ₋₁ − xₜ, 0).
 * The first average gain/loss is the simple mean of the first `period` changes; after
 * that Wilder's smoothing: avgₜ = (avgₜ₋₁ · (p − 1) + xₜ) / p.
 * RSI = 100 − 100 / (1 + avgGain / avgLoss); 100 when avgLoss = 0, 0 when avgGain = 0,
 * and 50 when both are 0 (a flat series has no momentum either way).
 *
 * Warm-up: `period` bars return `undefined` (it needs `period` price *changes*); the
 * first value is on bar `period + 1`. Not rounded (technicalindicators rounds to 2 decimals).
 *
 * @example
 * ```ts
 * rsi = new RSI(14);
 * onBar(bar: Bar) {
 *   const r = this.rsi.update(bar.close);
 *   if (r === undefined) return;          // warming up
 *   if (r < 30) this.buy(bar.symbol);     // oversold
 *   else if (r > 70) this.sell(bar.symbol); // overbought
 * }
 * ```
 */
export class RSI extends IndicatorBase<number | undefined, number> {
  /** Number of price changes averaged (Wilder's default is 14). */
  readonly period: number;
  /** `period`: updates that return `undefined` before the first value. */
  readonly warmup: number;
  private readonly gains: SeededSmoother;
  private readonly losses: SeededSmoother;
  private previous = NaN;

  /** @param period number of price changes averaged, a whole number >= 1; default 14. */
  constructor(period = 14) {
    super();
    this.period = checkPeriod('RSI', 'period', period, 'new RSI(14)');
    this.warmup = this.period;
    this.gains = new SeededSmoother(this.period, wilderAlpha(this.period));
    this.losses = new SeededSmoother(this.period, wilderAlpha(this.period));
  }

  /**
   * Adds the next close and returns the RSI (0…100), or `undefined` during the warm-up.
   * `undefined` input is ignored.
   * @throws IndicatorError on NaN or ±Infinity.
   */
  update(value: number | undefined): number | undefined {
    // Inline finite test: a call into another module is not inlined under tsx (3× slower).
    if (typeof value !== 'number' || value - value !== 0) return this.skipOrThrow(value);
    const change = value - this.previous;
    this.previous = value;
    if (change !== change) return undefined; // first bar: no change yet
    const gain = this.gains.push(change > 0 ? change : 0);
    const loss = this.losses.push(change < 0 ? -change : 0);
    if (gain !== gain) return undefined;
    return (this.current = loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss));
  }

  protected clear(): void {
    this.gains.clear();
    this.losses.clear();
    this.previous = NaN;
  }

  protected get label(): string {
    return `RSI(${this.period})`;
  }
}
