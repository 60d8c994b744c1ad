import { IndicatorBase } from './base';
import { checkPeriod } from './errors';
import { MonotonicDeque } from './deque';

/** Shared body of Highest and Lowest: a running extreme over the last `period` values. */
export abstract class WindowExtreme extends IndicatorBase<number | undefined, number> {
  /** Number of most recent values the extreme is taken over (this bar included). */
  readonly period: number;
  /** `period − 1`: updates that return `undefined` before the first value. */
  readonly warmup: number;
  private readonly deque: MonotonicDeque;
  private readonly name: string;

  protected constructor(name: string, period: number, keepMax: boolean) {
    super();
    this.name = name;
    this.period = checkPeriod(name, 'period', period, `new ${name}(20)`);
    this.warmup = this.period - 1;
    this.deque = new MonotonicDeque(this.period, keepMax);
  }

  /**
   * Adds the next value and returns the extreme of the last `period` values (this one
   * included), or `undefined` during the warm-up. `undefined` input is ignored.
   * @throws IndicatorError on NaN or ±Infinity.
   */
  update(value: number | undefined): number | undefined {
    // Inline finite test: a call into another module is not inlined under tsx (3× slower).
    if (typeof value !== 'number' || value - value !== 0) return this.skipOrThrow(value);
    const extreme = this.deque.push(value);
    return this.deque.pushed < this.period ? undefined : (this.current = extreme);
  }

  protected clear(): void {
    this.deque.clear();
  }

  protected get label(): string {
    return `${this.name}(${this.period})`;
  }
}
