import { WindowExtreme } from './extreme';

/**
 * Highest value over the last `period` updates, **including the current one**
 * (e.g. `new Highest(20).update(bar.high)` is the 20-bar high, Donchian upper band).
 * For a breakout test compare the close with the value from the *previous* bar,
 * read before updating: `const prior = highest.value; highest.update(bar.high);`.
 *
 * O(1) amortised per bar (monotonic deque). Warm-up: `period − 1` bars return `undefined`.
 */
export class Highest extends WindowExtreme {
  /** @param period number of most recent values, a whole number >= 1 (e.g. 20). */
  constructor(period: number) {
    super('Highest', period, true);
  }
}
