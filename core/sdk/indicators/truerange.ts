/**
 * True range bar by bar, shared by ATR and ADX: the largest of high − low,
 * |high − previous close| and |low − previous close|. A class rather than a function so
 * the hot path is a method call on an instance, which V8 inlines (an imported function is
 * reached through a module getter under tsx, which it does not).
 */
export class TrueRange {
  private previousClose = NaN;

  /** Adds a bar; returns its true range, or NaN for the first bar (no previous close). */
  push(high: number, low: number, close: number): number {
    const previous = this.previousClose;
    this.previousClose = close;
    const hl = high - low;
    const hc = high > previous ? high - previous : previous - high;
    const lc = low > previous ? low - previous : previous - low;
    // With no previous close hc and lc are NaN, so the result is NaN as documented.
    return previous !== previous ? NaN : hl > hc ? (hl > lc ? hl : lc) : hc > lc ? hc : lc;
  }

  /** Forgets the previous close. */
  clear(): void {
    this.previousClose = NaN;
  }
}
