/**
 * The statistics behind the verdict's evidence, as pure functions (docs/evaluate.md, "Evidence"):
 * a seeded PRNG (so every interval is reproducible), the stationary block bootstrap, percentile
 * intervals, moments, the normal CDF and its inverse, and Bailey & López de Prado's probabilistic
 * and deflated Sharpe ratios.
 */

/** Mulberry32: a small, fast 32-bit PRNG; the same seed gives the same stream on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One stationary-bootstrap resample (Politis & Romano 1994) of `values` into `out`: blocks start at
 * uniform random positions and have geometric lengths with mean `meanBlock`, wrapping around the end
 * (circular), so serial dependence within a block is kept and the resample is stationary.
 */
export function stationaryResample(values: ArrayLike<number>, meanBlock: number, random: () => number, out: Float64Array): Float64Array {
  const n = values.length;
  const p = 1 / Math.max(1, meanBlock);
  let at = Math.floor(random() * n);
  for (let i = 0; i < out.length; i++) {
    if (i > 0 && random() < p) at = Math.floor(random() * n);
    else if (i > 0) at = (at + 1) % n;
    out[i] = values[at];
  }
  return out;
}

/** The default mean block length: n^(1/3), the usual rate for the stationary bootstrap of a mean (at least 1). */
export function defaultBlockLength(n: number): number {
  return Math.max(1, Math.round(Math.cbrt(n)));
}

/** The q-quantile (0…1) of sorted values, linear interpolation between order statistics. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Percentile intervals of several statistics over the same `resamples` resamples of `values` (stationary
 * bootstrap with mean block `meanBlock`; 1 = i.i.d.). `statistics` returns one value per statistic for a
 * resample (computed together: they often share the work). Resamples where a statistic is null or not finite
 * are dropped for that statistic; its interval is null when more than half are (it would describe another
 * population), or with fewer than 2 values.
 */
export function bootstrapIntervals(
  values: ArrayLike<number>,
  statistics: (sample: Float64Array) => readonly (number | null)[],
  opts: { resamples: number; meanBlock: number; level: number; seed: number },
): ({ low: number; high: number; kept: number } | null)[] {
  const count = statistics(Float64Array.from(values)).length;
  if (values.length < 2) return new Array(count).fill(null);
  const random = seededRandom(opts.seed);
  const sample = new Float64Array(values.length);
  const stats: number[][] = Array.from({ length: count }, () => []);
  for (let b = 0; b < opts.resamples; b++) {
    statistics(stationaryResample(values, opts.meanBlock, random, sample)).forEach((v, k) => {
      if (v !== null && Number.isFinite(v)) stats[k].push(v);
    });
  }
  const tail = (1 - opts.level) / 2;
  return stats.map((xs) => {
    if (xs.length < opts.resamples / 2) return null;
    xs.sort((a, b) => a - b);
    return { low: quantileSorted(xs, tail), high: quantileSorted(xs, 1 - tail), kept: xs.length };
  });
}

/** The mean of the values (for the trade bootstrap). */
export function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

export interface Moments {
  n: number;
  mean: number;
  /** Sample standard deviation (divisor n − 1). */
  std: number;
  /** Skewness γ₃ (population moments: m₃ / m₂^1.5). */
  skew: number;
  /** Kurtosis γ₄, not excess (3 for a normal distribution): m₄ / m₂². */
  kurtosis: number;
}

/** Mean, sample standard deviation, skewness and (non-excess) kurtosis; null with fewer than 2 values or no spread. */
export function moments(values: ArrayLike<number>): Moments | null {
  const n = values.length;
  if (n < 2) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  if (!(m2 > 0)) return null;
  return { n, mean, std: Math.sqrt((m2 * n) / (n - 1)), skew: m3 / Math.pow(m2, 1.5), kurtosis: m4 / (m2 * m2) };
}

/** Φ(x), the standard normal CDF (erfc-based, |error| < 1.2e-7). */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const z = Math.abs(x) / Math.SQRT2;
  // Numerical Recipes' erfc Chebyshev fit.
  const t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Probabilistic Sharpe ratio (Bailey & López de Prado 2012): the probability that the true per-period
 * Sharpe ratio exceeds `benchmark`, given the observed per-period Sharpe `sr` over `n` returns with
 * skewness `skew` and kurtosis `kurtosis` (non-excess):
 *   PSR = Φ( (sr − benchmark) · √(n − 1) / √(1 − skew·sr + (kurtosis − 1)/4 · sr²) ).
 * null when n < 2 or the variance term is not positive.
 */
export function probabilisticSharpe(sr: number, n: number, skew: number, kurtosis: number, benchmark = 0): number | null {
  if (n < 2 || !Number.isFinite(sr)) return null;
  const v = 1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr;
  if (!(v > 0)) return null;
  return normalCdf(((sr - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(v));
}

const EULER_GAMMA = 0.5772156649015329;

/**
 * The expected maximum of `trials` independent per-period Sharpe estimates whose true value is 0 and
 * whose variance is `variance` (Bailey & López de Prado 2014, the False Strategy theorem):
 *   E[max] ≈ √V · ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e))),  γ = Euler–Mascheroni.
 * 0 for a single trial (nothing was selected).
 */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (!(trials > 1) || !(variance > 0)) return 0;
  const n = trials;
  return Math.sqrt(variance) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / n) + EULER_GAMMA * normalQuantile(1 - 1 / (n * Math.E)));
}

/**
 * Deflated Sharpe ratio: the PSR against the Sharpe the best of `trials` worthless variants would show by
 * luck. The variance of the trials' Sharpe ratios is not known (only their count is kept), so it is the
 * sampling variance of a per-period Sharpe estimate of a zero-Sharpe strategy over n returns, 1 / (n − 1).
 */
export function deflatedSharpe(sr: number, n: number, skew: number, kurtosis: number, trials: number): number | null {
  if (n < 2) return null;
  return probabilisticSharpe(sr, n, skew, kurtosis, expectedMaxSharpe(trials, 1 / (n - 1)));
}
