import { IndicatorBase } from './base';
import { invalidBar } from './errors';
import type { BarLike } from './types';

const FIELDS = ['close', 'volume'] as const;

/**
 * On-Balance Volume (Granville): a running total of volume, added on up-closes and
 * subtracted on down-closes.
 *
 * OBV₁ = 0; OBVₜ = OBVₜ₋₁ + volumeₜ if closeₜ > closeₜ₋₁, − volumeₜ if closeₜ < closeₜ₋₁, else unchanged.
 *
 * Warm-up: none — the first bar returns 0 (technicalindicators emits nothing for the
 * first bar and then the same numbers). Only its changes matter, not its level.
 *
 * @example
 * ```ts
 * obv = new OBV();
 * obvTrend = new EMA(20);
 * onBar(bar: Bar) { const trend = this.obvTrend.update(this.obv.update(bar)); }
 * ```
 */
export class OBV extends IndicatorBase<BarLike, number> {
  /** 0: OBV has a value from the first bar on. */
  readonly warmup = 0;
  private total = 0;
  private previousClose = NaN;

  /**
   * Adds the next bar (`{ close, volume }`, e.g. the SDK `Bar`) and returns the OBV.
   * @throws IndicatorError if close or volume is missing or not a finite number.
   */
  update(bar: BarLike): number {
    const close = bar?.close;
    const volume = bar?.volume;
    if (typeof close !== 'number' || typeof volume !== 'number' || close - close + (volume - volume) !== 0) {
      throw invalidBar(this.label, bar, FIELDS); // NaN/±Infinity make the sum NaN
    }
    const previous = this.previousClose;
    if (close > previous) this.total += volume;
    else if (close < previous) this.total -= volume;
    this.previousClose = close;
    return (this.current = this.total);
  }

  protected clear(): void {
    this.total = 0;
    this.previousClose = NaN;
  }

  protected get label(): string {
    return 'OBV';
  }
}
