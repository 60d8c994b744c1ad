import { IndicatorBase } from './base';
import { checkPeriod, invalidBar } from './errors';
import { SeededSmoother, wilderAlpha } from './smoothing';
import { TrueRange } from './truerange';
import type { BarLike } from './types';

const FIELDS = ['high', 'low', 'close'] as const;

/** One ADX reading, all 0…100. */
export interface ADXValue {
  /** Average Directional Index: trend strength regardless of direction (> 25 is a common "trending" cut-off). */
  readonly adx: number;
  /** +DI: strength of upward moves. */
  readonly pdi: number;
  /** −DI: strength of downward moves. */
  readonly mdi: number;
}

/**
 * Average Directional Index with +DI/−DI (Wilder).
 *
 * up = highₜ − highₜ₋₁, down = lowₜ₋₁ − lowₜ; +DM = up if up > down and up > 0 else 0;
 * −DM = down if down > up and down > 0 else 0; TR as in ATR. +DM, −DM and TR are
 * Wilder-smoothed over `period` (seeded with their first-`period` mean);
 * +DI = 100 · sm(+DM) / sm(TR), −DI = 100 · sm(−DM) / sm(TR);
 * DX = 100 · |+DI − −DI| / (+DI + −DI); ADX = Wilder smoothing of DX (seeded with the
 * mean of the first `period` DX values). When there is no range at all the DIs and DX
 * are 0 (technicalindicators would give NaN).
 *
 * Warm-up: `2 · period − 1` bars return `undefined` (27 for 14); the first value is on
 * bar `2 · period`.
 *
 * @example
 * ```ts
 * adx = new ADX(14);
 * onBar(bar: Bar) {
 *   const a = this.adx.update(bar);
 *   if (a && a.adx > 25 && a.pdi > a.mdi) this.buy(bar.symbol); // strong up-trend
 * }
 * ```
 */
export class ADX extends IndicatorBase<BarLike, ADXValue> {
  /** Smoothing length for DM, TR and DX (default 14). */
  readonly period: number;
  /** `2 · period − 1`: updates that return `undefined` first. */
  readonly warmup: number;
  private readonly plusDM: SeededSmoother;
  private readonly minusDM: SeededSmoother;
  private readonly smoothedRange: SeededSmoother;
  private readonly trueRange = new TrueRange();
  private readonly dx: SeededSmoother;
  private previousHigh = NaN;
  private previousLow = NaN;

  /** @param period smoothing length, a whole number >= 1; default 14. */
  constructor(period = 14) {
    super();
    this.period = checkPeriod('ADX', 'period', period, 'new ADX(14)');
    this.warmup = 2 * this.period - 1;
    const alpha = wilderAlpha(this.period);
    this.plusDM = new SeededSmoother(this.period, alpha);
    this.minusDM = new SeededSmoother(this.period, alpha);
    this.smoothedRange = new SeededSmoother(this.period, alpha);
    this.dx = new SeededSmoother(this.period, alpha);
  }

  /**
   * Adds the next bar (`{ high, low, close }`, e.g. the SDK `Bar`) and returns
   * `{ adx, pdi, mdi }`, or `undefined` during the warm-up.
   * @throws IndicatorError if high, low or close is not a finite number.
   */
  update(bar: BarLike): ADXValue | undefined {
    const high = bar?.high;
    const low = bar?.low;
    const close = bar?.close;
    if (typeof high !== 'number' || typeof low !== 'number' || typeof close !== 'number' || high - high + (low - low) + (close - close) !== 0) {
      throw invalidBar(this.label, bar, FIELDS); // NaN/±Infinity make the sum NaN
    }
    const range = this.trueRange.push(high, low, close);
    const up = high - this.previousHigh;
    const down = this.previousLow - low;
    this.previousHigh = high;
    this.previousLow = low;
    if (range !== range) return undefined; // first bar: nothing to compare with
    const plus = this.plusDM.push(up > down && up > 0 ? up : 0);
    const minus = this.minusDM.push(down > up && down > 0 ? down : 0);
    const tr = this.smoothedRange.push(range);
    if (tr !== tr) return undefined;
    const pdi = tr === 0 ? 0 : (plus * 100) / tr;
    const mdi = tr === 0 ? 0 : (minus * 100) / tr;
    const sum = pdi + mdi;
    const adx = this.dx.push(sum === 0 ? 0 : (Math.abs(pdi - mdi) / sum) * 100);
    return adx === adx ? (this.current = { adx, pdi, mdi }) : undefined;
  }

  protected clear(): void {
    this.plusDM.clear();
    this.minusDM.clear();
    this.smoothedRange.clear();
    this.trueRange.clear();
    this.dx.clear();
    this.previousHigh = NaN;
    this.previousLow = NaN;
  }

  protected get label(): string {
    return `ADX(${this.period})`;
  }
}
