import { IndicatorBase } from './base';
import { MonotonicDeque } from './deque';
import { checkPeriod, invalidBar } from './errors';
import { SMA } from './sma';
import type { BarLike } from './types';

const FIELDS = ['high', 'low', 'close'] as const;

/** One Stochastic Oscillator reading, both 0…100. */
export interface StochasticValue {
  /** %K: where the close sits in the `period`-bar high–low range. */
  readonly k: number;
  /** %D: SMA of %K over `signalPeriod` bars. */
  readonly d: number;
}

/**
 * Stochastic Oscillator (Lane), the "fast" form technicalindicators computes.
 *
 * %K = 100 · (close − lowest low) / (highest high − lowest low), both over the last
 * `period` bars including this one; %K = 0 when that range is 0 (as in
 * technicalindicators and TA-Lib). %D = SMA(signalPeriod) of %K.
 *
 * Warm-up: `period + signalPeriod − 2` bars return `undefined` (15 for 14/3).
 *
 * @example
 * ```ts
 * stoch = new Stochastic(14, 3);
 * onBar(bar: Bar) {
 *   const s = this.stoch.update(bar);
 *   if (s && s.k < 20 && s.k > s.d) this.buy(bar.symbol);
 * }
 * ```
 */
export class Stochastic extends IndicatorBase<BarLike, StochasticValue> {
  /** %K look-back in bars (default 14). */
  readonly period: number;
  /** %D smoothing length (default 3). */
  readonly signalPeriod: number;
  /** `period + signalPeriod − 2`: updates that return `undefined` first. */
  readonly warmup: number;
  private readonly highs: MonotonicDeque;
  private readonly lows: MonotonicDeque;
  private readonly signal: SMA;

  /**
   * @param period %K look-back, a whole number >= 1; default 14
   * @param signalPeriod %D length, a whole number >= 1; default 3
   */
  constructor(period = 14, signalPeriod = 3) {
    super();
    this.period = checkPeriod('Stochastic', 'period', period, 'new Stochastic(14, 3)');
    this.signalPeriod = checkPeriod('Stochastic', 'signalPeriod', signalPeriod, 'new Stochastic(14, 3)');
    this.warmup = this.period + this.signalPeriod - 2;
    this.highs = new MonotonicDeque(this.period, true);
    this.lows = new MonotonicDeque(this.period, false);
    this.signal = new SMA(this.signalPeriod);
  }

  /**
   * Adds the next bar (`{ high, low, close }`, e.g. the SDK `Bar`) and returns `{ k, d }`,
   * or `undefined` during the warm-up.
   * @throws IndicatorError if high, low or close is not a finite number.
   */
  update(bar: BarLike): StochasticValue | undefined {
    const high = bar?.high;
    const low = bar?.low;
    const close = bar?.close;
    if (typeof high !== 'number' || typeof low !== 'number' || typeof close !== 'number' || high - high + (low - low) + (close - close) !== 0) {
      throw invalidBar(this.label, bar, FIELDS); // NaN/±Infinity make the sum NaN
    }
    const highest = this.highs.push(high);
    const lowest = this.lows.push(low);
    if (this.highs.pushed < this.period) return undefined;
    const range = highest - lowest;
    const k = range === 0 ? 0 : ((close - lowest) / range) * 100;
    const d = this.signal.update(k);
    return d === undefined ? undefined : (this.current = { k, d });
  }

  protected clear(): void {
    this.highs.clear();
    this.lows.clear();
    this.signal.reset();
  }

  protected get label(): string {
    return `Stochastic(${this.period}, ${this.signalPeriod})`;
  }
}
