import { IndicatorError, isFiniteNumber } from './errors';

/** Direction of a crossing: `'above'` when a moved above b, `'below'` when it moved below. */
export type CrossDirection = 'above' | 'below';

/**
 * True when a crossed above b between the previous bar and this one:
 * `prevA <= prevB && a > b`. Any `undefined` argument (an indicator still warming up)
 * gives `false`.
 *
 * @example
 * ```ts
 * if (crossedAbove(prevFast, prevSlow, fast, slow)) this.buy(bar.symbol); // golden cross
 * ```
 * @throws IndicatorError on NaN or ±Infinity.
 */
export function crossedAbove(
  prevA: number | undefined,
  prevB: number | undefined,
  a: number | undefined,
  b: number | undefined,
): boolean {
  if (!allFinite(prevA, prevB, a, b)) return checkArgs('crossedAbove', PURE_ARGS, [prevA, prevB, a, b]);
  return prevA <= prevB! && a! > b!; // all four checked by allFinite
}

/**
 * True when a crossed below b between the previous bar and this one:
 * `prevA >= prevB && a < b`. Any `undefined` argument gives `false`.
 *
 * @example
 * ```ts
 * if (crossedBelow(prevFast, prevSlow, fast, slow)) this.close(bar.symbol); // death cross
 * ```
 * @throws IndicatorError on NaN or ±Infinity.
 */
export function crossedBelow(
  prevA: number | undefined,
  prevB: number | undefined,
  a: number | undefined,
  b: number | undefined,
): boolean {
  if (!allFinite(prevA, prevB, a, b)) return checkArgs('crossedBelow', PURE_ARGS, [prevA, prevB, a, b]);
  return prevA >= prevB! && a! < b!; // all four checked by allFinite
}

const PURE_ARGS = ['prevA', 'prevB', 'a', 'b'];
const CLASS_ARGS = ['a', 'b'];

/** The hot-path test, kept in this module so it inlines: all four are finite numbers. */
function allFinite(w: unknown, x: unknown, y: unknown, z: unknown): w is number {
  return (
    typeof w === 'number' && typeof x === 'number' && typeof y === 'number' && typeof z === 'number' &&
    w - w + (x - x) + (y - y) + (z - z) === 0
  );
}

/**
 * Slow path once the fast test failed: throws on any argument that is neither a finite
 * number nor undefined; otherwise some input is still warming up, so no crossing (false).
 */
function checkArgs(owner: string, names: readonly string[], args: readonly unknown[]): false {
  for (let i = 0; i < args.length; i++) {
    const x = args[i];
    if (x !== undefined && !isFiniteNumber(x)) {
      throw new IndicatorError(`${owner}: ${names[i]} must be a finite number or undefined, got ${String(x)}.`);
    }
  }
  return false;
}

/**
 * Remembers which side of b the line a is on and reports the bar on which it changes
 * sides. Call `update(a, b)` once per bar — it needs no separate "previous" variables.
 *
 * A crossing is counted when a is strictly above (below) b now and was strictly below
 * (above) it the last time the two differed, so touching b and turning back is not a
 * cross (technicalindicators' CrossUp/CrossDown semantics). Bars where either input is
 * `undefined` (warming up) are ignored.
 *
 * @example
 * ```ts
 * fast = new EMA(12);
 * slow = new EMA(26);
 * cross = new Cross();
 * onBar(bar: Bar) {
 *   const dir = this.cross.update(this.fast.update(bar.close), this.slow.update(bar.close));
 *   if (dir === 'above') this.buy(bar.symbol);
 *   else if (dir === 'below') this.close(bar.symbol);
 * }
 * ```
 */
export class Cross {
  private side = 0;
  private last: CrossDirection | undefined = undefined;

  /**
   * Feeds this bar's two values and returns `'above'` if a crossed above b on this bar,
   * `'below'` if it crossed below, or `undefined` if there was no crossing (including
   * the first bars, before a has been strictly on one side of b).
   * @throws IndicatorError on NaN or ±Infinity.
   */
  update(a: number | undefined, b: number | undefined): CrossDirection | undefined {
    if (typeof a !== 'number' || typeof b !== 'number' || a - a + (b - b) !== 0) {
      checkArgs('Cross.update', CLASS_ARGS, [a, b]); // throws on NaN/Infinity, state untouched
      return (this.last = undefined); // an input is still warming up
    }
    const side = a > b ? 1 : a < b ? -1 : 0;
    let result: CrossDirection | undefined;
    if (side === 1 && this.side === -1) result = 'above';
    else if (side === -1 && this.side === 1) result = 'below';
    if (side !== 0) this.side = side;
    return (this.last = result);
  }

  /** The result of the last `update`: `'above'`, `'below'` or `undefined` (no cross). */
  get value(): CrossDirection | undefined {
    return this.last;
  }

  /** True if the last `update` saw a cross above. */
  get crossedAbove(): boolean {
    return this.last === 'above';
  }

  /** True if the last `update` saw a cross below. */
  get crossedBelow(): boolean {
    return this.last === 'below';
  }

  /** True once a has been strictly above or below b, so the next change of side counts. */
  get ready(): boolean {
    return this.side !== 0;
  }

  /** Forgets all history. */
  reset(): void {
    this.side = 0;
    this.last = undefined;
  }
}
