/**
 * Small numeric helpers shared by the metric modules. Every function returns
 * null instead of NaN/±Infinity, so a statistic that cannot be computed stays
 * null all the way to the result (docs/metrics.md, "When a figure is null").
 */

export const DAY_MS = 86_400_000;

/** The value when it is a finite number, otherwise null (NaN, ±Infinity, null). */
export function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** a / b, or null when b is 0 or either side is not finite. */
export function ratioOrNull(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return finiteOrNull(a / b);
}

/** Arithmetic mean of values[from..to), null when the range is empty. */
export function mean(values: ArrayLike<number>, from = 0, to = values.length): number | null {
  if (to <= from) return null;
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i];
  return finiteOrNull(sum / (to - from));
}

/** Sample variance (divisor n − 1), null with fewer than two values. Two-pass for accuracy. */
export function sampleVariance(values: ArrayLike<number>): number | null {
  const n = values.length;
  const m = mean(values);
  if (n < 2 || m === null) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - m;
    sum += d * d;
  }
  return finiteOrNull(sum / (n - 1));
}

/**
 * Geometric mean of simple returns (fractions): (∏(1 + rᵢ))^(1/n) − 1, via logs.
 * null when there are no returns or any 1 + rᵢ ≤ 0 (a loss of 100 % or more has no
 * geometric mean; backtesting.py reports 0 there, which reads like break-even).
 */
export function geometricMeanReturn(returns: ArrayLike<number>): number | null {
  const n = returns.length;
  if (n === 0) return null;
  let logSum = 0;
  for (let i = 0; i < n; i++) {
    const growth = 1 + returns[i];
    if (!(growth > 0)) return null;
    logSum += Math.log(growth);
  }
  return finiteOrNull(Math.exp(logSum / n) - 1);
}

/** Median of a numeric array (mean of the two middle values for an even count); null when empty. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** −0 → 0, so "no drawdown" prints and serialises as 0. */
export function noNegativeZero(value: number): number {
  return value === 0 ? 0 : value;
}
