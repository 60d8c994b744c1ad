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
 * non-positive value anywhere (no log return). One pass, Welford's update of the means and the co-moments:
 * each log return is computed once and none is kept (two arrays of a million returns cost more to allocate
 * than to compute); it agrees with the two-pass formula to ~1e-14 relative (test/metrics/market.test.ts).
 */
export function beta(equity: ArrayLike<number>, benchmark: ArrayLike<number>): number | null {
  if (equity.length < 3) return null;
  let meanE = 0;
  let meanM = 0;
  let coMoment = 0;
  let moment = 0;
  // The n − 1 divisors of covariance and variance cancel in the ratio.
  for (let i = 1, k = 1; i < equity.length; i++, k++) {
    const e = logReturn(equity, i);
    const m = logReturn(benchmark, i);
    const de = e - meanE;
    meanE += de / k;
    const dm = m - meanM;
    meanM += dm / k;
    const after = m - meanM;
    coMoment += de * after;
    moment += dm * after;
  }
  return ratioOrNull(finiteOrNull(coMoment), finiteOrNull(moment));
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
