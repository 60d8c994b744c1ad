/**
 * Fixed-size ring buffer over a Float64Array: the window behind WMA. `push` returns the
 * value that left the window, so the caller can keep O(1) running sums; `wrapped` tells
 * it when a full lap has passed, which is when it re-adds the window from scratch so
 * float error cannot accumulate over millions of bars (amortised O(1): one O(size) pass
 * per `size` pushes).
 */
export class Ring {
  /** Window length. */
  readonly size: number;
  /** Values pushed so far, capped at `size`. */
  count = 0;
  private readonly buf: Float64Array;
  private pos = 0;

  constructor(size: number) {
    this.size = size;
    this.buf = new Float64Array(size);
  }

  /** Adds `x`; returns the value it displaces (0 while the window is still filling). */
  push(x: number): number {
    const buf = this.buf;
    const pos = this.pos;
    const out = buf[pos];
    buf[pos] = x;
    this.pos = pos + 1 === this.size ? 0 : pos + 1;
    if (this.count < this.size) this.count++;
    return out;
  }

  /** True right after the push that completed a lap of the buffer. */
  get wrapped(): boolean {
    return this.pos === 0;
  }

  /** The k-th value of the window, oldest first (0 <= k < count). */
  at(k: number): number {
    const start = this.count < this.size ? 0 : this.pos;
    const i = start + k;
    return this.buf[i < this.size ? i : i - this.size];
  }

  /** Exact re-summation of the window (values not yet pushed are 0). */
  sum(): number {
    const buf = this.buf;
    let s = 0;
    for (let i = 0; i < buf.length; i++) s += buf[i];
    return s;
  }

  /** Σ w_k · x_k with weights 1 (oldest) … count (newest). */
  weightedSum(): number {
    let s = 0;
    for (let k = 0; k < this.count; k++) s += (k + 1) * this.at(k);
    return s;
  }

  /** Empties the window. */
  clear(): void {
    this.buf.fill(0);
    this.pos = 0;
    this.count = 0;
  }
}
