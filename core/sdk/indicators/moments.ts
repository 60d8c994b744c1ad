import { Ring } from './ring';

/**
 * Mean and population variance of a sliding window in O(1) per value, used by SMA and
 * Bollinger Bands. Sums are kept of (x − shift) and (x − shift)², where `shift` is
 * reset to the window mean once per lap (and the sums re-added exactly then), so:
 * - rounding error cannot accumulate over millions of bars,
 * - the variance avoids the cancellation of Σx² − (Σx)²/n on large prices,
 * - a constant window gives exactly that constant and exactly zero variance.
 */
export class WindowMoments {
  private readonly window: Ring;
  private shift = NaN;
  private s1 = 0;
  private s2 = 0;

  constructor(readonly size: number) {
    this.window = new Ring(size);
  }

  /** Adds `x`, dropping the oldest value once the window is full. */
  push(x: number): void {
    const w = this.window;
    if (this.shift !== this.shift) this.shift = x;
    const filling = w.count < this.size;
    const out = w.push(x);
    const d = x - this.shift;
    this.s1 += d;
    this.s2 += d * d;
    if (!filling) {
      const e = out - this.shift;
      this.s1 -= e;
      this.s2 -= e * e;
    }
    if (w.wrapped) this.rebase();
  }

  /** Once per lap: shift to the window mean and re-add both sums exactly. */
  private rebase(): void {
    const w = this.window;
    this.shift = w.sum() / this.size;
    const [s1, s2] = w.shiftedMoments(this.shift);
    this.s1 = s1;
    this.s2 = s2;
  }

  /** True once `size` values have been pushed. */
  get full(): boolean {
    return this.window.count === this.size;
  }

  /** Mean of the window (meaningful once `full`). */
  get mean(): number {
    return this.shift + this.s1 / this.size;
  }

  /** Population standard deviation of the window (divide by `size`); 0 for a flat window. */
  get stdDev(): number {
    const m = this.s1 / this.size;
    const variance = this.s2 / this.size - m * m;
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  /** Empties the window. */
  clear(): void {
    this.window.clear();
    this.shift = NaN;
    this.s1 = 0;
    this.s2 = 0;
  }
}
