/**
 * Return statistics: total return, CAGR and the annualised return/risk figures
 * built on period returns (docs/metrics.md, "Returns" and "Risk-adjusted ratios").
 * Inputs and outputs are fractions (0.1 = 10 %); compute.ts converts to percent.
 */
import { finiteOrNull, geometricMeanReturn, mean, ratioOrNull, sampleVariance } from './numeric';

/** Days per year for CAGR (calendar time, leap years averaged). */
export const DAYS_PER_YEAR = 365.25;

/** last / first − 1; null unless the starting value is positive. */
export function simpleReturn(first: number, last: number): number | null {
  return first > 0 ? finiteOrNull(last / first - 1) : null;
}

/** (last / first)^(1 / years) − 1; null for zero elapsed time, a non-positive start or a negative end. */
export function cagr(first: number, last: number, years: number): number | null {
  if (!(years > 0) || !(first > 0) || last < 0) return null;
  return finiteOrNull(Math.pow(last / first, 1 / years) - 1);
}

export interface AnnualisedStats {
  /** (1 + g)^N − 1 with g the geometric mean period return. */
  returnAnn: number | null;
  /** √((s² + (1 + g)²)^N − (1 + g)^(2N)), s² the sample variance of the period returns. */
  volatilityAnn: number | null;
  sharpe: number | null;
  sortino: number | null;
}

/**
 * Annualised return, volatility, Sharpe and Sortino from period returns, with N
 * periods per year and an annual risk-free rate (fraction).
 */
export function annualise(returns: Float64Array, periodsPerYear: number, riskFreeRate: number): AnnualisedStats {
  const n = periodsPerYear;
  const g = geometricMeanReturn(returns);
  if (g === null) return { returnAnn: null, volatilityAnn: null, sharpe: null, sortino: null };
  const returnAnn = finiteOrNull(Math.pow(1 + g, n) - 1);

  // Volatility of the compounded annual return of N i.i.d. period returns with
  // mean growth a = 1 + g and variance s²: Var(∏ Xᵢ) = (s² + a²)^N − a^(2N).
  // Evaluated as a^(2N) · expm1(N · log1p(s² / a²)): the direct difference of two
  // numbers near a^(2N) (≈1e20 for N = 252) loses every digit when s² is small and
  // turns zero variance into noise instead of 0.
  const variance = sampleVariance(returns);
  const a = 1 + g;
  const volatilityAnn = variance === null ? null
    : finiteOrNull(Math.pow(a, n) * Math.sqrt(Math.expm1(n * Math.log1p(variance / (a * a)))));

  // Downside deviation: root mean square of the negative returns, positives counted as 0.
  const downside = new Float64Array(returns.length);
  for (let i = 0; i < returns.length; i++) downside[i] = returns[i] < 0 ? returns[i] * returns[i] : 0;
  const downsideMs = mean(downside);
  const downsideAnn = downsideMs === null ? null : Math.sqrt(downsideMs) * Math.sqrt(n);

  const excess = returnAnn === null ? null : returnAnn - riskFreeRate;
  return {
    returnAnn,
    volatilityAnn,
    sharpe: ratioOrNull(excess, volatilityAnn),
    sortino: ratioOrNull(excess, downsideAnn),
  };
}

/** Annualised return / max drawdown (both fractions, drawdown as a positive depth); null without a drawdown. */
export function calmar(returnAnn: number | null, maxDrawdownDepth: number): number | null {
  return ratioOrNull(returnAnn, maxDrawdownDepth);
}
