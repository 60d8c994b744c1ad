import { IndicatorBase } from './base';
import { checkPeriod, invalidBar } from './errors';
import { SeededSmoother, wilderAlpha } from './smoothing';
import { TrueRange } from './truerange';
import type { BarLike } from './types';

const FIELDS = ['high', 'low', 'close'] as const;

/**
 * Average True Range (Wilder): Wilder's smoothing of the true range.
 *
 * TRₜ = max(highₜ − lowₜ, |highₜ − closeₜ₋₁|, |lowₜ − closeₜ₋₁|);
 * ATR starts as the mean of the first `period` true ranges, then
 * ATRₜ = ATRₜ₋₁ + (TRₜ − ATRₜ₋₁) / period.
 *
 * The first bar has no previous close, so it yields no true range (as in
 * technicalindicators). Warm-up: `period` bars return `undefined`; the first value is
 * on bar `period + 1`.
 *
 * @example
 * ```ts
 * atr = new ATR(14);
 * onBar(bar: Bar) {
 *   const a = this.atr.update(bar); // pass the whole bar
 *   if (a !== undefined) this.buy(bar.symbol, { stopLoss: bar.close - 2 * a });
 * }
 * ```
 */
export class ATR extends IndicatorBase<BarLike, number> {
  /** Number of true ranges averaged (default 14). */
  readonly period: number;
  /** `period`: updates that return `undefined` before the first value. */
  readonly warmup: number;
  private readonly smoother: SeededSmoother;
  private readonly range = new TrueRange();

  /** @param period smoothing length, a whole number >= 1; default 14. */
  constructor(period = 14) {
    super();
    this.period = checkPeriod('ATR', 'period', period, 'new ATR(14)');
    this.warmup = this.period;
    this.smoother = new SeededSmoother(this.period, wilderAlpha(this.period));
  }

  /**
   * Adds the next bar (`{ high, low, close }`, e.g. the SDK `Bar`) and returns the ATR,
   * or `undefined` during the warm-up.
   * @throws IndicatorError if high, low or close is not a finite number.
   */
  update(bar: BarLike): number | undefined {
    const high = bar?.high;
    const low = bar?.low;
    const close = bar?.close;
    if (typeof high !== 'number' || typeof low !== 'number' || typeof close !== 'number' || high - high + (low - low) + (close - close) !== 0) {
      throw invalidBar(this.label, bar, FIELDS); // NaN/±Infinity make the sum NaN
    }
    const tr = this.range.push(high, low, close);
    if (tr !== tr) return undefined; // first bar: no previous close
    const atr = this.smoother.push(tr);
    return atr === atr ? (this.current = atr) : undefined;
  }

  protected clear(): void {
    this.smoother.clear();
    this.range.clear();
  }

  protected get label(): string {
    return `ATR(${this.period})`;
  }
}
