/**
 * Beta and Jensen's alpha against the buy-and-hold benchmark
 * (docs/metrics.md, "Alpha and beta").
 */
import { finiteOrNull, mean, ratioOrNull } from './numeric';

/** Bar-to-bar log returns ln(vᵢ / vᵢ₋₁), i = 1..n−1. */
function logReturns(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, values.length - 1));
  for (let i = 1; i < values.length; i++) out[i - 1] = Math.log(values[i] / values[i - 1]);
  return out;
}

/**
 * Beta = cov(e, m) / var(m) over the bar-to-bar log returns of equity (e) and the
 * benchmark (m), all bars. null with fewer than two returns, a flat benchmark, or a
 * non-positive value anywhere (no log return).
 */
export function beta(equity: ArrayLike<number>, benchmark: ArrayLike<number>): number | null {
  if (equity.length < 3) return null;
  const e = logReturns(equity);
  const m = logReturns(benchmark);
  const meanE = mean(e);
  const meanM = mean(m);
  if (meanE === null || meanM === null) return null;
  // The n − 1 divisors of covariance and variance cancel in the ratio.
  let cov = 0;
  let varM = 0;
  for (let i = 0; i < e.length; i++) {
    const dm = m[i] - meanM;
    cov += (e[i] - meanE) * dm;
    varM += dm * dm;
  }
  return ratioOrNull(finiteOrNull(cov), finiteOrNull(varM));
}

/**
 * Jensen's alpha in percent points: R − rf − β × (R_bh − rf), with the strategy's
 * total return R and buy-and-hold return R_bh (percent) and rf the risk-free rate
 * in percent (not annualised, exactly as backtesting.py does).
 */
export function alphaPct(returnPct: number | null, buyHoldPct: number | null, b: number | null, riskFreePct: number): number | null {
  if (returnPct === null || buyHoldPct === null || b === null) return null;
  return finiteOrNull(returnPct - riskFreePct - b * (buyHoldPct - riskFreePct));
}
