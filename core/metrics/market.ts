/**
 * Beta and Jensen's alpha against the buy-and-hold benchmark
 * (docs/metrics.md, "Alpha and beta").
 */
import { finiteOrNull, ratioOrNull } from './numeric';

/** ln(v[i] / v[i−1]): bar i's log return. */
function logReturn(values: ArrayLike<number>, i: number): number {
  const a = values[i];
  const b = values[i - 1];
  // A flat bar (equity out of the market) is log(1) = 0 exactly, without the logarithm's cost; 0/0 and ∞/∞ are
  // not 1 and still go to Math.log (NaN).
  return a === b && a !== 0 && a - a === 0 ? 0 : Math.log(a / b);
}

/**
 * Beta = cov(e, m) / var(m) over the bar-to-bar log returns of equity (e) and the
 * benchmark (m), all bars. null with fewer than two returns, a flat benchmark, or a
 * non-positive value anywhere (no log return). The returns are computed in each of the two passes
 * instead of kept: two arrays of a million returns cost more to allocate than to compute again.
 */
export function beta(equity: ArrayLike<number>, benchmark: ArrayLike<number>): number | null {
  if (equity.length < 3) return null;
  const n = equity.length;
  let sumE = 0;
  let sumM = 0;
  for (let i = 1; i < n; i++) {
    sumE += logReturn(equity, i);
    sumM += logReturn(benchmark, i);
  }
  // As numeric.ts mean() computes it, sum in order then divide, so beta is the same to the last bit.
  const meanE = finiteOrNull(sumE / (n - 1));
  const meanM = finiteOrNull(sumM / (n - 1));
  if (meanE === null || meanM === null) return null;
  // The n − 1 divisors of covariance and variance cancel in the ratio.
  let cov = 0;
  let varM = 0;
  for (let i = 1; i < n; i++) {
    const dm = logReturn(benchmark, i) - meanM;
    cov += (logReturn(equity, i) - meanE) * dm;
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
