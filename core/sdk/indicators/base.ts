import { invalidInput } from './errors';
import type { Indicator } from './types';

/**
 * The bookkeeping every indicator shares: the last value, `ready`, `warmup`, and the
 * slow path for rejected inputs. Subclasses implement `update` and `clear`.
 */
export abstract class IndicatorBase<TInput, TOutput> implements Indicator<TInput, TOutput> {
  /** Last result; `undefined` while warming up. */
  protected current: TOutput | undefined = undefined;

  /** How many `update` calls return `undefined` before the first value. */
  abstract readonly warmup: number;

  abstract update(input: TInput): TOutput | undefined;

  /** Subclass part of `reset()`: drop internal state. */
  protected abstract clear(): void;

  /** Name with parameters, used in error messages, e.g. `RSI(14)`. */
  protected abstract get label(): string;

  /** The result of the last `update` (`undefined` while warming up). */
  get value(): TOutput | undefined {
    return this.current;
  }

  /** `true` once the warm-up is over and `value` is defined. */
  get ready(): boolean {
    return this.current !== undefined;
  }

  /** Forgets all history: the indicator behaves as if newly constructed. */
  reset(): void {
    this.current = undefined;
    this.clear();
  }

  /**
   * Called by single-value indicators when the input failed the finite-number test:
   * `undefined` (an upstream indicator still warming up) is skipped and the current
   * value returned; anything else (NaN, Infinity, null, a string) throws.
   */
  protected skipOrThrow(x: unknown): TOutput | undefined {
    if (x === undefined) return this.current;
    throw invalidInput(this.label, 'value', x);
  }
}
