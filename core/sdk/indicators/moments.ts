/**
 * Mean (and optionally population variance) of a sliding window in O(1) per value, used
 * by SMA and Bollinger Bands. The window lives in a Float64Array ring; sums are kept of
 * (x − shift) and (x − shift)², where `shift` is reset to the window mean once per lap
 * (and the sums re-added exactly then, amortised O(1)), so:
 * - rounding error cannot accumulate over millions of bars,
 * - the variance avoids the cancellation of Σx² − (Σx)²/n on large prices,
 * - a constant window gives exactly that constant and exactly zero variance.
 */
export class WindowMoments {
  /** Values pushed so far, capped at `size`. */
  count = 0;
  private readonly buf: Float64Array;
  private pos = 0;
  private shift = NaN;
  private s1 = 0;
  private s2 = 0;

  /**
   * @param size window length
   * @param withVariance keep Σ(x − shift)² too (Bollinger); SMA skips it
   */
  constructor(
    readonly size: number,
    private readonly withVariance: boolean,
  ) {
    this.buf = new Float64Array(size);
  }

  /** Adds `x`, dropping the oldest value once the window is full. */
  push(x: number): void {
    const buf = this.buf;
    const size = this.size;
    const pos = this.pos;
    if (this.shift !== this.shift) this.shift = x;
    const d = x - this.shift;
    if (this.count < size) {
      this.count++;
      this.s1 += d;
      if (this.withVariance) this.s2 += d * d;
    } else {
      const e = buf[pos] - this.shift;
      this.s1 += d - e;
      if (this.withVariance) this.s2 += d * d - e * e;
    }
    buf[pos] = x;
    if (pos + 1 === size) {
      this.pos = 0;
      this.rebase();
    } else {
      this.pos = pos + 1;
    }
  }

  /** True once `size` values have been pushed. */
  get full(): boolean {
    return this.count === this.size;
  }

  /** Mean of the window (meaningful once `full`). */
  get mean(): number {
    return this.shift + this.s1 / this.size;
  }

  /** Population standard deviation of the window (divide by `size`); 0 for a flat window. Needs `withVariance`. */
  get stdDev(): number {
    const m = this.s1 / this.size;
    const variance = this.s2 / this.size - m * m;
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  /** Once per lap (the window is then full): shift to the window mean and re-add the sums exactly. */
  private rebase(): void {
    const buf = this.buf;
    const n = buf.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += buf[i];
    const shift = sum / n;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const d = buf[i] - shift;
      s1 += d;
      s2 += d * d;
    }
    this.shift = shift;
    this.s1 = s1;
    this.s2 = s2;
  }

  /** Empties the window. */
  clear(): void {
    this.buf.fill(0);
    this.count = 0;
    this.pos = 0;
    this.shift = NaN;
    this.s1 = 0;
    this.s2 = 0;
  }
}
