/**
 * Sliding-window maximum (or minimum) in O(1) amortised per value: a monotonic deque
 * of (value, bar number) pairs in two Float64Array rings. Each value enters and leaves
 * at most once, so Highest/Lowest/Stochastic never rescan their window.
 */
export class MonotonicDeque {
  private readonly values: Float64Array;
  private readonly stamps: Float64Array;
  private readonly cap: number;
  private head = 0;
  private length = 0;
  private seen = 0;

  /**
   * @param window number of most recent values the extreme is taken over
   * @param keepMax true for a running maximum, false for a running minimum
   */
  constructor(
    private readonly window: number,
    private readonly keepMax: boolean,
  ) {
    this.cap = window;
    this.values = new Float64Array(window);
    this.stamps = new Float64Array(window);
  }

  /** Adds the next value and returns the extreme of the last `window` values. */
  push(x: number): number {
    const values = this.values;
    const cap = this.cap;
    const n = this.seen++;
    // Drop the front if it has slid out of the window.
    if (this.length > 0 && this.stamps[this.head] <= n - this.window) {
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.length--;
    }
    // Drop values from the back that can never be the extreme again.
    while (this.length > 0) {
      let back = this.head + this.length - 1;
      if (back >= cap) back -= cap;
      const v = values[back];
      if (this.keepMax ? v > x : v < x) break;
      this.length--;
    }
    let tail = this.head + this.length;
    if (tail >= cap) tail -= cap;
    values[tail] = x;
    this.stamps[tail] = n;
    this.length++;
    return values[this.head];
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
