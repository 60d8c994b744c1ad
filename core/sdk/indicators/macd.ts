import { IndicatorBase } from './base';
import { IndicatorError, checkPeriod } from './errors';
import { emaAlpha, SeededSmoother } from './smoothing';

/** One MACD reading. */
export interface MACDValue {
  /** MACD line: fast EMA − slow EMA. */
  readonly macd: number;
  /** Signal line: EMA of the MACD line over `signalPeriod`. */
  readonly signal: number;
  /** macd − signal; its sign change is the classic MACD crossover. */
  readonly histogram: number;
}

/**
 * Moving Average Convergence/Divergence (Appel).
 *
 * macd = EMA(fast) − EMA(slow); signal = EMA(signalPeriod) of macd; histogram = macd − signal.
 * Every EMA is seeded with the SMA of its first inputs (technicalindicators' behaviour
 * when `SimpleMAOscillator`/`SimpleMASignal` are false, which is what a plain
 * `MACD.calculate({...})` call gets).
 *
 * Warm-up: `slow + signalPeriod − 2` bars return `undefined` (33 for 12/26/9); the
 * first value, with all three fields, is on bar `slow + signalPeriod − 1`.
 *
 * @example
 * ```ts
 * macd = new MACD(); // 12, 26, 9
 * onBar(bar: Bar) {
 *   const prev = this.macd.value;
 *   const m = this.macd.update(bar.close);
 *   if (prev && m && prev.histogram <= 0 && m.histogram > 0) this.buy(bar.symbol);
 * }
 * ```
 */
export class MACD extends IndicatorBase<number | undefined, MACDValue> {
  /** Fast EMA length (default 12). */
  readonly fastPeriod: number;
  /** Slow EMA length (default 26). */
  readonly slowPeriod: number;
  /** Signal EMA length (default 9). */
  readonly signalPeriod: number;
  /** `slowPeriod + signalPeriod − 2`: updates that return `undefined` first. */
  readonly warmup: number;
  private readonly fast: SeededSmoother;
  private readonly slow: SeededSmoother;
  private readonly signal: SeededSmoother;

  /**
   * @param fastPeriod fast EMA length, default 12
   * @param slowPeriod slow EMA length, default 26; must be greater than `fastPeriod`
   * @param signalPeriod signal EMA length, default 9
   */
  constructor(fastPeriod = 12, slowPeriod = 26, signalPeriod = 9) {
    super();
    this.fastPeriod = checkPeriod('MACD', 'fastPeriod', fastPeriod, 'new MACD(12, 26, 9)');
    this.slowPeriod = checkPeriod('MACD', 'slowPeriod', slowPeriod, 'new MACD(12, 26, 9)');
    this.signalPeriod = checkPeriod('MACD', 'signalPeriod', signalPeriod, 'new MACD(12, 26, 9)');
    if (this.fastPeriod >= this.slowPeriod) {
      throw new IndicatorError(
        `MACD: fastPeriod (${fastPeriod}) must be less than slowPeriod (${slowPeriod}); the order is (fast, slow, signal). Example: new MACD(12, 26, 9).`,
      );
    }
    this.warmup = this.slowPeriod + this.signalPeriod - 2;
    this.fast = new SeededSmoother(this.fastPeriod, emaAlpha(this.fastPeriod));
    this.slow = new SeededSmoother(this.slowPeriod, emaAlpha(this.slowPeriod));
    this.signal = new SeededSmoother(this.signalPeriod, emaAlpha(this.signalPeriod));
  }

  /**
   * Adds the next close and returns `{ macd, signal, histogram }`, or `undefined`
   * during the warm-up. Each call returns a new object, so keeping the previous one
   * for comparisons is safe. `undefined` input is ignored.
   * @throws IndicatorError on NaN or ±Infinity.
   */
  update(value: number | undefined): MACDValue | undefined {
    // Inline finite test: a call into another module is not inlined under tsx (3× slower).
    if (typeof value !== 'number' || value - value !== 0) return this.skipOrThrow(value);
    const fast = this.fast.push(value);
    const slow = this.slow.push(value);
    if (slow !== slow) return undefined;
    const macd = fast - slow;
    const signal = this.signal.push(macd);
    if (signal !== signal) return undefined;
    return (this.current = { macd, signal, histogram: macd - signal });
  }

  protected clear(): void {
    this.fast.clear();
    this.slow.clear();
    this.signal.clear();
  }

  protected get label(): string {
    return `MACD(${this.fastPeriod}, ${this.slowPeriod}, ${this.signalPeriod})`;
  }
}
