// Errors thrown by the indicators, with messages that say how to fix the call.

/** Thrown for an invalid parameter (e.g. `new SMA(0)`) or an invalid input (NaN, Infinity). */
export class IndicatorError extends Error {
  /** Always `'IndicatorError'`, so it can be told apart from other errors. */
  override name = 'IndicatorError';
}

/**
 * Checks a period-like parameter: a whole number >= `min`.
 * `example` is a correct call shown in the message, e.g. `new SMA(20)`.
 */
export function checkPeriod(owner: string, param: string, value: unknown, example: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const hint = typeof value === 'object' && value !== null ? ' Parameters are positional numbers, not an options object.' : '';
    throw new IndicatorError(
      `${owner}: ${param} must be a whole number >= ${min}, got ${describe(value)}.${hint} Example: ${example}.`,
    );
  }
  return value;
}

/** Checks a positive finite multiplier such as Bollinger's `stdDev`. */
export function checkPositive(owner: string, param: string, value: unknown, example: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new IndicatorError(`${owner}: ${param} must be a finite number > 0, got ${describe(value)}. Example: ${example}.`);
  }
  return value;
}

/**
 * The error for a non-finite input. Built only after `isFiniteNumber` failed, outside
 * the `update` methods, so their hot path stays small enough to inline.
 */
export function invalidInput(owner: string, field: string, value: unknown): IndicatorError {
  const hint =
    value === undefined || value === null
      ? 'the value is missing'
      : typeof value === 'object' && 'close' in value
        ? 'this indicator takes a price: pass bar.close (or another number), not the whole bar'
        : 'skip bars with missing prices (or fill them) before calling update()';
  return new IndicatorError(
    `${owner}.update: ${field} must be a finite number, got ${describe(value)}; ${hint}. The indicator's state was not changed.`,
  );
}

/**
 * True when `x` is a finite number (NaN, ±Infinity, undefined, null and strings fail).
 * For error paths and parameters only: `update` methods spell the same test inline,
 * because under tsx a call into another module is not inlined and costs ~3× per update.
 */
export function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && x - x === 0;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      const text = JSON.stringify(value);
      return text.length > 80 ? `${text.slice(0, 77)}...` : text;
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/**
 * The error for a bar whose `fields` are not all finite numbers (or no bar at all).
 * Only called once a cheap check has already failed.
 */
export function invalidBar(owner: string, bar: unknown, fields: readonly string[]): IndicatorError {
  if (typeof bar !== 'object' || bar === null) {
    return new IndicatorError(
      `${owner}.update: expected a bar like { high, low, close${fields.includes('volume') ? ', volume' : ''} }, got ${describe(bar)}. Pass the bar itself: update(bar).`,
    );
  }
  const record = bar as Record<string, unknown>;
  const bad = fields.find((f) => !isFiniteNumber(record[f])) ?? fields[0];
  return invalidInput(owner, `bar.${bad}`, record[bad]);
}
