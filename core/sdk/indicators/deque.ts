/**
 * Sliding-window maximum (or minimum) in O(1) amortised per value: a monotonic deque
 * of (value, bar number) pairs in two Float64Array rings. Each value enters and leaves
 * at most once, so Highest/Lowest/Stochastic never rescan their window. A minimum is
 * kept as the maximum of negated values, so there is a single branch-free code path.
 */
export class MonotonicDeque {
  private readonly values: Float64Array;
  private readonly stamps: Float64Array;
  private readonly sign: number;
  private head = 0;
  private length = 0;
  private seen = 0;

  /**
   * @param window number of most recent values the extreme is taken over
   * @param keepMax true for a running maximum, false for a running minimum
   */
  constructor(
    private readonly window: number,
    keepMax: boolean,
  ) {
    this.values = new Float64Array(window);
    this.stamps = new Float64Array(window);
    this.sign = keepMax ? 1 : -1;
  }

  /** Adds the next value and returns the extreme of the last `window` values. */
  push(x: number): number {
    const values = this.values;
    const stamps = this.stamps;
    const cap = this.window;
    const v = x * this.sign;
    const n = this.seen++;
    let head = this.head;
    let length = this.length;
    // Drop the front if it has slid out of the window.
    if (length > 0 && stamps[head] <= n - cap) {
      head = head + 1 === cap ? 0 : head + 1;
      length--;
    }
    // Drop values from the back that can never be the maximum again.
    let tail = head + length;
    if (tail >= cap) tail -= cap;
    while (length > 0) {
      const back = tail === 0 ? cap - 1 : tail - 1;
      if (values[back] > v) break;
      tail = back;
      length--;
    }
    values[tail] = v;
    stamps[tail] = n;
    this.head = head;
    this.length = length + 1;
    return values[head] * this.sign;
  }

  /** Number of values pushed so far (not capped). */
  get pushed(): number {
    return this.seen;
  }

  /** Empties the deque. */
  clear(): void {
    this.head = 0;
    this.length = 0;
    this.seen = 0;
  }
}
