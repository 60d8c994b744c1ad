import { WindowExtreme } from './extreme';

/**
 * Lowest value over the last `period` updates, **including the current one**
 * (e.g. `new Lowest(20).update(bar.low)` is the 20-bar low, Donchian lower band).
 * For a breakdown test compare with the value from the *previous* bar, read before
 * updating: `const prior = lowest.value; lowest.update(bar.low);`.
 *
 * O(1) amortised per bar (monotonic deque). Warm-up: `period − 1` bars return `undefined`.
 */
export class Lowest extends WindowExtreme {
  /** @param period number of most recent values, a whole number >= 1 (e.g. 20). */
  constructor(period: number) {
    super('Lowest', period, false);
  }
}
